"""Relaying the outbox (`core.models.OutboxMessage`) to the Celery broker.

Two relays publish the same table:

- right after a commit, `relay_now` tries the rows that transaction wrote, with a short
  bound (`OUTBOX_PUBLISH_TIMEOUT` seconds to connect and to talk to the broker, no publish
  retries). A web request never waits on a broker that is down for longer than that, and
  after one failure the process skips these quick attempts for `OUTBOX_BACKOFF_SECONDS`,
  so requests arriving during an outage don't each pay the timeout;
- `relay` from the beat task `core.relay_outbox` (every few seconds) publishes whatever
  is left, oldest first, in batches.

Each batch is claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so two relays never publish
the same row; a row is marked sent only after the broker accepted it, inside the same
transaction. A relay that dies between the publish and the commit leaves the row pending
and it is published again: delivery is at least once, and every task is idempotent.
A publish that fails leaves the row pending with a growing delay (at most 30 s).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# What a publish raises when the broker is away (kombu wraps most of them in its
# OperationalError; sockets raise OSError subclasses).
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)
MAX_DELAY_SECONDS = 30


@dataclass(frozen=True)
class RelayResult:
    sent: int
    failed: int
    error: str = ""


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@contextmanager
def broker_connection(*, quick: bool) -> Iterator[Any]:
    """A producer connection; `quick` bounds connecting and every socket read and write."""
    if quick:
        timeout = float(_setting("OUTBOX_PUBLISH_TIMEOUT", 1.0))
        options = dict(current_app.conf.broker_transport_options or {})
        options.update(socket_connect_timeout=timeout, socket_timeout=timeout)
        conn = current_app.connection_for_write(connect_timeout=timeout, transport_options=options)
    else:
        conn = current_app.connection_for_write()
    try:
        yield conn
    finally:
        conn.release()


def publish(message: OutboxMessage, conn: Any) -> None:
    """Hand one message to the broker, once (no retries: the row stays pending instead).

    With Celery's `task_always_eager` the task runs here and now instead, as
    `apply_async` would run it (development without a worker, and tests)."""
    headers = {**message.headers, "_schema_name": message.schema_name}
    if current_app.conf.task_always_eager:
        from core.tasks import registered_task

        task = registered_task(message.task)
        if task is None:
            raise LookupError(f"No task is registered as {message.task!r}.")
        task.apply(
            args=message.args,
            kwargs=message.kwargs,
            task_id=str(message.task_id),
            headers=headers,
            throw=True,
        )
        return
    current_app.send_task(
        message.task,
        args=message.args,
        kwargs=message.kwargs,
        task_id=str(message.task_id),
        headers=headers,
        connection=conn,
        retry=False,
        # Nobody waits for the result; asking for it would also subscribe to the result
        # backend, a second Redis round trip that could hang while Redis is away.
        ignore_result=True,
    )


def _delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_DELAY_SECONDS, 2 ** max(attempts - 1, 0)))


def _claim(ids: list[int] | None, batch_size: int) -> list[OutboxMessage]:
    pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
        sent_at__isnull=True, available_at__lte=timezone.now()
    )
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    return list(pending.order_by("id")[:batch_size])


def relay(
    *,
    ids: list[int] | None = None,
    batch_size: int = 500,
    quick: bool = False,
    max_batches: int | None = None,
) -> RelayResult:
    """Publish pending, due rows (only `ids` if given), oldest first, batch by batch.

    Stops at the first broker error: the failed row and the rest of its batch stay
    pending, with their next attempt delayed."""
    sent = failed = batches = 0
    with broker_connection(quick=quick) as conn:
        while max_batches is None or batches < max_batches:
            batches += 1
            with transaction.atomic():
                rows = _claim(ids, batch_size)
                if not rows:
                    break
                published: list[int] = []
                error: BaseException | None = None
                for row in rows:
                    try:
                        publish(row, conn)
                    except BROKER_ERRORS as exc:
                        error = exc
                        break
                    published.append(row.pk)
                now = timezone.now()
                if published:
                    OutboxMessage.objects.filter(pk__in=published).update(sent_at=now)
                    sent += len(published)
                if error is not None:
                    unsent = [row for row in rows if row.pk not in set(published)]
                    for row in unsent:
                        row.attempts += 1
                        row.available_at = now + _delay(row.attempts)
                        row.last_error = f"{error.__class__.__name__}: broker unreachable"[:300]
                    OutboxMessage.objects.bulk_update(unsent, ["attempts", "available_at", "last_error"])
                    failed += len(unsent)
                    logger.warning(
                        "outbox relay could not reach the broker",
                        extra={"error": error.__class__.__name__, "pending": len(unsent)},
                    )
                    return RelayResult(sent, failed, error.__class__.__name__)
    return RelayResult(sent, failed)


class _BrokerMemo:
    """When this process last failed to reach the broker (shared by its threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failed_at = 0.0

    def recently_down(self) -> bool:
        backoff = float(_setting("OUTBOX_BACKOFF_SECONDS", 5.0))
        with self.lock:
            return time.monotonic() - self.failed_at < backoff

    def mark(self, ok: bool) -> None:
        with self.lock:
            self.failed_at = 0.0 if ok else time.monotonic()


broker_memo = _BrokerMemo()


def relay_now(ids: list[int]) -> RelayResult | None:
    """The quick attempt after a commit. Never raises: whatever it can't publish stays
    pending for the beat relay. Skipped while the broker was found down moments ago."""
    eager = current_app.conf.task_always_eager
    if not _setting("OUTBOX_RELAY_ON_COMMIT", True) or (broker_memo.recently_down() and not eager):
        return None
    try:
        result = relay(ids=ids, quick=True)
    except Exception:  # the database may be gone too; the rows are safe either way
        if current_app.conf.task_always_eager:
            raise  # a task run in-process failed: show it, as apply_async would
        logger.warning("outbox quick relay failed", exc_info=True)
        broker_memo.mark(ok=False)
        return None
    broker_memo.mark(ok=not result.error)
    return result


def prune_sent(*, older_than: timedelta | None = None, chunk: int = 5000) -> int:
    """Delete rows published more than `OUTBOX_KEEP_SENT_DAYS` ago (they only explain the past)."""
    keep = older_than or timedelta(days=int(_setting("OUTBOX_KEEP_SENT_DAYS", 7)))
    cutoff = timezone.now() - keep
    deleted = 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(sent_at__lt=cutoff)
            .order_by("id")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return deleted
        deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
