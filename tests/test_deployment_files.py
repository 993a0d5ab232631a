"""The deployment and developer entry points: compose.yaml, the Dockerfile, .ci/run, the README
commands, .env.example against the settings, and scripts/devstack.py's pure helpers. No
database needed."""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import dj_database_url
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEVSTACK_PATH = ROOT / "scripts" / "devstack.py"


def _load_devstack() -> ModuleType:
    """scripts/devstack.py is a script, not a package module: load it from its file."""
    spec = importlib.util.spec_from_file_location("devstack", DEVSTACK_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


devstack = _load_devstack()
APP_SERVICES = ("web", "worker", "beat")


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    if command is None:  # the image's CMD
        return []
    if isinstance(command, str):
        return command.split()
    assert isinstance(command, list), f"command must be a string or a list, got {command!r}"
    return [str(part) for part in command]


def _env_names(text: str, patterns: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        names.update(re.findall(pattern, text))
    return names


# ---------------------------------------------------------------- compose.yaml
def test_compose_defines_the_production_services() -> None:
    services = _compose()["services"]
    for name in ("postgres", "redis", *APP_SERVICES):
        assert name in services, f"compose.yaml has no {name!r} service"
    assert str(services["postgres"]["image"]).startswith("postgres:")
    assert str(services["redis"]["image"]).startswith("redis:")


def test_compose_web_runs_gunicorn_on_the_wsgi_app() -> None:
    command = _command(_compose()["services"]["web"])
    assert command[0] == "gunicorn"
    assert "msp_portal.wsgi:application" in command or "msp_portal.wsgi" in command


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_compose_celery_services(service: str, subcommand: str) -> None:
    command = _command(_compose()["services"][service])
    assert command[:3] == ["celery", "-A", "msp_portal"], command
    assert command[3] == subcommand, command


def test_compose_beat_uses_the_database_scheduler() -> None:
    command = " ".join(_command(_compose()["services"]["beat"]))
    scheduler = re.search(r"(?:--scheduler[= ]|-S )(\S+)", command)
    assert scheduler, f"beat does not choose a scheduler: {command}"
    assert "DatabaseScheduler" in scheduler.group(1)


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_compose_healthchecks(service: str) -> None:
    healthcheck = _compose()["services"][service].get("healthcheck")
    assert healthcheck and healthcheck.get("test"), f"{service} has no healthcheck"
    if service == "web":
        assert "/healthz" in " ".join(map(str, healthcheck["test"]))


def test_compose_beat_is_health_checked_through_its_remote_control() -> None:
    beat = _compose()["services"]["beat"]
    assert "--enable-remote-control" in _command(beat), "beat answers no ping without remote control"
    assert beat_healthcheck_command() == (
        "celery -A msp_portal inspect ping --destination celerybeat@$HOSTNAME --timeout 5"
    )


def beat_healthcheck_command() -> str:
    """beat's health check as the container's shell runs it (compose turns $$ into $)."""
    test = _compose()["services"]["beat"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL", test
    return str(test[1]).replace("$$", "$")


# ------------------------------------------------------ compose: uploads survive
MEDIA_DIR = "/var/lib/msp-portal/media"


def _merged_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    assert isinstance(environment, dict), "use the mapping form of environment"
    return {str(k): str(v) for k, v in environment.items()}


def test_uploads_live_on_a_named_volume_in_web_and_worker() -> None:
    compose = _compose()
    assert "media-data" in (compose.get("volumes") or {})
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert _merged_environment(service)["MEDIA_ROOT"] == MEDIA_DIR, name
        assert f"media-data:{MEDIA_DIR}" in service.get("volumes", []), (
            f"{name} keeps uploads in the container"
        )


def test_the_image_runs_as_a_user_that_owns_the_media_folder() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    runtime = dockerfile.split("AS runtime", 1)[1]
    user = re.findall(r"^USER\s+(\S+)", runtime, re.MULTILINE)
    assert user and user[-1] not in ("root", "0"), "the image must not run as root"
    assert re.search(rf"^ENV\b[^\n]*(?:\\\n[^\n]*)*MEDIA_ROOT={re.escape(MEDIA_DIR)}", runtime, re.MULTILINE)
    # Created and owned by the app user before USER switches to it (a volume mounted there
    # starts out with this ownership).
    before_user = runtime.split(f"USER {user[-1]}", 1)[0]
    assert re.search(rf"install -d -o {user[-1]} -g {user[-1]}[^\n]*{re.escape(MEDIA_DIR)}", before_user), (
        "the media folder is not created for the app user"
    )


# ------------------------------------------- the production path, followed literally
_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}")


class ComposeInterpolationError(ValueError):
    pass


def interpolate(text: str, variables: dict[str, str]) -> str:
    """compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$$"  # left for the container's shell, as compose does
        name, colon, kind, argument = match.groups()
        value = variables.get(name)
        missing = value is None or (colon == ":" and value == "")
        if kind == "-":
            return argument if missing else str(value)
        if kind == "?":
            if missing:
                raise ComposeInterpolationError(f"{name}: {argument}")
            return str(value)
        return value or ""

    return _INTERPOLATION.sub(replace, text)


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[match.group(1)] = value
    return values


def container_environment(service: str, env_file: dict[str, str]) -> dict[str, str]:
    """What compose hands the container: env_file values, then `environment:` interpolated."""
    spec = _compose()["services"][service]
    environment = {key: interpolate(value, env_file) for key, value in _merged_environment(spec).items()}
    return {**env_file, **environment}


REQUIRED_BY_README = {
    "SECRET_KEY": "a-long-random-production-key-for-this-test-only-0123456789",
    "POSTGRES_PASSWORD": "pg-password-for-this-test",
    "MSP_HOSTS": "portal.example.com",
    "CLIENT_DOMAIN_SUFFIX": "portal.example.com",
}


def test_compose_refuses_to_start_until_the_readme_values_are_set() -> None:
    example = read_env_file(ROOT / ".env.example")
    for name in REQUIRED_BY_README:
        assert example.get(name) == "", f"{name} must be left empty in .env.example"
        partly = {**example, **{k: v for k, v in REQUIRED_BY_README.items() if k != name}}
        with pytest.raises(ComposeInterpolationError, match=name):
            container_environment("web", partly)


def test_env_example_copied_as_the_readme_says_gives_https_links_and_secure_settings() -> None:
    env_file = {**read_env_file(ROOT / ".env.example"), **REQUIRED_BY_README}
    environment = container_environment("web", env_file)
    environment["DJANGO_SETTINGS_MODULE"] = "msp_portal.settings"
    environment["PATH"] = os.environ.get("PATH", "")
    code = """
import json
import django
django.setup()
from django.conf import settings
from tenants.actions import client_domain_for, portal_url

class Public:  # the MSP tenant: no client domain, links go to the first MSP host
    class domains:
        @staticmethod
        def all():
            return []

print(json.dumps({
    "debug": settings.DEBUG,
    "msp_link": portal_url(Public),
    "client_host": client_domain_for("acme"),
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
    "media_root": str(settings.MEDIA_ROOT),
}))
"""
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["msp_link"] == "https://portal.example.com/"
    assert seen["client_host"] == "acme.portal.example.com"
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["ssl_redirect"] is True
    assert seen["session_cookie_secure"] is True and seen["csrf_cookie_secure"] is True
    assert seen["allowed_hosts"] == ["portal.example.com", ".portal.example.com"]
    # Trusted origins, if any are listed, are https ones.
    assert all(origin.startswith("https://") for origin in seen["csrf_trusted_origins"])
    assert seen["media_root"] == MEDIA_DIR


def test_compose_publishes_the_web_port_on_loopback_by_default() -> None:
    ports = _compose()["services"]["web"]["ports"]
    assert [interpolate(str(port), {}) for port in ports] == ["127.0.0.1:8000:8000"]
    assert [interpolate(str(port), {"BIND_HOST": "0.0.0.0", "PORT": "80"}) for port in ports] == [
        "0.0.0.0:80:8000"
    ]


def test_compose_app_services_wait_for_healthy_backing_services() -> None:
    services = _compose()["services"]
    for name in APP_SERVICES:
        depends_on = services[name].get("depends_on")
        assert isinstance(depends_on, dict), f"{name}: depends_on must use conditions"
        for backing in ("postgres", "redis"):
            assert depends_on.get(backing, {}).get("condition") == "service_healthy", (name, backing)


def test_compose_bootstraps_the_database_before_serving() -> None:
    services = _compose()["services"]
    runs_bootstrap = [
        name for name, service in services.items() if "bootstrap_portal" in " ".join(_command(service))
    ]
    assert runs_bootstrap or "bootstrap_portal" in (ROOT / "Dockerfile").read_text()
    for name in runs_bootstrap:
        if name in APP_SERVICES:
            continue
        for app in APP_SERVICES:
            condition = services[app]["depends_on"].get(name, {}).get("condition")
            assert condition == "service_completed_successfully", (app, name)


def test_compose_named_volumes_are_declared_and_used() -> None:
    compose = _compose()
    declared = set((compose.get("volumes") or {}).keys())
    assert declared, "compose.yaml declares no named volumes"
    used: set[str] = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~")):
                used.add(source)
    assert used <= declared, f"undeclared named volumes: {used - declared}"
    for name in ("postgres", "redis"):
        assert compose["services"][name].get("volumes"), f"{name} keeps no data in a volume"


def test_compose_has_no_hard_coded_secrets() -> None:
    secret_name = re.compile(r"(SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE)", re.IGNORECASE)
    for name, service in _compose()["services"].items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
        for key, value in environment.items():
            if value is None:
                continue
            text = str(value)
            if secret_name.search(key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}", text), (
                    f"{name}.{key} must come from the environment (${{VAR}}), not be written in compose.yaml"
                )
            # Credentials inside URLs must be substituted too.
            for credentials in re.findall(r"://[^/@\s]*:([^@/\s]+)@", text):
                assert credentials.startswith("${"), f"{name}.{key} has a password written in its URL"
    assert "SECRET_KEY" in (ROOT / "compose.yaml").read_text()


# ------------------------------------------------------------- entry points
def test_ci_runs_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*(exec\s+)?make test\b", script, re.MULTILINE), ".ci/run must run `make test`"
    assert os.access(ROOT / ".ci" / "run", os.X_OK), ".ci/run must be executable"


def test_readme_starts_with_make_run_and_make_test() -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet (owned by another engineer)")
    blocks = re.findall(r"```[^\n]*\n(.*?)```", readme.read_text(), re.DOTALL)
    assert blocks, "README.md has no code block"
    first = "\n".join(blocks[:2])
    assert re.search(r"^\s*make run\b", first, re.MULTILINE), (
        "README's first code block(s) must show `make run`"
    )
    assert re.search(r"^\s*make test\b", first, re.MULTILINE), (
        "README's first code block(s) must show `make test`"
    )


def test_makefile_targets() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "lint", "schema"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"Makefile has no {target} target"
    assert "$(PY) scripts/devstack.py run" in makefile
    assert "$(PY) scripts/devstack.py exec -- bash scripts/check.sh" in makefile


def test_the_devstack_lives_outside_the_django_project() -> None:
    assert not (ROOT / "msp_portal" / "devstack.py").exists()
    source = DEVSTACK_PATH.read_text()
    # A developer tool: it imports nothing from the portal's packages.
    assert not re.search(r"^\s*(from|import)\s+(msp_portal|tenants|services|core)\b", source, re.MULTILINE)


def test_every_setting_variable_is_in_env_example() -> None:
    patterns = (
        r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""",
        r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]""",
        r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']""",
        r"""env_bool\(\s*["']([A-Z][A-Z0-9_]*)["']""",
        r"""env_list\(\s*["']([A-Z][A-Z0-9_]*)["']""",
        r"""env_int\(\s*["']([A-Z][A-Z0-9_]*)["']""",
    )
    settings_files = sorted((ROOT / "msp_portal").glob("settings*.py"))
    referenced = set()
    for path in settings_files:
        referenced |= _env_names(path.read_text(), patterns)
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= referenced, "the settings parser found too little"

    # Documented means a `NAME=` line, active or commented out (`# NAME=...`).
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    missing = sorted(referenced - documented)
    assert not missing, f".env.example lacks: {', '.join(missing)}"


