"""GraphiQL at GET /graphql/: our own build (no CDN), shown only to MSP staff who passed
the second factor; everyone else gets a 404 and the API itself is unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from core.graphql.graphiql import graphql_endpoint
from core.graphql.view import PortalGraphQLView

ROOT = Path(__file__).resolve().parents[3]
DIST = ROOT / "frontend" / "dist"
# What Chromium sends when someone types the URL in the address bar.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "esm.sh",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
)


def built_graphiql() -> Path:
    page = DIST / "graphiql.html"
    assert page.is_file(), "frontend/dist/graphiql.html is missing: run `npm --prefix frontend run build`"
    return page


def open_graphiql(http: Any, host: str | None = None) -> Any:
    extra = {"HTTP_HOST": host} if host else {}
    return http.get("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT, **extra)


def assert_not_graphiql(response: Any) -> None:
    assert response.status_code == 404
    body = response.content.decode()
    assert "graphiql" not in body.lower()
    assert response["Cache-Control"] == "no-store"


# ------------------------------------------------------------------ who sees it
def test_anonymous_browser_gets_a_404(world: Any, gql: Any) -> None:
    assert_not_graphiql(open_graphiql(gql().http))


def test_client_users_get_a_404_on_their_portal_and_on_the_msp_host(world: Any, gql: Any) -> None:
    for user in (world.a_lead, world.a_member):
        assert_not_graphiql(open_graphiql(gql(user, host=world.a).http))
        assert_not_graphiql(open_graphiql(gql(user).http))


def test_staff_without_the_second_factor_get_a_404(world: Any, gql: Any) -> None:
    for user in (world.admin, world.technician):
        assert_not_graphiql(open_graphiql(gql(user, verified=False).http))


def test_inactive_staff_get_a_404(world: Any, gql: Any) -> None:
    http = gql(world.admin).http
    type(world.admin).objects.filter(pk=world.admin.pk).update(is_active=False)
    assert_not_graphiql(open_graphiql(http))


def test_staff_with_the_second_factor_get_our_graphiql_build(world: Any, gql: Any) -> None:
    page = built_graphiql()
    for user in (world.admin, world.technician, world.account_manager):
        http = gql(user).http
        response = open_graphiql(http)
        assert response.status_code == 200, user.email
        assert response["Content-Type"].startswith("text/html")
        assert response.content.decode() == page.read_text(encoding="utf-8")
        assert response["Cache-Control"] == "no-store"
        assert "Cookie" in response["Vary"] and "Accept" in response["Vary"]
        # The page's fetcher sends this cookie back as X-CSRFToken.
        assert settings.CSRF_COOKIE_NAME in response.cookies


def test_staff_get_a_clear_503_when_the_front_end_is_not_built(
    world: Any, gql: Any, settings: Any, tmp_path: Path
) -> None:
    settings.FRONTEND_DIST = tmp_path
    response = open_graphiql(gql(world.admin).http)
    assert response.status_code == 503
    assert b"npm --prefix frontend run build" in response.content
    # ...and still nothing for anyone else.
    assert_not_graphiql(open_graphiql(gql().http))


# ------------------------------------------------------------- the API is unchanged
def test_the_api_still_answers_json_to_everyone(world: Any, gql: Any) -> None:
    for graphql in (gql(), gql(world.a_lead, host=world.a), gql(world.admin)):
        # POST (what the SPA and GraphiQL's fetcher send) ...
        result = graphql.execute("{ __typename }")
        assert result == {"data": {"__typename": "Query"}}
        # ... and a GET that does not ask for HTML.
        response = graphql.http.get("/graphql/", {"query": "{ __typename }"}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert json.loads(response.content) == {"data": {"__typename": "Query"}}
        response = graphql.http.get("/graphql/", {"query": "{ __typename }"}, HTTP_ACCEPT="*/*")
        assert json.loads(response.content) == {"data": {"__typename": "Query"}}


def test_posts_stay_csrf_protected(world: Any) -> None:
    from tests.conftest import GraphQLClient

    graphql = GraphQLClient(enforce_csrf=True)
    graphql.http.force_login(world.admin)
    response = graphql.http.post(
        "/graphql/", data=json.dumps({"query": "{ __typename }"}), content_type="application/json"
    )
    assert response.status_code == 403


def test_graphenes_cdn_page_is_off_even_with_debug(settings: Any) -> None:
    settings.DEBUG = True
    assert PortalGraphQLView().graphiql is False


def test_the_endpoint_asks_the_predicate_it_was_given(rf: Any, tmp_path: Path) -> None:
    (tmp_path / "graphiql.html").write_text("<title>ours</title>", encoding="utf-8")
    asked: list[Any] = []

    def api(request: Any) -> Any:
        from django.http import JsonResponse

        return JsonResponse({"api": True})

    def allow(user: Any) -> bool:
        asked.append(user)
        return user == "yes"

    endpoint = graphql_endpoint(api, may_use_graphiql=allow, page=lambda: tmp_path / "graphiql.html")
    request = rf.get("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT)
    request.user = "yes"
    assert endpoint(request).content == b"<title>ours</title>"
    request.user = "no"
    assert endpoint(request).status_code == 404
    assert asked == ["yes", "no"]
    post = rf.post("/graphql/", data="{}", content_type="application/json", HTTP_ACCEPT=BROWSER_ACCEPT)
    post.user = "yes"
    assert json.loads(endpoint(post).content) == {"api": True}


# ---------------------------------------------------------------- introspection
INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_only_for_staff_with_the_second_factor(world: Any, gql: Any) -> None:
    for user in (world.admin, world.technician):
        assert gql(user).data(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}
    for graphql in (
        gql(),
        gql(world.a_lead, host=world.a),
        gql(world.a_member),
        gql(world.admin, verified=False),
    ):
        result = graphql.execute(INTROSPECTION)
        assert result["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED", result
        assert result.get("data") is None


def test_debug_does_not_open_introspection_to_everyone(world: Any, gql: Any, settings: Any) -> None:
    # `make run` turns DEBUG on; anonymous visitors must still not read the schema.
    settings.DEBUG = True
    result = gql().execute(INTROSPECTION)
    assert result["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


# ------------------------------------------------------- the build works offline
_HTML_REF = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
_JS_REFS = (
    re.compile(r"""\bfrom\s*["'`]([^"'`]+)["'`]"""),  # static imports (minified: from"./x.js")
    re.compile(r"""\bimport\s*\(\s*["'`]([^"'`]+)["'`]"""),  # dynamic imports
    re.compile(r"""\bimport\s*["'`]([^"'`]+)["'`]"""),  # side-effect imports
    re.compile(r"""\bnew Worker\(\s*["'`]([^"'`]+)["'`]"""),
    re.compile(r"""\bnew URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url"""),
    re.compile(r"""["'`](assets/[^"'`]+\.(?:js|css))["'`]"""),  # Vite's preload dependency list
)
_CSS_REFS = (re.compile(r"""url\(\s*["']?([^"')]+)"""), re.compile(r"""@import\s+["']([^"']+)"""))
_FILE_NAME = re.compile(r"\.(?:js|mjs|css|html|ttf|woff2?|otf|svg|png|jpe?g|gif|webp|wasm|json)$")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def _references(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        return _HTML_REF.findall(text)
    if path.suffix == ".css":
        return [ref for pattern in _CSS_REFS for ref in pattern.findall(text)]
    if path.suffix == ".js":
        return [ref for pattern in _JS_REFS for ref in pattern.findall(text)]
    return []


def _resolve(ref: str, referrer: Path) -> Path | None:
    """The dist file a same-origin reference loads; None for data: URIs and non-paths (words
    like "./module" inside the bundled parsers' strings name no file)."""
    ref = ref.split("?", 1)[0].split("#", 1)[0]
    if not _FILE_NAME.search(ref):
        return None
    if ref.startswith("/static/"):
        return DIST / ref.removeprefix("/static/")
    if ref.startswith(("./", "../")):
        return (referrer.parent / ref).resolve()
    if ref.startswith("assets/"):
        return DIST / ref
    return None  # data:, blob:, bare words inside strings


def test_the_built_graphiql_loads_only_same_origin_files() -> None:
    page = built_graphiql()
    seen: set[Path] = set()
    external: list[str] = []
    missing: list[str] = []
    queue = [page]
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        for ref in _references(current):
            if _EXTERNAL.match(ref):
                external.append(f"{current.name}: {ref}")
                continue
            target = _resolve(ref, current)
            if target is None:
                continue
            if not target.is_file():
                missing.append(f"{current.name}: {ref}")
            else:
                queue.append(target)
        text = current.read_text(encoding="utf-8", errors="replace")
        external += [f"{current.name}: {host}" for host in CDN_HOSTS if host in text]
    assert not external, f"GraphiQL loads files from other hosts: {external}"
    assert not missing, f"GraphiQL references files the build does not have: {missing}"
    names = {path.name for path in seen}
    # The walk reached the editor, its workers and its styles: they are all in the build.
    assert any(name.startswith("graphiql-") and name.endswith(".js") for name in names), names
    assert any(name.endswith(".css") for name in names), names
    assert sum(".worker-" in name for name in names) >= 2, names
    # The page itself names no other host at all.
    assert not re.search(r"https?://", page.read_text(encoding="utf-8"))


def test_the_reference_walk_catches_a_cdn_page(tmp_path: Path) -> None:
    # graphene-django's own GraphiQL page, in the form it loads its files.
    cdn_page = tmp_path / "graphiql.html"
    cdn_page.write_text(
        '<script src="https://cdn.jsdelivr.net/npm/graphiql@3/graphiql.min.js"></script>'
        '<link href="//unpkg.com/graphiql/graphiql.min.css" rel="stylesheet">'
    )
    refs = _references(cdn_page)
    assert refs and all(_EXTERNAL.match(ref) for ref in refs)
    module = tmp_path / "x.js"
    module.write_text(
        'import{a}from"./chunk.js";import("https://esm.sh/react");new Worker(`/static/assets/w.js`)'
    )
    assert _references(module) == ["./chunk.js", "https://esm.sh/react", "/static/assets/w.js"]


@pytest.mark.parametrize(
    ("accept", "wants_html"),
    [(BROWSER_ACCEPT, True), ("*/*", False), ("application/json", False), ("", False), ("text/html", True)],
)
def test_only_browsers_asking_for_html_get_the_page(rf: Any, accept: str, wants_html: bool) -> None:
    from core.graphql.graphiql import request_wants_html

    request = rf.get("/graphql/", HTTP_ACCEPT=accept) if accept else rf.get("/graphql/")
    assert request_wants_html(request) is wants_html
    assert request_wants_html(rf.post("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT)) is False
