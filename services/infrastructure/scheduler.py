"""The monitor scheduler: one beat task a minute finds what is due in the public index.

`dispatch_due_checks` claims due rows of `MonitorSchedule` in batches
(`SELECT … FOR UPDATE SKIP LOCKED` over the partial index on `next_check_at`), moves each
row's `next_check_at` one interval on in the same statement, and, in the same
transaction, queues one `infrastructure.run_checks` task per client and batch through
the outbox — so a claim is never lost and two schedulers never claim one row. A
heartbeat's `next_check_at` is its deadline, so missed heartbeats are found here too
without visiting any client's schema. Clients that are not live (suspended, offboarded)
are moved on without checks.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.tasks import enqueue_on_commit
from services.infrastructure.monitor_index.models import MonitorSchedule
from tenants.models import LIVE_CLIENT_STATUSES, Client, TenantKind

RUN_CHECKS_TASK = "infrastructure.run_checks"
CLAIM_BATCH = 1_000
# Monitors per task: a task's checks run in parallel threads, each bounded by its timeout.
MONITORS_PER_TASK = 50
# The beat runs every minute; a dispatch stops claiming after this long.
DISPATCH_BUDGET_SECONDS = 45.0


@dataclass
class DispatchResult:
    claimed: int = 0
    tasks: int = 0
    skipped_not_live: int = 0
    oldest_due_at: datetime | None = None


def claim_due(now: datetime, limit: int = CLAIM_BATCH) -> list[tuple[int, int, datetime]]:
    """Claim up to `limit` due rows (caller's transaction): (client id, monitor id, due at).
    Each row's next check moves one interval past its due time — or past now when the
    scheduler fell more than an interval behind, so a backlog is not checked twice."""
    table = MonitorSchedule._meta.db_table
    sql = (
        f'WITH due AS (SELECT id, next_check_at AS due_at FROM public."{table}" '  # noqa: S608
        "WHERE is_scheduled AND next_check_at <= %s ORDER BY next_check_at LIMIT %s "
        "FOR UPDATE SKIP LOCKED) "
        f'UPDATE public."{table}" AS s SET next_check_at = CASE '
        "WHEN due.due_at + make_interval(secs => s.interval_seconds) > %s "
        "THEN due.due_at + make_interval(secs => s.interval_seconds) "
        "ELSE %s + make_interval(secs => s.interval_seconds) END "
        "FROM due WHERE s.id = due.id RETURNING s.client_id, s.monitor_id, due.due_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, limit, now, now])
        return [(int(c), int(m), d) for c, m, d in cursor.fetchall()]


def dispatch_due_checks(
    now: datetime | None = None, *, batch: int = CLAIM_BATCH, budget_seconds: float = DISPATCH_BUDGET_SECONDS
) -> DispatchResult:
    """Claim everything due at `now` and queue its checks, batch by batch."""
    now = now or timezone.now()
    result = DispatchResult()
    started = time.monotonic()
    live: dict[int, str] = {}
    while time.monotonic() - started < budget_seconds:
        with transaction.atomic():
            claimed = claim_due(now, batch)
            if not claimed:
                break
            result.claimed += len(claimed)
            per_client: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
            for client_id, monitor_id, due_at in claimed:
                per_client[client_id].append((monitor_id, due_at))
                if result.oldest_due_at is None or due_at < result.oldest_due_at:
                    result.oldest_due_at = due_at
            missing = set(per_client) - set(live)
            if missing:
                live.update(
                    Client.objects.filter(
                        pk__in=missing, kind=TenantKind.CLIENT, status__in=LIVE_CLIENT_STATUSES
                    ).values_list("pk", "schema_name")
                )
            for client_id, rows in per_client.items():
                schema = live.get(client_id)
                if schema is None:
                    result.skipped_not_live += len(rows)
                    continue
                rows.sort()
                for start in range(0, len(rows), MONITORS_PER_TASK):
                    chunk = rows[start : start + MONITORS_PER_TASK]
                    enqueue_on_commit(
                        RUN_CHECKS_TASK,
                        [m for m, _ in chunk],
                        min(d for _, d in chunk).isoformat(),
                        schema_name=schema,
                    )
                    result.tasks += 1
        if len(claimed) < batch:
            break
    return result
