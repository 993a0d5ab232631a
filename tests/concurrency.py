"""Forcing an interleaving of two requests on two database connections, without timers:
the first runs in a transaction that stays open until the second is seen (in `pg_locks`)
waiting for a lock the first holds; then the first commits and the second carries on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections, transaction
from django_tenants.utils import schema_context


def first_holds_while_second_waits(
    first: Callable[[], Any], second: Callable[[], Any], schema: str
) -> list[Any]:
    """Run `first` in a transaction on one connection and keep it open until `second`, on
    another connection, is waiting for a lock that transaction holds; then commit. Returns
    both results. The order is forced, so the second request always reaches the key's
    unique constraint with the first one not yet committed when it looked."""
    results: list[Any] = [None, None]
    errors: list[BaseException] = []
    first_done = threading.Event()
    second_pid: list[int] = []
    commit = threading.Event()

    def run_first() -> None:
        try:
            with schema_context(schema), transaction.atomic():
                results[0] = first()
                first_done.set()
                commit.wait()
        except BaseException as exc:  # reported below
            errors.append(exc)
            first_done.set()
        finally:
            connection.close()

    def run_second() -> None:
        try:
            with schema_context(schema):
                connection.ensure_connection()
                second_pid.append(connection.connection.info.backend_pid)
                results[1] = second()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=run_first)
    one.start()
    first_done.wait()
    two = threading.Thread(target=run_second)
    two.start()
    try:
        wait_until_blocked(second_pid, two)
    finally:
        commit.set()
        one.join()
        two.join()
    if errors:
        raise errors[0]
    return results


def wait_until_blocked(pid_holder: list[int], thread: threading.Thread) -> None:
    """Until the backend `pid_holder[0]` waits for a lock (or its thread has ended)."""
    watcher = connections.create_connection("default")
    try:
        for _ in range(2000):
            if not thread.is_alive():
                return
            if pid_holder:
                with watcher.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid_holder[0]]
                    )
                    if cursor.fetchone()[0]:
                        return
            thread.join(0.005)
        raise AssertionError("the second request never waited for the first one's lock")
    finally:
        watcher.close()
