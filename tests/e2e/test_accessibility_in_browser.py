"""Accessibility of every page of the SPA for every role, in a real browser against the real
stack (see conftest.py), on the demo data.

Each visit opens one route (or one state of it: a dialog, an editor, an error) as one role
on that role's host, waits until the page shows what it is about, and then

- runs axe-core (frontend/node_modules/axe-core, pinned in frontend/package.json; injected,
  no network) and fails on any *serious* or *critical* violation, naming the rule, the
  elements and the page;
- narrows the window to a phone (360 px: the client portal, sign-in, 2FA and invitation
  pages) or a tablet (768 px: staff pages), fails if the page scrolls sideways
  (``scrollWidth > innerWidth``), and runs axe-core again at that width.

The visits are derived from the router (frontend/src/App.tsx):
``test_every_route_is_visited_by_every_role_that_can_open_it`` fails when a route is added
there that no visit covers. Every visit's findings (all impacts) are also written to
test-artifacts/e2e/axe/<visit>.json.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import (
    ACCOUNT_MANAGER,
    ADMIN,
    ANONYMOUS,
    ARTIFACTS,
    CLIENT_ROLES,
    CONTEXT_OPTIONS,
    IT_LEAD,
    LIMITED_TECHNICIAN,
    MEMBER,
    NORTHWIND_IT_LEAD,
    PHONE_WIDTH,
    ROOT,
    STAFF_ROLES,
    TABLET_WIDTH,
    TECHNICIAN,
    AccessibilityFindings,
    AxeViolation,
    Role,
    Stack,
    axe_violations,
    enrol_authenticator,
    horizontal_overflow,
    new_context,
    next_frame,
    screenshot,
    settle,
    sign_in,
    signed_in_state,
    verify_second_factor,
    watch_problems,
)

pytestmark = [pytest.mark.e2e]

APP_TSX = ROOT / "frontend" / "src" / "App.tsx"
CLIENT = "harbor-finch"  # IT_LEAD's and MEMBER's company
NEWCOMER = ("Nia Newcomer", "nia.newcomer@harborfinch.demo")
REPORTS = ARTIFACTS / "axe"
EVERYONE = (ANONYMOUS, *STAFF_ROLES, *CLIENT_ROLES)

# Harbor & Finch's demo tickets (seed_demo): #1 and #4 raised by the IT lead (#4 waiting on
# her), #2 and #3 by the member (#2 answered by the technician). The module's `demo` fixture
# resolves #3, and #1 which the IT lead then closes, so the pages of resolved and closed
# requests are visited too.
CLOSED_TICKET = 1
OPEN_TICKET = 2
RESOLVED_TICKET = 3
WAITING_TICKET = 4


# ------------------------------------------------------------------- visits
@dataclass(frozen=True)
class Visit:
    role: Role
    route: str  # the route's path as App.tsx writes it ("/login", "queue", "*"); "" = the index
    path: str  # what the browser opens; "{invitation}" is the demo invitation's path
    ready: str  # data-testid of what shows the page is there (not a spinner or an error); "" = <main>
    state: str = ""  # the state `prepare` puts the page in ("new ticket dialog open")
    prepare: Callable[[Any], None] | None = field(default=None, compare=False)
    host: str | None = None  # client slug of the host when not the role's own
    lands_on: str | None = None  # the path the SPA ends on when it redirects

    @property
    def redirect_only(self) -> bool:
        """A route that only sends the browser on (the index): the landing is checked, and
        the page it lands on is audited by its own visit."""
        return self.lands_on is not None

    @property
    def id(self) -> str:
        shown = self.path.replace("{invitation}", "/invite/<valid token>")
        on = f"@{self.host}" if self.host else ""
        return f"{self.role.key}{on} {shown}" + (f" [{self.state}]" if self.state else "")

    @property
    def narrow_width(self) -> int:
        return TABLET_WIDTH if self.role.staff else PHONE_WIDTH

    def base_url(self, stack: Stack) -> str:
        slug = self.host or self.role.client
        return stack.portal_url(slug) if slug else stack.msp_url

    def ready_locator(self, page: Any) -> Any:
        return (page.get_by_test_id(self.ready) if self.ready else page.locator("main")).first


def opens(trigger: str, shows: str) -> Callable[[Any], None]:
    """A `prepare` that clicks ``trigger`` and waits for ``shows`` (data-testids)."""

    def prepare(page: Any) -> None:
        page.get_by_test_id(trigger).click()
        expect(page.get_by_test_id(shows)).to_be_visible()

    return prepare


def refused_sign_in(page: Any) -> None:
    page.get_by_test_id("login-email").fill("nobody@example.invalid")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("alert")).to_be_visible()


INVALID_INVITATION = re.compile(r"can.t be used|not valid|expired", re.IGNORECASE)


def invalid_invitation(page: Any) -> None:
    """Today the page says so only once the form is sent; it may say so at once."""
    if page.get_by_test_id("invite-submit").count():
        page.get_by_test_id("invite-fullname").fill("Somebody Else")
        page.get_by_test_id("invite-password").fill("a-long-enough-password")
        page.get_by_test_id("invite-password-confirm").fill("a-long-enough-password")
        page.get_by_test_id("invite-submit").click()
    expect(page.get_by_text(INVALID_INVITATION).first).to_be_visible()


def new_ticket_with_requesters(page: Any) -> None:
    opens("client-new-ticket", "new-ticket-dialog")(page)
    expect(page.locator('[data-testid^="requester-option-"]').first).to_be_visible()


def ingest_token_created(page: Any) -> None:
    """The ingest card with its example open, then a new token's one-time secret dialog."""
    card = page.get_by_test_id("ingest-tokens")
    expect(card).to_be_visible()
    page.get_by_test_id("ingest-create").click()
    page.get_by_test_id("ingest-name").fill("Accessibility RMM")
    page.get_by_test_id("ingest-create-confirm").click()
    expect(page.get_by_test_id("ingest-secret-dialog")).to_be_visible()