def test_env_example_has_no_real_secret() -> None:
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^(SECRET_KEY|POSTGRES_PASSWORD)=(.*)$", line)
        if match:
            assert match.group(2).strip() in {"", '""'}, (
                f"{match.group(1)} must be left empty in .env.example"
            )


# ------------------------------------------------------------ devstack helpers
POSTMASTER_PID = """{pid}
{pgdata}
1764000000
5432
{socket_dir}
*
  5432001   0
ready
"""


def test_parse_postmaster_pid_reads_the_socket_dir_from_line_5(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "postmaster.pid").write_text(
        POSTMASTER_PID.format(pid=4242, pgdata=pgdata, socket_dir="/tmp/runtime-0/python_PostgresServer/ab12")
    )
    info = devstack.read_postmaster_pid(pgdata)
    assert info is not None
    assert info.pid == 4242
    assert info.port == 5432
    assert info.socket_dir == Path("/tmp/runtime-0/python_PostgresServer/ab12")
    assert info.status == "ready"


def test_parse_postmaster_pid_rejects_garbage_and_handles_a_partial_file() -> None:
    assert devstack.parse_postmaster_pid("") is None
    assert devstack.parse_postmaster_pid("not-a-pid\n") is None
    partial = devstack.parse_postmaster_pid("77\n/data\n")
    assert partial is not None and partial.pid == 77 and partial.socket_dir is None


