"""Base task classes and enqueue helpers that keep Celery work in the right tenant.

tenant-schemas-celery carries the schema in a `_schema_name` header, but a task sent
from the public schema (or with no header) would silently run in `public`. Here a
tenant task refuses twice: when it is sent without a client schema, and again when a
worker is about to run it outside one (`send_task` bypasses `apply_async`, so the
execution-side check is the one that always holds). Tasks that deliberately work on
the MSP's own data declare `system_task = True`.

Retries: a task that fails with a transient error (`TRANSIENT_ERRORS`: the broker, Redis,
the database connection, SMTP, a network timeout) is sent again with exponential backoff
and full jitter (at most `retry_backoff_max` seconds apart, at most `max_retries` times),
in the same schema; then its last error stands. Any other error fails the task at once: a
bug or bad input does not improve by running again. Tasks must therefore be safe to run
twice (the same holds for `acks_late`, which redelivers a task whose worker died).
"""

from __future__ import annotations

import smtplib
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import current_app, shared_task
from django import db
from django.db import transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from core.tenancy import current_schema_name


class TenantRequiredError(RuntimeError):
    """A tenant task was sent or started without a client schema."""


# Errors that say "not now" rather than "never": the task is retried (see module docstring).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,  # broker unreachable while the task sends more work
    redis.exceptions.ConnectionError,  # cache / progress store
    redis.exceptions.TimeoutError,
    db.OperationalError,  # connection lost, server restarting, serialization failure
    db.InterfaceError,  # connection already closed
    smtplib.SMTPException,  # mail server refused or dropped us (4xx, disconnects)
    ConnectionError,  # refused / reset sockets (OSError subclasses)
    TimeoutError,
)


class TenantBoundTask(TenantTask):  # type: ignore[misc]
    """Default base for every task: runs in a client schema unless `system_task`."""

    abstract = True
    system_task = False
    acks_late = True
    # Celery wraps every task made with this base: a TRANSIENT_ERRORS exception becomes
    # self.retry(countdown=a random 0..min(retry_backoff_max, retry_backoff * 2**retries)
    # seconds): at most 5, 10, 20, 40, 80, 160 s, about five minutes of outage in all.
    autoretry_for = TRANSIENT_ERRORS
    max_retries = 6
    retry_backoff = 5
    retry_backoff_max = 300
    retry_jitter = True

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        headers = dict(options.get("headers") or {})
        public = get_public_schema_name()
        if self.system_task:
            headers["_schema_name"] = public
        else:
            schema = headers.get("_schema_name") or current_schema_name()
            if not schema or schema == public:
                raise TenantRequiredError(
                    f"Task {self.name} needs a client schema; it was sent from '{schema or 'no schema'}'."
                )
            headers["_schema_name"] = schema
        options["headers"] = headers
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.system_task and current_schema_name() == get_public_schema_name():
            raise TenantRequiredError(f"Task {self.name} refused to run in the public schema.")
        return super().__call__(*args, **kwargs)


class SystemTask(TenantBoundTask):
    """A task that works on the MSP's own (public-schema) data."""

    abstract = True
    system_task = True


def registered_task(name: str) -> Any | None:
    """The task registered as `name`, discovering every app's tasks module the first time
    (a web process, unlike a worker, has not imported them)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks.get(name)


def enqueue_on_commit(
    task: Any | str,
    *args: Any,
    schema_name: str | None = None,
    dedupe_key: str | None = None,
    **kwargs: Any,
) -> int | None:
    """Store `task` in the outbox now, in the caller's transaction; publish it after commit.

    The message is an `OutboxMessage` row: a rollback removes it with the work that decided
    it, a commit keeps it even when the broker is down or the process dies a moment later.
    After the commit one quick, bounded publish is tried (`core.outbox.relay_now`); the
    beat task `core.relay_outbox` publishes whatever is left. Delivery is at least once.

    The schema is the one active *now* (reading it at commit time would send the task as
    `public` when the transaction is committed outside `schema_context`). A tenant task is
    refused here, inside the transaction, when that schema is public. With `dedupe_key`, a
    second message with the same key is not stored; returns the row id (None if deduped).
    """
    from core.models import OutboxMessage
    from core.outbox import relay_now

    name = task if isinstance(task, str) else task.name
    schema = schema_name or current_schema_name() or get_public_schema_name()
    bound = registered_task(name)
    if bound is not None and getattr(bound, "system_task", False):
        schema = get_public_schema_name()
    elif bound is not None and schema == get_public_schema_name():
        raise TenantRequiredError(f"Task {name} needs a client schema; it was sent from '{schema}'.")
    message = OutboxMessage(
        task=name, args=list(args), kwargs=kwargs, schema_name=schema, dedupe_key=dedupe_key
    )
    created = OutboxMessage.objects.bulk_create([message], ignore_conflicts=dedupe_key is not None)
    if dedupe_key is not None:
        stored = OutboxMessage.objects.filter(dedupe_key=dedupe_key, task_id=message.task_id).first()
        if stored is None:
            return None
        message = stored
    else:
        message = created[0]
    message_id = message.pk
    transaction.on_commit(lambda: relay_now([message_id]))
    return message_id


def enqueue_many_on_commit(task: Any | str, calls: list[tuple[str, list[Any]]]) -> list[int]:
    """`enqueue_on_commit` for many calls of one tenant task at once: `calls` are
    (schema name, args). One INSERT for all the outbox rows and one quick relay after the
    commit (a scheduler queuing a thousand client tasks a minute would otherwise pay a
    relay round trip per message). A call for the public schema is refused, as there."""
    from core.models import OutboxMessage
    from core.outbox import relay_now

    name = task if isinstance(task, str) else task.name
    bound = registered_task(name)
    public = get_public_schema_name()
    if bound is not None and getattr(bound, "system_task", False):
        raise TenantRequiredError(f"Task {name} is a system task; use enqueue_on_commit.")
    for schema, _args in calls:
        if not schema or schema == public:
            raise TenantRequiredError(f"Task {name} needs a client schema; it was sent from '{schema}'.")
    if not calls:
        return []
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(task=name, args=list(args), kwargs={}, schema_name=schema) for schema, args in calls
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: relay_now(ids))
    return ids


@shared_task(name="core.relay_outbox", base=SystemTask)
def relay_outbox_task() -> dict[str, object]:
    """Beat, every few seconds: publish what the quick relays left; prune old sent rows."""
    from core.outbox import prune_sent, relay

    result = relay()
    pruned = prune_sent()
    return {"sent": result.sent, "failed": result.failed, "error": result.error, "pruned": pruned}
