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
from celery import current_app
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


def registered_task(name: str) -> Any:
    """The task registered as `name`. A web process has not imported the apps' task modules
    (Celery autodiscovers them when a worker starts), so import them on first use."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue_on_commit(task: Any | str, *args: Any, schema_name: str | None = None, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits, in the schema active *now*.

    The schema is captured when the callback is registered: reading it at commit time
    would send the task as `public` when the transaction is committed outside
    `schema_context` (see STACK notes in docs/architecture.md).
    """
    schema = schema_name or current_schema_name()

    def send() -> None:
        # A registered name keeps the caller free of an import of the tasks module (tasks
        # import actions, so actions importing tasks would be a cycle).
        bound = registered_task(task) if isinstance(task, str) else task
        bound.apply_async(args, kwargs, headers={"_schema_name": schema})

    transaction.on_commit(send)