def catalog_editors(page: Any) -> None:
    page.get_by_test_id("policy-new").click()
    expect(page.get_by_test_id("policy-editor")).to_be_visible()
    page.get_by_test_id("calendar-new").click()
    expect(page.get_by_role("form", name="New calendar")).to_be_visible()


def unfolded_then_opens(trigger: str, shows: str) -> Callable[[Any], None]:
    """`opens`, on a page whose folded parts (SLA calculations) are unfolded first: once the
    dialog is open, nothing behind it can be clicked."""

    def prepare(page: Any) -> None:
        folded = page.locator('button[aria-expanded="false"][aria-controls]')
        for _ in range(3):
            expand_disclosures(page)
            if not any(button.is_visible() for button in folded.all()):
                break
        opens(trigger, shows)(page)

    return prepare


def anonymous_visits() -> list[Visit]:
    return [
        Visit(ANONYMOUS, "/login", "/login", ready="login-submit"),
        Visit(ANONYMOUS, "/login", "/login", ready="login-submit", host=CLIENT),
        Visit(
            ANONYMOUS,
            "/login",
            "/login",
            ready="login-submit",
            state="sign-in refused",
            prepare=refused_sign_in,
        ),
        Visit(ANONYMOUS, "/invite/:token", "{invitation}", ready="invite-fullname", host=CLIENT),
        Visit(
            ANONYMOUS,
            "/invite/:token",
            "/invite/not-a-real-token",
            ready="",
            state="invalid token",
            prepare=invalid_invitation,
            host=CLIENT,
        ),
        Visit(ANONYMOUS, "*", "/no-such-page", ready="notfound-home"),
        Visit(ANONYMOUS, "*", "/no-such-page", ready="notfound-home", host=CLIENT),
    ]


