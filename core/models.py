"""The transactional outbox: work decided inside a transaction, stored in that transaction.

`core.tasks.enqueue_on_commit` writes an `OutboxMessage` in the caller's transaction, so
the task exists exactly when the work that decided it was committed (a rollback removes
both). `core.outbox.relay` publishes pending rows to the broker: at once after the commit
(with a short bound, so a web request never waits long on a broker that is down) and from
beat every few seconds for whatever is left. A row is marked sent only after the broker
accepted it, so delivery is at least once: tasks must be safe to run twice.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.timezone import now


class OutboxMessage(models.Model):
    """One Celery task waiting to be published (or published: `sent_at`)."""

    id = models.BigAutoField(primary_key=True)
    task_id = models.UUIDField(
        default=uuid.uuid4, unique=True, help_text="The Celery task id it is sent with."
    )
    task = models.CharField(max_length=200, help_text="The registered task name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    schema_name = models.CharField(max_length=63, help_text="The schema the task runs in.")
    headers = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="Optional: a second message with the same key is not stored.",
    )
    created_at = models.DateTimeField(default=now)
    available_at = models.DateTimeField(default=now, help_text="Not published before this instant.")
    attempts = models.PositiveIntegerField(default=0, help_text="Failed publish attempts.")
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay's question, "what is pending and due?", reads only pending rows.
            models.Index(
                fields=["available_at", "id"],
                name="outbox_pending_idx",
                condition=models.Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["sent_at"], name="outbox_sent_idx", condition=models.Q(sent_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "pending"
        return f"{self.task} in {self.schema_name} ({state})"
