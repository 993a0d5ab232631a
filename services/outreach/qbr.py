"""The quarterly business review pack: a PDF per client, built by a Celery task with progress.

fpdf2 (pure Python, no system packages) with billing's embedded DejaVu Sans (`billing.pdf`:
the font files ship with the code), so it builds on a fresh machine and names in Greek,
Cyrillic or Polish print as written. Charts are drawn with fpdf's vector primitives.

Every section reads its real source for the period: the service desk (SLA outcomes, tickets),
services.infrastructure (`monitoring.availability` per month against each service's promise),
services.security (incidents, `mfa_history`), billing (invoices, balance, block-hour periods),
outreach's own health history, check-ins and follow-ups, and the status page's remote-work
hierarchy (through `register_hierarchy_reader`, wired by the project: the status app sits
above outreach). A section with nothing to show says so ("no data"), never a made-up figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from fpdf import FPDF

from billing.models import OPEN_INVOICE_STATUSES, BlockHourPeriod, Invoice, InvoiceStatus
from billing.money import format_money
from billing.pdf import FONT, FONTS
from core.errors import AccessDenied, ActionError
from core.tasks import enqueue_on_commit
from core.tenancy import in_schema
from services.outreach.actions import ensure_outreach_access
from services.outreach.models import (
    CheckIn,
    CheckInStatus,
    FollowUp,
    HealthSnapshot,
    QbrReport,
    QbrStatus,
)
from tenants.access import client_role_of, ensure_may_reach_client, ensure_may_reach_client_data
from tenants.actions import record_audit
from tenants.models import Client, ClientRole, User

BUILD_TASK = "outreach.build_qbr"
NOT_CONNECTED = "No data: {source} is not connected."
BLUE = (52, 101, 164)
RED = (204, 0, 0)
PRIORITY_COLOURS = {"P1": (204, 0, 0), "P2": (237, 125, 49), "P3": (52, 101, 164), "P4": (120, 120, 120)}
STATE_COLOURS = {
    "green": (56, 142, 60),
    "amber": (237, 160, 0),
    "red": (204, 0, 0),
    "no_data": (160, 160, 160),
}


@dataclass(frozen=True)
class HierarchyLayerState:
    """One layer of the remote-work hierarchy as the status page shows it."""

    label: str
    state: str  # green, amber, red, no_data
    reasons: tuple[str, ...]


HierarchyReader = Callable[[Client, datetime], Sequence[HierarchyLayerState]]
_hierarchy_readers: list[HierarchyReader] = []


def register_hierarchy_reader(reader: HierarchyReader) -> None:
    """The project wires the status page's hierarchy here (`msp_portal.wiring`): the status app
    imports outreach, so outreach cannot import it. Called in the client's schema."""
    _hierarchy_readers[:] = [reader]


def hierarchy_reader() -> HierarchyReader | None:
    return _hierarchy_readers[0] if _hierarchy_readers else None


def quarter_of(day: date) -> tuple[date, date]:
    """The last complete quarter before `day`."""
    this_start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = this_start - timedelta(days=1)
    start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def may_download(user: Any, client: Client) -> bool:
    """The account manager (and MSP admins) and the client's IT lead, in this session."""
    try:
        ensure_may_reach_client_data(user)
    except AccessDenied:
        return False
    try:
        ensure_outreach_access(user, client)
        return True
    except AccessDenied:
        pass  # not the account manager: maybe the client's IT lead
    try:
        ensure_may_reach_client(user, client)
    except AccessDenied:
        return False
    return not user.is_msp_staff and client_role_of(user, client) == ClientRole.IT_LEAD


