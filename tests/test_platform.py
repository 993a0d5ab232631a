"""Health endpoints, the committed GraphQL schema, migrations in step with models."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import Client as HttpClient

from msp_portal.schema import schema


def test_healthz_answers_on_any_host():
    response = HttpClient(HTTP_HOST="10.0.0.5").get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_broker(world):
    response = HttpClient(HTTP_HOST="web").get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_readyz_reports_an_unreachable_broker(world, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = HttpClient().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["broker"]["ok"] is False


def test_committed_schema_graphql_matches_the_code():
    committed = (Path(settings.BASE_DIR) / "schema.graphql").read_text()
    generated = str(schema)
    assert committed.strip() == generated.strip(), "schema.graphql drifted: run `make schema` and commit it"


def test_migrations_are_in_step_with_models(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_spa_is_served_with_a_csrf_cookie(world, settings, tmp_path):
    (tmp_path / "index.html").write_text('<!doctype html><div id="root" data-build="marker-7f3a"></div>')
    settings.FRONTEND_DIST = tmp_path
    response = HttpClient().get("/clients")
    assert response.status_code == 200
    assert 'data-build="marker-7f3a"' in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_spa_without_a_build_explains_itself_with_503(world, settings, tmp_path):
    settings.FRONTEND_DIST = tmp_path  # no index.html in it
    response = HttpClient().get("/clients")
    assert response.status_code == 503
    assert "The front end has not been built" in response.content.decode()
    assert settings.CSRF_COOKIE_NAME in response.cookies
