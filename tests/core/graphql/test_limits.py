"""What the endpoint refuses before running anything, and how errors look: cyclic
fragments, fragment bombs, aliases, cost, size, malformed text, and unexpected exceptions
(typed INTERNAL with a request id, never exception text)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from graphql import parse, validate

from core.graphql.limits import measure
from msp_portal.schema import LIST_SIZES, schema
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parents[3]


def codes(result: dict) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]


def test_cyclic_fragments_are_a_typed_error_not_a_crash(world):
    query = "query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }"
    result = GraphQLClient().execute(query)
    assert codes(result) and set(codes(result)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "cannot spread fragment" in result["errors"][0]["message"].lower()


def test_a_fragment_bomb_is_measured_in_linear_time_and_refused(world, gql):
    # Each level spreads the previous one ten times: 10^8 fields if expanded naively.
    fragments = ["fragment F0 on Viewer { email }"]
    for level in range(1, 9):
        fragments.append(
            f"fragment F{level} on Viewer {{ {' '.join(f'...F{level - 1}' for _ in range(10))} }}"
        )
    query = "query { viewer { ...F8 } } " + " ".join(fragments)
    result = gql(world.a_lead).execute(query)
    assert "QUERY_TOO_COMPLEX" in codes(result)


def test_many_aliases_are_refused_before_execution(world, gql, django_assert_max_num_queries):
    fields = " ".join(f"t{i}: tickets {{ number title }}" for i in range(300))
    graphql = gql(world.a_lead, host=world.a)
    with django_assert_max_num_queries(8):  # session and user only: no resolver ran
        result = graphql.execute(f"{{ {fields} }}")
    assert set(codes(result)) >= {"TOO_MANY_ALIASES", "QUERY_TOO_COMPLEX"}
    assert result.get("data") is None


def test_anonymous_visitors_get_the_smallest_budget(world):
    many = " ".join(f"v{i}: viewer {{ email }}" for i in range(20000))
    result = GraphQLClient().execute(f"{{ {many} }}")
    assert codes(result) == ["GRAPHQL_PARSE_FAILED"]
    assert "token" in result["errors"][0]["message"].lower()
    six = " ".join(f"v{i}: viewer {{ email }}" for i in range(6))
    assert codes(GraphQLClient().execute(f"{{ {six} }}")) == ["TOO_MANY_ALIASES"]


def test_page_size_weights_the_cost(world, gql):
    row = "edges { node { number title priority status client { slug name } assignee { fullName } } }"
    small = gql(world.admin).execute(f"{{ queue(first: 10) {{ totalCount {row} }} }}")
    assert "errors" not in small
    fat = " ".join(f"q{i}: queue(first: 100) {{ {row} }}" for i in range(4))
    assert "QUERY_TOO_COMPLEX" in codes(gql(world.admin).execute(f"{{ {fat} }}"))


@pytest.mark.parametrize("text", ["{", "query {", "{ viewer { email } } }", "\x00", "mutation { login("])
def test_malformed_queries_get_a_typed_error(world, text):
    result = GraphQLClient().execute(text)
    assert codes(result) == ["GRAPHQL_PARSE_FAILED"]


def test_refusals_log_one_line(world, caplog):
    with caplog.at_level(logging.INFO, logger="core.graphql"):
        GraphQLClient().execute("query { viewer { ...A } } fragment A on Viewer { ...A }")
    lines = [r for r in caplog.records if r.name == "core.graphql"]
    assert len(lines) == 1 and lines[0].getMessage() == "graphql request refused" and not lines[0].exc_info


def test_an_unexpected_exception_is_internal_with_a_request_id(world, gql, monkeypatch, caplog):
    from services.workqueue.graphql import queries

    def broken(*args, **kwargs):
        raise RuntimeError("could not connect to server: /var/run/postgresql/.s.PGSQL.5432")

    monkeypatch.setattr(queries, "notifications_of", broken)
    with caplog.at_level(logging.ERROR, logger="core.graphql"):
        response = gql(world.technician).http.post(
            "/graphql/", {"query": "{ notifications { title } }"}, content_type="application/json"
        )
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    request_id = error["extensions"]["requestId"]
    assert request_id == response["X-Request-ID"] and request_id in error["message"]
    assert "postgresql" not in response.content.decode().lower()
    logged = [r for r in caplog.records if r.name == "core.graphql"]
    assert len(logged) == 1 and logged[0].request_id == request_id and logged[0].exc_info


def test_an_unexpected_exception_in_a_mutation_is_internal_and_writes_nothing(world, gql, monkeypatch):
    from services.workqueue import actions

    def broken(user, ids):
        raise ValueError("SELECT * FROM secret")

    monkeypatch.setattr(actions, "mark_notifications_read", broken)
    payload = gql(world.technician).data(
        "mutation { markNotificationsRead { updated errors { code message } } }"
    )
    error = payload["markNotificationsRead"]["errors"][0]
    assert (
        error["code"] == "INTERNAL" and "SELECT" not in error["message"] and "request id" in error["message"]
    )


@pytest.mark.parametrize(
    ("mutation", "field", "code"),
    [
        (
            'mutation { login(input: {email: "a\\u0000@b.test", password: "x"}) { errors { field code } } }',
            "email",
            "INVALID",
        ),
        (
            'mutation { login(input: {email: "'
            + "a" * 300
            + '@b.test", password: "x"}) { errors { field code } } }',
            "email",
            "TOO_LONG",
        ),
    ],
)
def test_text_is_checked_at_the_edge_for_every_mutation(world, mutation, field, code):
    payload = GraphQLClient().data(mutation)["login"]
    assert payload["errors"] == [{"field": field, "code": code}]


# ------------------------------------------------------------ the SPA's own queries fit

TEMPLATE = re.compile(r"(?:export\s+)?const\s+(\w+)\s*=\s*(?:/\* GraphQL \*/)?\s*`([^`]*)`", re.S)
ANONYMOUS_OPERATIONS = {"Viewer", "Login", "VerifyOtp", "AcceptInvitation", "Logout", "StartOtpEnrolment"}


def frontend_documents() -> dict[str, str]:
    sources = {}
    for path in (ROOT / "frontend" / "src").rglob("*.ts*"):
        if ".test." in path.name or path.name == "generated.ts":
            continue
        for name, text in TEMPLATE.findall(path.read_text(encoding="utf-8")):
            sources[name] = text

    def expand(text: str, seen: frozenset[str] = frozenset()) -> str:
        return re.sub(
            r"\$\{(\w+)\}",
            lambda m: (
                expand(sources.get(m.group(1), ""), seen | {m.group(1)}) if m.group(1) not in seen else ""
            ),
            text,
        )

    return {
        name: expand(text)
        for name, text in sources.items()
        if re.search(r"^\s*(query|mutation)\b", text, re.M)
    }


def test_every_operation_of_the_spa_fits_the_budget():
    documents = frontend_documents()
    assert len(documents) >= 20
    for name, text in documents.items():
        document = parse(text)
        # Each fragment once, even when interpolated twice.
        unique, seen = [], set()
        for definition in document.definitions:
            name_node = getattr(definition, "name", None)
            key = name_node.value if name_node is not None else None
            if key in seen:
                continue
            seen.add(key)
            unique.append(definition)
        document = document.__class__(definitions=tuple(unique))
        assert validate(schema.graphql_schema, document) == [], name
        found = measure(
            schema.graphql_schema,
            document,
            operation_name=None,
            variables=None,
            list_sizes=LIST_SIZES,
            connection_size=100,
            default_list_size=10,
        )
        assert found.cost <= settings.GRAPHQL_MAX_COST, (name, found.cost)
        assert found.depth <= settings.GRAPHQL_MAX_DEPTH, (name, found.depth)