def request_qbr(
    client: Client, *, actor: User, period_start: date | None = None, period_end: date | None = None
) -> QbrReport:
    ensure_outreach_access(actor, client)
    if period_start is None or period_end is None:
        period_start, period_end = quarter_of(timezone.localdate())
    if period_start > period_end or (period_end - period_start).days > 370:
        raise ActionError.single(
            "INVALID", "Choose a period of at most a year, start before end.", "periodStart"
        )
    if period_start > timezone.localdate():
        raise ActionError.single("INVALID", "The period has not started yet.", "periodStart")
    with transaction.atomic():
        report = QbrReport.objects.create(
            client=client, period_start=period_start, period_end=period_end, requested_by=actor
        )
        enqueue_on_commit(BUILD_TASK, str(report.pk), schema_name=client.schema_name)
        record_audit("outreach.qbr_requested", actor=actor, client=client, report=str(report.pk))
    return report


def _progress(report: QbrReport, percent: int, step: str, **more: Any) -> None:
    # Its own short transaction: the person waiting sees each step.
    QbrReport.objects.filter(pk=report.pk).update(progress=percent, step=step, **more)
    report.progress = percent  # a failure keeps the step it reached


class _Pdf(FPDF):
    title_text = ""

    def header(self) -> None:
        self.set_font(FONT, "B", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.title_text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")


def new_pack() -> _Pdf:
    """An A4 document with billing's embedded font (any European script)."""
    pdf = _Pdf(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return pdf


def _line(pdf: FPDF, text: str, *, bold: bool = False, size: float = 10) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)


def _room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.h - 18:
        pdf.add_page()


def _bar_axes(pdf: FPDF, height: float, *, below: float) -> tuple[float, float, float]:
    """Room for a bar chart `height` tall with `below` more for its labels; its top, left and
    width, with the baseline drawn."""
    _room(pdf, height + below)
    top = pdf.get_y() + 5
    left = pdf.l_margin + 8
    width = pdf.w - pdf.l_margin - pdf.r_margin - 8
    pdf.set_draw_color(160, 160, 160)
    pdf.line(left, top + height, left + width, top + height)
    return top, left, width


def _bar_chart(
    pdf: FPDF,
    values: list[tuple[str, float]],
    *,
    height: float = 40,
    maximum: float | None = None,
    unit: str = "",
) -> None:
    if not values:
        _line(pdf, "No data in this period.")
        return
    top, left, width = _bar_axes(pdf, height, below=16)
    peak = maximum or max(v for _, v in values) or 1
    bar = width / len(values)
    pdf.set_font(FONT, "", 7)
    for index, (label, value) in enumerate(values):
        h = height * (value / peak)
        x = left + index * bar + bar * 0.15
        pdf.set_fill_color(*BLUE)
        pdf.rect(x, top + height - h, bar * 0.7, h, style="F")
        pdf.set_xy(x - 2, top + height - h - 4)
        pdf.cell(bar * 0.7 + 4, 4, f"{value:g}{unit}", align="C")
        pdf.set_xy(x - 2, top + height + 1)
        pdf.cell(bar * 0.7 + 4, 4, label[:14], align="C")
    pdf.set_font(FONT, "", 10)
    pdf.set_y(top + height + 8)


def _grouped_bars(
    pdf: FPDF,
    groups: list[tuple[str, list[tuple[str, float | None]]]],
    colours: dict[str, tuple[int, int, int]],
    *,
    height: float = 40,
    maximum: float = 100,
    unit: str = "%",
) -> None:
    """One group per label (a month), one bar per series (a priority); None: no bar."""
    if not groups:
        _line(pdf, "No data in this period.")
        return
    top, left, width = _bar_axes(pdf, height, below=22)
    group_width = width / len(groups)
    series = list(colours)
    bar = group_width * 0.8 / len(series)
    pdf.set_font(FONT, "", 6)
    for g_index, (label, values) in enumerate(groups):
        x0 = left + g_index * group_width + group_width * 0.1
        for s_index, (name, value) in enumerate(values):
            if value is None:
                continue
            h = height * (value / maximum)
            x = x0 + s_index * bar
            pdf.set_fill_color(*colours[name])
            pdf.rect(x, top + height - h, bar * 0.9, h, style="F")
            pdf.set_xy(x - 1, top + height - h - 3.5)
            pdf.cell(bar * 0.9 + 2, 3.5, f"{value:.0f}", align="C")
        pdf.set_font(FONT, "", 7)
        pdf.set_xy(x0, top + height + 1)
        pdf.cell(group_width * 0.8, 4, label, align="C")
        pdf.set_font(FONT, "", 6)
    # Legend
    pdf.set_xy(left, top + height + 6)
    pdf.set_font(FONT, "", 7)
    for name in series:
        pdf.set_fill_color(*colours[name])
        pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        pdf.cell(16, 5, f"{name} ({unit} met)" if unit == "%" else name)
    pdf.set_font(FONT, "", 10)
    pdf.set_y(top + height + 13)


def _bars_vs_target(pdf: FPDF, rows: list[tuple[str, float, float]], *, height: float = 40) -> None:
    """Bars (availability) with each one's target (the promise) as a red tick. The axis starts
    below the lowest figure so 99.5 and 99.9 look different; it says where it starts."""
    if not rows:
        _line(pdf, "No data in this period.")
        return
    floor = max(0.0, float(int(min(min(v, t) for _, v, t in rows)) - 1))
    span = 100.0 - floor or 1.0
    top, left, width = _bar_axes(pdf, height, below=20)
    bar = width / len(rows)
    pdf.set_font(FONT, "", 7)
    for index, (label, value, target) in enumerate(rows):
        x = left + index * bar + bar * 0.2
        h = height * ((value - floor) / span)
        pdf.set_fill_color(*(BLUE if value >= target else RED))
        pdf.rect(x, top + height - h, bar * 0.6, h, style="F")
        ty = top + height - height * ((target - floor) / span)
        pdf.set_draw_color(*RED)
        pdf.set_line_width(0.6)
        pdf.line(x - 1.5, ty, x + bar * 0.6 + 1.5, ty)
        pdf.set_line_width(0.2)
        pdf.set_xy(x - 3, top + height - h - 4)
        pdf.cell(bar * 0.6 + 6, 4, f"{value:.3f} %", align="C")
        pdf.set_xy(x - 3, top + height + 1)
        pdf.cell(bar * 0.6 + 6, 4, label[:18], align="C")
    pdf.set_draw_color(160, 160, 160)
    pdf.set_xy(left, top + height + 5)
    pdf.cell(0, 4, f"Axis from {floor:g} % to 100 %; red tick: the promised availability.")
    pdf.set_font(FONT, "", 10)
    pdf.set_y(top + height + 11)


def _line_chart(pdf: FPDF, points: list[tuple[str, float]], *, height: float = 40, unit: str = "") -> None:
    """Values 0-100 over time (health score, MFA coverage)."""
    if len(points) < 2:
        _line(pdf, "Not enough history yet." if not points else f"{points[0][0]}: {points[0][1]:g}{unit}")
        return
    _room(pdf, height + 12)
    top = pdf.get_y() + 2
    left = pdf.l_margin + 8
    width = pdf.w - pdf.l_margin - pdf.r_margin - 8
    pdf.set_draw_color(160, 160, 160)
    pdf.rect(left, top, width, height)
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.6)
    step = width / (len(points) - 1)
    coords = [(left + i * step, top + height - height * (v / 100)) for i, (_, v) in enumerate(points)]
    for (x1, y1), (x2, y2) in pairwise(coords):
        pdf.line(x1, y1, x2, y2)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(160, 160, 160)
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(left, top + height + 1)
    pdf.cell(width / 2, 4, f"{points[0][0]}: {points[0][1]:g}{unit}")
    pdf.cell(width / 2, 4, f"{points[-1][0]}: {points[-1][1]:g}{unit}", align="R")
    pdf.set_font(FONT, "", 10)
    pdf.set_y(top + height + 7)


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    pdf.set_font(FONT, "B", 8.5)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, text, border=1)
    pdf.ln()
    pdf.set_font(FONT, "", 8.5)
    for row in rows:
        _room(pdf, 6)
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 6, _fit(pdf, text, width), border=1)
        pdf.ln()
    pdf.set_font(FONT, "", 10)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Cut `text` to what fits the cell (an ellipsis says it was cut)."""
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "…") > width - 2:
        text = text[:-1]
    return text + "…"


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


# ------------------------------------------------------------------ reading the sources


def _service_desk(start: datetime, end: datetime) -> dict[str, Any]:
    """In the client's schema: SLA outcomes by month/priority, tickets by category and month."""
    from services.support.models import SlaOutcome, Ticket

    return {
        "outcomes": list(
            SlaOutcome.objects.filter(
                judged_at__gte=start, judged_at__lt=end, clock__in=["first_response", "first_resolution"]
            )
            .annotate(month=TruncMonth("judged_at"))
            .values("month", "priority", "result")
            .annotate(n=Count("pk"))
        ),
        "by_category": list(
            Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
            .values("category")
            .annotate(n=Count("pk"))
            .order_by("-n", "category")[:10]
        ),
        "by_month": list(
            Ticket.objects.filter(created_at__gte=start - timedelta(days=90), created_at__lt=end)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by("month")
        ),
    }


