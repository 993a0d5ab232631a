"""The service desk through GraphQL: raise, triage, assign, reply, wait, resolve; the queue;
what client users may and may not see; bad input as typed errors with nothing written."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from core.errors import ActionError
from services.support.models import Comment, Ticket, TimeEntry
from services.workqueue.models import WorkItem

CREATE = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number priority priorityReason status slaClocks { name state dueAt targetMinutes } }
    errors { field code message } }
}"""
TICKET = """query($n: Int!, $c: String) { ticket(number: $n, clientSlug: $c) {
  number title status priority client { slug }
  slaClocks { name state dueAt usedMinutes remainingMinutes explainSteps explain }
  timeline { kind isInternal body actorName } timeEntries { minutes rawMinutes billable } billableMinutes totalMinutes } }"""
QUEUE = """query($mine: Boolean, $unassigned: Boolean, $client: String, $priority: Priority, $breached: Boolean, $soon: Boolean) {
  queue(first: 50, mine: $mine, unassigned: $unassigned, clientSlug: $client, priority: $priority, breached: $breached, breachingSoon: $soon) {
    totalCount edges { node { client { slug name } number title priority status breachState nextDeadlineAt nextDeadlineClock
      assignee { fullName } } } } }"""


def raise_request(graphql, title="Laptop will not boot", impact="MEDIUM", urgency="HIGH", **extra):
    payload = graphql.data(
        CREATE, {"input": {"title": title, "impact": impact, "urgency": urgency, **extra}}
    )["createTicket"]
    assert payload["errors"] == [], payload["errors"]
    return payload["ticket"]


def mutate(graphql, name, args, selection="ticket { number status } errors { code field message }"):
    arg_text = ", ".join(f"{key}: {value}" for key, value in args.items())
    return graphql.data(f"mutation {{ {name}({arg_text}) {{ {selection} }} }}")[name]


def test_client_lead_raises_a_request_with_sla_clocks(world, gql):
    ticket = raise_request(gql(world.a_lead, host=world.a))
    assert ticket["number"] == 1 and ticket["priority"] == "P2" and ticket["status"] == "NEW"
    assert ticket["priorityReason"]
    clocks = {clock["name"]: clock for clock in ticket["slaClocks"]}
    assert clocks["first_response"]["state"] == "RUNNING" and clocks["first_response"]["targetMinutes"] == 60
    item = WorkItem.objects.get(client=world.a, number=1)
    assert item.priority == "P2" and item.next_deadline_clock == "first_response" and item.is_open


def test_business_critical_requester_raises_urgency(world, gql):
    with tenant_context(world.a):
        from services.directory.models import Contact

        Contact.objects.filter(user_id=world.a_member.pk).update(is_business_critical=True)
    ticket = raise_request(gql(world.a_member, host=world.a), impact="MEDIUM", urgency="MEDIUM")
    assert ticket["priority"] == "P2"  # medium × (medium → high) instead of P3
    assert '"business_critical_requester": true' in ticket["priorityReason"]


def test_full_lifecycle_pauses_and_meets_the_sla(world, gql):
    lead = gql(world.a_lead, host=world.a)
    tech = gql(world.technician)
    number = raise_request(lead)["number"]
    assigned = mutate(
        tech,
        "assignTicket",
        {
            "clientSlug": '"alpha"',
            "number": number,
            "assigneeId": f'"{to_global_id("StaffMember", world.technician.pk)}"',
        },
    )
    assert assigned["errors"] == []
    assert (
        mutate(tech, "replyToTicket", {"clientSlug": '"alpha"', "number": number, "body": '"On it"'})[
            "ticket"
        ]["status"]
        == "OPEN"
    )
    assert (
        mutate(
            tech, "addInternalNote", {"clientSlug": '"alpha"', "number": number, "body": '"Disk looks bad"'}
        )["errors"]
        == []
    )
    logged = mutate(
        tech, "logTime", {"clientSlug": '"alpha"', "number": number, "minutes": 7, "note": '"diagnosis"'}
    )
    assert logged["errors"] == []
    waiting = mutate(
        tech, "changeTicketStatus", {"clientSlug": '"alpha"', "number": number, "status": "WAITING_ON_CLIENT"}
    )
    assert waiting["ticket"]["status"] == "WAITING_ON_CLIENT"
    item = WorkItem.objects.get(client=world.a, number=number)
    assert item.breach_state == "paused" and item.next_alert_at is None

    # The client's reply resumes the clocks.
    replied = mutate(lead, "replyToTicket", {"number": number, "body": '"Here is the photo"'})
    assert replied["ticket"]["status"] == "OPEN"
    assert (
        mutate(tech, "changeTicketStatus", {"clientSlug": '"alpha"', "number": number, "status": "RESOLVED"})[
            "errors"
        ]
        == []
    )
    item.refresh_from_db()
    assert item.is_open is False

    staff_view = tech.data(TICKET, {"n": number, "c": "alpha"})["ticket"]
    assert staff_view["billableMinutes"] == 15 and staff_view["timeEntries"][0]["rawMinutes"] == 7
    assert any(entry["isInternal"] for entry in staff_view["timeline"])
    client_view = lead.data(TICKET, {"n": number})["ticket"]
    assert not any(entry["isInternal"] for entry in client_view["timeline"])
    assert "Disk looks bad" not in str(client_view)
    assert client_view["timeEntries"] == [] and client_view["billableMinutes"] is None
    clocks = {clock["name"]: clock for clock in client_view["slaClocks"]}
    assert clocks["first_response"]["state"] == "MET" and clocks["resolution"]["state"] == "MET"
    assert clocks["resolution"]["explainSteps"]


