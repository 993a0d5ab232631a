"""URL routes: GraphQL, Django admin (two-factor), and the SPA for everything else."""

from django.contrib import admin
from django.urls import path, re_path
from django_otp.admin import OTPAdminSite

from core.graphql.view import PortalGraphQLView
from msp_portal.views import spa
from services.support.views import download_attachment

# Django admin asks for a second factor too (MSP back office).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "MSP Portal back office"

urlpatterns = [
    path("graphql/", PortalGraphQLView.as_view(), name="graphql"),
    path("admin/", admin.site.urls),
    path("attachments/<slug:client_slug>/<int:attachment_id>", download_attachment, name="attachment"),
    re_path(r"^(?!static/|graphql/|admin/|attachments/)(?P<path>.*)$", spa, name="spa"),
]
