"""Bad service-desk input: a typed field error, and nothing written — no row, no queue row,
no file on disk."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from core.errors import ActionError
from services.directory.models import Contact
from services.support import actions
from services.support.actions import NewTicket, Upload, create_ticket, log_time
from services.support.models import Attachment, Comment, Ticket, TicketStatus, TimeEntry
from services.workqueue.models import WorkItem

CREATE = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number } errors { field code message } } }"""
REPLY = """mutation($n: Int!, $body: String!, $a: [AttachmentInput!]) {
  replyToTicket(number: $n, body: $body, attachments: $a) { ticket { number } errors { field code message } } }"""
NOTE = """mutation($n: Int!, $body: String!) {
  addInternalNote(clientSlug: "alpha", number: $n, body: $body) { errors { field code message } } }"""
LOG_TIME = """mutation($n: Int!, $minutes: Int!, $note: String, $date: Date) {
  logTime(clientSlug: "alpha", number: $n, minutes: $minutes, note: $note, workDate: $date) {
    errors { field code message } } }"""
WATCHER = """mutation($n: Int!, $email: String!) {
  addTicketWatcher(clientSlug: "alpha", number: $n, watcherEmail: $email) { errors { field code message } } }"""


def _first(payload):
    assert payload["errors"], payload
    return payload["errors"][0]["field"], payload["errors"][0]["code"]


def _raise(world, now=None):
    with tenant_context(world.a):
        return create_ticket(world.a, NewTicket(title="Printer"), actor=world.a_lead, now=now)


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": "Printer\x00"}, "title", "INVALID"),
        ({"description": "jammed\x00"}, "description", "INVALID"),
        ({"category": "c" * 81}, "category", "TOO_LONG"),
        ({"category": "hard\x00ware"}, "category", "INVALID"),
    ],
)
def test_bad_ticket_text_writes_nothing(world, gql, overrides, field, code):
    variables = {"input": {"title": "Printer", "impact": "LOW", "urgency": "LOW", **overrides}}
    payload = gql(world.a_lead, host=world.a).data(CREATE, variables)["createTicket"]
    assert _first(payload) == (field, code) and payload["ticket"] is None
    with tenant_context(world.a):
        assert not Ticket.objects.exists()
    assert not WorkItem.objects.exists()


def test_requester_must_be_a_contact_id_not_another_type(world, gql):
    """`StaffMember:1` must not become contact #1."""
    with tenant_context(world.a):
        contact = Contact.objects.order_by("pk").first()
    assert contact is not None
    tech = gql(world.technician)
    for requester in (
        to_global_id("StaffMember", contact.pk),
        to_global_id("Ticket", contact.pk),
        "abc",
        "²",
    ):
        variables = {
            "input": {
                "clientSlug": "alpha",
                "title": "Call",
                "impact": "LOW",
                "urgency": "LOW",
                "requesterId": requester,
            }
        }
        payload = tech.data(CREATE, variables)["createTicket"]
        assert _first(payload) == ("requesterId", "INVALID"), requester
    ok = tech.data(
        CREATE,
        {
            "input": {
                "clientSlug": "alpha",
                "title": "Call",
                "impact": "LOW",
                "urgency": "LOW",
                "requesterId": to_global_id("Contact", contact.pk),
            }
        },
    )["createTicket"]
    assert ok["errors"] == []
    with tenant_context(world.a):
        assert Ticket.objects.get().requester_id == contact.pk


def test_bad_reply_note_time_and_watcher_text_writes_nothing(world, gql):
    number = _raise(world).number
    lead = gql(world.a_lead, host=world.a)
    tech = gql(world.technician)
    assert _first(lead.data(REPLY, {"n": number, "body": "hi\x00"})["replyToTicket"]) == ("body", "INVALID")
    assert _first(tech.data(NOTE, {"n": number, "body": "\x00"})["addInternalNote"]) == ("body", "INVALID")
    time_note = tech.data(LOG_TIME, {"n": number, "minutes": 5, "note": "n" * 301})["logTime"]
    assert _first(time_note) == ("note", "TOO_LONG")
    nul_note = tech.data(LOG_TIME, {"n": number, "minutes": 5, "note": "a\x00b"})["logTime"]
    assert _first(nul_note) == ("note", "INVALID")
    long_email = "w" * 250 + "@alpha.test"
    assert _first(tech.data(WATCHER, {"n": number, "email": long_email})["addTicketWatcher"]) == (
        "watcherEmail",
        "TOO_LONG",
    )
    assert _first(tech.data(WATCHER, {"n": number, "email": "lead@alpha.test\x00"})["addTicketWatcher"]) == (
        "watcherEmail",
        "INVALID",
    )
    with tenant_context(world.a):
        assert not Comment.objects.exists() and not TimeEntry.objects.exists()
        assert Ticket.objects.get().watchers.count() == 0


