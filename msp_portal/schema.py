"""The root GraphQL schema, stitched from each app's Query and Mutation, and what the
endpoint needs to know about it: the root fields open without the gate, and list sizes
for the cost limit."""

import graphene

from billing.graphql import BillingMutation, BillingQuery
from billing.graphql.stripe import StripeMutation, StripeQuery
from services.catalog.graphql import CatalogMutation, CatalogQuery
from services.infrastructure.graphql import (
    InfrastructureMutation,
    InfrastructureQuery,
    MonitoringMutation,
    MonitoringQuery,
)
from services.ingest.graphql import IngestMutation, IngestQuery
from services.outreach.graphql import OutreachMutation, OutreachQuery
from services.security.graphql import MfaMutation, MfaQuery, SecurityMutation, SecurityQuery
from services.status.graphql import StatusQuery
from services.support.graphql import SupportMutation, SupportQuery
from services.workqueue.graphql import NotificationMutation, NotificationQuery
from tenants.graphql import TenantsMutation, TenantsQuery


class Query(
    TenantsQuery,
    SupportQuery,
    CatalogQuery,
    NotificationQuery,
    InfrastructureQuery,
    MfaQuery,
    MonitoringQuery,
    IngestQuery,
    SecurityQuery,
    StatusQuery,
    BillingQuery,
    StripeQuery,
    OutreachQuery,
    graphene.ObjectType,
):
    pass


class Mutation(
    TenantsMutation,
    SupportMutation,
    CatalogMutation,
    NotificationMutation,
    InfrastructureMutation,
    MfaMutation,
    MonitoringMutation,
    SecurityMutation,
    IngestMutation,
    BillingMutation,
    StripeMutation,
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
    "CsvImport.errors": 500,
    "MfaCoverage.history": 366,
    "MfaCoverage.portalUsers": 200,
    "StatusPage.services": 100,
    "StatusPage.incidents": 40,
    "StatusPage.work": 10,
    "StatusPage.mfaHistory": 90,
    "StatusPage.hierarchy": 5,
    "HierarchyLayer.reasons": 10,
    # Monitoring (services.infrastructure).
    "Query.clientServices": 50,
    "Query.monitorStateHistory": 100,
    "Query.serviceAvailability": 200,
    "Query.maintenanceWindows": 100,
    "Query.downNow": 200,
    "ClientService.monitors": 10,
    "ClientService.openOutages": 20,
    # Security (services.security)
    "Query.securityIncidents": 100,
    "Query.phishingReports": 100,
    "Query.phishingCampaigns": 100,
    "Query.securityDeviceChoices": 20,
    "SecurityIncident.timeline": 50,
    "SecurityIncident.affectedUsers": 50,
    "SecurityIncident.affectedDevices": 20,
    "PhishingCampaign.reports": 100,
    "PhishingReport.links": 50,
    "PhishingReport.attachments": 20,
    "PhishingReport.receivedChain": 20,
    # Push ingest (services.ingest).
    "Query.ingestTokens": 50,
    "Query.invoices": 100,
    "Query.contracts": 20,
    "Query.billingRuns": 50,
    "Query.slaCredits": 24,
    "BillingRun.items": 50,
    "Contract.lines": 50,
    "Invoice.lines": 50,
    "Invoice.creditNotes": 10,
    "Invoice.payments": 20,
    "RunItem.snapshots": 10,
    "BillingProfile.viewers": 50,
    "BlockHourBalance.history": 24,
    "BillingDashboard.mrrByServiceLine": 200,
    "BillingDashboard.mrrByClient": 200,
    "BillingDashboard.arAgeing": 20,
    "StripeOverview.reconciliations": 10,
    "StripeReconciliation.differences": 200,
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
