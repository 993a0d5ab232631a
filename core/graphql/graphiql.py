"""GraphiQL from the portal's own front-end build, only for the people a predicate allows.

graphene-django's GraphiQL page loads React and GraphiQL from a CDN (blank without
internet) and is offered to anyone who can reach /graphql/. Instead the front end ships
GraphiQL as a second Vite entry (``frontend/graphiql.html``, built into ``frontend/dist``
with its editor, workers and styles), and :func:`graphql_endpoint` puts it in front of the
API view at the same URL:

- a GET from a browser that prefers ``text/html`` gets the page when
  ``may_use_graphiql(request.user)`` is true, and a plain 404 otherwise (a signed-out
  visitor, a client user or a session without its second factor learns nothing);
- every other request (POSTs, GETs asking for JSON) goes to the API view unchanged.

This package imports no app: the caller passes the predicate (msp_portal/urls.py wires
the tenants app's rule).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

View = Callable[..., HttpResponse]
Predicate = Callable[[Any], bool]

NOT_FOUND_HTML = '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found.</p>'
MISSING_BUILD_HTML = (
    '<!doctype html><meta charset="utf-8"><title>GraphiQL</title>'
    "<p>GraphiQL has not been built: run <code>npm --prefix frontend run build</code> "
    "(<code>make run</code> does it).</p>"
)


def request_wants_html(request: HttpRequest) -> bool:
    """A browser navigating to the URL: GET/HEAD preferring text/html over JSON.

    ``*/*`` alone (curl, fetch without Accept) counts as JSON, the API's own type.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    return request.get_preferred_type(["application/json", "text/html"]) == "text/html"


def graphiql_page(may_use_graphiql: Predicate, page: Callable[[], Path]) -> View:
    """The view that serves the built GraphiQL page to the people ``may_use_graphiql`` allows."""

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_use_graphiql(request.user):
            response: HttpResponse = HttpResponseNotFound(NOT_FOUND_HTML)
        else:
            path = page()
            if path.is_file():
                response = HttpResponse(
                    path.read_text(encoding="utf-8"), content_type="text/html; charset=utf-8"
                )
                get_token(request)  # the page's fetcher sends the csrftoken cookie back as X-CSRFToken
            else:
                response = HttpResponse(MISSING_BUILD_HTML, status=503)
        # Who is asking decides the answer: never cache it or serve it to someone else.
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ("Accept", "Cookie"))
        return response

    return view


def graphql_endpoint(api_view: View, *, may_use_graphiql: Predicate, page: Callable[[], Path]) -> View:
    """``api_view`` with GraphiQL in front of it for browsers (see the module docstring)."""
    page_view = graphiql_page(may_use_graphiql, page)

    @functools.wraps(api_view)  # keeps csrf_exempt and friends exactly as the API view has them
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request_wants_html(request):
            return page_view(request, *args, **kwargs)
        return api_view(request, *args, **kwargs)

    return endpoint
