"""The single-page app's entry: Django serves the Vite build for every SPA route."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape, json_script
from django.views.decorators.csrf import ensure_csrf_cookie

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
