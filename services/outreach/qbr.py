"""The quarterly business review pack: a PDF per client, built by a Celery task with progress.

fpdf2 (pure Python, its own core fonts, no system packages — the same library as billing's
invoices), so it builds on a fresh machine. Charts are drawn with fpdf's vector primitives.
Sections whose source isn't connected yet say "no data" (never a made-up figure).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from fpdf import FPDF

from core.errors import AccessDenied, ActionError
from core.tasks import enqueue_on_commit
from core.tenancy import in_schema
from services.outreach.actions import ensure_outreach_access
from services.outreach.models import (
    CheckIn,
    CheckInStatus,
    ClientOutreach,
    FollowUp,
    HealthSnapshot,
    QbrReport,
    QbrStatus,
)
from services.outreach.signals import SIGNALS
from tenants.access import client_role_of, ensure_may_reach_client, ensure_may_reach_client_data
from tenants.actions import record_audit
from tenants.models import Client, ClientRole, User

BUILD_TASK = "outreach.build_qbr"
NOT_CONNECTED = "No data: {source} is not connected yet."


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


class _Pdf(FPDF):
    title_text = ""

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.title_text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")


def _text(value: str) -> str:
    """Core fonts are Latin-1: keep what they can draw."""
    return value.encode("latin-1", "replace").decode("latin-1")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)


def _bar_chart(
    pdf: FPDF,
    values: list[tuple[str, float]],
    *,
    height: float = 40,
    maximum: float | None = None,
    unit: str = "",
) -> None:
    if not values:
        pdf.cell(0, 6, "No data in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    top = pdf.get_y() + 2
    left = pdf.l_margin + 8
    width = pdf.w - pdf.l_margin - pdf.r_margin - 8
    peak = maximum or max(v for _, v in values) or 1
    bar = width / len(values)
    pdf.set_draw_color(160, 160, 160)
    pdf.line(left, top + height, left + width, top + height)
    pdf.set_font("Helvetica", "", 7)
    for index, (label, value) in enumerate(values):
        h = height * (value / peak)
        x = left + index * bar + bar * 0.15
        pdf.set_fill_color(52, 101, 164)
        pdf.rect(x, top + height - h, bar * 0.7, h, style="F")
        pdf.set_xy(x - 2, top + height - h - 4)
        pdf.cell(bar * 0.7 + 4, 4, f"{value:g}{unit}", align="C")
        pdf.set_xy(x - 2, top + height + 1)
        pdf.cell(bar * 0.7 + 4, 4, _text(label[:12]), align="C")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_y(top + height + 8)


def _line_chart(pdf: FPDF, points: list[tuple[str, float]], *, height: float = 40) -> None:
    if len(points) < 2:
        pdf.cell(
            0,
            6,
            "Not enough history yet." if not points else f"{points[0][0]}: {points[0][1]:g}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return
    top = pdf.get_y() + 2
    left = pdf.l_margin + 8
    width = pdf.w - pdf.l_margin - pdf.r_margin - 8
    pdf.set_draw_color(160, 160, 160)
    pdf.rect(left, top, width, height)
    pdf.set_draw_color(52, 101, 164)
    pdf.set_line_width(0.6)
    step = width / (len(points) - 1)
    coords = [(left + i * step, top + height - height * (v / 100)) for i, (_, v) in enumerate(points)]
    for (x1, y1), (x2, y2) in pairwise(coords):
        pdf.line(x1, y1, x2, y2)
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "", 7)
    pdf.set_xy(left, top + height + 1)
    pdf.cell(width / 2, 4, points[0][0])
    pdf.cell(width / 2, 4, points[-1][0], align="R")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_y(top + height + 7)


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    pdf.set_font("Helvetica", "B", 9)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, _text(text), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for row in rows:
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 6, _text(text)[:60], border=1)
        pdf.ln()
    pdf.set_font("Helvetica", "", 10)


def build_qbr(report_id: str) -> QbrReport:
    """Build the PDF (in the client's schema: its tickets and SLA outcomes), step by step."""
    from services.support.models import SlaOutcome, Ticket

    report = QbrReport.objects.select_related("client").get(pk=report_id)
    if report.status == QbrStatus.READY:
        return report  # delivered twice (at least once): built once
    client = report.client
    start = datetime.combine(report.period_start, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    end = datetime.combine(report.period_end + timedelta(days=1), datetime.min.time(), tzinfo=start.tzinfo)
    _progress(report, 5, "Reading the service desk", status=QbrStatus.RUNNING)
    try:
        with in_schema(client.schema_name):
            outcomes = list(
                SlaOutcome.objects.filter(
                    judged_at__gte=start, judged_at__lt=end, clock__in=["first_response", "first_resolution"]
                )
                .annotate(month=TruncMonth("judged_at"))
                .values("month", "priority", "result")
                .annotate(n=Count("pk"))
            )
            by_category = list(
                Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
                .values("category")
                .annotate(n=Count("pk"))
                .order_by("-n")[:10]
            )
            by_month = list(
                Ticket.objects.filter(created_at__gte=start - timedelta(days=90), created_at__lt=end)
                .annotate(month=TruncMonth("created_at"))
                .values("month")
                .annotate(n=Count("pk"))
                .order_by("month")
            )
        _progress(report, 35, "Reading health and check-ins")
        profile = ClientOutreach.objects.filter(client=client).first()
        history = list(
            HealthSnapshot.objects.filter(
                client=client, day__gte=report.period_start, day__lte=report.period_end
            )
            .exclude(score=None)
            .values_list("day", "score")
        )
        checkins = list(
            CheckIn.objects.filter(
                client=client, status=CheckInStatus.DONE, held_at__gte=start, held_at__lt=end
            ).order_by("held_at")
        )
        follow_ups = list(
            FollowUp.objects.filter(client=client, created_at__gte=start, created_at__lt=end).order_by(
                "due_on"
            )
        )
        _progress(report, 60, "Drawing the charts")
        pdf = _Pdf()
        pdf.title_text = _text(f"{client.name} - quarterly business review")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 12, _text(client.name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(
            0,
            7,
            f"Quarterly business review, {report.period_start:%d %b %Y} - {report.period_end:%d %b %Y}",
            new_x="LMARGIN",
            new_y="NEXT",
        )

        _heading(pdf, "SLA compliance by month and priority")
        cells: dict[tuple[str, str], Counter[str]] = {}
        for row in outcomes:
            cells.setdefault((f"{row['month']:%Y-%m}", row["priority"]), Counter())[row["result"]] += row["n"]
        months = sorted({m for m, _ in cells})
        if months:
            rows = []
            for month in months:
                line = [month]
                for priority in ("P1", "P2", "P3", "P4"):
                    c = cells.get((month, priority))
                    total = sum(c.values()) if c else 0
                    line.append(f"{100 * c['met'] / total:.0f} % of {total}" if c and total else "-")
                rows.append(line)
            _table(pdf, ["Month", "P1", "P2", "P3", "P4"], rows, [30, 38, 38, 38, 38])
            overall = [
                (
                    m,
                    round(
                        100
                        * sum(cells[(m, p)]["met"] for p in ("P1", "P2", "P3", "P4") if (m, p) in cells)
                        / max(
                            1,
                            sum(
                                sum(cells[(m, p)].values())
                                for p in ("P1", "P2", "P3", "P4")
                                if (m, p) in cells
                            ),
                        ),
                        1,
                    ),
                )
                for m in months
            ]
            _bar_chart(pdf, overall, maximum=100, unit="%")
        else:
            pdf.cell(0, 6, "No SLA clock was judged in this period.", new_x="LMARGIN", new_y="NEXT")

        _heading(pdf, "Tickets by category")
        _table(
            pdf,
            ["Category", "Tickets"],
            [[r["category"] or "(none)", str(r["n"])] for r in by_category] or [["-", "0"]],
            [120, 40],
        )
        _heading(pdf, "Ticket trend (tickets per month)")
        _bar_chart(pdf, [(f"{r['month']:%Y-%m}", float(r["n"])) for r in by_month])

        _progress(report, 75, "Writing the account sections")
        latest = {row["key"]: row for row in (profile.health_explanation if profile else [])}
        for key, title in (
            ("availability", "Availability vs promised"),
            ("security_incidents", "Security incidents"),
            ("mfa_coverage", "MFA coverage"),
            ("overdue_invoices", "Invoices and block hours"),
        ):
            _heading(pdf, title)
            signal = SIGNALS[key]
            if not signal.installed():
                text = NOT_CONNECTED.format(source=signal.source)
            else:  # the latest reading of the health score (its own value, never an estimate)
                text = str(latest.get(key, {}).get("display") or "No data yet.")
            pdf.multi_cell(0, 6, _text(text))
        _heading(pdf, "Remote-work readiness")
        pdf.multi_cell(0, 6, _text(NOT_CONNECTED.format(source="the status page's remote-work hierarchy")))

        _heading(pdf, "Health")
        _line_chart(pdf, [(f"{day:%d %b}", float(score or 0)) for day, score in history])
        _heading(pdf, "Check-ins held")
        _table(
            pdf,
            ["Date", "Kind", "Subject"],
            [[f"{c.held_at:%Y-%m-%d}", c.get_kind_display(), c.subject] for c in checkins]
            or [["-", "-", "No check-in in this period"]],
            [30, 45, 105],
        )
        _heading(pdf, "Follow-ups agreed")
        _table(
            pdf,
            ["Due", "Follow-up", "State"],
            [
                [
                    f"{f.due_on:%Y-%m-%d}",
                    f.title,
                    "done" if f.done_at else (f"ticket #{f.ticket_number}" if f.ticket_number else "open"),
                ]
                for f in follow_ups
            ]
            or [["-", "None agreed in this period", "-"]],
            [30, 110, 40],
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
