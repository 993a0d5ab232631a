"""PostgreSQL unreachable: every entry point answers a clear 503 — a page for browsers, a
typed `SERVICE_UNAVAILABLE` error for GraphQL, JSON for API clients — never a 500 page
with the server's connection details; the minute's SLA sweep is retried, not skipped."""

from __future__ import annotations

import json

import pytest
from django import db
from django.test import Client as HttpClient
from django_tenants.middleware.main import TenantMainMiddleware

from services.workqueue import tasks as workqueue_tasks
from services.workqueue.sweep import SweepResult

DETAIL = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


def _refuse(*args, **kwargs):
    raise db.OperationalError(DETAIL)


# Django's test client re-raises an exception a middleware raised (real servers don't), so the
# requests below ask it not to: they see what a browser would.


@pytest.fixture
def database_down(monkeypatch):
    """The first query of every request (the tenant lookup by host name) fails."""
    monkeypatch.setattr(TenantMainMiddleware, "get_tenant", _refuse)


@pytest.mark.parametrize("debug", [False, True])
def test_a_browser_gets_a_503_page(world, database_down, settings, debug):
    settings.DEBUG = debug  # the report saw Django's debug page with DEBUG on
    response = HttpClient(raise_request_exception=False).get("/tickets", HTTP_ACCEPT="text/html")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html") and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "briefly unavailable" in page and "request id" in page
    assert "5432" not in page and "Traceback" not in page


def test_graphql_gets_a_typed_error(world, database_down):
    response = HttpClient(raise_request_exception=False).post(
        "/graphql/", data=json.dumps({"query": "{ viewer { email } }"}), content_type="application/json"
    )
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE" and error["extensions"]["requestId"]
    assert "5432" not in response.content.decode()


def test_an_api_client_gets_json(world, database_down):
    response = HttpClient(raise_request_exception=False).get("/anything", HTTP_ACCEPT="application/json")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_readiness_still_answers_its_own_json(world, monkeypatch):
    from msp_portal import health

    monkeypatch.setattr(health, "_database", _refuse)
    response = HttpClient().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
        "ms": response.json()["checks"]["database"]["ms"],
    }


def test_the_database_failing_during_a_query_is_a_typed_error(world, gql, monkeypatch):
    from tenants.graphql import queries

    monkeypatch.setattr(queries, "reap_stale_jobs", _refuse)
    answer = gql(world.admin).execute(
        "query($id: ID!) { provisioningJob(id: $id) { status } }",
        {"id": "6f1c4b8e-6d0b-4d7e-9d5e-4f6c2b1a0e11"},
    )
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE" and "5432" not in json.dumps(answer)


def test_the_database_failing_during_a_mutation_is_a_typed_error(world, gql, monkeypatch):
    from tenants.graphql import mutations

    monkeypatch.setattr(mutations, "start_provisioning_job", _refuse)
    answer = gql(world.admin).execute(
        """mutation($input: ProvisionClientInput!) {
          provisionClient(input: $input) { job { id } errors { code } } }""",
        {
            "input": {
                "name": "Mike",
                "slug": "mike",
                "industry": "OTHER",
                "tier": "STANDARD",
                "itLeadEmail": "lead@mike.test",
                "itLeadName": "M",
            }
        },
    )
    assert [error["extensions"]["code"] for error in answer["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert "5432" not in json.dumps(answer)


def test_the_minutes_sweep_is_retried_when_the_database_is_away(world, monkeypatch):
    calls = []

    def sweep_once_the_database_is_back():
        calls.append(1)
        if len(calls) == 1:
            raise db.OperationalError(DETAIL)
        return SweepResult(examined=0, warned=0, breached=0, notifications=0)

    monkeypatch.setattr(workqueue_tasks, "sweep_sla_alerts", sweep_once_the_database_is_back)
    # Eagerly, Celery runs the retry at once (a worker would wait the backoff first).
    result = workqueue_tasks.sweep_sla_alerts_task.apply()
    assert len(calls) == 2
    assert result.get() == {"examined": 0, "warned": 0, "breached": 0, "notifications": 0}
