"""The beat schedule, kept in the database (django-celery-beat) so operators can change
times or pause jobs in Django admin without a deploy.

Every periodic job is a system task: work that touches client schemas is fanned out
by a dispatcher that sends one tenant task per client, each carrying its schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    minute: str
    hour: str
    description: str
    # Jobs more frequent than once a minute run on an interval instead of the crontab.
    every_seconds: int | None = None


PERIODIC_JOBS = (
    PeriodicJob(
        name="outbox-relay",
        task="core.relay_outbox",
        minute="*",
        hour="*",
        description="Publish queued work the quick after-commit attempt left behind (broker was down).",
        every_seconds=settings.OUTBOX_RELAY_EVERY_SECONDS,
    ),
    PeriodicJob(
        name="sla-sweep",
        task="workqueue.sweep_sla_alerts",
        minute="*",
        hour="*",
        description="Warn assignees as SLA deadlines approach and flag breaches (reads the public index).",
    ),
    PeriodicJob(
        name="provisioning-reaper",
        task="tenants.reap_stale_provisioning_jobs",
        minute="*",
        hour="*",
        description="Fail provisioning jobs whose worker died mid-job, so the slug is free again.",
    ),
    PeriodicJob(
        name="monitor-scheduler",
        task="infrastructure.dispatch_due_checks",
        minute="*",
        hour="*",
        description="Queue the monitor checks and heartbeat deadlines that are due (reads the public index).",
    ),
    PeriodicJob(
        name="availability-days",
        task="infrastructure.dispatch_availability_days",
        minute="5",
        hour="0",
        description="Store the availability of the day that just ended (status pages compute only today).",
    ),
    PeriodicJob(
        name="availability-close",
        task="infrastructure.dispatch_availability_close",
        minute="20",
        hour="0",
        description="Store last month's availability of every client's services (once; idempotent).",
    ),
    PeriodicJob(
        name="nightly-contact-sync",
        task="tenants.dispatch_contact_sync",
        minute="30",
        hour="2",
        description="Bring every client's contacts in step with its portal members.",
    ),
    PeriodicJob(
        name="mfa-daily-snapshot",
        task="security.dispatch_mfa_snapshots",
        minute="55",
        hour="23",
        description="Record each client's MFA coverage for the day (one row per client and day).",
    ),
    PeriodicJob(
        name="revoke-expired-invitations",
        task="tenants.revoke_expired_invitations",
        minute="15",
        hour="*",
        description="Close invitations whose links expired so people can be invited again.",
    ),
    PeriodicJob(
        name="billing-daily-run",
        task="billing.dispatch_daily_runs",
        minute="10",
        hour="0",
        description="Draft invoices of clients whose billing day is today (one task per client and period).",
    ),
    PeriodicJob(
        name="purge-offboarded-clients",
        task="msp_portal.purge_offboarded_clients",
        minute="45",
        hour="3",
        description="Remove clients offboarded longer than CLIENT_PURGE_GRACE_DAYS (a last archive is kept).",
    ),
    PeriodicJob(
        name="ingest-batch-prune",
        task="ingest.prune_batches",
        minute="20",
        hour="*",
        description="Forget ingest batch ids older than INGEST_BATCH_KEEP_HOURS (replays are stale by then).",
    ),
    PeriodicJob(
        name="stripe-reconciliation",
        task="billing.stripe_reconcile",
        minute="20",
        hour="4",
        description="List every difference between Stripe and the ledger (skipped when Stripe is off).",
    ),
    # Outreach (docs/outreach.md)
    PeriodicJob(
        name="outreach-health-nightly",
        task="outreach.dispatch_health_recompute",
        minute="15",
        hour="4",
        description="Recompute every live client's health score (one task per client, in its schema).",
    ),
    PeriodicJob(
        name="outreach-signal-watch",
        task="outreach.watch_signal_changes",
        minute="*/10",
        hour="*",
        description="Recompute the health of clients whose service-desk signals changed since their score.",
    ),
    PeriodicJob(
        name="outreach-checkin-sweep",
        task="outreach.sweep_checkins",
        minute="5",
        hour="*",
        description="Remind account managers of check-ins coming due; alert each overdue stage once.",
    ),
    PeriodicJob(
        name="outreach-publish-broadcasts",
        task="outreach.publish_due_broadcasts",
        minute="*",
        hour="*",
        description="Publish scheduled broadcasts whose time has come (audience, e-mails).",
    ),
)


def ensure_periodic_tasks() -> list[PeriodicTask]:
    """Create the schedule rows that are missing. Existing rows keep operators' edits."""
    rows = []
    with transaction.atomic():
        for job in PERIODIC_JOBS:
            when: dict[str, object]
            if job.every_seconds:
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=job.every_seconds, period=IntervalSchedule.SECONDS
                )
                when = {"interval": interval}
            else:
                crontab, _ = CrontabSchedule.objects.get_or_create(
                    minute=job.minute,
                    hour=job.hour,
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone="UTC",
                )
                when = {"crontab": crontab}
            row, _ = PeriodicTask.objects.get_or_create(
                name=job.name,
                defaults={
                    "task": job.task,
                    **when,
                    "description": job.description,
                    "kwargs": json.dumps({}),
                },
            )
            rows.append(row)
    return rows
