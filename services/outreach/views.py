"""QBR pack downloads: the account manager (and MSP admins) and the client's IT lead."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from services.outreach.models import QbrReport, QbrStatus
from services.outreach.qbr import may_download
from tenants.request_scope import host_client


@require_GET
def download_qbr(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    report = QbrReport.objects.select_related("client").filter(pk=report_id, status=QbrStatus.READY).first()
    on_host = host_client(request)
    if (
        report is None
        or (on_host is not None and on_host.pk != report.client_id)
        or not may_download(request.user, report.client)
    ):
        raise Http404("No such report.")
    response = HttpResponse(bytes(report.pdf or b""), content_type="application/pdf")
    name = f"qbr-{report.client.slug}-{report.period_start:%Y-%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
