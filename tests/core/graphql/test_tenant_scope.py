"""Resolvers run in the right client's schema by default: a tenant row remembers the schema
it was loaded from, fields of that row resolve inside it (RowSchemaMiddleware), and a
DataLoader batch runs in the schema its keys were asked for — so a new field that reads a
relation lazily works without anyone preloading it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.db.utils import ProgrammingError
from django_tenants.utils import schema_context

from core.graphql.loaders import loader
from core.graphql.middleware import FieldMiddleware, RootFieldGate, RowSchemaMiddleware
from core.tenancy import current_schema_name, schema_of
from services.support.actions import NewTicket, create_ticket
from services.support.models import Ticket
from tenants.models import Client


def _refuse(user):
    raise AssertionError("the root-field gate ran below the root")


# The project mounts FieldMiddleware (RowSchemaMiddleware and the other checks in one layer).
MIDDLEWARES = pytest.mark.parametrize(
    "middleware",
    [RowSchemaMiddleware(), FieldMiddleware(RootFieldGate(_refuse, []))],
    ids=["row-schema", "combined"],
)


def _root_info() -> SimpleNamespace:
    return SimpleNamespace(path=SimpleNamespace(prev=SimpleNamespace()), context=SimpleNamespace())


@MIDDLEWARES
def test_a_tenant_row_remembers_its_schema_and_its_fields_resolve_there(world, middleware):
    with schema_context(world.a.schema_name):
        created = create_ticket(world.a, NewTicket(title="VPN drops at home"), actor=world.a_lead)
        ticket = Ticket.objects.get(pk=created.pk)  # requester not loaded
    assert schema_of(ticket) == world.a.schema_name
    assert current_schema_name() == "public"

    def lazy_requester_name(root, info):
        return root.requester.full_name  # a lazy read of a tenant table

    name = middleware.resolve(lazy_requester_name, ticket, _root_info())
    assert name == world.a_lead.full_name
    assert current_schema_name() == "public"  # left again afterwards


def test_without_the_middleware_the_same_lazy_read_fails(world):
    with schema_context(world.a.schema_name):
        created = create_ticket(world.a, NewTicket(title="Printer"), actor=world.a_lead)
        ticket = Ticket.objects.get(pk=created.pk)
    with pytest.raises(ProgrammingError), transaction.atomic():
        ticket.requester


@MIDDLEWARES
def test_lazy_querysets_are_read_inside_the_schema(world, middleware):
    with schema_context(world.b.schema_name):
        created = create_ticket(world.b, NewTicket(title="Laptop"), actor=world.b_lead)
        ticket = Ticket.objects.get(pk=created.pk)

    rows = middleware.resolve(lambda root, info: root.activities.all(), ticket, _root_info())
    assert isinstance(rows, list) and rows  # evaluated in client B's schema, not later in public


@MIDDLEWARES
def test_already_in_the_rows_schema_lazy_querysets_are_still_read_there(world, middleware):
    with schema_context(world.b.schema_name):
        created = create_ticket(world.b, NewTicket(title="Monitor"), actor=world.b_lead)
        ticket = Ticket.objects.get(pk=created.pk)
        rows = middleware.resolve(lambda root, info: root.activities.all(), ticket, _root_info())
    assert isinstance(rows, list) and rows  # read before the schema was left, not lazily after


def test_a_loader_batch_runs_in_the_schema_its_keys_came_from(world):
    seen: list[str] = []

    def batch(keys):
        seen.append(current_schema_name())
        return [Ticket.objects.filter(pk=key).values_list("title", flat=True).first() for key in keys]

    info = SimpleNamespace(context=SimpleNamespace())
    with schema_context(world.a.schema_name):
        created = create_ticket(world.a, NewTicket(title="Shared drive"), actor=world.a_lead)
        future = loader(info, batch).load(created.pk)
    assert current_schema_name() == "public"
    future.deferred_callback()  # what the executor does once the resolvers have returned
    assert future.result() == "Shared drive" and seen == [world.a.schema_name]
    assert Client.objects.filter(pk=world.a.pk).exists()