def staff_visits(role: Role) -> list[Visit]:
    home_ready = "queue-table" if role.home == "/queue" else "clients-table"
    ticket = f"/tickets/{CLIENT}"
    return [
        Visit(role, "", "/", ready=home_ready, lands_on=role.home),
        Visit(role, "queue", "/queue", ready="queue-table"),
        Visit(role, "tickets/:clientSlug/:number", f"{ticket}/{OPEN_TICKET}", ready="ticket-title"),
        Visit(role, "tickets/:clientSlug/:number", f"{ticket}/{RESOLVED_TICKET}", ready="ticket-title"),
        Visit(role, "clients", "/clients", ready="clients-table"),
        Visit(role, "clients/:slug", f"/clients/{CLIENT}", ready="client-name"),
        Visit(role, "catalog", "/catalog", ready="catalog-policies"),
        Visit(role, "down-now", "/down-now", ready="down-now"),
        # Security (seed_demo: incidents 1-4 and phishing campaigns 1-2 at every client).
        Visit(role, "security", "/security", ready="security-work-table"),
        Visit(role, "security/:slug", f"/security/{CLIENT}", ready="security-targets-table"),
        Visit(
            role,
            "security/:clientSlug/incidents/:number",
            f"/security/{CLIENT}/incidents/1",
            ready="incident-title",
        ),
        Visit(
            role, "security/:slug/phishing/:id", f"/security/{CLIENT}/phishing/1", ready="campaign-subject"
        ),
        Visit(role, "billing", "/billing", ready="billing-page"),
        Visit(role, "billing/runs/:id", "/billing/runs/1", ready="billing-run-page"),
        # Outreach (account managers and admins; technicians are told they may not).
        Visit(role, "outreach", "/outreach", ready="outreach-page"),
        Visit(role, "outreach/clients/:slug", f"/outreach/clients/{CLIENT}", ready="outreach-page"),
        Visit(role, "outreach/segments", "/outreach/segments", ready="outreach-page"),
        Visit(role, "outreach/campaigns", "/outreach/campaigns", ready="outreach-page"),
        Visit(role, "outreach/broadcasts", "/outreach/broadcasts", ready="outreach-page"),
        Visit(role, "*", "/no-such-page", ready="notfound-home"),
    ]


def client_visits(role: Role) -> list[Visit]:
    own = (OPEN_TICKET, RESOLVED_TICKET) if role is MEMBER else (WAITING_TICKET, RESOLVED_TICKET)
    return [
        Visit(
            role,
            "",
            "/",
            ready="status-page" if role.home == "/status" else "company-name",
            lands_on=role.home,
        ),
        Visit(role, "status", "/status", ready="status-page"),
        Visit(role, "company", "/company", ready="company-name"),
        Visit(role, "company/:slug", f"/company/{CLIENT}", ready="company-name"),
        Visit(role, "requests", "/requests", ready="requests-table"),
        *(Visit(role, "requests/:number", f"/requests/{number}", ready="ticket-title") for number in own),
        Visit(role, "compliance", "/compliance", ready="compliance-section"),
        # Members see their own devices and home office (seed_demo gives them some).
        Visit(role, "devices", "/devices", ready="devices-table"),
        # MFA coverage is the IT lead's; a member is told it is not for them.
        Visit(role, "mfa", "/mfa", ready="mfa-percent" if role is IT_LEAD else ""),
        # seed_demo names the member on incidents 1 and 2, and the member reported phishing #1.
        Visit(role, "incidents", "/incidents", ready="incidents-table"),
        Visit(role, "incidents/:number", "/incidents/1", ready="incident-title"),
        Visit(role, "phishing", "/phishing", ready="report-phishing-form"),
        Visit(role, "phishing/:id", "/phishing/1", ready="phishing-report-view"),
        Visit(role, "invoices", "/invoices", ready="invoices-page"),
        Visit(role, "news", "/news", ready="outreach-page"),
        Visit(role, "*", "/no-such-page", ready="notfound-home"),
    ]


def device_import_with_row_errors(page: Any) -> None:
    """Upload a device list with bad rows: the preview lists them, nothing is written."""
    page.get_by_test_id("device-import-file").set_input_files(
        files=[
            {
                "name": "devices.csv",
                "mimeType": "text/csv",
                "buffer": b"name,type,owner_email\nnew-pc,laptop,\ntoaster-1,toaster,\nlt-x,laptop,nobody@nowhere.test\n",
            }
        ]
    )
    expect(page.get_by_test_id("device-import-errors")).to_be_visible()


