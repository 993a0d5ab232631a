"""The single-page app's entry: Django serves the Vite build for every SPA route."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

MISSING_BUILD = (
    '<!doctype html><meta charset="utf-8"><title>MSP Portal</title>'
    "<p>The front end has not been built. Run <code>make run</code> "
    "(or <code>npm --prefix frontend run build</code>).</p>"
)


@ensure_csrf_cookie
def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponse(MISSING_BUILD, status=503)
    response = HttpResponse(index.read_text(encoding="utf-8"), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