# SET search_path, session, user + 2FA device (one query), the count (totalCount is asked), the page.
QUEUE_QUERIES = 5


def test_queue_is_one_query_ordered_by_deadline_and_filtered(world, gql, django_assert_num_queries):
    raise_request(gql(world.a_lead, host=world.a), title="Printer", impact="LOW", urgency="LOW")  # P4
    raise_request(gql(world.b_lead, host=world.b), title="Server down", impact="HIGH", urgency="HIGH")  # P1
    tech = gql(world.technician)
    edges = tech.data(QUEUE)["queue"]["edges"]
    assert [e["node"]["title"] for e in edges] == ["Server down", "Printer"]
    assert tech.data(QUEUE, {"priority": "P4"})["queue"]["totalCount"] == 1
    assert tech.data(QUEUE, {"client": "bravo"})["queue"]["edges"][0]["node"]["client"]["slug"] == "bravo"
    assert tech.data(QUEUE, {"mine": True})["queue"]["totalCount"] == 0
    assert tech.data(QUEUE, {"unassigned": True})["queue"]["totalCount"] == 2
    # A technician limited to A sees only A's work.
    limited = gql(world.limited_technician).data(QUEUE)["queue"]
    assert [e["node"]["client"]["slug"] for e in limited["edges"]] == ["alpha"]

    # The whole request, overhead included, pinned exactly at two sizes (update on purpose).
    with django_assert_num_queries(QUEUE_QUERIES):
        assert tech.data(QUEUE)["queue"]["totalCount"] == 2
    for index in range(5):
        raise_request(gql(world.b_member, host=world.b), title=f"More {index}")
    with django_assert_num_queries(QUEUE_QUERIES):
        assert tech.data(QUEUE)["queue"]["totalCount"] == 7


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"title": "", "impact": "LOW", "urgency": "LOW"}, "title", "REQUIRED"),
        ({"title": "x" * 201, "impact": "LOW", "urgency": "LOW"}, "title", "TOO_LONG"),
    ],
)
def test_bad_ticket_input_is_typed_and_writes_nothing(world, gql, variables, field, code):
    payload = gql(world.a_lead, host=world.a).data(CREATE, {"input": variables})["createTicket"]
    assert payload["ticket"] is None and (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (
        field,
        code,
    )
    with tenant_context(world.a):
        assert not Ticket.objects.exists()
    assert not WorkItem.objects.exists()


def test_staff_must_name_the_requester(world, gql):
    payload = gql(world.technician).data(
        CREATE, {"input": {"clientSlug": "alpha", "title": "Call", "impact": "LOW", "urgency": "LOW"}}
    )
    assert payload["createTicket"]["errors"][0]["field"] == "requesterId"
    with tenant_context(world.a):
        from services.directory.models import Contact

        contact = Contact.objects.get(user_id=world.a_member.pk)
    ok = gql(world.technician).data(
        CREATE,
        {
            "input": {
                "clientSlug": "alpha",
                "title": "Call",
                "impact": "LOW",
                "urgency": "LOW",
                "requesterId": str(contact.pk),
            }
        },
    )
    assert ok["createTicket"]["errors"] == []


def test_invalid_transitions_negative_time_unknown_tickets(world, gql):
    lead = gql(world.a_lead, host=world.a)
    tech = gql(world.technician)
    number = raise_request(lead)["number"]
    closing = mutate(
        tech, "changeTicketStatus", {"clientSlug": '"alpha"', "number": number, "status": "CLOSED"}
    )
    assert closing["errors"][0]["code"] == "INVALID_TRANSITION"
    by_client = mutate(lead, "changeTicketStatus", {"number": number, "status": "RESOLVED"})
    assert by_client["errors"][0]["code"] == "INVALID_TRANSITION"
    negative = mutate(tech, "logTime", {"clientSlug": '"alpha"', "number": number, "minutes": -5})
    assert negative["errors"][0]["code"] == "INVALID" and negative["errors"][0]["field"] == "minutes"
    unknown = mutate(tech, "replyToTicket", {"clientSlug": '"alpha"', "number": 999, "body": '"hi"'})
    assert unknown["errors"][0]["code"] == "NOT_FOUND"
    wrong_client = mutate(tech, "replyToTicket", {"clientSlug": '"bravo"', "number": number, "body": '"hi"'})
    assert wrong_client["errors"][0]["code"] == "NOT_FOUND"
    note_by_client = mutate(lead, "addInternalNote", {"number": number, "body": '"psst"'})
    assert note_by_client["errors"][0]["code"] == "PERMISSION_DENIED"
    with tenant_context(world.a):
        assert TimeEntry.objects.count() == 0 and Comment.objects.count() == 0


def test_attachments_are_checked(world, gql, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 10
    lead = gql(world.a_lead, host=world.a)
    number = raise_request(lead)["number"]

    def attach(content_type, data):
        return lead.data(
            'mutation($a: [AttachmentInput!]) { replyToTicket(number: %d, body: "see file", attachments: $a) '
            "{ errors { code field } } }" % number,
            {"a": [{"filename": "f.txt", "contentType": content_type, "dataBase64": data}]},
        )["replyToTicket"]["errors"]

    assert attach("text/plain", base64.b64encode(b"x" * 11).decode())[0]["code"] == "TOO_LARGE"
    assert (
        attach("application/x-msdownload", base64.b64encode(b"MZ").decode())[0]["code"] == "UNSUPPORTED_TYPE"
    )
    assert attach("text/plain", "%%%")[0]["code"] == "INVALID"
    with tenant_context(world.a):
        assert Comment.objects.count() == 0
    assert attach("text/plain", base64.b64encode(b"hello").decode()) == []


def test_members_see_only_their_own_requests(world, gql):
    raise_request(gql(world.a_lead, host=world.a), title="Lead's")
    raise_request(gql(world.a_member, host=world.a), title="Member's")
    member = gql(world.a_member, host=world.a)
    titles = [row["title"] for row in member.data("{ tickets { title } }")["tickets"]]
    assert titles == ["Member's"]
    assert member.data(TICKET, {"n": 1})["ticket"] is None
    lead_titles = [
        row["title"] for row in gql(world.a_lead, host=world.a).data("{ tickets { title } }")["tickets"]
    ]
    assert lead_titles == ["Member's", "Lead's"]


def test_compliance_distinguishes_not_judged(world, gql):
    rows = gql(world.a_lead, host=world.a).data(
        "{ slaCompliance(months: 2) { month priority clock met breached compliancePercent } }"
    )
    assert rows["slaCompliance"] and all(row["compliancePercent"] is None for row in rows["slaCompliance"])


def test_time_rounds_up_and_totals_per_client_and_month(world, settings):
    from datetime import date

    from services.support.actions import NewTicket, create_ticket, log_time, monthly_time_totals

    settings.TIME_ENTRY_ROUNDING_MINUTES = 15
    # The day after the last entry's work date, whatever the machine's clock says.
    now = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    raised = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)
    with tenant_context(world.a):
        ticket = create_ticket(world.a, NewTicket(title="Time"), actor=world.a_lead, now=raised)

        def log(minutes: int, work_date: date, billable: bool = True) -> None:
            log_time(
                world.a,
                ticket.number,
                actor=world.technician,
                minutes=minutes,
                billable=billable,
                work_date=work_date,
                now=now,
            )

        log(1, date(2026, 10, 30))
        log(31, date(2026, 10, 31))
        log(20, date(2026, 10, 31), billable=False)
        log(15, date(2026, 11, 1))
        with pytest.raises(ActionError) as future:
            log(15, date(2026, 11, 2))
        october = monthly_time_totals(world.a, 2026, 10)
        november = monthly_time_totals(world.a, 2026, 11)
    assert [(e.field, e.code) for e in future.value.errors] == [("workDate", "INVALID")]
    assert (october.billable_minutes, october.non_billable_minutes) == (15 + 45, 30)
    assert october.by_technician == {world.technician.pk: 60}
    assert (november.billable_minutes, november.non_billable_minutes) == (15, 0)


def test_watchers_follow_tickets_they_did_not_raise(world, gql):
    number = raise_request(gql(world.a_lead, host=world.a), title="Office Wi-Fi")["number"]
    member = gql(world.a_member, host=world.a)
    assert member.data("{ tickets { title } }")["tickets"] == []
    denied = mutate(
        member, "addTicketWatcher", {"number": number, "watcherEmail": f'"{world.a_member.email}"'}
    )
    assert denied["errors"][0]["code"] in {"PERMISSION_DENIED", "NOT_FOUND"}
    lead = gql(world.a_lead, host=world.a)
    added = mutate(lead, "addTicketWatcher", {"number": number, "watcherEmail": f'"{world.a_member.email}"'})
    assert added["errors"] == []
    outsider = mutate(
        lead, "addTicketWatcher", {"number": number, "watcherEmail": f'"{world.b_member.email}"'}
    )
    assert outsider["errors"][0]["field"] == "watcherEmail"
    assert [row["title"] for row in member.data("{ tickets { title } }")["tickets"]] == ["Office Wi-Fi"]
    view = member.data("query { ticket(number: %d) { viewerIsWatching watchers { email } } }" % number)[
        "ticket"
    ]
    assert view["viewerIsWatching"] is True and view["watchers"] == [{"email": world.a_member.email}]
    assert mutate(member, "watchTicket", {"number": number, "watching": "false"})["errors"] == []
    assert member.data("{ tickets { title } }")["tickets"] == []


def test_attachments_download_only_for_people_who_see_the_ticket(world, gql, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lead = gql(world.a_lead, host=world.a)
    number = raise_request(lead)["number"]
    tech = gql(world.technician)
    data = base64.b64encode(b"printer log").decode()
    mutate(
        tech,
        "addInternalNote",
        {
            "clientSlug": '"alpha"',
            "number": number,
            "body": '"log attached"',
            "attachments": f'[{{filename: "log.txt", contentType: "text/plain", dataBase64: "{data}"}}]',
        },
    )
    mutate(
        lead,
        "replyToTicket",
        {
            "number": number,
            "body": '"photo"',
            "attachments": f'[{{filename: "p.png", contentType: "image/png", dataBase64: "{data}"}}]',
        },
    )
    timeline = tech.data(
        TICKET.replace("body actorName", "body actorName attachments { filename url }"),
        {"n": number, "c": "alpha"},
    )["ticket"]["timeline"]
    urls = {a["filename"]: a["url"] for entry in timeline for a in entry["attachments"]}
    assert set(urls) == {"log.txt", "p.png"}

    staff_file = tech.http.get(urls["log.txt"])
    assert staff_file.status_code == 200 and b"".join(staff_file.streaming_content) == b"printer log"
    assert staff_file["Content-Disposition"].startswith("attachment")
    assert lead.http.get(urls["p.png"]).status_code == 200
    assert lead.http.get(urls["log.txt"]).status_code == 404  # an internal note's file
    assert gql(world.a_member, host=world.a).http.get(urls["p.png"]).status_code == 404  # not their ticket
    assert gql(world.b_lead, host=world.b).http.get(urls["p.png"]).status_code == 404  # another client
    assert gql(None, host=world.a).http.get(urls["p.png"]).status_code == 404


def test_compliance_months_are_exactly_the_ones_asked_for(world, gql):
    rows = gql(world.a_lead, host=world.a).data("{ slaCompliance(months: 6) { month } }")["slaCompliance"]
    assert len({row["month"] for row in rows}) == 6


def test_contacts_and_assignable_staff_let_staff_raise_and_assign(world, gql):
    tech = gql(world.technician)
    contacts = tech.data('{ contacts(clientSlug: "alpha", search: "member") { id email } }')["contacts"]
    assert [c["email"] for c in contacts] == [world.a_member.email]
    created = tech.data(
        CREATE,
        {
            "input": {
                "clientSlug": "alpha",
                "title": "Phoned in",
                "impact": "LOW",
                "urgency": "LOW",
                "requesterId": contacts[0]["id"],
            }
        },
    )["createTicket"]
    assert created["errors"] == []
    staff = tech.data('{ assignableStaff(clientSlug: "alpha") { id email } }')["assignableStaff"]
    assert {s["email"] for s in staff} == {
        world.admin.email,
        world.technician.email,
        world.limited_technician.email,
    }
