"""Attachment downloads: the same authorisation as the ticket they belong to."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from core.errors import ActionError
from services.support import actions
from services.support.models import Attachment
from tenants.access import AccessDenied
from tenants.request_scope import client_schema


@require_GET
def download_attachment(request: HttpRequest, client_slug: str, attachment_id: int) -> HttpResponseBase:
    """Serve a file to someone who may see its ticket (and, for notes, staff only)."""
    try:
        with client_schema(request, client_slug) as client:
            attachment = Attachment.objects.select_related("comment").filter(pk=attachment_id).first()
            if attachment is None or (attachment.comment.is_internal and not request.user.is_msp_staff):  # type: ignore[union-attr]
                raise Http404("No such file.")
            actions.get_ticket(client, request.user, attachment.comment.ticket.number)  # type: ignore[arg-type]
            handle = attachment.file.open("rb")
    except (AccessDenied, ActionError):
        raise Http404("No such file.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
