"""Ids from the issue's bad-input sweep: each is a typed field error, never an exception
from `int()` or an `assert` (regression tests for `core.graphql.ids.decode_id`)."""

from __future__ import annotations

import base64

import pytest
from django_tenants.utils import tenant_context

from services.catalog.models import SlaTarget
from services.support.actions import NewTicket, create_ticket
from services.workqueue.models import Notification


def _gid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "assignee", [_gid("StaffMember:abc"), _gid("StaffMember:-1"), "²", _gid("Contact:1")]
)
def test_assign_ticket_with_a_bad_staff_id(world, gql, assignee):
    with tenant_context(world.a):
        number = create_ticket(world.a, NewTicket(title="x"), actor=world.a_lead).number
    payload = gql(world.technician).data(
        'mutation($n: Int!, $a: ID) { assignTicket(clientSlug: "alpha", number: $n, assigneeId: $a) '
        "{ ticket { number } errors { field code } } }",
        {"n": number, "a": assignee},
    )["assignTicket"]
    assert payload["errors"] == [{"field": "assigneeId", "code": "INVALID"}]


@pytest.mark.parametrize(("policy", "code"), [("", "REQUIRED"), ("   ", "REQUIRED"), ("²", "INVALID")])
def test_save_sla_targets_with_a_missing_or_bad_policy_id(world, gql, policy, code):
    before = SlaTarget.objects.count()
    payload = gql(world.admin).data(
        "mutation($p: ID!) { saveSlaTargets(policyId: $p, targets: []) { errors { field code } } }",
        {"p": policy},
    )["saveSlaTargets"]
    assert payload["errors"][0] == {"field": "policyId", "code": code}
    assert SlaTarget.objects.count() == before


@pytest.mark.parametrize("bad", ["²", "١٢", "-1", "99999999999999999999999", _gid("Ticket:1")])
def test_mark_notifications_read_with_bad_ids(world, gql, bad):
    Notification.objects.create(user=world.technician, kind="test", title="t", dedupe_key=f"test-{bad}")
    payload = gql(world.technician).data(
        "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) { updated errors { field code } } }",
        {"ids": [bad]},
    )["markNotificationsRead"]
    assert payload == {"updated": None, "errors": [{"field": "ids", "code": "INVALID"}]}
    assert not Notification.objects.filter(user=world.technician, read_at__isnull=False).exists()


@pytest.mark.parametrize(
    "query",
    [
        "query($s: String) { clientSla(clientSlug: $s) { explicit } }",
        "query($s: String) { contacts(clientSlug: $s) { id } }",
        "query($s: String) { slaCompliance(clientSlug: $s, months: 1) { month } }",
    ],
)
def test_a_nul_in_a_query_argument_is_invalid_not_internal(world, gql, query):
    """Found by the property test: PostgreSQL refuses text with NUL, which was INTERNAL."""
    result = gql(world.admin).execute(query, {"s": "alpha\x00"})
    assert [error["extensions"]["code"] for error in result["errors"]] == ["INVALID"]