def _availability(client: Client, report: QbrReport, now: datetime) -> list[dict[str, Any]]:
    """Whole-service figures per calendar month of the period (monitoring.availability: the
    stored closed months, the current month live), in the client's schema."""
    from services.infrastructure.monitoring import availability
    from services.infrastructure.monitoring_models import ClientService

    names = dict(ClientService.objects.values_list("pk", "name"))
    rows = []
    for year, month in _months(report.period_start, report.period_end):
        for figure in availability(client, year, month, now=now):
            if figure.monitor_id is None and figure.availability_percent is not None:
                rows.append(
                    {
                        "service": names.get(figure.service_id, f"Service {figure.service_id}"),
                        "month": f"{year}-{month:02d}",
                        "percent": figure.availability_percent,
                        "promised": figure.promised_percent,
                        "measured": figure.measured_seconds,
                        "down": figure.down_seconds,
                        "met": figure.met,
                        "outages": figure.outage_count,
                        "final": figure.is_final,
                    }
                )
    return rows


def _security(start: datetime, end: datetime) -> dict[str, Any]:
    """In the client's schema: incidents opened in the period."""
    from services.security.models import SecurityIncident

    incidents = list(
        SecurityIncident.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "pk")
        .values("number", "title", "severity", "status", "created_at")
    )
    return {"incidents": incidents}


