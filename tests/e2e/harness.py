"""Helpers of the browser tests: the throwaway database, the web and worker processes, the
mail they send, the demo people and signing them in (TOTP for staff), screenshots. The
fixtures that use them are in conftest.py."""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import hashlib
import hmac
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

import dj_database_url
import psycopg
import pytest
from playwright.sync_api import expect
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
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in a file-based backend's file


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
    # Who has enrolled an authenticator on this stack's database, and their codes.
    authenticators: dict[str, Authenticator] = field(default_factory=dict)
    # A signed-in browser state (cookies) per role key, made once: see signed_in_state().
    storage_states: dict[str, Any] = field(default_factory=dict)

    @property
    def msp_url(self) -> str:
        return f"http://localhost:{self.port}"

    def portal_url(self, slug: str) -> str:
        # Chromium resolves every *.localhost name to the loopback address itself.
        return f"http://{slug}.localhost:{self.port}"

    @property
    def outbox(self) -> Path:
        """Where the web and worker processes write the mail they send (one file per
        connection, Django's file-based e-mail backend)."""
        return Path(self.env["E2E_OUTBOX"])

    def mails(self) -> list[EmailMessage]:
        """Every message sent so far, oldest file first."""
        messages: list[EmailMessage] = []
        for path in sorted(self.outbox.glob("*.log"), key=lambda item: item.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(MAIL_SEPARATOR):
                if chunk.strip():
                    parsed = email.message_from_bytes(chunk, policy=email.policy.default)
                    assert isinstance(parsed, EmailMessage)
                    messages.append(parsed)
        return messages

    def wait_for_mail(self, *, to: str, subject: str = "", timeout: float = 15.0) -> EmailMessage:
        """The newest message to ``to`` whose subject contains ``subject``; waits for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                message
                for message in self.mails()
                if to.lower() in str(message.get("To", "")).lower()
                and subject in str(message.get("Subject", ""))
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                seen = [f"{m.get('To')}: {m.get('Subject')}" for m in self.mails()]
                pytest.fail(
                    f"no mail to {to!r} with {subject!r} in its subject within {timeout:.0f}s; sent: {seen}"
                )
            time.sleep(POLL)

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


def stack_env(database_url: str, port: int, frontend_dist: Path, outbox: Path) -> dict[str, str]:
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
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "E2E_OUTBOX": str(outbox),  # EMAIL_FILE_PATH, portal_e2e_settings.py
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
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ------------------------------------------------------------ people, sign-in
@dataclass(frozen=True)
class Role:
    """A demo person (seed_demo) and the host they use; ``email=None`` is an anonymous visitor."""

    key: str
    label: str
    email: str | None = None
    client: str | None = None  # the slug of the client portal host they use; None: the MSP host
    staff: bool = False
    home: str = "/login"  # where the SPA puts them after signing in

    def base_url(self, stack: Stack) -> str:
        return stack.portal_url(self.client) if self.client else stack.msp_url


ANONYMOUS = Role("anonymous", "anonymous visitor")
ADMIN = Role("admin", "MSP admin", "admin@msp.demo", staff=True, home="/clients")
TECHNICIAN = Role("technician", "technician", "tech@msp.demo", staff=True, home="/queue")
LIMITED_TECHNICIAN = Role(
    "limited_technician",
    "technician allowed on Harbor & Finch only",
    "tech.limited@msp.demo",
    staff=True,
    home="/queue",
)
ACCOUNT_MANAGER = Role("account_manager", "account manager", "am@msp.demo", staff=True, home="/clients")
IT_LEAD = Role(
    "it_lead", "client IT lead", "lena.lead@harborfinch.demo", client="harbor-finch", home="/status"
)
MEMBER = Role("member", "client member", "mo.member@harborfinch.demo", client="harbor-finch", home="/company")
# Northwind requires two-factor authentication of its own people too.
NORTHWIND_IT_LEAD = Role(
    "northwind_it_lead",
    "client IT lead (2FA)",
    "ivy.lead@northwind.demo",
    client="northwind",
    home="/status",
)
STAFF_ROLES = (ADMIN, TECHNICIAN, ACCOUNT_MANAGER)
CLIENT_ROLES = (IT_LEAD, MEMBER)


@dataclass
class Authenticator:
    """The authenticator app of one person: the setup key, the backup codes not used yet,
    and the last time step answered (the server refuses a TOTP code of a step it has seen)."""

    secret: str
    backup_codes: list[str]
    last_step: int

    def next_code(self) -> str:
        """A code the server accepts now: the current TOTP, or a backup code when the
        current time step was used already (rather than waiting up to 30 s)."""
        step = int(time.time() // 30)
        if step > self.last_step:
            self.last_step = step
            return totp_now(self.secret, at=step * 30)
        if not self.backup_codes:
            raise RuntimeError("no backup codes left: sign this person in less often per 30 s")
        return self.backup_codes.pop()


CONTEXT_OPTIONS: dict[str, Any] = {"viewport": {"width": 1360, "height": 860}, "locale": "en-GB"}
DEFAULT_TIMEOUT_MS = 10_000


def new_context(browser: Any, *, width: int = 1360, height: int = 860, **options: Any) -> Any:
    """A browser context (own cookies) with the suite's defaults; ``options`` as Playwright's."""
    context = browser.new_context(
        **{**CONTEXT_OPTIONS, "viewport": {"width": width, "height": height}, **options}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


def watch_problems(page: Any) -> Any:
    """Collect console errors, uncaught exceptions and failed requests on ``page.problems``."""
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: page.problems.append(f"pageerror: {exc}"))
    page.on("requestfailed", lambda req: page.problems.append(f"requestfailed: {req.url} {req.failure}"))
    return page


def assert_healthy(page: Any) -> None:
    """No uncaught script errors while the test ran (console noise is reported, not fatal)."""
    for problem in getattr(page, "problems", []):
        print(f"[browser] {problem}")  # shown with -rP / -s
    errors = [problem for problem in getattr(page, "problems", []) if problem.startswith("pageerror")]
    assert not errors, errors


def sign_in(page: Any, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """The first step only: e-mail and password on ``base_url``'s sign-in page."""
    page.goto(f"{base_url}/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def enrol_authenticator(
    page: Any, shot: str | None = None, *, on_step: Callable[[str], None] | None = None
) -> Authenticator:
    """The OTP_ENROL step: read the setup key, answer with the current TOTP, keep the
    backup codes. ``on_step("enrol")`` runs when the QR code and setup key are shown,
    ``on_step("backup-codes")`` when the backup codes are (e.g. to check those pages)."""
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    secret_field = page.get_by_test_id("otp-secret")
    expect(secret_field).to_have_text(re.compile(r"^[A-Z2-7 ]{16,}$"))
    expect(page.locator(".qr-svg svg")).to_be_visible()
    if on_step:
        on_step("enrol")
    secret = "".join(secret_field.inner_text().split())
    step = int(time.time() // 30)
    page.get_by_test_id("otp-code").fill(totp_now(secret, at=step * 30))
    if shot:
        screenshot(page, shot)
    page.get_by_test_id("enrol-submit").click()
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes.first).to_be_visible()
    backup_codes = [code.strip() for code in codes.all_inner_texts()]
    assert len(backup_codes) >= 5 and len(set(backup_codes)) == len(backup_codes), backup_codes
    if on_step:
        on_step("backup-codes")
    page.get_by_test_id("backup-codes-done").click()
    return Authenticator(secret=secret, backup_codes=backup_codes, last_step=step)


def verify_second_factor(page: Any, authenticator: Authenticator) -> None:
    """The OTP_VERIFY step, with a TOTP code or (same 30 s step) a backup code."""
    code = authenticator.next_code()
    backup_mode = page.get_by_role("button", name="Lost your device? Use a backup code")
    if not code.isdigit() and backup_mode.count():
        backup_mode.click()
        expect(page.get_by_label("Backup code")).to_be_visible()
    page.get_by_test_id("otp-code").fill(code)
    page.get_by_test_id("otp-submit").click()


SecondFactor = Literal["enrolled", "verified", "none"]


def sign_in_as(
    page: Any, stack: Stack, role: Role, *, at: str | None = None, enrolment_shot: str | None = None
) -> SecondFactor:
    """Sign ``role`` in on their own host (or the one whose base URL is ``at``) in ``page``,
    through whatever second factor the server asks for: enrol an authenticator the first
    time (remembered on ``stack``), verify a code afterwards. Returns which of the two
    happened; the page ends inside the signed-in shell (wherever the SPA sends them). A
    refused sign-in fails the test: to expect a refusal, use ``sign_in`` and look."""
    if role.email is None:
        raise ValueError(f"{role.label} has nobody to sign in")
    base_url = at or role.base_url(stack)
    sign_in(page, base_url, role.email)
    enrol = page.get_by_role("heading", name="Set up two-factor authentication")
    verify = page.get_by_test_id("otp-submit")
    shell = page.get_by_test_id("viewer-name")
    refused = page.get_by_role("alert")
    expect(enrol.or_(verify).or_(shell).or_(refused).first).to_be_visible()
    done: SecondFactor = "none"
    if enrol.count():
        stack.authenticators[role.email] = enrol_authenticator(page, shot=enrolment_shot)
        done = "enrolled"
    elif verify.count():
        authenticator = stack.authenticators.get(role.email)
        if authenticator is None:
            pytest.fail(f"{role.email} enrolled outside sign_in_as(): their authenticator is unknown")
        verify_second_factor(page, authenticator)
        done = "verified"
    elif not shell.count():
        pytest.fail(f"signing in {role.email} at {base_url} was refused: {refused.first.inner_text()!r}")
    expect(shell).to_be_visible()
    return done


def signed_in_state(browser: Any, stack: Stack, role: Role) -> Any:
    """The cookies of ``role`` signed in (and past 2FA) on their host, made once per stack:
    ``new_context(browser, storage_state=...)`` starts signed in without the sign-in pages.
    Whoever uses it must not sign out (that ends the session shared by every user of it)."""
    state = stack.storage_states.get(role.key)
    if state is None:
        context = new_context(browser)
        try:
            page = context.new_page()
            sign_in_as(page, stack, role)
            state = context.storage_state()
        finally:
            context.close()
        stack.storage_states[role.key] = state
    return state


# -------------------------------------------------------------- accessibility
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")
PHONE_WIDTH = 360  # the client portal, sign-in, 2FA and invitation pages work from here
TABLET_WIDTH = 768  # staff pages work from here

_AXE_RUN = """async () => {
  const result = await window.axe.run(document, { resultTypes: ['violations'] });
  const selector = (target) => target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : part)).join(' ');
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact || 'minor',
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: selector(n.target), summary: n.failureSummary || '' })),
  }));
}"""

_OVERFLOW = """() => {
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth <= width) return null;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    const testId = el.getAttribute('data-testid');
    if (testId) text += `[data-testid="${testId}"]`;
    else if (el.id) text += `#${el.id}`;
    if (typeof el.className === 'string' && el.className.trim()) text += '.' + el.className.trim().split(/\\s+/).join('.');
    return text;
  };
  const clippedByAncestor = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of [document.body, ...document.body.querySelectorAll('*')]) {
    // In page coordinates: the window may be scrolled sideways (to a focused field).
    const right = (node) => node.getBoundingClientRect().right + window.scrollX;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || right(el) <= width + 0.5) continue;
    const parent = el.parentElement;
    if (parent !== doc && right(parent) > width + 0.5) continue;  // its parent is listed
    if (clippedByAncestor(el)) continue;
    offenders.push(`${describe(el)}: right edge at ${Math.round(right(el))} px, ${Math.round(box.width)} px wide`);
  }
  return { scrollWidth: doc.scrollWidth, innerWidth: width, offenders: offenders.slice(0, 8) };
}"""


# What pytest.fail() raises (documented as pytest.fail.Exception; typeshed-less for mypy).
_FAILED: Any = getattr(pytest.fail, "Exception")  # noqa: B009


class AccessibilityFindings(_FAILED):
    """A page failed the accessibility or layout check: the message says what and where
    (the server's logs have nothing to add, so conftest.py leaves them out)."""


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    help_url: str
    nodes: list[dict[str, str]]

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING_IMPACTS

    def describe(self, max_nodes: int = 10) -> str:
        lines = [f"  [{self.impact}] {self.rule}: {self.help} ({self.help_url})"]
        for node in self.nodes[:max_nodes]:
            reasons = [
                line.strip()
                for line in node["summary"].splitlines()
                if line.strip() and not line.strip().startswith("Fix ")
            ]
            lines.append(f"      {node['target']}  — {'; '.join(reasons)[:300]}")
        if len(self.nodes) > max_nodes:
            lines.append(f"      … and {len(self.nodes) - max_nodes} more element(s)")
        return "\n".join(lines)


_ANIMATIONS_SETTLED = """() => Promise.all(
  document.getAnimations()
    .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
    .map((a) => a.finished.catch(() => null))
)"""


def axe_violations(page: Any) -> list[AxeViolation]:
    """Run axe-core (frontend/node_modules, no network) on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS.relative_to(ROOT)} is missing: run `npm --prefix frontend ci` (axe-core is pinned there)"
        )
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    # Let finite animations (a dialog fading in) end first: mid-fade colours are not what a
    # person reads, and on a busy machine axe would otherwise measure them.
    page.evaluate(_ANIMATIONS_SETTLED)
    found = page.evaluate(_AXE_RUN)
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    violations = [
        AxeViolation(
            rule=v["rule"], impact=v["impact"], help=v["help"], help_url=v["helpUrl"], nodes=v["nodes"]
        )
        for v in found
    ]
    return sorted(violations, key=lambda v: (order.get(v.impact, 4), v.rule))


def horizontal_overflow(page: Any) -> dict[str, Any] | None:
    """None when the page fits its viewport's width; otherwise the widths and the outermost
    elements that stick out (those not inside a scrolling or clipping box)."""
    result: dict[str, Any] | None = page.evaluate(_OVERFLOW)
    return result


def next_frame(page: Any) -> None:
    """Let the page lay itself out again (after a viewport change)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def settle(page: Any) -> None:
    """Nothing on the page still loading: no skeletons, no busy regions."""
    expect(page.locator('[aria-busy="true"], .skeleton')).to_have_count(0)
