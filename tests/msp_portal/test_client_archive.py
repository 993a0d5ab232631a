"""One client's export and import: dump, wipe (schema dropped, public rows gone, slug free),
restore, and the portal shows the client the same data as before, to its IT lead and to staff."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context, schema_exists

from core.errors import ActionError
from msp_portal.client_archive import export_client_bytes, import_client, wipe_client
from services.catalog.models import ClientSla
from services.workqueue.models import Notification, WorkItem
from tenants.models import Client, Domain, Invitation, Membership, StaffClientAccess, User

RAISE = """mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { number } errors { code } } }"""
LEAD_VIEW = """{ viewer { email } requests: tickets { number title status priority }
  ticket(number: 1) { number title status slaClocks { name state dueAt }
    timeline { kind isInternal body actorName attachments { filename } } } notifications { title } }"""
STAFF_VIEW = """{ ticket(number: 1, clientSlug: "alpha") { number title status
    timeline { kind isInternal body actorName attachments { filename } } timeEntries { minutes } }
  queue(first: 20, clientSlug: "alpha") { totalCount edges { node { number title priority breachState assignee { fullName } } } }
  clients(search: "alpha") { edges { node { slug status memberCount contactCount itLeads { email } } } } }"""


def _fill(world, gql) -> None:
    lead = gql(world.a_lead, host=world.a)
    created = lead.data(RAISE, {"input": {"title": "Printer jams", "impact": "HIGH", "urgency": "HIGH"}})
    assert created["createTicket"]["errors"] == []
    data = base64.b64encode(b"jam log").decode()
    tech = gql(world.technician)
    result = tech.data(
        'mutation($a: [AttachmentInput!]) { addInternalNote(clientSlug: "alpha", number: 1, body: "checked rollers",'
        " attachments: $a) { errors { code } } }",
        {"a": [{"filename": "jam.txt", "contentType": "text/plain", "dataBase64": data}]},
    )
    assert result["addInternalNote"]["errors"] == []
    lead.data('mutation { replyToTicket(number: 1, body: "still jamming") { errors { code } } }')
    tech.data(
        'mutation { logTime(clientSlug: "alpha", number: 1, minutes: 20, note: "rollers") { errors { code } } }'
    )
    me = tech.data("{ viewer { id } }")["viewer"]["id"]
    tech.data(
        'mutation($a: ID) { assignTicket(clientSlug: "alpha", number: 1, assigneeId: $a) { errors { code } } }',
        {"a": me},
    )


def _public_counts(client: Client) -> dict[str, int]:
    return {
        "domains": Domain.objects.filter(tenant=client).count(),
        "memberships": Membership.objects.filter(client=client).count(),
        "invitations": Invitation.objects.filter(client=client).count(),
        "access": StaffClientAccess.objects.filter(client=client).count(),
        "work_items": WorkItem.objects.filter(client=client).count(),
        "notifications": Notification.objects.filter(client=client).count(),
        "sla": ClientSla.objects.filter(client=client).count(),
    }


def _history(client: Client) -> dict[str, int]:
    with schema_context(client.schema_name):
        tickets = apps.get_model("support", "TicketEvent").objects.count()
    return {
        "tickets": tickets,
        "memberships": apps.get_model("tenants", "MembershipEvent")
        .objects.filter(client_id=client.pk)
        .count(),
        "client": apps.get_model("tenants", "ClientEvent").objects.filter(pgh_obj_id=client.pk).count(),
    }


def test_export_wipe_import_gives_back_the_same_portal(
    world, gql, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    _fill(world, gql)
    lead_before = gql(world.a_lead, host=world.a).data(LEAD_VIEW)
    staff_before = gql(world.admin).data(STAFF_VIEW)
    limited_before = gql(world.limited_technician).data(STAFF_VIEW)
    counts_before = _public_counts(world.a)
    assert (
        counts_before["work_items"] == 1
        and counts_before["memberships"] == 2
        and counts_before["access"] == 1
    )
    assert lead_before["ticket"]["timeline"] and staff_before["queue"]["totalCount"] == 1
    files_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(files_before) == 1

    history_before = _history(world.a)
    assert history_before["tickets"] >= 2
    archive = export_client_bytes(world.a)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = set(opened.namelist())
    assert {"manifest.json", "users.json", "public.json", "tenant.json"} <= names
    assert f"media/{files_before[0]}" in names

    with django_capture_on_commit_callbacks(execute=True):
        removed = wipe_client(world.a)
    assert removed["support.Ticket"] == 1 and removed["workqueue.WorkItem"] == 1
    assert not schema_exists(world.a.schema_name) and not Client.objects.filter(slug="alpha").exists()
    assert all(count == 0 for count in _public_counts(world.a).values())
    assert not list(tmp_path.rglob("*.txt"))  # the attachment file went with it
    # Gone for its people too: the portal host no longer answers, staff no longer see it.
    assert gql(world.admin).data(STAFF_VIEW)["clients"]["edges"] == []

    restored = import_client(io.BytesIO(archive))
    assert restored.pk == world.a.pk and restored.slug == "alpha" and schema_exists(restored.schema_name)
    assert _public_counts(restored) == counts_before
    # The schema's history is the archived one; public history keeps the deletion and the restore.
    after = _history(restored)
    assert after["tickets"] == history_before["tickets"]
    assert after["memberships"] == history_before["memberships"] + 2 + 2
    assert after["client"] == history_before["client"] + 1 + 1
    restore_events = apps.get_model("tenants", "MembershipEvent").objects.filter(
        client_id=restored.pk, pgh_label="insert"
    )
    assert restore_events.order_by("pgh_id").last().pgh_context["action"] == "import_client"
    assert gql(world.a_lead, host=world.a).data(LEAD_VIEW) == lead_before
    assert gql(world.admin).data(STAFF_VIEW) == staff_before
    assert gql(world.limited_technician).data(STAFF_VIEW) == limited_before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()) == files_before
    # New rows after the restore get fresh ids (sequences were moved past the restored rows).
    created = gql(world.a_lead, host=world.a).data(
        RAISE, {"input": {"title": "Second", "impact": "LOW", "urgency": "LOW"}}
    )
    assert created["createTicket"]["ticket"]["number"] == 2


def test_import_refuses_a_client_still_there_and_writes_nothing(world):
    archive = export_client_bytes(world.a)
    with pytest.raises(ActionError) as refused:
        import_client(io.BytesIO(archive))
    assert refused.value.errors[0].code == "CLIENT_EXISTS"
    with pytest.raises(ActionError) as bad:
        import_client(io.BytesIO(b"not a zip"))
    assert bad.value.errors[0].code == "BAD_ARCHIVE"


def test_import_refuses_people_who_do_not_match(world):
    archive = export_client_bytes(world.a)
    wipe_client(world.a)
    # On a fresh row, not the session's shared `world.a_lead` (later tests sign in with it).
    User.objects.filter(pk=world.a_lead.pk).update(email="someone-else@alpha.test")
    with pytest.raises(ActionError) as refused:
        import_client(io.BytesIO(archive))
    assert refused.value.errors[0].code == "USER_MISMATCH"
    assert not Client.objects.filter(slug="alpha").exists() and not schema_exists(world.a.schema_name)


def test_commands_export_and_import(world, tmp_path):
    target = tmp_path / "alpha.zip"
    out = io.StringIO()
    call_command("export_client", "alpha", str(target), stdout=out)
    assert target.is_file() and "Exported" in out.getvalue()
    with pytest.raises(CommandError, match="exists"):
        call_command("export_client", "alpha", str(target), stdout=io.StringIO())
    with pytest.raises(CommandError, match="still in this portal"):
        call_command("import_client", str(target), stdout=io.StringIO())
    wipe_client(world.a)
    call_command("import_client", str(target), stdout=out)
    assert Client.objects.get(slug="alpha").status == world.a.status
