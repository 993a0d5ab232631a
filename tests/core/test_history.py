"""Change history at the database level: triggers in every client schema (clones of the
template included), the acting user from the request, and event tables nobody can rewrite."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context, tenant_context

from services.catalog.models import SlaPolicy
from services.support.models import Ticket
from tenants.models import Client, ClientStatus, Membership, StaffClientAccess
from tenants.provisioning import provision_client

RAISE = """mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { number } errors { code } } }"""


def _events(schema: str, table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT pgh_label, pgh_context FROM "{schema}"."{table}" ORDER BY pgh_id')
        return [(label, json.loads(context) if context else None) for label, context in cursor.fetchall()]


def test_ticket_changes_are_recorded_with_the_acting_user(world, gql):
    lead = gql(world.a_lead, host=world.a)
    assert (
        lead.data(RAISE, {"input": {"title": "VPN down", "impact": "HIGH", "urgency": "HIGH"}})[
            "createTicket"
        ]["errors"]
        == []
    )
    gql(world.technician).data(
        'mutation { changeTicketStatus(clientSlug: "alpha", number: 1, status: IN_PROGRESS) { errors { code } } }'
    )
    # A write no action makes (a shell, a bulk update) is recorded too.
    with tenant_context(world.a):
        Ticket.objects.filter(number=1).update(title="VPN down (edited)")
    events = _events(world.a.schema_name, "support_ticketevent")
    labels = [label for label, _ in events]
    assert labels[0] == "insert" and labels.count("update") >= 2
    assert events[0][1]["user"] == world.a_lead.pk and events[0][1]["url"] == "/graphql/"
    assert any(context and context.get("user") == world.technician.pk for _, context in events[1:])
    with tenant_context(world.a):
        assert (
            apps.get_model("support", "TicketEvent").objects.order_by("pgh_id").last().title
            == "VPN down (edited)"
        )


def test_a_freshly_provisioned_client_has_the_triggers(world):
    client = provision_client(
        {
            "name": "Echo Dental",
            "slug": "echo",
            "industry": "healthcare",
            "tier": "standard",
            "it_lead_email": "lead@echo.test",
            "it_lead_name": "Echo Lead",
        },
        acting_user=world.admin,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
            [client.schema_name],
        )
        triggers = cursor.fetchall()
    on_tickets = sorted(name for table, name in triggers if table == "support_ticket")
    assert len(on_tickets) == 3 and all(name.startswith("pgtrigger_") for name in on_tickets)
    assert ("support_ticketevent", "support_ticketevent_append_only") in triggers
    with schema_context(client.schema_name):
        Ticket.objects.count()  # the schema answers


@pytest.mark.parametrize(
    "statement",
    [
        'UPDATE "{schema}"."support_ticketevent" SET title = \'rewritten\'',
        'DELETE FROM "{schema}"."support_ticketevent"',
        "UPDATE public.\"tenants_clientevent\" SET status = 'active'",
        'DELETE FROM public."tenants_membershipevent"',
    ],
)
def test_history_cannot_be_rewritten(world, gql, statement):
    gql(world.a_lead, host=world.a).data(RAISE, {"input": {"title": "X", "impact": "LOW", "urgency": "LOW"}})
    Membership.objects.filter(user=world.a_member).update(role="it_lead")
    Client.objects.filter(pk=world.b.pk).update(status=ClientStatus.SUSPENDED)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(schema=world.a.schema_name))


def test_public_models_record_changes(world):
    policy = SlaPolicy.objects.first()
    assert policy is not None
    SlaPolicy.objects.filter(pk=policy.pk).update(name="Renamed")
    StaffClientAccess.objects.filter(user=world.limited_technician).delete()
    Client.objects.filter(pk=world.b.pk).update(status=ClientStatus.SUSPENDED)
    with schema_context("public"):
        assert [label for label, _ in _events("public", "catalog_slapolicyevent")][-1] == "update"
        assert [label for label, _ in _events("public", "tenants_staffclientaccessevent")][-1] == "delete"
        assert [label for label, _ in _events("public", "tenants_clientevent")][-1] == "update"
