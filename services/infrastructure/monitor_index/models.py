"""`MonitorSchedule`: one public row per monitor of every client (public schema).

It is written in the same transaction as the monitor it mirrors (the public schema is on
every tenant's search_path), and serves the two cross-client readers:

- the scheduler (`services.infrastructure.scheduler`): each minute it claims the rows whose
  `next_check_at` has come (partial index, `FOR UPDATE SKIP LOCKED`), pushes them forward
  and sends one batch task per client. A heartbeat's `next_check_at` is its deadline (last
  ping + period + grace), so missed heartbeats are found here without visiting any schema.
- the staff "Down now" board: rows whose state is down or degraded, with what the board
  shows, in one indexed query.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenants.models import Client


class MonitorSchedule(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    monitor_id = models.IntegerField()
    service_id = models.IntegerField()
    kind = models.CharField(max_length=12)
    monitor_name = models.CharField(max_length=120)
    service_name = models.CharField(max_length=120)
    is_business_critical = models.BooleanField(default=False)
    is_scheduled = models.BooleanField(
        default=True, help_text="False when paused, inactive, or a push monitor (results only from ingest)."
    )
    interval_seconds = models.PositiveIntegerField()
    next_check_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12)
    state_since = models.DateTimeField()
    last_result_at = models.DateTimeField(null=True, blank=True)
    last_message = models.CharField(max_length=300, blank=True)
    open_ticket_number = models.PositiveIntegerField(null=True, blank=True)
    in_maintenance_until = models.DateTimeField(null=True, blank=True)
    ping_token_hash = models.CharField(
        max_length=64, blank=True, help_text="Heartbeat: SHA-256 of its ping URL's token (finds the client)."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "monitor_id"], name="monitor_schedule_one_per_monitor"),
            models.UniqueConstraint(
                fields=["ping_token_hash"],
                condition=~Q(ping_token_hash=""),
                name="monitor_schedule_ping_token_unique",
            ),
        ]
        indexes = [
            # The scheduler: due rows, oldest first.
            models.Index(
                fields=["next_check_at"], name="monitor_schedule_due_idx", condition=Q(is_scheduled=True)
            ),
            # The "Down now" board.
            models.Index(
                fields=["state_since"],
                name="monitor_schedule_down_idx",
                condition=Q(state__in=["down", "degraded"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}/{self.monitor_id} {self.state}"
