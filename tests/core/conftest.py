"""Fixtures of the shared package's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from msp_portal.celery import app


@pytest.fixture(scope="module")
def worker(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """A real Celery worker thread on this run's queue. It opens its own database
    connection, so it sees committed rows only (the session's two-tenant world is committed)."""
    with django_db_blocker.unblock():
        app.conf.task_always_eager = False
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
        ) as running:
            yield running
