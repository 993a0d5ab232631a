"""The root GraphQL schema, stitched from each app's Query and Mutation, and what the
endpoint needs to know about it: the root fields open without the gate, and list sizes
for the cost limit."""

import graphene

from services.catalog.graphql import CatalogMutation, CatalogQuery
from services.outreach.graphql import OutreachMutation, OutreachQuery
from services.support.graphql import SupportMutation, SupportQuery
from services.workqueue.graphql import NotificationMutation, NotificationQuery
from tenants.graphql import TenantsMutation, TenantsQuery


class Query(TenantsQuery, SupportQuery, CatalogQuery, NotificationQuery, OutreachQuery, graphene.ObjectType):
    pass


class Mutation(
    TenantsMutation,
    SupportMutation,
    CatalogMutation,
    NotificationMutation,
    OutreachMutation,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)

# Root fields answered before the gate (signed in + second factor where required). Every
# other root field and mutation is denied by `core.graphql.middleware.RootFieldGate` until
# the person passes it; tests/test_graphql_gate.py checks each one from the schema.
PUBLIC_ROOT_FIELDS = frozenset(
    {
        "viewer",  # the signed-in person's own sign-in state (what to do next)
        "login",
        "logout",
        "verifyOtp",
        "startOtpEnrolment",
        "confirmOtpEnrolment",
        "acceptInvitation",
        "invitation",  # what an invitation link offers (usable, company, name), before signing in
    }
)

# Plain lists capped by their resolvers (the cost limit weighs them by these sizes; connections
# are weighed by `first`/`last`, at most RELAY_CONNECTION_MAX_LIMIT).
LIST_SIZES = {
    "Query.tickets": 200,
    "Query.contacts": 200,
    "Query.notifications": 100,
    "Query.slaCompliance": 200,
    "Query.assignableStaff": 50,
    "Query.accountManagers": 50,
    "Ticket.timeline": 50,
    "Ticket.timeEntries": 50,
    "Client.members": 50,
    "Client.itLeads": 10,
    "Client.pendingInvitations": 20,
    # Outreach (docs/outreach.md)
    "Query.segments": 100,
    "Query.segmentClients": 500,
    "Query.campaigns": 20,
    "Query.broadcasts": 100,
    "Query.qbrReports": 20,
    "OutreachBoard.clients": 200,
    "OutreachBoard.followUps": 50,
    "ClientOutreach.contacts": 100,
    "ClientOutreach.openTickets": 50,
    "ClientOutreach.checkIns": 30,
    "ClientOutreach.openFollowUps": 50,
    "ClientOutreach.healthHistory": 100,
    "ClientOutreach.qbrReports": 10,
    "Campaign.tasks": 200,
}