def state_visits() -> list[Visit]:
    """Dialogs, editors and a closed request, each looked at once, by a role that uses it
    (the component is the same for every role that may open it)."""
    return [
        Visit(
            TECHNICIAN,
            "tickets/:clientSlug/:number",
            f"/tickets/{CLIENT}/{CLOSED_TICKET}",
            ready="ticket-title",
        ),
        Visit(IT_LEAD, "requests/:number", f"/requests/{CLOSED_TICKET}", ready="ticket-title"),
        Visit(
            TECHNICIAN,
            "queue",
            "/queue",
            ready="queue-table",
            state="new ticket dialog open",
            prepare=opens("new-ticket", "new-ticket-dialog"),
        ),
        Visit(
            ACCOUNT_MANAGER,
            "clients/:slug",
            f"/clients/{CLIENT}",
            ready="client-name",
            state="new ticket dialog open, requesters listed",
            prepare=new_ticket_with_requesters,
        ),
        Visit(
            TECHNICIAN,
            "clients/:slug",
            f"/clients/{CLIENT}?tab=status",
            ready="status-page",
            state="Status tab: the client's status page and hierarchy",
        ),
        Visit(
            TECHNICIAN,
            "clients/:slug",
            f"/clients/{CLIENT}",
            ready="ingest-tokens",
            state="ingest token created, its secret shown once",
            prepare=ingest_token_created,
        ),
        Visit(
            ADMIN,
            "clients",
            "/clients",
            ready="clients-table",
            state="new client dialog open",
            prepare=opens("new-client", "new-client-dialog"),
        ),
        Visit(
            ADMIN,
            "catalog",
            "/catalog",
            ready="catalog-policies",
            state="policy and calendar editors open",
            prepare=catalog_editors,
        ),
        Visit(
            MEMBER,
            "requests",
            "/requests",
            ready="requests-table",
            state="new request dialog open",
            prepare=opens("new-request", "new-request-dialog"),
        ),
        Visit(
            TECHNICIAN,
            "clients/:slug",
            f"/clients/{CLIENT}?tab=sites",
            ready="sites-table",
            state="sites tab",
        ),
        Visit(
            TECHNICIAN,
            "clients/:slug",
            f"/clients/{CLIENT}?tab=devices&protection=MISSING",
            ready="devices-table",
            state="devices tab, filtered, device dialog open",
            prepare=opens("device-new", "device-dialog"),
        ),
        Visit(
            ADMIN,
            "clients/:slug",
            f"/clients/{CLIENT}?tab=devices",
            ready="devices-table",
            state="device import preview with row errors",
            prepare=device_import_with_row_errors,
        ),
        Visit(
            ACCOUNT_MANAGER,
            "clients/:slug",
            f"/clients/{CLIENT}?tab=mfa",
            ready="mfa-percent",
            state="MFA tab",
        ),
        Visit(
            TECHNICIAN,
            "security/:slug",
            f"/security/{CLIENT}",
            ready="security-targets-table",
            state="new incident dialog open",
            prepare=opens("new-incident", "new-incident-dialog"),
        ),
        Visit(
            TECHNICIAN,
            "security/:clientSlug/incidents/:number",
            f"/security/{CLIENT}/incidents/1",
            ready="incident-title",
            state="status change dialog open",
            prepare=unfolded_then_opens("incident-to-contained", "incident-status-dialog"),
        ),
        Visit(
            ADMIN,
            "security/:clientSlug/incidents/:number",
            f"/security/{CLIENT}/incidents/2",
            ready="incident-title",
            state="affected people and devices dialog open",
            prepare=unfolded_then_opens("incident-affected-edit", "incident-affected-dialog"),
        ),
        Visit(
            IT_LEAD,
            "incidents",
            "/incidents",
            ready="incidents-table",
            state="report an incident dialog open",
            prepare=opens("new-incident", "new-incident-dialog"),
        ),
        Visit(
            MEMBER,
            "phishing",
            "/phishing",
            ready="report-phishing-form",
            state="paste mode",
            prepare=opens("phish-mode-paste", "phish-source"),
        ),
        Visit(
            ACCOUNT_MANAGER,
            "outreach/clients/:slug",
            f"/outreach/clients/{CLIENT}",
            ready="log-checkin",
            state="check-in dialog open",
            prepare=opens("log-checkin", "checkin-dialog"),
        ),
    ]


