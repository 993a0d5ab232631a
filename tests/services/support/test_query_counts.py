"""Every list the service desk shows costs the same number of SQL queries however long it is."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from services.support.actions import NewTicket, add_internal_note, create_ticket, reply
from services.workqueue.models import Notification


def count_queries(graphql, query, variables=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        graphql.data(query, variables)
    return len(captured)


def _tickets(world, how_many: int) -> list[int]:
    with tenant_context(world.a):
        return [
            create_ticket(world.a, NewTicket(title=f"Request {i}"), actor=world.a_lead).number
            for i in range(how_many)
        ]


def test_request_list_is_constant(world, gql):
    lead = gql(world.a_lead, host=world.a)
    query = "{ tickets { number title status priority requesterName nextDeadlineAt breachState } }"
    _tickets(world, 2)
    few = count_queries(lead, query)
    _tickets(world, 6)
    assert count_queries(lead, query) == few


def test_ticket_timeline_is_constant(world, gql):
    number = _tickets(world, 1)[0]
    tech = gql(world.technician)
    query = """query($n: Int!) { ticket(number: $n, clientSlug: "alpha") {
      timeline { kind body actorName attachments { filename } } timeEntries { minutes technician { fullName } }
      slaClocks { name dueAt } watchers { email } } }"""
    with tenant_context(world.a):
        reply(world.a, number, actor=world.technician, body="first")
    few = count_queries(tech, query, {"n": number})
    with tenant_context(world.a):
        for index in range(5):
            reply(world.a, number, actor=world.a_lead, body=f"client {index}")
            add_internal_note(world.a, number, actor=world.admin, body=f"note {index}")
    assert count_queries(tech, query, {"n": number}) == few


def test_contacts_and_notifications_are_constant(world, gql):
    tech = gql(world.technician)
    contacts = '{ contacts(clientSlug: "alpha") { id fullName email } }'
    notifications = "{ notifications { title link } unreadNotificationCount }"
    Notification.objects.create(user=world.technician, kind="x", title="one", dedupe_key="n0")
    few = (count_queries(tech, contacts), count_queries(tech, notifications))
    with tenant_context(world.a):
        from services.directory.models import Contact

        Contact.objects.bulk_create(Contact(full_name=f"C{i}", email=f"c{i}@alpha.test") for i in range(5))
    Notification.objects.bulk_create(
        Notification(user=world.technician, kind="x", title=f"n{i}", dedupe_key=f"n{i + 1}") for i in range(5)
    )
    assert (count_queries(tech, contacts), count_queries(tech, notifications)) == few
