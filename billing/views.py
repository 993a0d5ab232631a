"""Invoice PDF downloads, authorised like ticket attachments: the client is resolved from
the host or slug and the person must see its billing; drafts only for MSP money roles.
Not allowed and not found are the same 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from billing.access import ensure_may_see_billing, staff_sees_money
from billing.models import Invoice, InvoiceStatus
from billing.pdf import render_invoice
from core.errors import AccessDenied
from tenants.request_scope import resolve_client


@require_GET
def download_invoice_pdf(request: HttpRequest, client_slug: str, invoice_id: int) -> HttpResponse:
    try:
        client = resolve_client(request, client_slug)
        ensure_may_see_billing(request.user, client)
    except AccessDenied:
        raise Http404("No such invoice.") from None
    invoice = Invoice.objects.filter(pk=invoice_id, client=client).prefetch_related("lines").first()
    if invoice is None or (invoice.status == InvoiceStatus.DRAFT and not staff_sees_money(request.user)):
        raise Http404("No such invoice.")
    name = invoice.number_display or f"draft-{invoice.pk}"
    response = HttpResponse(render_invoice(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