VISITS: list[Visit] = [
    *anonymous_visits(),
    *(visit for role in STAFF_ROLES for visit in staff_visits(role)),
    *(visit for role in CLIENT_ROLES for visit in client_visits(role)),
    *state_visits(),
]


# ------------------------------------------------------- routes of App.tsx
def app_routes(source: str | None = None) -> dict[str, str]:
    """Every route of the SPA's router (App.tsx, or ``source``) → who can open it: "public"
    (outside the signed-in layout), "staff" (StaffOnly), "client" (ClientUsersOnly) or
    "signed-in" (in the layout, unguarded: the index)."""
    where = APP_TSX.relative_to(ROOT)
    source = APP_TSX.read_text() if source is None else source
    layout = re.search(r"<Route\s+element=\{\s*<RequireViewer>", source)
    if layout is None:
        pytest.fail(f"{where}: no <Route element={{<RequireViewer>…}}> layout route; update app_routes()")
    layout_end = source.index("</Route>", layout.end())
    routes: dict[str, str] = {}
    for match in re.finditer(
        r'<Route\s+(?:path="(?P<path>[^"]*)"|(?P<index>index)\b)(?P<body>.*?)/>', source, re.S
    ):
        path = "" if match["index"] else match["path"]
        body = match["body"]
        inside = layout.end() < match.start() < layout_end
        if "<StaffOnly>" in body:
            kind = "staff"
        elif "<ClientUsersOnly>" in body:
            kind = "client"
        elif inside:
            kind = "signed-in"
        else:
            kind = "public"
        routes[path] = kind
    if len(routes) < 8:
        pytest.fail(f"only {len(routes)} routes read from {where}: update app_routes() to its shape")
    return routes


def roles_for(route: str, kind: str) -> tuple[Role, ...]:
    if route == "*":
        return EVERYONE
    return {
        "public": (ANONYMOUS,),
        "staff": STAFF_ROLES,
        "client": CLIENT_ROLES,
        "signed-in": (*STAFF_ROLES, *CLIENT_ROLES),
    }[kind]


def test_every_route_is_visited_by_every_role_that_can_open_it() -> None:
    routes = app_routes()
    visited = {(visit.role.key, visit.route) for visit in VISITS}
    missing = [
        f"{route or '(index)'} ({kind}) as {role.key}"
        for route, kind in routes.items()
        for role in roles_for(route, kind)
        if (role.key, route) not in visited
    ]
    assert not missing, (
        "frontend/src/App.tsx has routes the accessibility check does not visit; add them to VISITS in "
        f"{__name__}:\n  " + "\n  ".join(missing)
    )
    stale = sorted({visit.route for visit in VISITS} - set(routes))
    assert not stale, f"VISITS name routes App.tsx no longer has: {stale}"


def test_the_route_reader_sees_new_routes_and_who_may_open_them() -> None:
    """The check above would notice: a staff page, a client page, a page for everyone
    signed in, and a public page added to today's router are all read, with their guard."""
    source = APP_TSX.read_text()
    today = app_routes(source)
    assert today["queue"] == "staff" and today["requests"] == "client"
    assert today["/login"] == "public" and today[""] == "signed-in" and today["*"] == "public"
    added_routes = (
        '<Route path="reports" element={<StaffOnly><ReportsPage /></StaffOnly>} />\n'
        '<Route path="documents" element={\n  <ClientUsersOnly>\n    <DocumentsPage />\n  </ClientUsersOnly>\n} />\n'
        '<Route path="settings" element={<SettingsPage />} />\n'
    )
    grown = re.sub(r"(?=<Route\s+index\b)", lambda _: added_routes, source, count=1)  # in the layout
    grown = re.sub(
        r'(?=<Route\s+path="\*")', lambda _: '<Route path="/status" element={<StatusPage />} />\n', grown
    )
    added = {path: kind for path, kind in app_routes(grown).items() if path not in today}
    assert added == {"reports": "staff", "documents": "client", "settings": "signed-in", "/status": "public"}


