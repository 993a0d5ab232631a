"""`who_reaches`: the access rule of `clients_reachable_by` for a whole batch, in one query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.access import clients_reachable_by, who_reaches
from tenants.models import User


def test_the_batch_rule_agrees_with_the_per_person_rule_in_one_query(world):
    gone = User.objects.create_user("gone@alpha.test", "x" * 20, full_name="Gone", is_active=False)
    people = [
        world.admin,
        world.technician,
        world.limited_technician,
        world.account_manager,
        world.a_lead,
        world.a_member,
        world.b_member,
        gone,
    ]
    pairs = [(person.pk, client) for person in people for client in (world.a, world.b, world.msp)]
    with CaptureQueriesContext(connection) as queries:
        reached = who_reaches(pairs)
    assert len(queries) == 1
    expected = {
        (person.pk, client.pk)
        for person in people
        for client in clients_reachable_by(person).filter(pk__in=[world.a.pk, world.b.pk, world.msp.pk])
    }
    assert set(reached) == expected
    assert (world.limited_technician.pk, world.a.pk) in reached
    assert (world.limited_technician.pk, world.b.pk) not in reached
    assert (world.a_member.pk, world.a.pk) in reached and (world.a_member.pk, world.b.pk) not in reached
    assert not any(client_id == world.msp.pk for _, client_id in reached)  # never the MSP's own tenant
    assert not any(user_id == gone.pk for user_id, _ in reached)
    assert reached[(world.technician.pk, world.b.pk)].email == world.technician.email


def test_staff_only_leaves_client_users_out(world):
    reached = who_reaches([(world.a_lead.pk, world.a), (world.technician.pk, world.a)], staff_only=True)
    assert set(reached) == {(world.technician.pk, world.a.pk)}


def test_nothing_to_check_costs_no_query(world):
    with CaptureQueriesContext(connection) as queries:
        assert who_reaches([]) == {}
    assert len(queries) == 0
