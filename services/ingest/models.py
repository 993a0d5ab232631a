"""Ingest tokens and the batches received with them (public schema).

A token belongs to exactly one client; the client of every ingest request is the token's,
whatever host or body the request names. The token's secret is never stored: it is derived
from `SECRET_KEY` and the token's random nonce (`services.ingest.signing`), shown once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenants.models import Client, User


class IngestToken(models.Model):
    """A credential an RMM or agent uses to push one client's results."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="ingest_tokens")
    name = models.CharField(max_length=80, help_text="What uses it, e.g. 'Datto RMM'.")
    key_id = models.CharField(
        max_length=40, unique=True, help_text="Public identifier sent in the X-Ingest-Key header."
    )
    secret_nonce = models.CharField(
        max_length=64, help_text="Random input from which SECRET_KEY derives the secret (never the secret)."
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["client"], condition=Q(revoked_at__isnull=True), name="ingest_token_active_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IngestBatch(models.Model):
    """A batch accepted from a client's RMM: its `batch_id` is refused if sent again.

    Rows are kept `INGEST_BATCH_KEEP_HOURS` (a replay older than the timestamp window is
    refused anyway) and pruned by the `ingest-batch-prune` beat job.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(IngestToken, null=True, on_delete=models.SET_NULL, related_name="batches")
    batch_id = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    item_count = models.PositiveIntegerField()
    check_count = models.PositiveIntegerField(default=0)
    device_count = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["client", "batch_id"], name="ingest_batch_once")]
        indexes = [models.Index(fields=["received_at"], name="ingest_batch_received_idx")]

    def __str__(self) -> str:
        return f"batch {self.batch_id} of {self.client_id}"