# --------------------------------------------------------------- the demo
@dataclass(frozen=True)
class Demo:
    invitation_path: str  # /invite/<token> of an open invitation to Harbor & Finch


@pytest.fixture(scope="module")
def demo(browser: Any, stack: Stack) -> Demo:
    """The demo data plus what the visits need: tickets #3 resolved and #1 closed, and an
    invitation sent by the IT lead (its link read from the mail)."""
    shutil.rmtree(REPORTS, ignore_errors=True)  # an earlier run's
    for role in EVERYONE:
        if role.email:
            signed_in_state(browser, stack, role)
    context = new_context(browser, storage_state=signed_in_state(browser, stack, TECHNICIAN))
    try:
        page = context.new_page()
        for number in (RESOLVED_TICKET, CLOSED_TICKET):
            page.goto(f"{stack.msp_url}/tickets/{CLIENT}/{number}")
            page.get_by_test_id("ticket-status").select_option("RESOLVED")
            expect_ticket_status(page, "RESOLVED")
    finally:
        context.close()
    context = new_context(browser, storage_state=signed_in_state(browser, stack, IT_LEAD))
    try:
        page = context.new_page()
        page.goto(f"{stack.portal_url(CLIENT)}/requests/{CLOSED_TICKET}")
        page.get_by_test_id("ticket-close").click()
        expect_ticket_status(page, "CLOSED")
        page.goto(f"{stack.portal_url(CLIENT)}/company")
        page.get_by_test_id("invite-user-name").fill(NEWCOMER[0])
        page.get_by_test_id("invite-user-email").fill(NEWCOMER[1])
        page.get_by_test_id("invite-user-submit").click()
        expect(page.get_by_test_id("invite-success")).to_be_visible(timeout=15_000)
    finally:
        context.close()
    mail = stack.wait_for_mail(to=NEWCOMER[1])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, mail
    link = re.search(r"(https?://\S+)(/invite/\S+)", body.get_content())
    assert link, body.get_content()
    assert link[1] == stack.portal_url(CLIENT), f"the invitation links to {link[1]}, not the client's host"
    return Demo(invitation_path=link[2])


def expect_ticket_status(page: Any, status: str) -> None:
    pill = page.get_by_test_id("ticket-status-pill").locator("[data-status]")
    expect(pill).to_have_attribute("data-status", status, timeout=15_000)


# ------------------------------------------------------------------ checks
@dataclass
class Findings:
    """What one visit found: the failures (with where they were seen), the findings of lower
    impact, and a report of everything for test-artifacts/e2e/axe/."""

    name: str  # of its report and screenshots
    where: str
    blocking: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)  # (rule, element) reported already
    shots: int = 0  # screenshots taken of failing steps

    def audit(self, page: Any, label: str) -> None:
        """axe-core now; what an earlier audit of this visit reported is not repeated."""
        also = "also " if self.seen else ""
        violations = axe_violations(page)
        self.report[label] = [v.__dict__ for v in violations]
        fresh = []
        for violation in violations:
            nodes = [node for node in violation.nodes if (violation.rule, node["target"]) not in self.seen]
            self.seen.update((violation.rule, node["target"]) for node in nodes)
            if nodes:
                fresh.append(replace(violation, nodes=nodes))
        blocking = [v for v in fresh if v.blocking]
        if blocking:
            self.blocking.append(
                f"{len(blocking)} serious/critical axe-core rule(s) failing {also}at {label}:\n"
                + "\n".join(v.describe() for v in blocking)
            )
        other = [v for v in fresh if not v.blocking]
        if other:
            listed = ", ".join(f"{v.rule} ({v.impact})" for v in other)
            self.notes.append(f"not blocking, {also}at {label}: {listed}")

    def fits(self, page: Any, width: int, prefix: str = "") -> None:
        page.set_viewport_size({"width": width, "height": 800})
        next_frame(page)
        overflow = horizontal_overflow(page)
        self.report[f"{prefix}overflow at {width} px"] = overflow
        if overflow:
            self.blocking.append(
                f"{prefix}scrolls sideways at {width} px: document {overflow['scrollWidth']} px wide "
                f"in a {overflow['innerWidth']} px window; sticking out:\n      "
                + "\n      ".join(overflow["offenders"])
            )

    def shoot(self, page: Any, step: str = "") -> None:
        screenshot(page, f"axe-failed-{self.name}" + (f"-{step}" if step else ""))
        self.shots += 1

    def check(self, page: Any) -> None:
        errors = [problem for problem in page.problems if problem.startswith("pageerror")]
        if errors:
            self.blocking.append("uncaught script error(s):\n      " + "\n      ".join(errors))
        REPORTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name).strip("_")
        report = json.dumps({"page": self.where, **self.report}, indent=1, default=str)
        (REPORTS / f"{safe}.json").write_text(report)
        if self.blocking:
            if not self.shots:
                self.shoot(page)
            notes = "".join(f"\n{note}" for note in self.notes)
            raise AccessibilityFindings(f"{self.where}\n" + "\n".join(self.blocking) + notes, pytrace=False)


