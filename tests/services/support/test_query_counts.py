"""Every list the service desk shows costs a fixed number of SQL queries however long it is:
each test pins the exact count at two sizes, so an N+1 and a constant extra query both fail."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from services.support.actions import NewTicket, add_internal_note, create_ticket, reply
from services.workqueue.models import Notification

# Whole requests, as the SPA sends them: each count includes the request's own overhead
# (session, user and 2FA device in one query, search_path switches, access checks; the
# host → tenant lookup is cached, tenants/domain_cache.py), so a change to that overhead
# changes every count here — update them on purpose, never loosen them to a comparison
# between sizes.
REQUEST_LIST = 8  # client portal: a client's request list
TICKET_PAGE = 19  # technician: ticket with timeline, attachments, time entries, SLA clocks (and their recorded judgements), watchers; +1 since the pghistory request context (docs/audit-history.md); the ticket is read once (was twice)
CONTACTS = 6  # technician: a client's contacts
NOTIFICATIONS = 5  # technician: notifications and the unread count


def _tickets(world, how_many: int) -> list[int]:
    with tenant_context(world.a):
        return [
            create_ticket(world.a, NewTicket(title=f"Request {i}"), actor=world.a_lead).number
            for i in range(how_many)
        ]


def test_request_list_is_constant(world, gql, django_assert_num_queries):
    lead = gql(world.a_lead, host=world.a)
    query = "{ tickets { number title status priority requesterName nextDeadlineAt breachState } }"
    _tickets(world, 2)
    with django_assert_num_queries(REQUEST_LIST):
        assert len(lead.data(query)["tickets"]) == 2
    _tickets(world, 6)
    with django_assert_num_queries(REQUEST_LIST):
        assert len(lead.data(query)["tickets"]) == 8


def test_ticket_timeline_is_constant(world, gql, django_assert_num_queries):
    number = _tickets(world, 1)[0]
    tech = gql(world.technician)
    query = """query($n: Int!) { ticket(number: $n, clientSlug: "alpha") {
      timeline { kind body actorName attachments { filename } } timeEntries { minutes technician { fullName } }
      slaClocks { name dueAt } watchers { email } } }"""
    with tenant_context(world.a):
        reply(world.a, number, actor=world.technician, body="first")
    with django_assert_num_queries(TICKET_PAGE):
        few = tech.data(query, {"n": number})["ticket"]["timeline"]
    with tenant_context(world.a):
        for index in range(5):
            reply(world.a, number, actor=world.a_lead, body=f"client {index}")
            add_internal_note(world.a, number, actor=world.admin, body=f"note {index}")
    with django_assert_num_queries(TICKET_PAGE):
        many = tech.data(query, {"n": number})["ticket"]["timeline"]
    assert len(many) == len(few) + 10


def test_contacts_and_notifications_are_constant(world, gql, django_assert_num_queries):
    tech = gql(world.technician)
    contacts = '{ contacts(clientSlug: "alpha") { id fullName email } }'
    notifications = "{ notifications { title link } unreadNotificationCount }"
    Notification.objects.create(user=world.technician, kind="x", title="one", dedupe_key="n0")
    with django_assert_num_queries(CONTACTS):
        few_contacts = len(tech.data(contacts)["contacts"])
    with django_assert_num_queries(NOTIFICATIONS):
        assert len(tech.data(notifications)["notifications"]) == 1
    with tenant_context(world.a):
        from services.directory.models import Contact

        Contact.objects.bulk_create(Contact(full_name=f"C{i}", email=f"c{i}@alpha.test") for i in range(5))
    Notification.objects.bulk_create(
        Notification(user=world.technician, kind="x", title=f"n{i}", dedupe_key=f"n{i + 1}") for i in range(5)
    )
    with django_assert_num_queries(CONTACTS):
        assert len(tech.data(contacts)["contacts"]) == few_contacts + 5
    with django_assert_num_queries(NOTIFICATIONS):
        assert len(tech.data(notifications)["notifications"]) == 6