def test_read_postmaster_pid_without_a_file(tmp_path: Path) -> None:
    assert devstack.read_postmaster_pid(tmp_path) is None
    assert devstack.postmaster_pid_is_stale(tmp_path) is False


def test_stale_postmaster_pid_detection(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    pidfile = pgdata / "postmaster.pid"

    # A live process that is not postgres (this test runner) owns the pid: stale.
    pidfile.write_text(POSTMASTER_PID.format(pid=os.getpid(), pgdata=pgdata, socket_dir=pgdata))
    assert devstack.postmaster_pid_is_stale(pgdata) is True
    # The real check, with the process inspection stubbed: a server on this data dir is not stale.
    assert devstack.postmaster_pid_is_stale(pgdata, is_server=lambda pid, path: path == pgdata) is False
    # An unreadable file is stale.
    pidfile.write_text("garbage")
    assert devstack.postmaster_pid_is_stale(pgdata, is_server=lambda pid, path: True) is True


def test_is_postgres_for_rejects_other_processes(tmp_path: Path) -> None:
    assert devstack.is_postgres_for(os.getpid(), tmp_path) is False
    assert devstack.is_postgres_for(0, tmp_path) is False


def test_database_url_parses_to_a_unix_socket_connection() -> None:
    url = devstack.database_url(Path("/tmp/runtime-0/pg sock"))
    assert url == "postgres://postgres@/msp_portal?host=/tmp/runtime-0/pg%20sock"
    config = dj_database_url.parse(url)
    assert config["NAME"] == "msp_portal"
    assert config["USER"] == "postgres"
    assert config["OPTIONS"]["host"] == "/tmp/runtime-0/pg sock"
    assert "port" not in config["OPTIONS"]

    other_port = dj_database_url.parse(devstack.database_url(Path("/run/pg"), port=5433))
    assert other_port["OPTIONS"] == {"host": "/run/pg", "port": 5433}


def test_redis_urls_use_separate_databases() -> None:
    urls = devstack.redis_urls(Path("/work/.data/redis/redis.sock"))
    assert urls == {
        "REDIS_URL": "unix:///work/.data/redis/redis.sock?db=0",
        "CELERY_BROKER_URL": "redis+socket:///work/.data/redis/redis.sock?virtual_host=1",
        "CELERY_RESULT_BACKEND": "redis+socket:///work/.data/redis/redis.sock?virtual_host=2",
    }
    import redis

    kwargs = redis.ConnectionPool.from_url(urls["REDIS_URL"]).connection_kwargs
    assert kwargs["path"] == "/work/.data/redis/redis.sock"
    assert kwargs["db"] == 0


def test_socket_paths_stay_short(tmp_path: Path) -> None:
    short = tmp_path / "redis.sock"
    if devstack.socket_path_ok(short):
        assert devstack.choose_socket_path(short, "redis.sock") == short
    long_path = tmp_path / ("x" * 120) / "redis.sock"
    assert devstack.socket_path_ok(long_path) is False
    chosen = devstack.choose_socket_path(long_path, "redis.sock")
    assert chosen != long_path
    assert len(os.fsencode(str(chosen))) <= devstack.MAX_SOCKET_PATH_BYTES
    assert chosen == devstack.choose_socket_path(long_path, "redis.sock"), "must be stable between runs"
    assert devstack.socket_path_ok(Path("/tmp/with space/redis.sock")) is False


def test_socket_path_limit_matches_the_kernel(tmp_path: Path) -> None:
    # A path of exactly MAX_SOCKET_PATH_BYTES binds; one byte more does not.
    base = str(tmp_path / "s")
    fits = base + "x" * (devstack.MAX_SOCKET_PATH_BYTES - len(base))
    if len(base) >= devstack.MAX_SOCKET_PATH_BYTES:
        pytest.skip("temporary directory path is too long for this check")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(fits)
    with socket.socket(socket.AF_UNIX) as sock, pytest.raises(OSError):
        sock.bind(fits + "y")


def test_redis_config(tmp_path: Path) -> None:
    config = devstack.redis_config(
        tmp_path, tmp_path / "redis.sock", tmp_path / "redis.pid", tmp_path / "r.log"
    )
    lines = set(config.splitlines())
    assert "port 0" in lines
    assert f"unixsocket {tmp_path / 'redis.sock'}" in lines
    assert f"pidfile {tmp_path / 'redis.pid'}" in lines
    assert f"dir {tmp_path}" in lines
    assert "save 60 1" in lines
    assert "daemonize yes" in lines
    spaced = devstack.redis_config(Path("/a b"), Path("/s.sock"), Path("/p"), Path("/l"))
    assert 'dir "/a b"' in spaced.splitlines()


def test_live_users_drops_dead_processes_and_this_one() -> None:
    alive = {10, 11}
    assert devstack.live_users([10, 12, 99, 11, 10], me=99, is_alive=alive.__contains__) == [10, 11]
    assert devstack.live_users([], me=1, is_alive=lambda pid: True) == []


def test_lease_tracks_devstack_users(tmp_path: Path) -> None:
    lease = devstack.Lease("svc", tmp_path)
    with lease.locked():
        assert lease.others() == []
        lease.join()
        # Only live devstack processes count: this pytest process is not one.
        (tmp_path / "svc.users").write_text(f"{os.getpid()}\n999999999\n")
        assert lease.leave() == []
    assert (tmp_path / "svc.users").read_text() == ""


def test_prefix_lines_keeps_partial_lines() -> None:
    lines, rest = devstack.prefix_lines("web", b"one\r\ntwo\nthr")
    assert lines == [b"web | one\n", b"web | two\n"]
    assert rest == b"thr"
    lines, rest = devstack.prefix_lines("beat", rest + b"ee\n")
    assert lines == [b"beat | three\n"]
    assert rest == b""


def test_read_pidfile(tmp_path: Path) -> None:
    path = tmp_path / "x.pid"
    assert devstack.read_pidfile(path) is None
    path.write_text("1234\n")
    assert devstack.read_pidfile(path) == 1234
    path.write_text("junk")
    assert devstack.read_pidfile(path) is None


def test_child_env_puts_this_python_first() -> None:
    env = devstack.child_env()
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert env["PYTHONUNBUFFERED"] == "1"


def test_is_devstack_process_recognises_the_script_by_name() -> None:
    assert devstack.is_devstack_process(os.getpid()) is False  # pytest is not one
    assert devstack.SCRIPT_NAME == "devstack.py"


# --------------------------------------------------- make run: where it listens
def test_make_run_listens_on_loopback_by_default() -> None:
    address = devstack.web_address({})
    assert (address.host, address.port) == ("127.0.0.1", 8000)
    assert address.loopback_only is True
    command = devstack.web_command(address)
    assert command[:2] == ["gunicorn", "msp_portal.wsgi:application"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:8000"
    assert address.probe_url == "http://127.0.0.1:8000/healthz"
    # An empty value is the default, not "every interface".
    assert devstack.web_address({"BIND_HOST": "  ", "PORT": ""}).bind == "127.0.0.1:8000"


@pytest.mark.parametrize(
    ("environ", "bind", "loopback_only", "probe_url"),
    [
        ({"BIND_HOST": "0.0.0.0"}, "0.0.0.0:8000", False, "http://127.0.0.1:8000/healthz"),
        ({"BIND_HOST": "::", "PORT": "8123"}, "[::]:8123", False, "http://[::1]:8123/healthz"),
        ({"BIND_HOST": "[::1]"}, "[::1]:8000", True, "http://[::1]:8000/healthz"),
        ({"BIND_HOST": "localhost", "PORT": "9000"}, "localhost:9000", True, "http://localhost:9000/healthz"),
        ({"BIND_HOST": "192.168.1.20"}, "192.168.1.20:8000", False, "http://192.168.1.20:8000/healthz"),
    ],
)
def test_make_run_listens_where_bind_host_says(
    environ: dict[str, str], bind: str, loopback_only: bool, probe_url: str
) -> None:
    address = devstack.web_address(environ)
    command = devstack.web_command(address)
    assert command[command.index("--bind") + 1] == bind
    assert address.loopback_only is loopback_only
    assert address.probe_url == probe_url


@pytest.mark.parametrize(
    "environ",
    [
        {"BIND_HOST": "0.0.0.0; rm -rf /"},
        {"BIND_HOST": "http://x"},
        {"PORT": "80a"},
        {"PORT": "70000"},
        {"PORT": "0"},
    ],
)
def test_make_run_refuses_an_unusable_address(environ: dict[str, str]) -> None:
    with pytest.raises(devstack.ConfigError):
        devstack.web_address(environ)


def test_bind_host_is_documented() -> None:
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^#?\s*BIND_HOST=", example, re.MULTILINE)
    assert "BIND_HOST" in (ROOT / "README.md").read_text()


def test_last_paragraph_finds_the_logins_after_other_output() -> None:
    output = "Provisioning A…\nSubject: invite\n\nHello\n\n-----\n\nDemo sign-ins\n  admin@x\n  tech@x\n"
    assert devstack.last_paragraph(output) == "Demo sign-ins\n  admin@x\n  tech@x"
    assert devstack.last_paragraph("") == ""


def test_health_checks_answer_over_plain_http_while_everything_else_is_redirected(settings: Any) -> None:
    # compose probes web over plain HTTP by container IP, with SECURE_SSL_REDIRECT on.
    from django.test import Client as HttpClient

    settings.SECURE_SSL_REDIRECT = True
    http = HttpClient()
    assert http.get("/healthz", HTTP_HOST="172.18.0.5:8000").status_code == 200
    redirected = http.get("/login", HTTP_HOST="localhost")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://localhost/login"


# ------------------------------------------- make run: the front end built alongside
def test_alongside_runs_its_commands_in_order_and_prefixes_their_output(capfdbinary: Any) -> None:
    job = devstack.Alongside("build", [["sh", "-c", "echo one; printf two"], ["sh", "-c", "echo three"]])
    job.start()
    assert job.wait(devstack.SignalState()) == 0
    out = capfdbinary.readouterr().out
    assert out == b"build | one\nbuild | two\nbuild | three\n"


def test_alongside_stops_at_the_first_failure_and_reports_it(capfdbinary: Any) -> None:
    job = devstack.Alongside("build", [["sh", "-c", "exit 3"], ["sh", "-c", "echo never"]])
    job.start()
    assert job.wait(devstack.SignalState()) == 3
    assert job.failed_command == ["sh", "-c", "exit 3"]
    assert b"never" not in capfdbinary.readouterr().out


def test_make_run_installs_in_parallel_and_builds_the_front_end_alongside() -> None:
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = re.search(r"^run:\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert run_recipe, "Makefile has no run recipe"
    recipe = run_recipe.group(1)
    assert re.search(r"\$\(MAKE\) .*-j2 deps npm-deps", recipe)
    assert '--alongside "$(MAKE) --no-print-directory frontend"' in recipe
    # Type-checking is make test's (npm run lint), not the build's.
    scripts = __import__("json").loads((ROOT / "frontend" / "package.json").read_text())["scripts"]
    assert "tsc" not in scripts["build"] and "tsc --noEmit" in scripts["lint"]