def _billing(client: Client, report: QbrReport, today: date) -> dict[str, Any]:
    """Public schema: invoices issued in the period, the open balance today, block-hour periods."""
    invoices = list(
        Invoice.objects.filter(
            client=client, issued_on__gte=report.period_start, issued_on__lte=report.period_end
        )
        .exclude(status__in=(InvoiceStatus.DRAFT, InvoiceStatus.VOID))
        .order_by("issued_on", "number")
    )
    open_now = list(Invoice.objects.filter(client=client, status__in=OPEN_INVOICE_STATUSES))
    balance: dict[str, Decimal] = defaultdict(Decimal)
    overdue = 0
    for invoice in open_now:
        balance[invoice.currency] += invoice.balance
        overdue += bool(invoice.due_on and invoice.due_on < today)
    blocks = list(
        BlockHourPeriod.objects.filter(
            client=client, period_start__lte=report.period_end, period_end__gt=report.period_start
        )
        .exclude(run_item__invoice__status=InvoiceStatus.VOID)
        .select_related("contract_line")
        .order_by("period_start", "pk")
    )
    return {
        "invoices": invoices,
        "balance": dict(balance),
        "open": len(open_now),
        "overdue": overdue,
        "blocks": blocks,
    }


def build_qbr(report_id: str, *, now: datetime | None = None) -> QbrReport:
    """Build the PDF (in the client's schema: its tickets, SLA outcomes, monitors and
    incidents), step by step."""
    from services.security.mfa_selectors import mfa_history

    report = QbrReport.objects.select_related("client").get(pk=report_id)
    if report.status == QbrStatus.READY:
        return report  # delivered twice (at least once): built once
    now = now or timezone.now()
    today = timezone.localdate(now)
    client = report.client
    start = datetime.combine(report.period_start, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    end = datetime.combine(report.period_end + timedelta(days=1), datetime.min.time(), tzinfo=start.tzinfo)
    _progress(report, 5, "Reading the service desk", status=QbrStatus.RUNNING)
    try:
        with in_schema(client.schema_name):
            desk = _service_desk(start, end)
            _progress(report, 20, "Reading availability and security")
            availability_rows = _availability(client, report, now)
            security = _security(start, end)
            reader = hierarchy_reader()
            hierarchy = list(reader(client, now)) if reader else None
        mfa_days = min(366, (report.period_end - report.period_start).days + 1)
        mfa = mfa_history(client, mfa_days, today=report.period_end)
        _progress(report, 35, "Reading invoices, health and check-ins")
        money = _billing(client, report, today)
        history = list(
            HealthSnapshot.objects.filter(
                client=client, day__gte=report.period_start, day__lte=report.period_end
            )
            .exclude(score=None)
            .order_by("day")
            .values_list("day", "score")
        )
        checkins = list(
            CheckIn.objects.filter(
                client=client, status=CheckInStatus.DONE, held_at__gte=start, held_at__lt=end
            ).order_by("held_at")
        )
        follow_ups = list(
            FollowUp.objects.filter(client=client, created_at__gte=start, created_at__lt=end)
            .select_related("owner")
            .order_by("due_on", "pk")
        )
        _progress(report, 60, "Drawing the charts")
        pdf = new_pack()
        pdf.set_title(f"{client.name} - quarterly business review")
        pdf.set_creation_date(now)
        pdf.title_text = f"{client.name} – quarterly business review"
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        pdf.set_font(FONT, "B", 18)
        pdf.multi_cell(0, 10, client.name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 11)
        pdf.cell(
            0,
            7,
            f"Quarterly business review, {report.period_start:%d %b %Y} – {report.period_end:%d %b %Y}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(FONT, "", 10)
        _sla_section(pdf, desk)
        _tickets_section(pdf, desk)
        _progress(report, 70, "Writing availability and security")
        _availability_section(pdf, availability_rows)
        _security_section(pdf, security, mfa)
        _hierarchy_section(pdf, hierarchy, today)
        _progress(report, 80, "Writing invoices and block hours")
        _billing_section(pdf, money, today)
        _heading(pdf, "Health")
        _line_chart(pdf, [(f"{day:%d %b}", float(score or 0)) for day, score in history])
        _heading(pdf, "Check-ins held")
        _table(
            pdf,
            ["Date", "Kind", "Subject"],
            [[f"{c.held_at:%Y-%m-%d}", c.get_kind_display(), c.subject] for c in checkins]
            or [["-", "-", "No check-in in this period"]],
            [30, 45, 115],
        )
        _heading(pdf, "Follow-ups agreed")
        _table(
            pdf,
            ["Due", "Follow-up", "Owner", "State"],
            [
                [
                    f"{f.due_on:%Y-%m-%d}",
                    f.title,
                    (f.owner.full_name or f.owner.email) if f.owner else "-",
                    "done" if f.done_at else (f"ticket #{f.ticket_number}" if f.ticket_number else "open"),
                ]
                for f in follow_ups
            ]
            or [["-", "None agreed in this period", "-", "-"]],
            [25, 95, 40, 30],
        )
        data = bytes(pdf.output())
        _progress(
            report,
            100,
            "Ready",
            status=QbrStatus.READY,
            pdf=data,
            size_bytes=len(data),
            finished_at=timezone.now(),
        )
    except Exception:
        _progress(
            report,
            report.progress,
            "Failed: the pack could not be built; try again.",
            status=QbrStatus.FAILED,
            finished_at=timezone.now(),
        )
        raise
    report.refresh_from_db()
    return report


# ------------------------------------------------------------------ the sections


def _sla_section(pdf: FPDF, desk: dict[str, Any]) -> None:
    _heading(pdf, "SLA compliance by month and priority")
    cells: dict[tuple[str, str], Counter[str]] = {}
    for row in desk["outcomes"]:
        cells.setdefault((f"{row['month']:%Y-%m}", row["priority"]), Counter())[row["result"]] += row["n"]
    months = sorted({m for m, _ in cells})
    if not months:
        _line(pdf, "No SLA clock was judged in this period.")
        return
    rows = []
    groups: list[tuple[str, list[tuple[str, float | None]]]] = []
    for month in months:
        line = [month]
        bars: list[tuple[str, float | None]] = []
        met = total = 0
        for priority in PRIORITY_COLOURS:
            c = cells.get((month, priority))
            n = sum(c.values()) if c else 0
            met += c["met"] if c else 0
            total += n
            line.append(f"{100 * c['met'] / n:.0f} % of {n}" if c and n else "-")
            bars.append((priority, round(100 * c["met"] / n, 1) if c and n else None))
        line.append(f"{100 * met / total:.0f} % of {total}")
        rows.append(line)
        groups.append((month, bars))
    _table(pdf, ["Month", "P1", "P2", "P3", "P4", "All"], rows, [25, 33, 33, 33, 33, 33])
    _grouped_bars(pdf, groups, PRIORITY_COLOURS)


def _tickets_section(pdf: FPDF, desk: dict[str, Any]) -> None:
    _heading(pdf, "Tickets by category")
    categories = [(r["category"] or "(none)", float(r["n"])) for r in desk["by_category"]]
    _table(
        pdf,
        ["Category", "Tickets"],
        [[name, f"{n:g}"] for name, n in categories] or [["-", "0"]],
        [120, 40],
    )
    if categories:
        _bar_chart(pdf, categories)
    _heading(pdf, "Ticket trend (tickets per month, with the 3 months before)")
    _bar_chart(pdf, [(f"{r['month']:%Y-%m}", float(r["n"])) for r in desk["by_month"]])


def _availability_section(pdf: FPDF, rows: list[dict[str, Any]]) -> None:
    _heading(pdf, "Availability vs promised")
    if not rows:
        _line(pdf, "No data: no monitored service measured anything in this period.")
        return
    _table(
        pdf,
        ["Month", "Service", "Availability", "Promised", "Met", "Outages"],
        [
            [
                r["month"] + ("" if r["final"] else " (to date)" if r["met"] is not None else ""),
                r["service"],
                f"{r['percent']:.3f} %",
                f"{r['promised'].normalize():f} %",
                "yes" if r["met"] else "no",
                str(r["outages"]),
            ]
            for r in rows
        ],
        [30, 60, 28, 25, 17, 20],
    )
    # The period per service: measured and down time summed over its months.
    totals: dict[str, list[Any]] = {}
    for r in rows:
        entry = totals.setdefault(r["service"], [0, 0, r["promised"]])
        entry[0] += r["measured"]
        entry[1] += r["down"]
        entry[2] = max(entry[2], r["promised"])
    bars = [
        (name, float(100 * Decimal(measured - down) / measured), float(promised))
        for name, (measured, down, promised) in totals.items()
        if measured
    ]
    _line(pdf, "The period, per service:", bold=True, size=9)
    _bars_vs_target(pdf, bars)


def _security_section(pdf: FPDF, security: dict[str, Any], mfa: list[Any]) -> None:
    from services.security.models import Severity

    _heading(pdf, "Security incidents")
    incidents = security["incidents"]
    if not incidents:
        _line(pdf, "No security incident was opened in this period.")
    else:
        by_severity = Counter(i["severity"] for i in incidents)
        _line(
            pdf,
            f"{len(incidents)} opened: "
            + ", ".join(
                f"{by_severity[s]} {label.lower()}" for s, label in Severity.choices if by_severity[s]
            ),
        )
        by_month = Counter(f"{i['created_at']:%Y-%m}" for i in incidents)
        _bar_chart(pdf, [(month, float(by_month[month])) for month in sorted(by_month)], height=30)
        _table(
            pdf,
            ["#", "Opened", "Incident", "Severity", "Status"],
            [
                [str(i["number"]), f"{i['created_at']:%Y-%m-%d}", i["title"], i["severity"], i["status"]]
                for i in incidents[:15]
            ],
            [15, 25, 90, 30, 30],
        )
        if len(incidents) > 15:
            _line(pdf, f"… and {len(incidents) - 15} more.", size=9)
    _heading(pdf, "MFA coverage trend")
    measured = [p for p in mfa if p.percent is not None]  # a day with no account has no percent
    if not measured:
        _line(pdf, "No data: no MFA snapshot with accounts in this period.")
        return
    first, last = measured[0], measured[-1]
    _line(
        pdf,
        f"{last.covered_accounts} of {last.total_accounts} accounts with MFA on {last.day:%d %b %Y} "
        f"({last.percent:g} %), from {first.percent:g} % on {first.day:%d %b %Y}.",
    )
    _line_chart(pdf, [(f"{p.day:%d %b}", float(p.percent or 0)) for p in measured], unit=" %")


def _hierarchy_section(pdf: FPDF, layers: list[HierarchyLayerState] | None, today: date) -> None:
    _heading(pdf, "Remote-work readiness (the status page's hierarchy)")
    if layers is None:
        _line(pdf, NOT_CONNECTED.format(source="the status page"))
        return
    _line(pdf, f"As on {today:%d %b %Y}, bottom layer first:", size=9)
    for layer in layers:
        _room(pdf, 12)
        y = pdf.get_y()
        pdf.set_fill_color(*STATE_COLOURS.get(layer.state, STATE_COLOURS["no_data"]))
        pdf.rect(pdf.l_margin, y + 1, 4, 4, style="F")
        pdf.set_x(pdf.l_margin + 6)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(45, 6, layer.label)
        pdf.set_font(FONT, "", 10)
        pdf.cell(25, 6, layer.state.replace("_", " "), new_x="LMARGIN", new_y="NEXT")
        for reason in layer.reasons[:3]:
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_font(FONT, "", 8.5)
            pdf.multi_cell(0, 4.5, f"• {reason}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)


def _billing_section(pdf: FPDF, money: dict[str, Any], today: date) -> None:
    _heading(pdf, "Invoices")
    invoices = money["invoices"]
    if invoices:
        _table(
            pdf,
            ["Invoice", "Issued", "Due", "Total", "Balance", "Status"],
            [
                [
                    i.number_display or str(i.number),
                    f"{i.issued_on:%Y-%m-%d}",
                    f"{i.due_on:%Y-%m-%d}" if i.due_on else "-",
                    format_money(i.total, i.currency),
                    format_money(i.balance, i.currency),
                    i.get_status_display(),
                ]
                for i in invoices
            ],
            [30, 25, 25, 35, 35, 30],
        )
    else:
        _line(pdf, "No invoice was issued in this period.")
    if money["open"]:
        owed = ", ".join(
            format_money(amount, currency) for currency, amount in sorted(money["balance"].items())
        )
        _line(
            pdf,
            f"Open balance on {today:%d %b %Y}: {owed} over {money['open']} invoice(s), "
            f"{money['overdue']} overdue.",
        )
    else:
        _line(pdf, f"Nothing owed on {today:%d %b %Y}.")
    _heading(pdf, "Block hours")
    blocks = money["blocks"]
    if not blocks:
        _line(pdf, "No block of hours was billed in this period.")
        return
    _table(
        pdf,
        ["Period", "Block", "Allowance", "Rolled in", "Used", "Overage", "Unused"],
        [
            [
                f"{b.period_start:%d %b} – {b.period_end - timedelta(days=1):%d %b %Y}",
                b.contract_line.description,
                _hours(b.allowance_minutes),
                _hours(b.rolled_in_minutes),
                _hours(b.used_minutes),
                _hours(b.overage_minutes),
                _hours(b.unused_minutes),
            ]
            for b in blocks
        ],
        [38, 42, 22, 22, 22, 22, 22],
    )
    _bar_chart(
        pdf,
        [(f"{b.period_start:%b %Y}", round(b.used_minutes / 60, 1)) for b in blocks],
        unit=" h",
        height=30,
    )
