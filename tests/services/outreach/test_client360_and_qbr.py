"""The client 360 (one query, constant query count) and the QBR pack (Celery, progress,
who may download it)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Invoice
from services.directory.models import Contact
from services.infrastructure.monitoring_models import ClientService
from services.outreach import actions
from services.outreach.health import recompute_health
from services.outreach.models import QbrReport, QbrStatus
from services.outreach.qbr import quarter_of
from services.support.actions import NewTicket, create_ticket
from tests.conftest import client_host
from tests.services.outreach.pdf_text import pdf_text

C360 = """
query($slug: String!) {
  clientOutreach(clientSlug: $slug) {
    name tier cadenceDays nextDueOn lastCheckInAt accountManager { email }
    health { score band signals { key hasData value display subscore contribution rule } }
    healthHistory { day score band }
    contacts { fullName isBusinessCritical }
    openTickets { number title priority breachState }
    breachedOpenTickets
    services { connected summary items { label state detail } }
    invoices { connected summary items { label state detail } }
    checkIns { subject notes contacts { name } owner { email } }
    openFollowUps { title dueOn owner { email } ticketNumber }
    qbrReports { status progress downloadUrl }
  }
}
"""


def _count(graphql, query, variables):
    with CaptureQueriesContext(connection) as captured:
        result = graphql.data(query, variables)
    return result, len(captured)


def test_the_client_360_shows_everything_in_one_query_with_constant_queries(world, gql, a_contact):
    with tenant_context(world.a):
        Contact.objects.filter(pk=a_contact.pk).update(is_business_critical=True)
        create_ticket(
            world.a, NewTicket(title="Mail slow", impact="medium", urgency="high"), actor=world.a_lead
        )
    actions.log_checkin(
        world.a,
        actor=world.account_manager,
        data=actions.NewCheckIn(
            kind="call",
            subject="Check-in 1",
            notes="Happy",
            sentiment="positive",
            contact_ids=[a_contact.pk],
            follow_ups=[actions.NewFollowUp(title="Send quote", due_on=timezone.localdate())],
        ),
    )
    with tenant_context(world.a):
        ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
    today = timezone.localdate()
    Invoice.objects.create(
        client=world.a,
        status="issued",
        number=7001,
        number_display="INV-7001",
        currency="EUR",
        total=Decimal(300),
        amount_paid=Decimal(100),
        due_on=today - timedelta(days=3),
    )
    Invoice.objects.create(client=world.b, status="issued", number=7002, currency="EUR", total=Decimal(50))
    recompute_health([world.a])
    graphql = gql(world.account_manager)
    graphql.data(C360, {"slug": "alpha"})
    result, few = _count(graphql, C360, {"slug": "alpha"})
    data = result["clientOutreach"]
    assert data["contacts"][0] == {"fullName": a_contact.full_name, "isBusinessCritical": True}
    assert [t["title"] for t in data["openTickets"]] == ["Mail slow"]
    assert data["health"]["score"] is not None and len(data["health"]["signals"]) == 9
    assert data["services"] == {
        "connected": True,
        "summary": "1 service: 1 unknown.",
        "items": [{"label": "Mail", "state": "unknown", "detail": "promised 99.9 %"}],
    }
    assert data["invoices"]["summary"] == "Open balance EUR 200.00; 1 overdue."  # B's invoice is not A's
    assert data["invoices"]["items"] == [
        {
            "label": "INV-7001",
            "state": "issued",
            "detail": f"EUR 300.00, due {today - timedelta(days=3):%Y-%m-%d}, EUR 200.00 open",
        }
    ]
    assert data["checkIns"][0]["contacts"] == [{"name": a_contact.full_name}]
    assert data["openFollowUps"][0]["title"] == "Send quote"
    assert len(data["healthHistory"]) == 1
    for index in range(4):
        actions.log_checkin(
            world.a,
            actor=world.account_manager,
            data=actions.NewCheckIn(
                kind="email",
                subject=f"More {index}",
                contact_ids=[a_contact.pk],
                follow_ups=[actions.NewFollowUp(title=f"F{index}", due_on=timezone.localdate())],
            ),
        )
    with tenant_context(world.a):
        Contact.objects.create(full_name="Extra", email="extra@alpha.test")
        create_ticket(world.a, NewTicket(title="Second", impact="low", urgency="low"), actor=world.a_lead)
        ClientService.objects.create(name="Files")
    Invoice.objects.create(client=world.a, status="paid", number=7003, currency="USD", total=Decimal(10))
    result, more = _count(graphql, C360, {"slug": "alpha"})
    assert len(result["clientOutreach"]["services"]["items"]) == 2
    assert len(result["clientOutreach"]["invoices"]["items"]) == 2
    assert len(result["clientOutreach"]["checkIns"]) == 5
    assert more == few


def test_the_client_360_is_null_outside_the_book_and_refused_to_others(world, gql, staff_gql, other_manager):
    assert staff_gql(other_manager).data(C360, {"slug": "alpha"}) == {"clientOutreach": None}
    for graphql in (gql(world.technician), gql(world.a_lead, host=world.a)):
        result = graphql.execute(C360, {"slug": "alpha"})
        assert result["data"]["clientOutreach"] is None
        assert result["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_quarter_of():
    assert quarter_of(date(2026, 12, 3)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_of(date(2026, 1, 15)) == (date(2025, 10, 1), date(2025, 12, 31))


REQUEST = """
mutation($slug: String!, $start: Date, $end: Date) {
  requestQbr(clientSlug: $slug, periodStart: $start, periodEnd: $end) {
    report { id status progress } errors { field code }
  }
}
"""


def test_the_qbr_pack_is_built_by_celery_and_downloaded_by_the_manager_and_the_it_lead(
    world, gql, eager_tasks, django_capture_on_commit_callbacks
):
    start = timezone.localdate() - timedelta(days=60)
    with tenant_context(world.a):
        create_ticket(
            world.a,
            NewTicket(title="Printer", category="Hardware", impact="low", urgency="low"),
            actor=world.a_lead,
        )
    actions.log_checkin(
        world.a, actor=world.account_manager, data=actions.NewCheckIn(kind="qbr", subject="Q3 review")
    )
    recompute_health([world.a])
    with django_capture_on_commit_callbacks(execute=True):
        payload = gql(world.account_manager).data(
            REQUEST, {"slug": "alpha", "start": start.isoformat(), "end": timezone.localdate().isoformat()}
        )["requestQbr"]
    assert payload["errors"] == []
    report = QbrReport.objects.get()
    assert (report.status, report.progress, report.step) == (QbrStatus.READY, 100, "Ready")
    assert report.pdf is not None
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in ("Alpha Health", "Hardware", "Q3 review", "Availability vs promised"):
        assert expected in text
    url = f"/outreach/qbr/{report.pk}.pdf"
    manager = gql(world.account_manager).http.get(url)
    assert manager.status_code == 200 and manager["Content-Type"] == "application/pdf"
    assert manager.content == pdf
    lead = gql(world.a_lead, host=world.a)
    assert lead.http.get(url).status_code == 200
    listed = lead.data("{ qbrReports { status downloadUrl } }")["qbrReports"]
    assert listed == [{"status": "READY", "downloadUrl": url}]
    for outsider in (
        gql(world.a_member, host=world.a),
        gql(world.b_lead, host=world.b),
        gql(world.a_lead, host=world.b),
        gql(world.technician),
    ):
        assert outsider.http.get(url).status_code == 404
    anonymous = HttpClient(HTTP_HOST=client_host(world.a))
    assert anonymous.get(url).status_code == 404
    member = gql(world.a_member, host=world.a).execute("{ qbrReports { status } }")
    assert member["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_a_bad_qbr_period_is_refused(world, gql):
    payload = gql(world.account_manager).data(
        REQUEST, {"slug": "alpha", "start": "2026-06-01", "end": "2026-01-01"}
    )
    assert payload["requestQbr"]["errors"][0]["code"] == "INVALID"
    assert not QbrReport.objects.exists()
