"""URL routes: GraphQL (GraphiQL for signed-in staff), Django admin (two-factor),
attachments, and the SPA for everything else."""

from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from django_otp.admin import OTPAdminSite

from billing.views import download_invoice_pdf
from billing.webhooks import stripe_webhook
from core.graphql.graphiql import graphql_endpoint
from core.graphql.middleware import FieldMiddleware, RootFieldGate
from core.graphql.view import PortalGraphQLView
from msp_portal.schema import LIST_SIZES, PUBLIC_ROOT_FIELDS, schema
from msp_portal.views import download_client_archive, spa
from services.infrastructure.views import heartbeat_ping
from services.ingest.views import receive_results
from services.outreach.views import download_qbr
from services.support.views import download_attachment
from tenants.access import ensure_may_reach_client_data, may_use_graphiql

# Django admin asks for a second factor too (MSP back office).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "MSP Portal back office"


def graphiql_page() -> Path:
    return settings.FRONTEND_DIST / "graphiql.html"


# Browsers asking for HTML get our own GraphiQL build (MSP staff with the second factor
# only; 404 for anyone else); everything else is the API. graphene's CDN page stays off.
# The same people may introspect the schema (GraphiQL's docs and completion need it).
graphql_view = graphql_endpoint(
    PortalGraphQLView.as_view(
        schema=schema,
        # The root-field gate, row schemas and argument checks as one layer around every field.
        middleware=[FieldMiddleware(RootFieldGate(ensure_may_reach_client_data, PUBLIC_ROOT_FIELDS))],
        may_introspect=may_use_graphiql,
        list_sizes=LIST_SIZES,
    ),
    may_use_graphiql=may_use_graphiql,
    page=graphiql_page,
)

urlpatterns = [
    path("graphql/", graphql_view, name="graphql"),
    path("admin/", admin.site.urls),
    # Stripe's webhook endpoint (signature-checked, docs/billing.md "Stripe").
    path("api/stripe/webhook", stripe_webhook, name="stripe-webhook"),
    path("attachments/<slug:client_slug>/<int:attachment_id>", download_attachment, name="attachment"),
    path("exports/clients/<slug:slug>.zip", download_client_archive, name="client-archive"),
    path("monitoring/ping/<str:token>", heartbeat_ping, name="heartbeat-ping"),
    path("api/ingest/v1/results", receive_results, name="ingest-results"),
    path("invoices/<slug:client_slug>/<int:invoice_id>.pdf", download_invoice_pdf, name="invoice-pdf"),
    path("outreach/qbr/<uuid:report_id>.pdf", download_qbr, name="qbr-download"),
    re_path(
        r"^(?!static/|graphql/|admin/|attachments/|exports/|monitoring/ping/|invoices/|outreach/qbr/|api/)(?P<path>.*)$",
        spa,
        name="spa",
    ),
]
