"""Property test of the real /graphql/ endpoint (hypothesis-graphql).

For every root field of Query and Mutation, generated documents (valid against the schema,
with arbitrary argument values: NUL bytes, long text, odd ids, odd dates) are posted through
Django's test client by two signed-in people — a verified MSP admin on the MSP host and a
client's IT lead on the client's host. Every answer must be:

- not a server error (HTTP status below 500);
- typed: every top-level error carries `extensions.code`, every payload error a `code`;
- not `INTERNAL`: an unexpected exception is typed, but it is still a bug the fuzz found.

A short deterministic run is part of the suite (`GRAPHQL_FUZZ_EXAMPLES`, default 3 per
operation and person); `benchmarks/graphql_fuzz.py` runs it with 100+ and records counts.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from msp_portal.schema import schema as graphene_schema

EXAMPLES = int(os.environ.get("GRAPHQL_FUZZ_EXAMPLES", "3"))
REPORT = os.environ.get("GRAPHQL_FUZZ_REPORT", "")

SCHEMA = graphene_schema.graphql_schema
QUERY_FIELDS = sorted(SCHEMA.query_type.fields) if SCHEMA.query_type else []
MUTATION_FIELDS = sorted(SCHEMA.mutation_type.fields) if SCHEMA.mutation_type else []

_text = st.text(max_size=40)
CUSTOM_SCALARS = {
    "Date": st.one_of(st.dates().map(date.isoformat), _text).map(nodes.String),
    "DateTime": st.one_of(st.datetimes().map(lambda d: d.isoformat()), _text).map(nodes.String),
    "JSONString": st.one_of(st.just("{}"), _text).map(nodes.String),
}

PEOPLE = ("staff", "client_lead")

_results: Counter[str] = Counter()
_started = time.monotonic()


class _SelectErrorCodes(graphql.Visitor):
    """Generated documents select a random subset of an error's fields; `code` is added to
    every selection on an error type so that an error without a code can be seen."""

    def __init__(self, type_info: graphql.TypeInfo):
        super().__init__()
        self.type_info = type_info

    def enter_selection_set(self, node: graphql.SelectionSetNode, *_: Any) -> Any:
        parent = self.type_info.get_parent_type()
        if not (isinstance(parent, graphql.GraphQLObjectType) and parent.name.endswith("Error")):
            return None
        if "code" not in parent.fields or any(
            isinstance(s, graphql.FieldNode) and s.name.value == "code" for s in node.selections
        ):
            return None
        code = graphql.FieldNode(name=graphql.NameNode(value="code"), arguments=(), directives=())
        return graphql.SelectionSetNode(selections=(*node.selections, code))


def _print_with_error_codes(document: graphql.DocumentNode) -> str:
    type_info = graphql.TypeInfo(SCHEMA)
    return graphql.print_ast(
        graphql.visit(document, graphql.TypeInfoVisitor(type_info, _SelectErrorCodes(type_info)))
    )


def _problems(status: int, body: bytes) -> list[str]:
    """What is wrong with one answer (empty when it is a well-typed answer)."""
    if status >= 500:
        return [f"HTTP {status}"]
    try:
        answer = json.loads(body)
    except ValueError:
        return [f"HTTP {status}: not JSON"]
    problems = []
    for error in answer.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not code:
            problems.append(f"untyped error: {error.get('message')!r}")
        elif code == "INTERNAL":
            problems.append(f"INTERNAL at {error.get('path')}")
    for path, error in _payload_errors(answer.get("data") or {}):
        if not isinstance(error, dict) or not error.get("code"):
            problems.append(f"payload error without a code at {path}: {error!r}")
        elif error["code"] == "INTERNAL":
            problems.append(f"payload INTERNAL at {path}")
    return problems


def _payload_errors(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "errors" and isinstance(item, list):
                for error in item:
                    yield f"{path}.errors", error
            else:
                yield from _payload_errors(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _payload_errors(item, path)


def _signed_in(gql: Any, world: Any, person: str) -> Any:
    if person == "staff":
        return gql(world.admin)
    return gql(world.a_lead, host=world.a)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if REPORT:
        Path(REPORT).write_text(
            json.dumps(
                {
                    "examples_per_operation": EXAMPLES,
                    "operations": len(QUERY_FIELDS) + len(MUTATION_FIELDS),
                    "seconds": round(time.monotonic() - _started, 1),
                    **dict(_results),
                },
                indent=2,
            )
        )


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    ("kind", "field"), [("query", f) for f in QUERY_FIELDS] + [("mutation", f) for f in MUTATION_FIELDS]
)
def test_every_answer_is_typed_and_no_server_error(world: Any, gql: Any, person: str, kind: str, field: str):
    graphql_client = _signed_in(gql, world, person)
    build = queries if kind == "query" else mutations
    strategy = build(SCHEMA, fields=[field], custom_scalars=CUSTOM_SCALARS, print_ast=_print_with_error_codes)
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=strategy)
    def check(document: str) -> None:
        response = graphql_client.http.post(
            "/graphql/", data=json.dumps({"query": document}), content_type="application/json"
        )
        _results["requests"] += 1
        problems = _problems(response.status_code, response.content)
        if response.status_code >= 500:
            _results["server_errors"] += 1
        for problem in problems:
            _results["untyped_or_internal"] += 1
            found.append(f"{problem}\n{document}")

    check()
    assert not found, "\n\n".join(found[:5])
