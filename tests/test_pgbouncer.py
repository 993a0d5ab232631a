"""The portal through PgBouncer in session pooling mode, configured as compose.yaml ships it
(deploy/pgbouncer/pgbouncer.ini): the tenant-isolation probes of
tests/tenants/test_isolation.py run with Django's connection going through a real
`pgbouncer` process, and a server connection handed from one application connection to the
next carries nothing over (search_path, advisory locks).

Needs the `pgbouncer` binary (Debian package `pgbouncer`; .ci/run installs it). Without it
the module is skipped with the reason — except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import configparser
import contextlib
import copy
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from django.db import connection

from tests.tenants import test_isolation

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_INI = ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini"
START_TIMEOUT = 15.0

# One probe per kind of data: people and clients (public schema), tickets and the queue
# (client schemas read one at a time and across clients), mutations, infrastructure,
# security, billing, outreach and the status page. Each runs exactly as in
# tests/tenants/test_isolation.py, where every root field has its probe.
PROBES_THROUGH_PGBOUNCER = (
    "viewer",
    "clients",
    "client",
    "tickets",
    "ticket",
    "queue",
    "replyToTicket",
    "notifications",
    "contacts",
    "devices",
    "securityIncidents",
    "invoices",
    "clientOutreach",
    "statusPage",
)


def pgbouncer_binary() -> str | None:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quote_userlist(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def shipped_config() -> configparser.ConfigParser:
    config = configparser.ConfigParser(delimiters=("=",), comment_prefixes=(";", "#"), interpolation=None)
    config.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    config.read(SHIPPED_INI)
    return config


@dataclass
class Bouncer:
    port: int
    user: str
    password: str
    workdir: Path
    process: subprocess.Popen[bytes]

    def connect(self, dbname: str, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname,
            connect_timeout=5,
            **kwargs,
        )

    def admin(self, command: str) -> list[dict[str, Any]]:
        """A command on PgBouncer's admin console (database `pgbouncer`)."""
        with self.connect("pgbouncer", autocommit=True) as conn:
            cursor = conn.execute(command)
            names = [column.name for column in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def log(self) -> str:
        path = self.workdir / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""


def write_config(workdir: Path, port: int, server: dict[str, Any], pool_size: int) -> Path:
    """The shipped pgbouncer.ini with only what differs on a test machine replaced: where it
    listens, which server it forwards to, how clients authenticate, where it logs."""
    config = shipped_config()
    host = server.get("HOST") or "127.0.0.1"
    target = f"host={host} port={server.get('PORT') or 5432}"
    if server.get("PASSWORD"):
        target += f" password={server['PASSWORD']}"
    config["databases"] = {"*": target}
    main = config["pgbouncer"]
    main.update(
        {
            "listen_addr": "127.0.0.1",
            "listen_port": str(port),
            "unix_socket_dir": "",
            "auth_type": "trust",
            "auth_file": str(workdir / "userlist.txt"),
            "admin_users": str(server.get("USER") or "postgres"),
            "default_pool_size": str(pool_size),
            "logfile": str(workdir / "pgbouncer.log"),
            "pidfile": str(workdir / "pgbouncer.pid"),
        }
    )
    (workdir / "userlist.txt").write_text(
        f"{quote_userlist(str(server.get('USER') or 'postgres'))} {quote_userlist(str(server.get('PASSWORD') or ''))}\n"
    )
    path = workdir / "pgbouncer.ini"
    with path.open("w") as handle:
        config.write(handle)
    return path


@contextlib.contextmanager
def running_pgbouncer(server: dict[str, Any], pool_size: int) -> Iterator[Bouncer]:
    binary = pgbouncer_binary()
    if binary is None:
        reason = "the pgbouncer binary is not installed (apt-get install pgbouncer)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI must run these tests (.ci/run installs it)")
        pytest.skip(reason)
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    # PgBouncer refuses to run as root: it then switches to an unprivileged user (-u), which
    # must be able to read its files and write its log.
    run_as = ["-u", "nobody"] if os.geteuid() == 0 else []
    os.chmod(workdir, 0o777 if run_as else 0o700)  # a private temporary directory
    process = None
    try:
        for _attempt in range(3):  # the free port may be taken between choosing and binding
            port = free_port()
            ini = write_config(workdir, port, server, pool_size)
            for path in workdir.iterdir():
                path.chmod(0o644 if run_as else 0o600)
            process = subprocess.Popen(
                [binary, *run_as, str(ini)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            bouncer = Bouncer(
                port=port,
                user=str(server.get("USER") or "postgres"),
                password=str(server.get("PASSWORD") or ""),
                workdir=workdir,
                process=process,
            )
            deadline = time.monotonic() + START_TIMEOUT
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    bouncer.admin("SHOW VERSION")
                    break
                except psycopg.OperationalError:
                    time.sleep(0.1)
            if process.poll() is None:
                break
        assert process is not None and process.poll() is None, (
            f"pgbouncer did not start: {process.stdout.read().decode() if process and process.stdout else ''}"
            f"\n{bouncer.log()}"
        )
        yield bouncer
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------- the shipped config
def test_compose_sends_every_application_connection_through_pgbouncer_in_session_mode() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    bouncer = services["pgbouncer"]
    assert bouncer["build"]["context"] == "deploy/pgbouncer"
    assert "pgbouncer" in (ROOT / "deploy" / "pgbouncer" / "Dockerfile").read_text()
    assert bouncer["healthcheck"]["test"]
    config = shipped_config()
    assert config["pgbouncer"]["pool_mode"] == "session"
    assert config["pgbouncer"]["server_reset_query"].upper() == "DISCARD ALL"
    assert config["databases"]["*"].split() == ["host=postgres", "port=5432"]
    port = config["pgbouncer"]["listen_port"]
    for name in ("migrate", "web", "worker", "beat"):
        service = services[name]
        assert f"@pgbouncer:{port}/" in service["environment"]["DATABASE_URL"], name
        assert service["depends_on"]["pgbouncer"]["condition"] == "service_healthy", name


def test_the_entrypoint_writes_the_auth_file_from_the_environment(tmp_path: Path) -> None:
    script = (ROOT / "deploy" / "pgbouncer" / "entrypoint.sh").read_text()
    assert "/run/pgbouncer/userlist.txt" in script
    # Run it with its paths moved into tmp_path and `pgbouncer` replaced by `cat`.
    script = script.replace("/run/pgbouncer/userlist.txt", str(tmp_path / "userlist.txt"))
    script = script.replace(
        "exec pgbouncer /etc/pgbouncer/pgbouncer.ini", f"exec cat {tmp_path / 'userlist.txt'}"
    )
    entrypoint = tmp_path / "entrypoint.sh"
    entrypoint.write_text(script)
    env = {"PATH": os.environ.get("PATH", ""), "POSTGRES_USER": "portal", "POSTGRES_PASSWORD": 'pa"ss word'}
    out = subprocess.run(["sh", str(entrypoint)], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == '"portal" "pa""ss word"\n'
    assert (tmp_path / "userlist.txt").stat().st_mode & 0o077 == 0
    missing = subprocess.run(
        ["sh", str(entrypoint)],
        env={"PATH": env["PATH"], "POSTGRES_USER": "portal"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr


# ------------------------------------------------------------- a real pgbouncer
@pytest.fixture(scope="module")
def bouncer(django_db_setup: Any) -> Iterator[Bouncer]:
    # One server connection per database: every application connection that follows gets the
    # same PostgreSQL backend, so anything a session leaves behind would be seen by the next.
    with running_pgbouncer(connection.settings_dict, pool_size=1) as running:
        yield running


@pytest.fixture
def _through_pgbouncer(bouncer: Bouncer, django_db_blocker: Any) -> Iterator[None]:
    """Django's connection goes through `bouncer` for the test, then directly again."""
    original = copy.deepcopy(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = bouncer.port
        options = connection.settings_dict.setdefault("OPTIONS", {})
        for key in ("host", "port", "hostaddr", "service"):
            options.pop(key, None)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


@pytest.fixture
def db(_through_pgbouncer: None, db: None) -> None:
    """pytest-django's `db` (the test's transaction), opened on the connection through
    PgBouncer: `world` and `gql` use it."""


def assert_served_by_pgbouncer(bouncer: Bouncer) -> None:
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    clients = [row for row in bouncer.admin("SHOW CLIENTS") if row["database"] == database]
    assert clients, f"no client of {database} on pgbouncer: {bouncer.admin('SHOW CLIENTS')}"
    pools = [row for row in bouncer.admin("SHOW POOLS") if row["database"] == database]
    assert pools and all(row["pool_mode"] == "session" for row in pools), pools


@pytest.mark.parametrize("field", PROBES_THROUGH_PGBOUNCER)
def test_isolation_probe_through_pgbouncer(field: str, bouncer: Bouncer, world: Any, gql: Any) -> None:
    assert_served_by_pgbouncer(bouncer)
    test_isolation.PROBES[field](world, gql)


def test_urls_and_hosts_through_pgbouncer(bouncer: Bouncer, world: Any, gql: Any) -> None:
    assert_served_by_pgbouncer(bouncer)
    for path in ("/", "/company", "/clients/bravo"):
        test_isolation.test_urls_of_b_show_an_a_user_nothing_of_b(world, path)
    test_isolation.test_unknown_host_is_refused(world)
    test_isolation.test_tenant_scope_fails_closed_without_a_client(world, gql)
    test_isolation.test_relay_ids_do_not_open_other_clients(world, gql)


def test_a_server_connection_passed_on_carries_no_schema_or_lock(bouncer: Bouncer, world_state: Any) -> None:
    """What one application connection sets is gone when the next one gets the same server
    connection: the client's search_path (django-tenants) and a session advisory lock (a
    provisioning job's liveness lock)."""
    database = connection.settings_dict["NAME"]
    with bouncer.connect(database, autocommit=True) as first:
        default_path = first.execute("SHOW search_path").fetchone()
        backend = first.execute("SELECT pg_backend_pid()").fetchone()
        first.execute(f'SET search_path = "{world_state.b.schema_name}", public')
        first.execute("SELECT pg_advisory_lock(424242)")
        assert (
            first.execute("SELECT count(*) FROM support_ticket").fetchone() is not None
        )  # B's schema is set
    with bouncer.connect(database, autocommit=True) as second:
        assert second.execute("SELECT pg_backend_pid()").fetchone() == backend  # the same server session
        assert second.execute("SHOW search_path").fetchone() == default_path
        held = second.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242 AND granted"
        ).fetchone()
        assert held == (0,)
        with pytest.raises(psycopg.errors.UndefinedTable):
            second.execute("SELECT count(*) FROM support_ticket")


# ------------------------------------------------------------------- CI set-up
def test_ci_installs_pgbouncer_and_a_missing_binary_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert (
        "missing+=(pgbouncer)" in script
        and 'apt-get install -y --no-install-recommends "${missing[@]}"' in script
    )
    monkeypatch.setitem(globals(), "pgbouncer_binary", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run these tests"), running_pgbouncer({}, 1):
        pass
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install pgbouncer"), running_pgbouncer({}, 1):
        pass