def test_time_note_is_refused_not_truncated_by_the_action(world):
    number = _raise(world).number
    with tenant_context(world.a), pytest.raises(ActionError) as refused:
        log_time(world.a, number, actor=world.technician, minutes=5, note="n" * 301)
    assert [(e.field, e.code) for e in refused.value.errors] == [("note", "TOO_LONG")]


# ----------------------------------------------------------------- attachments

GOOD = base64.b64encode(b"hello").decode()


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("../../etc/passwd", "INVALID"),
        ("..\\..\\boot.ini", "INVALID"),
        ("..", "INVALID"),
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("tab\tname.txt", "INVALID"),
        ("n" * 201, "TOO_LONG"),
    ],
)
def test_bad_file_names_are_typed_errors_not_storage_exceptions(
    world, gql, settings, tmp_path, filename, code
):
    settings.MEDIA_ROOT = tmp_path
    number = _raise(world).number
    attachment = {"filename": filename, "contentType": "text/plain", "dataBase64": GOOD}
    payload = gql(world.a_lead, host=world.a).data(
        REPLY, {"n": number, "body": "see file", "a": [attachment]}
    )
    assert _first(payload["replyToTicket"])[1] == code
    with tenant_context(world.a):
        assert not Comment.objects.exists() and not Attachment.objects.exists()
    assert _files(tmp_path) == []


def test_a_nul_in_a_file_name_leaves_no_file_on_disk(world, settings, tmp_path):
    """Past the GraphQL edge (the action is also called by other code): refused before any
    file is written."""
    settings.MEDIA_ROOT = tmp_path
    number = _raise(world).number
    with tenant_context(world.a), pytest.raises(ActionError) as refused:
        actions.reply(
            world.a,
            number,
            actor=world.a_lead,
            body="see file",
            uploads=[Upload("report\x00.txt", "text/plain", GOOD)],
        )
    assert refused.value.errors[0].code == "INVALID"
    assert _files(tmp_path) == []


def test_files_written_before_a_later_failure_are_removed(world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    number = _raise(world).number

    def fail(*args, **kwargs):
        raise RuntimeError("the queue row could not be written")

    monkeypatch.setattr(actions, "_after_change", fail)
    with tenant_context(world.a), pytest.raises(RuntimeError):
        actions.reply(
            world.a,
            number,
            actor=world.a_lead,
            body="see files",
            uploads=[Upload("a.txt", "text/plain", GOOD), Upload("b.txt", "text/plain", GOOD)],
        )
    assert _files(tmp_path) == []


def test_an_attachment_is_stored_under_a_random_name_and_keeps_its_own(world, gql, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    number = _raise(world).number
    attachment = {"filename": "Quarterly report.PDF.txt", "contentType": "text/plain", "dataBase64": GOOD}
    payload = gql(world.a_lead, host=world.a).data(
        REPLY, {"n": number, "body": "see file", "a": [attachment]}
    )
    assert payload["replyToTicket"]["errors"] == []
    with tenant_context(world.a):
        stored = Attachment.objects.get()
    assert stored.filename == "Quarterly report.PDF.txt"
    assert stored.file.name.startswith("attachments/") and stored.file.name.endswith(".txt")
    assert "Quarterly" not in stored.file.name
    assert _files(tmp_path) == [stored.file.name]


# ----------------------------------------------------------------------- time


def test_work_date_window_and_closed_tickets(world):
    raised = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    now = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)
    ticket = _raise(world, now=raised)

    def log(work_date):
        log_time(world.a, ticket.number, actor=world.technician, minutes=10, work_date=work_date, now=now)

    with tenant_context(world.a):
        for bad in (date(1, 1, 1), date(2026, 11, 8), date(2026, 11, 13)):
            with pytest.raises(ActionError) as refused:
                log(bad)
            assert [(e.field, e.code) for e in refused.value.errors] == [("workDate", "INVALID")], bad
        log(date(2026, 11, 9))  # the day before it was raised
        log(date(2026, 11, 12))  # today
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.RESOLVED)
        log(date(2026, 11, 12))  # resolved: follow-up work still counts
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
        with pytest.raises(ActionError) as closed:
            log(date(2026, 11, 12))
        assert closed.value.errors[0].code == "INVALID_TRANSITION"
        assert TimeEntry.objects.count() == 3


def test_log_time_0001_01_01_through_graphql_is_a_field_error(world, gql):
    number = _raise(world).number
    payload = gql(world.technician).data(LOG_TIME, {"n": number, "minutes": 5, "date": "0001-01-01"})[
        "logTime"
    ]
    assert _first(payload) == ("workDate", "INVALID")
    with tenant_context(world.a):
        assert not TimeEntry.objects.exists()