def look_at(page: Any, findings: Findings, narrow_width: int, *, step: str = "") -> None:
    """axe-core at the desktop width, then at ``narrow_width``: no sideways scrolling, and
    axe-core again. ``step`` names the page in a flow of several (2FA)."""
    desktop = CONTEXT_OPTIONS["viewport"]
    if page.viewport_size != desktop:
        page.set_viewport_size(desktop)
        next_frame(page)
    settle(page)
    failures = len(findings.blocking)
    prefix = f"{step} step, " if step else ""
    findings.audit(page, f"{prefix}{desktop['width']} px")
    findings.fits(page, narrow_width, prefix)
    findings.audit(page, f"{prefix}{narrow_width} px")
    if step and len(findings.blocking) > failures:
        findings.shoot(page, step)  # the flow moves on: this is the moment to see


def expand_disclosures(page: Any) -> None:
    """Open what is folded (details, "show calculation" buttons, the "why this priority?"
    popover), so it is checked too."""
    page.evaluate("() => document.querySelectorAll('details:not([open])').forEach((d) => { d.open = true; })")
    for button in page.locator('button[aria-expanded="false"][aria-controls]').all():
        if button.is_visible():
            button.click()
    priority = page.get_by_test_id("ticket-priority")
    if priority.count() and priority.is_visible():
        priority.focus()
        expect(page.get_by_test_id("priority-reason")).to_be_visible()


@pytest.fixture(scope="module")
def page_for(browser: Any, stack: Stack) -> Iterator[Callable[[Visit], Any]]:
    """``page_for(visit)`` → the page of the visit's role on its host, at the desktop width:
    one per role and host, reused by its visits (each opens its page with a full load), so
    the visits cost neither a new context nor a new sign-in each."""
    pages: dict[tuple[str, str | None], Any] = {}

    def get(visit: Visit) -> Any:
        key = (visit.role.key, visit.host)
        if key not in pages:
            options = (
                {"storage_state": signed_in_state(browser, stack, visit.role)} if visit.role.email else {}
            )
            pages[key] = watch_problems(new_context(browser, **options).new_page())
        page = pages[key]
        page.problems.clear()
        page.set_viewport_size(CONTEXT_OPTIONS["viewport"])
        return page

    yield get
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize("visit", VISITS, ids=[visit.id for visit in VISITS])
def test_page_has_no_serious_accessibility_violations(
    visit: Visit, demo: Demo, stack: Stack, page_for: Callable[[Visit], Any]
) -> None:
    page = page_for(visit)
    base = visit.base_url(stack)
    path = visit.path.replace("{invitation}", demo.invitation_path)
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(rf"^{re.escape(base + (visit.lands_on or path))}(\?.*)?$"))
    ready = visit.ready_locator(page)
    expect(ready).to_be_visible()
    number = re.search(r"/(?:tickets/[^/]+|requests)/(\d+)$", visit.path)
    if number:  # the ticket asked for, not another one
        expect(ready).to_contain_text(f"#{number[1]} ")
    if visit.redirect_only:
        return  # the page it lands on has a visit of its own
    if visit.prepare:
        visit.prepare(page)
    expand_disclosures(page)
    who = visit.role.label + (f" ({visit.role.email})" if visit.role.email else "")
    state = f" [{visit.state}]" if visit.state else ""
    findings = Findings(visit.id, f"{visit.route or '(index)'} route: {base}{path}{state} as {who}")
    look_at(page, findings, visit.narrow_width)
    findings.check(page)


