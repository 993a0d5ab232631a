"""URL routes: GraphQL, Django admin (two-factor), attachments, and the SPA for everything else."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, re_path
from django_otp.admin import OTPAdminSite

from core.graphql.middleware import RootFieldGate, RowSchemaMiddleware
from core.graphql.view import PortalGraphQLView
from msp_portal.schema import LIST_SIZES, PUBLIC_ROOT_FIELDS, schema
from msp_portal.views import spa
from services.support.views import download_attachment
from tenants.access import ensure_may_reach_client_data, user_is_verified

# Django admin asks for a second factor too (MSP back office).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "MSP Portal back office"


def staff_with_second_factor(request: HttpRequest) -> bool:
    """Who may introspect the schema (and use GraphiQL): MSP staff who passed 2FA."""
    user: Any = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_msp_staff and user_is_verified(user))


graphql_view = PortalGraphQLView.as_view(
    schema=schema,
    middleware=[RootFieldGate(ensure_may_reach_client_data, PUBLIC_ROOT_FIELDS), RowSchemaMiddleware()],
    may_introspect=staff_with_second_factor,
    list_sizes=LIST_SIZES,
)

urlpatterns = [
    path("graphql/", graphql_view, name="graphql"),
    path("admin/", admin.site.urls),
    path("attachments/<slug:client_slug>/<int:attachment_id>", download_attachment, name="attachment"),
    re_path(r"^(?!static/|graphql/|admin/|attachments/)(?P<path>.*)$", spa, name="spa"),
]
