"""Plain leaf fields read directly (core.graphql.execution): the same answers, fewer calls."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import graphene
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from graphql import execute as graphql_execute
from graphql import parse
from graphql_sync_dataloaders import SyncDataLoader

from benchmarks.spa_operations import spa_documents
from core.graphql import execution
from core.graphql.execution import Leaf, PortalExecutionContext, plain_leaf, row_value
from core.graphql.loaders import then
from core.graphql.middleware import FieldMiddleware
from core.tenancy import current_schema_name
from services.support.actions import NewTicket, add_internal_note, create_ticket, reply
from services.support.models import Ticket

DOCUMENTS = spa_documents(
    {
        "QUEUE_QUERY",
        "TICKET_PAGE_QUERY",
        "TICKETS_QUERY",
        "CLIENTS_QUERY",
        "VIEWER_QUERY",
        "SLA_CATALOG_QUERY",
    }
)


@pytest.fixture
def tickets(world) -> list[int]:
    with tenant_context(world.a):
        numbers = [
            create_ticket(world.a, NewTicket(title=f"Printer {i} ✓ Łódź"), actor=world.a_lead).number
            for i in range(4)
        ]
        reply(world.a, numbers[0], actor=world.technician, body="On it")
        add_internal_note(world.a, numbers[0], actor=world.technician, body="note")
    with tenant_context(world.b):
        create_ticket(world.b, NewTicket(title="VPN down"), actor=world.b_lead)
    return numbers


def both_ways(monkeypatch: Any, send: Any) -> tuple[Any, Any]:
    monkeypatch.setattr(PortalExecutionContext, "DIRECT_LEAVES", True)
    direct = send()
    monkeypatch.setattr(PortalExecutionContext, "DIRECT_LEAVES", False)
    general = send()
    return direct, general


def test_spa_documents_answer_the_same_with_and_without_direct_leaves(world, gql, tickets, monkeypatch):
    # Both answers at the same instant: SLA clocks explain themselves "as of now".
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    tech = gql(world.technician)
    lead = gql(world.a_lead, host=world.a)
    requests: list[tuple[Any, str, dict[str, Any]]] = [
        (tech, DOCUMENTS["QUEUE_QUERY"], {"first": 25}),
        (tech, DOCUMENTS["QUEUE_QUERY"], {"first": 2, "clientSlug": "alpha"}),
        (
            tech,
            DOCUMENTS["TICKET_PAGE_QUERY"],
            {"number": tickets[0], "clientSlug": "alpha", "isStaff": True},
        ),
        (lead, DOCUMENTS["TICKET_PAGE_QUERY"], {"number": tickets[0], "isStaff": False}),
        (lead, DOCUMENTS["TICKETS_QUERY"], {}),
        (lead, DOCUMENTS["VIEWER_QUERY"], {}),
        (tech, DOCUMENTS["CLIENTS_QUERY"], {}),
        (tech, DOCUMENTS["SLA_CATALOG_QUERY"], {}),
    ]
    for client, document, variables in requests:
        direct, general = both_ways(monkeypatch, partial(client.execute, document, variables))
        assert "errors" not in direct, direct
        assert json.dumps(direct) == json.dumps(general)  # same values, same key order


def test_nulls_exceptions_and_unserialisable_values_go_the_general_way():
    class Row:
        missing = None
        boom = ValueError("resolver error")
        count = "not a number"

    row = Row()
    assert Leaf("missing", None, "attr", True, str).read(row) is execution._SLOW  # non-null: its error
    assert Leaf("missing", None, "attr", False, str).read(row) is None
    assert Leaf("boom", None, "attr", False, str).read(row) is execution._SLOW

    def as_int(value: Any) -> int:
        return int(value)

    assert Leaf("count", None, "attr", False, as_int).read(row) is execution._SLOW
    assert Leaf("absent", 7, "attr", False, as_int).read(row) == 7  # graphene's default value
    assert Leaf("count", None, "dict_or_attr", False, str).read({"count": 3}) == "3"
    assert Leaf("count", None, "attr", False, str).read({"count": 3}) is execution._SLOW
    assert Leaf("count", None, "dict", False, str).read(row) is execution._SLOW


def test_the_direct_path_is_taken_for_queue_rows(world, gql, tickets, monkeypatch):
    calls = {"n": 0}
    original = FieldMiddleware.resolve

    def counting(self, next_, root, info, **args):
        calls["n"] += 1
        return original(self, next_, root, info, **args)

    monkeypatch.setattr(FieldMiddleware, "resolve", counting)
    tech = gql(world.technician)
    query, variables = DOCUMENTS["QUEUE_QUERY"], {"first": 25}
    direct, general = both_ways(
        monkeypatch, lambda: (calls.update(n=0), tech.data(query, variables), calls["n"])
    )
    rows = len(direct[1]["queue"]["edges"])
    assert rows == 5
    # The general path calls the middleware for every field of every row; the direct path
    # only for the rows' objects and computed fields.
    assert general[2] - direct[2] >= rows * 8


def test_a_deferred_column_of_a_tenant_row_is_read_inside_its_schema(world, tickets):
    with tenant_context(world.a):
        row = Ticket.objects.only("id").get(number=tickets[0])
    leaf = Leaf("title", None, "dict_or_attr", True, str)
    # Not loaded: reading it would query, and must happen inside alpha's schema — so the
    # general path (with the middleware's schema switch) decides.
    assert leaf.read(row) is execution._SLOW
    with tenant_context(world.a):
        loaded = Ticket.objects.get(number=tickets[0])
    assert current_schema_name() == "public"
    assert leaf.read(loaded) == loaded.title


def test_properties_and_data_descriptors_are_not_read_from_the_instance_dict():
    class Row:
        @property
        def label(self) -> str:
            return "from the property"

    row = Row()
    row.__dict__["label"] = "shadowed"
    row.__dict__[execution.SCHEMA_ATTRIBUTE] = "alpha"
    assert Leaf("label", None, "attr", False, str).read(row) is execution._SLOW
    plain = Row()
    assert Leaf("label", None, "attr", False, str).read(plain) == "from the property"


def test_only_default_resolvers_without_arguments_qualify():
    from msp_portal.schema import schema

    graphql_schema = schema.graphql_schema
    from graphql import parse

    def leaf_for(type_name: str, selection: str) -> Leaf | None:
        document = parse("{ x { %s } }" % selection)
        operation: Any = document.definitions[0]
        node = operation.selection_set.selections[0].selection_set.selections[0]
        return plain_leaf(graphql_schema, graphql_schema.get_type(type_name), [node])  # type: ignore[arg-type]

    assert leaf_for("WorkItem", "title") is not None
    client = leaf_for("WorkItem", "client { slug }")  # an object read directly, its fields executed
    assert client is not None and client.child_type is not None
    assert leaf_for("Query", "queue(first: 1) { totalCount }") is None


def test_row_value_resolvers_run_only_in_their_rows_schema(world, tickets):
    calls = []

    @row_value
    def resolve_shout(root: Any, info: Any) -> str:
        calls.append(info)
        return root.title.upper()

    leaf = Leaf("shout", None, "call", True, str, call=partial(resolve_shout, info=None))
    with tenant_context(world.a):
        row = Ticket.objects.get(number=tickets[0])
        assert leaf.read(row) == row.title.upper()  # in alpha's schema: called directly
    assert current_schema_name() == "public"
    assert leaf.read(row) is execution._SLOW  # elsewhere: the middleware must switch first
    assert calls == [None]

    @row_value
    def needs_info(root: Any, info: Any) -> str:
        return info.context.user.email

    with tenant_context(world.a):
        assert (
            Leaf("x", None, "call", True, str, call=partial(needs_info, info=None)).read(row)
            is execution._SLOW
        )


def test_relay_ids_of_django_rows_are_read_directly(world, gql, tickets):
    from graphql import parse

    from msp_portal.schema import schema

    graphql_schema = schema.graphql_schema
    operation: Any = parse("{ x { id } }").definitions[0]
    node = operation.selection_set.selections[0].selection_set.selections[0]
    leaf = plain_leaf(graphql_schema, graphql_schema.get_type("StaffMember"), [node])
    assert leaf is not None and leaf.kind == "call"
    from graphene import relay

    assert leaf.read(world.technician) == relay.Node.to_global_id("StaffMember", world.technician.pk)


# A small schema of its own: objects read directly whose fields wait for a DataLoader batch,
# and errors in non-null fields, answered exactly as graphql-core answers them.
BATCHES: list[list[int]] = []


def _load_names(keys: Any) -> list[str]:
    BATCHES.append(list(keys))
    return [f"friend {key}" for key in keys]


def _load_nothing(keys: Any) -> list[None]:
    return [None for _ in keys]


def _late_none(info: Any, key: int) -> Any:
    loader = info.context.setdefault("nothing", SyncDataLoader(_load_nothing))
    return loader.load(key)


class Friend(graphene.ObjectType):
    name = graphene.String(required=True)


class Child(graphene.ObjectType):
    name = graphene.String(required=True)
    broken = graphene.String(required=True)  # null: an error that must go up to `child`
    friend = graphene.Field(Friend)
    late = graphene.String(required=True)  # null only once the batch has run

    def resolve_late(root: Any, info: Any) -> Any:
        return _late_none(info, root["id"])

    def resolve_friend(root: Any, info: Any) -> Any:
        loader = info.context.setdefault("loader", SyncDataLoader(_load_names))
        return then(loader.load(root["id"]), lambda name: {"name": name})


class Parent(graphene.ObjectType):
    child = graphene.Field(Child, required=True)
    maybe = graphene.Field(Child)
    late = graphene.String(required=True)

    def resolve_late(root: Any, info: Any) -> Any:
        return _late_none(info, -1)


class Root(graphene.ObjectType):
    parents = graphene.List(graphene.NonNull(Parent), required=True)
    parent = graphene.Field(Parent)

    def resolve_parents(root: Any, info: Any) -> list[dict[str, Any]]:
        return [{"child": {"id": i, "name": f"child {i}", "broken": "ok"}, "maybe": None} for i in range(3)]

    def resolve_parent(root: Any, info: Any) -> dict[str, Any]:
        return {"child": {"id": 9, "name": "child 9", "broken": None}, "maybe": {"id": 8, "name": "m"}}


TOY = graphene.Schema(query=Root)


def _run(document: str, direct: bool, monkeypatch: Any) -> Any:
    monkeypatch.setattr(PortalExecutionContext, "DIRECT_LEAVES", direct)
    BATCHES.clear()
    result: Any = graphql_execute(
        TOY.graphql_schema, parse(document), context_value={}, execution_context_class=PortalExecutionContext
    )
    return result.data, [(e.message, e.path) for e in result.errors or []], list(BATCHES)


def test_direct_objects_wait_for_dataloader_batches_like_the_general_path(monkeypatch):
    document = "{ parents { child { name friend { name } } maybe { name } } }"
    direct = _run(document, True, monkeypatch)
    assert direct == _run(document, False, monkeypatch)
    data, errors, batches = direct
    assert [p["child"]["friend"]["name"] for p in data["parents"]] == ["friend 0", "friend 1", "friend 2"]
    assert errors == [] and batches == [[0, 1, 2]]  # one batch, as before


def test_errors_inside_direct_objects_go_up_like_the_general_path(monkeypatch):
    document = "{ parent { child { name broken } maybe { name friend { name } } } }"
    direct = _run(document, True, monkeypatch)
    assert direct == _run(document, False, monkeypatch)
    data, errors, _ = direct
    assert data == {"parent": None}  # child is non-null, so its error nulls the parent
    assert errors == [
        ("Cannot return null for non-nullable field Child.broken.", ["parent", "child", "broken"])
    ]


def test_two_late_errors_in_one_object_are_reported_as_the_general_path_reports_them(monkeypatch):
    # The direct `child` and the general `late` both fail once the same batch has run: the
    # second failure must not break the answer. (graphql-sync-dataloaders nulls the whole
    # answer in this case, on either path; which of the two errors is reported first differs.)
    document = "{ parent { late child { name late } } }"
    direct_data, direct_errors, _ = _run(document, True, monkeypatch)
    general_data, general_errors, _ = _run(document, False, monkeypatch)
    assert direct_data == general_data
    assert len(direct_errors) == len(general_errors) == 1
    assert direct_errors[0][0].startswith("Cannot return null for non-nullable field")