# ---------------------------------------------------- two-factor sign-in pages
@pytest.mark.parametrize("role", [LIMITED_TECHNICIAN, NORTHWIND_IT_LEAD], ids=lambda role: role.key)
def test_two_factor_enrolment_pages_have_no_serious_accessibility_violations(
    role: Role, browser: Any, stack: Stack
) -> None:
    """A first sign-in that must enrol an authenticator: the QR code and setup key page,
    then the backup codes page, each on a desktop and a phone."""
    assert role.email
    base = role.base_url(stack)
    context = new_context(browser)
    page = watch_problems(context.new_page())
    findings = Findings(
        f"2fa-enrol {role.key}", f"two-factor enrolment at {base}/login as {role.label} ({role.email})"
    )
    try:
        sign_in(page, base, role.email)
        stack.authenticators[role.email] = enrol_authenticator(
            page, on_step=lambda step: look_at(page, findings, PHONE_WIDTH, step=step)
        )
        expect(page).to_have_url(f"{base}{role.home}")
        findings.check(page)
    finally:
        context.close()


def test_two_factor_verify_pages_have_no_serious_accessibility_violations(browser: Any, stack: Stack) -> None:
    """A later sign-in of enrolled staff: the code page, and its backup-code form, each on a
    desktop and a phone."""
    signed_in_state(browser, stack, ADMIN)  # enrolled
    email = str(ADMIN.email)
    context = new_context(browser)
    page = watch_problems(context.new_page())
    findings = Findings(
        "2fa-verify admin", f"two-factor verification at {stack.msp_url}/login as {ADMIN.label} ({email})"
    )
    try:
        sign_in(page, stack.msp_url, email)
        expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
        look_at(page, findings, PHONE_WIDTH, step="code")
        page.get_by_role("button", name="Lost your device? Use a backup code").click()
        expect(page.get_by_label("Backup code")).to_be_visible()
        look_at(page, findings, PHONE_WIDTH, step="backup code")
        page.get_by_role("button", name="Use a code from my authenticator app").click()
        verify_second_factor(page, stack.authenticators[email])
        expect(page).to_have_url(f"{stack.msp_url}{ADMIN.home}")
        findings.check(page)
    finally:
        context.close()


def test_axe_reports_a_serious_violation_when_there_is_one(stack: Stack, new_page: Any) -> None:
    """The check itself can fail: light grey text on white, an unlabelled input."""
    page = new_page()
    page.goto(f"{stack.msp_url}/login")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    page.evaluate(
        """() => {
          const p = document.createElement('p');
          p.textContent = 'Barely readable';
          p.style.cssText = 'color:#bbbbbb;background:#ffffff;font-size:14px';
          p.id = 'low-contrast-probe';
          const input = document.createElement('input');
          input.id = 'unlabelled-probe';
          document.querySelector('main').append(p, input);
        }"""
    )
    violations = {v.rule: v for v in axe_violations(page)}
    contrast: AxeViolation | None = violations.get("color-contrast")
    assert contrast is not None and contrast.blocking, violations
    assert any("#low-contrast-probe" in node["target"] for node in contrast.nodes), contrast.nodes
    assert "label" in violations and any(
        "#unlabelled-probe" in n["target"] for n in violations["label"].nodes
    )
    # ... and the overflow check sees a page wider than the window, and where it sticks out
    # even when the window is scrolled sideways.
    assert horizontal_overflow(page) is None
    page.evaluate(
        """() => {
          const probe = document.createElement('div');
          probe.id = 'wide-probe';
          probe.style.cssText = 'position:absolute;left:0;top:0;width:2000px;height:1px';
          document.body.append(probe);
          window.scrollTo(600, 0);
        }"""
    )
    overflow = horizontal_overflow(page)
    assert overflow is not None and overflow["scrollWidth"] == 2000, overflow
    assert any(o.startswith("div#wide-probe: right edge at 2000 px") for o in overflow["offenders"]), overflow
