"""The root-field gate, generated from the schema: every root query field and mutation that is
not on the explicit public list refuses a password-only staff session with OTP_REQUIRED and
an anonymous visitor with NOT_AUTHENTICATED — so a new field cannot forget the rule."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from msp_portal.schema import PUBLIC_ROOT_FIELDS, schema
from tests.conftest import GraphQLClient

GRAPHQL_SCHEMA = schema.graphql_schema


def literal(type_: Any) -> str:
    """A syntactically valid literal of `type_` (required input fields filled in)."""
    if isinstance(type_, GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{literal(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        parts = [
            f"{name}: {literal(field.type)}"
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        ]
        return "{" + ", ".join(parts) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return {
        "Int": "1",
        "Float": "1.0",
        "Boolean": "true",
        "Date": '"2026-12-01"',
        "DateTime": '"2026-12-01T09:00:00Z"',
    }.get(type_.name, '"x"')


def call(operation: str, name: str, field: GraphQLField) -> str:
    arguments: dict[str, GraphQLArgument] = field.args
    required = [
        f"{arg}: {literal(a.type)}" for arg, a in arguments.items() if isinstance(a.type, GraphQLNonNull)
    ]
    args = f"({', '.join(required)})" if required else ""
    selection = (
        ""
        if isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType))
        else " { __typename }"
    )
    return f"{operation} {{ {name}{args}{selection} }}"


def root_fields() -> list[tuple[str, str, GraphQLField]]:
    found: list[tuple[str, str, GraphQLField]] = []
    for operation, root in (("query", GRAPHQL_SCHEMA.query_type), ("mutation", GRAPHQL_SCHEMA.mutation_type)):
        assert root is not None
        found.extend((operation, name, field) for name, field in root.fields.items())
    return found


GATED = [(op, name, field) for op, name, field in root_fields() if name not in PUBLIC_ROOT_FIELDS]


def test_the_public_list_names_only_fields_that_exist():
    names = {name for _, name, _ in root_fields()}
    assert names >= PUBLIC_ROOT_FIELDS
    # Sign-in, second factor, invitation acceptance, logout and the viewer's own state: nothing else.
    assert {
        "viewer",
        "login",
        "logout",
        "verifyOtp",
        "startOtpEnrolment",
        "confirmOtpEnrolment",
        "acceptInvitation",
        "invitation",
    } == PUBLIC_ROOT_FIELDS


@pytest.mark.parametrize(("operation", "name", "field"), GATED, ids=[name for _, name, _ in GATED])
def test_every_gated_root_field_refuses_a_password_only_staff_session(world, gql, operation, name, field):
    result = gql(world.admin, verified=False).execute(call(operation, name, field))
    assert [e["extensions"]["code"] for e in result["errors"]] == ["OTP_REQUIRED"], result
    assert result["errors"][0]["path"] == [name]
    assert (result.get("data") or {}).get(name) is None


@pytest.mark.parametrize(("operation", "name", "field"), GATED, ids=[name for _, name, _ in GATED])
def test_every_gated_root_field_refuses_anonymous_visitors(world, operation, name, field):
    result = GraphQLClient().execute(call(operation, name, field))
    assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_AUTHENTICATED"], result


def test_notifications_were_readable_with_only_a_password(world, gql):
    """The hole that started this: notifications carry client names and ticket titles."""
    password_only = gql(world.technician, verified=False)
    for query in ("{ notifications { title body } }", "{ unreadNotificationCount }"):
        assert password_only.execute(query)["errors"][0]["extensions"]["code"] == "OTP_REQUIRED"


def test_public_fields_stay_open_and_the_viewer_says_what_is_next(world, gql):
    result = gql(world.admin, verified=False).execute("{ viewer { email otpVerified otpRequired } }")
    assert result["data"]["viewer"] == {"email": world.admin.email, "otpVerified": False, "otpRequired": True}
