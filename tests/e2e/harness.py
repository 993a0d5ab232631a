"""Helpers of the browser tests: the throwaway database, the web and worker processes,
TOTP codes, screenshots. The fixtures that use them are in conftest.py."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import dj_database_url
import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: existence check only, nothing is sent
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_artifacts_dir(base: Path) -> Path:
    """This run's own folder under ``base`` (``run-<pid>``), so two runs at once never mix or
    delete each other's logs and screenshots. Folders of runs that have ended are removed."""
    base.mkdir(parents=True, exist_ok=True)
    for folder in base.glob("run-*"):
        pid = folder.name.removeprefix("run-")
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    return base / f"run-{os.getpid()}"


ARTIFACTS = run_artifacts_dir(ROOT / "test-artifacts" / "e2e")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "portal-demo-2026")
SETUP_TIMEOUT = 120.0  # bootstrap_portal / seed_demo, each
READY_TIMEOUT = 30.0  # gunicorn answering /readyz
STOP_TIMEOUT = 10.0
POLL = 0.1


def venv_bin(name: str) -> str:
    for directory in (ROOT / ".venv" / "bin", Path(sys.executable).parent):
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found in .venv/bin or on PATH")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_url_for_db(base: str, db: int) -> str:
    """``base`` (the cache's Redis URL) pointing at another logical database."""
    parts = urlsplit(base)
    if parts.scheme == "unix":  # unix:///path/redis.sock?db=0 (kombu spells it differently)
        return f"redis+socket://{parts.path}?{urlencode({'virtual_host': db})}"
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def totp_now(secret: str, *, step: int = 30, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) of a base32 secret as shown by the enrolment screen."""
    cleaned = "".join(secret.split()).upper()
    key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


# ------------------------------------------------------------------ database
@dataclass(frozen=True)
class Database:
    url: str
    name: str
    admin_params: dict[str, Any]

    @classmethod
    def throwaway(cls) -> Database:
        base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
        config = dj_database_url.parse(base)
        name = f"msp_e2e_{os.getpid()}"
        params: dict[str, Any] = {
            "dbname": "postgres",
            "user": config.get("USER") or "postgres",
            "autocommit": True,
            "connect_timeout": 5,
        }
        options = config.get("OPTIONS") or {}
        host = options.get("host") or config.get("HOST") or "127.0.0.1"
        params["host"] = host
        if config.get("PORT"):
            params["port"] = int(config["PORT"])
        if config.get("PASSWORD"):
            params["password"] = config["PASSWORD"]
        parts = urlsplit(base)
        url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
        return cls(url=url, name=name, admin_params=params)

    def _execute(self, statement: sql.Composed) -> None:
        with psycopg.connect(**self.admin_params) as conn:
            conn.execute(statement)

    def create(self) -> None:
        self.drop()  # left behind by a killed run with the same pid
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


# -------------------------------------------------------------------- stack
@dataclass
class Stack:
    port: int
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def msp_url(self) -> str:
        return f"http://localhost:{self.port}"

    def portal_url(self, slug: str) -> str:
        # Chromium resolves every *.localhost name to the loopback address itself.
        return f"http://{slug}.localhost:{self.port}"

    def manage(self, *args: str) -> str:
        started = time.monotonic()
        result = subprocess.run(
            [venv_bin("python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        (self.log_dir / f"{args[0]}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            pytest.fail(
                f"manage.py {' '.join(args)} exited {result.returncode} after "
                f"{time.monotonic() - started:.1f}s\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def spawn(self, label: str, argv: list[str]) -> None:
        log = (self.log_dir / f"{label}.log").open("wb")
        self.processes[label] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers stop with it
        )
        log.close()

    def wait_ready(self) -> None:
        url = f"http://127.0.0.1:{self.port}/readyz"  # pytest-socket: loopback by address
        deadline = time.monotonic() + READY_TIMEOUT
        last: str = "no answer"
        while time.monotonic() < deadline:
            for label, proc in self.processes.items():
                if proc.poll() is not None:
                    pytest.fail(
                        f"{label} exited with {proc.returncode} during start-up\n{self.log_tail(label)}"
                    )
            try:
                with urllib.request.urlopen(url, timeout=1.0) as response:
                    if response.status == 200:
                        return
                    last = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
            except (urllib.error.URLError, OSError) as exc:
                last = repr(exc)
            time.sleep(POLL)
        pytest.fail(f"{url} not ready within {READY_TIMEOUT:.0f}s (last: {last})\n{self.log_tail('web')}")

    def log_tail(self, label: str, chars: int = 4000) -> str:
        path = self.log_dir / f"{label}.log"
        if not path.exists():
            return f"[{label}: no log]"
        text = path.read_text(errors="replace")
        return f"--- {label} ({path.relative_to(ROOT)}) ---\n{text[-chars:]}"

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)  # graceful: gunicorn and celery both
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        for proc in self.processes.values():
            # Whatever is left in the group each child leads (gunicorn workers) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def stack_env(database_url: str, port: int, frontend_dist: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Broker and results on Redis databases of their own; the queue is this run's own
            # too (portal_e2e_settings.py), so no other worker consumes these tasks.
            "CELERY_BROKER_URL": redis_url_for_db(redis_url, 3),
            "CELERY_RESULT_BACKEND": redis_url_for_db(redis_url, 4),
            "E2E_CELERY_QUEUE": f"e2e-{os.getpid()}",
            "E2E_FRONTEND_DIST": str(frontend_dist),
            # Uploads go to this run's scratch folder (removed with it), not the repository's.
            "MEDIA_ROOT": str(frontend_dist.parent / "media"),
            "CACHE_KEY_PREFIX": f"msp-e2e-{os.getpid()}",
            "DJANGO_SETTINGS_MODULE": "portal_e2e_settings",
            "PYTHONPATH": os.pathsep.join([str(E2E_DIR), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": "e2e-only",
            "DEBUG": "false",
            "SECURE_COOKIES": "false",
            "SECURE_SSL_REDIRECT": "false",
            "PORTAL_SCHEME": "http",
            "PORTAL_PORT": str(port),
            "MSP_HOSTS": "localhost,127.0.0.1",
            "CLIENT_DOMAIN_SUFFIX": "localhost",
            "FAST_PASSWORD_HASHING": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "TEST_DATABASE_NAME"):
        env.pop(name, None)
    return env


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
