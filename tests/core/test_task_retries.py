"""Retries on the task base are real: transient errors (broker, Redis, database connection,
SMTP, network) are retried with exponential backoff, full jitter and a bound; anything else
fails at once. Eager runs (`apply()`) count the attempts without waiting; one test goes
through a real worker and the Redis broker and checks a retried tenant task stays in its
tenant."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from unittest import mock

import kombu.exceptions
import pytest
import redis.exceptions
from django.db import IntegrityError, InterfaceError, OperationalError
from django_tenants.utils import schema_context

from core.tasks import TRANSIENT_ERRORS, SystemTask, TenantBoundTask, TenantRequiredError
from core.tenancy import current_schema_name
from msp_portal.celery import app

# (retries of the request, schema) of every attempt, per test key.
ATTEMPTS: dict[str, list[tuple[int, str]]] = defaultdict(list)

TRANSIENT: dict[str, Callable[[], BaseException]] = {
    "broker": lambda: kombu.exceptions.OperationalError(
        "Error 111 connecting to redis:6379. Connection refused."
    ),
    "redis": lambda: redis.exceptions.ConnectionError("Connection closed by server."),
    "redis-timeout": lambda: redis.exceptions.TimeoutError("Timeout reading from socket"),
    "database": lambda: OperationalError("server closed the connection unexpectedly"),
    "database-interface": lambda: InterfaceError("connection already closed"),
    "smtp": lambda: smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    "smtp-busy": lambda: smtplib.SMTPResponseException(421, b"Service not available, try again later"),
    "socket": lambda: ConnectionResetError(104, "Connection reset by peer"),
    "timeout": lambda: TimeoutError("timed out"),
}
PERMANENT: dict[str, Callable[[], BaseException]] = {
    "bad-input": lambda: ValueError("priority 'urgent!!' is not one of P1-P4"),
    "bug": lambda: KeyError("missing"),
    "integrity": lambda: IntegrityError('duplicate key value violates unique constraint "x"'),
    "no-tenant": lambda: TenantRequiredError("Task x needs a client schema"),
}
ERRORS = {**TRANSIENT, **PERMANENT}


def _attempt(task: Any, key: str, failures: int, error: str) -> int:
    ATTEMPTS[key].append((task.request.retries, current_schema_name()))
    if len(ATTEMPTS[key]) <= failures:
        raise ERRORS[error]()
    return len(ATTEMPTS[key])


@app.task(name="tests.retries.flaky_system", base=SystemTask, bind=True)
def flaky_system_task(self: Any, key: str, failures: int, error: str) -> int:
    return _attempt(self, key, failures, error)


# The real-worker variant: the base's retry rules, with the backoff capped at 0 s so the
# test does not wait (the wrapper reads these options when the task is made).
@app.task(name="tests.retries.flaky_tenant", bind=True, retry_backoff_max=0)
def flaky_tenant_task(self: Any, key: str, failures: int, error: str) -> int:
    return _attempt(self, key, failures, error)


@pytest.fixture(autouse=True)
def _fresh_attempts() -> None:
    ATTEMPTS.clear()


def test_the_base_retries_exactly_the_transient_errors() -> None:
    for name, make in TRANSIENT.items():
        assert isinstance(make(), TRANSIENT_ERRORS), name
    for name, make in PERMANENT.items():
        assert not isinstance(make(), TRANSIENT_ERRORS), name
    assert TenantBoundTask.autoretry_for == TRANSIENT_ERRORS
    assert TenantBoundTask.acks_late is True
    # Every task of the app has the retry wrapper, not only the test's.
    from services.directory.tasks import sync_member_contacts_task
    from services.workqueue.tasks import sweep_sla_alerts_task

    for task in (sync_member_contacts_task, sweep_sla_alerts_task, flaky_system_task):
        assert hasattr(task, "_orig_run"), task.name


@pytest.mark.parametrize("error", sorted(TRANSIENT))
def test_a_task_failing_twice_with_a_transient_error_runs_three_times(db: Any, error: str) -> None:
    result = flaky_system_task.apply(args=("k", 2, error))
    assert result.successful(), result.traceback
    assert result.get() == 3
    assert [retries for retries, _ in ATTEMPTS["k"]] == [0, 1, 2]


@pytest.mark.parametrize("error", sorted(PERMANENT))
def test_a_non_transient_error_is_not_retried(db: Any, error: str) -> None:
    result = flaky_system_task.apply(args=("k", 2, error))
    assert result.failed()
    assert isinstance(result.result, type(PERMANENT[error]()))
    assert len(ATTEMPTS["k"]) == 1


def test_retries_are_bounded_and_the_last_error_stands(db: Any) -> None:
    result = flaky_system_task.apply(args=("k", 1000, "database"))
    assert result.failed()
    assert isinstance(result.result, OperationalError)  # not MaxRetriesExceededError
    assert len(ATTEMPTS["k"]) == 1 + TenantBoundTask.max_retries == 7


@pytest.mark.parametrize(
    ("jitter", "expected"), [("top", [5, 10, 20, 40, 80, 160, 300]), ("bottom", [0] * 7)]
)
def test_backoff_doubles_with_full_jitter_up_to_the_cap(db: Any, jitter: str, expected: list[int]) -> None:
    drawn: list[int] = []

    def randrange(stop: int) -> int:  # full jitter: a countdown drawn from 0..the backoff
        drawn.append(stop - 1)
        return stop - 1 if jitter == "top" else 0

    with (
        mock.patch("celery.utils.time.random.randrange", side_effect=randrange),
        mock.patch.object(flaky_system_task, "retry", wraps=flaky_system_task.retry) as retry,
    ):
        result = flaky_system_task.apply(args=("k", 1000, "smtp"))
    # 5 s doubling per attempt; the seventh would be 320 s, capped at retry_backoff_max. The
    # seventh retry() call gives up (max_retries = 6) and re-raises the SMTP error.
    assert drawn == [5, 10, 20, 40, 80, 160, 300]
    assert [call.kwargs["countdown"] for call in retry.call_args_list] == expected
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
    assert len(ATTEMPTS["k"]) == 7


# ------------------------------------------------------------------- real worker


@pytest.mark.celery_worker
def test_a_worker_retries_a_tenant_task_in_its_tenant(world_state: Any, worker: Any) -> None:
    with schema_context(world_state.a.schema_name):
        result = flaky_tenant_task.delay("worker", 2, "database")
    assert result.get(timeout=30) == 3
    assert ATTEMPTS["worker"] == [(0, "client_alpha"), (1, "client_alpha"), (2, "client_alpha")]

    with schema_context(world_state.b.schema_name):
        failing = flaky_tenant_task.delay("permanent", 2, "bad-input")
    with pytest.raises(ValueError, match="not one of P1-P4"):
        failing.get(timeout=30, propagate=True)
    assert ATTEMPTS["permanent"] == [(0, "client_bravo")]
