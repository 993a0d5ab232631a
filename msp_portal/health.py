"""Readiness checks: can this process reach its database and its Celery broker?"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        return {
            "ok": False,
            "error": exc.__class__.__name__,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    from django.conf import settings
    from kombu import Connection

    # A fresh connection, not one from the pool: a pooled connection can look alive after
    # the broker went away.
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def readiness() -> dict[str, dict[str, Any]]:
    return {"database": _timed(_database), "broker": _timed(_broker)}
