"""The single-page app's entry: Django serves the Vite build for every SPA route."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import escape, json_script
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from msp_portal.client_archive import export_client_bytes
from tenants.access import AccessDenied, access_client_by_slug, ensure_msp_role
from tenants.actions import record_audit
from tenants.models import MspRole

MISSING_BUILD = (
    '<!doctype html><meta charset="utf-8"><title>MSP Portal</title>'
    "<p>The front end has not been built. Run <code>make run</code> "
    "(or <code>npm --prefix frontend run build</code>).</p>"
)

# The element the SPA reads its run-time configuration from (frontend/src/lib/portalConfig.ts).
CONFIG_ELEMENT_ID = "portal-config"
_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)


def portal_config() -> dict[str, str]:
    """What the SPA needs to know before its first request: the MSP's name."""
    return {"mspName": settings.MSP_NAME}


def inject_portal_config(html: str) -> str:
    """Name the page after the MSP and hand the SPA its configuration.

    The title is HTML-escaped; the configuration is a JSON ``<script>`` whose ``<``, ``>``
    and ``&`` are escaped (``json_script``), so no name can close the tag or inject markup.
    """
    config = portal_config()
    title = f"<title>{escape(config['mspName'])}</title>"
    html, titles = _TITLE.subn(lambda _match: title, html, count=1)
    script = str(json_script(config, CONFIG_ELEMENT_ID))
    if "</head>" in html:
        head = (title + "\n    " if not titles else "") + script + "\n  </head>"
        return html.replace("</head>", head, 1)
    return title + script + html


@ensure_csrf_cookie
def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponse(MISSING_BUILD, status=503)
    html = inject_portal_config(index.read_text(encoding="utf-8"))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def download_client_archive(request: HttpRequest, slug: str) -> HttpResponse:
    """An MSP admin (second factor passed, reaching the client) downloads all of a client's
    data as a zip (msp_portal/client_archive.py); anyone else gets a 404. Audited."""
    try:
        user = ensure_msp_role(request.user, MspRole.ADMIN)
        client = access_client_by_slug(user, slug)
    except AccessDenied:
        raise Http404("No such client.") from None
    data = export_client_bytes(client)
    record_audit("client.exported", actor=user, client=client, bytes=len(data))
    response = HttpResponse(data, content_type="application/zip")
    filename = f"{client.slug}-{timezone.now():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
