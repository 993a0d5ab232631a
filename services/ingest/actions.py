"""Ingest use cases: create and revoke tokens (staff), and receive one verified batch.

Callers authorise first: the GraphQL mutations check the staff member's role and reach;
the endpoint (`services.ingest.views`) verifies the token's signature, timestamp and rate
limit before `receive_batch` runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.infrastructure.device_reports import RecordedDevices, record_device_reports
from services.infrastructure.monitoring import RecordedResults, record_check_results
from services.ingest import signing
from services.ingest.models import IngestBatch, IngestToken
from services.ingest.payload import Batch, Problem
from tenants.access import ensure_client_writable
from tenants.actions import record_audit
from tenants.models import Client, User

NAME_MAX = 80


@dataclass(frozen=True)
class CreatedToken:
    token: IngestToken
    secret: str  # shown once; never stored


def create_token(client: Client, *, actor: User, name: str, now: datetime | None = None) -> CreatedToken:
    """A new token for `client`'s RMM. Several may be active at once (rotation: create the
    new one, switch the RMM over, revoke the old one), at most `INGEST_MAX_ACTIVE_TOKENS`."""
    ensure_client_writable(client)
    name = (name or "").strip()
    if not name:
        raise ActionError.single(
            "REQUIRED", "Name the token after what will use it, e.g. 'Datto RMM'.", "name"
        )
    if len(name) > NAME_MAX:
        raise ActionError.single("TOO_LONG", f"Use at most {NAME_MAX} characters.", "name")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ActionError.single("INVALID", "The name can't contain control characters.", "name")
    now = now or timezone.now()
    with transaction.atomic():
        # Serialise token creation per client so two requests can't both pass the count.
        Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").first()
        active = IngestToken.objects.filter(client=client, revoked_at__isnull=True).count()
        if active >= settings.INGEST_MAX_ACTIVE_TOKENS:
            raise ActionError.single(
                "TOO_MANY",
                f"{client.name} already has {active} active tokens; revoke one it no longer uses first.",
                None,
            )
        key_id = signing.new_key_id()
        nonce = signing.new_nonce()
        token = IngestToken.objects.create(
            client=client, name=name, key_id=key_id, secret_nonce=nonce, created_by=actor, created_at=now
        )
        record_audit(
            "ingest.token_created", actor=actor, client=client, token=token.pk, key_id=key_id, name=name
        )
    return CreatedToken(token=token, secret=signing.derive_secret(key_id, nonce))


def revoke_token(
    token_id: int, *, actor: User, clients: Sequence[int], now: datetime | None = None
) -> IngestToken:
    """Revoke a token of one of `clients` (the ids the actor may manage). Revoking twice is
    harmless: the first revocation stands."""
    now = now or timezone.now()
    with transaction.atomic():
        token = (
            IngestToken.objects.select_for_update()
            .select_related("client")
            .filter(pk=token_id, client_id__in=list(clients))
            .first()
        )
        if token is None:
            raise ActionError.single("NOT_FOUND", "No such ingest token.", "id")
        if token.revoked_at is None:
            token.revoked_at = now
            token.revoked_by = actor
            token.save(update_fields=["revoked_at", "revoked_by"])
            record_audit(
                "ingest.token_revoked", actor=actor, client=token.client, token=token.pk, key_id=token.key_id
            )
    return token


class BatchReplayed(Exception):
    """This client already sent a batch with this id (within `INGEST_BATCH_KEEP_HOURS`)."""

    def __init__(self, first: IngestBatch, same_body: bool):
        super().__init__(first.batch_id)
        self.first = first
        self.same_body = same_body


class ItemsRejected(Exception):
    """Items the client's data refuses (e.g. a monitor key the client does not have)."""

    def __init__(self, problems: dict[int, list[Problem]]):
        super().__init__(f"{len(problems)} item(s) rejected")
        self.problems = problems


@dataclass(frozen=True)
class Received:
    batch: IngestBatch
    checks: RecordedResults
    devices: RecordedDevices


def receive_batch(token: IngestToken, batch: Batch, *, body_sha256: str, now: datetime) -> Received:
    """Store one verified, well-formed batch of `token`'s client, all or nothing.

    The client is the token's, never anything the request says. The batch id is recorded
    in the same transaction as what the batch reports, so a batch is either stored with its
    id (and refused if sent again: `BatchReplayed`) or not at all (and may be sent again)."""
    client = token.client
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IngestBatch.objects.create(
                    client=client,
                    token=token,
                    batch_id=batch.batch_id,
                    body_sha256=body_sha256,
                    item_count=batch.item_count,
                    check_count=len(batch.checks),
                    device_count=len(batch.devices),
                    received_at=now,
                )
        except IntegrityError:
            first = IngestBatch.objects.get(client=client, batch_id=batch.batch_id)
            raise BatchReplayed(first, same_body=first.body_sha256 == body_sha256) from None
        IngestToken.objects.filter(pk=token.pk).update(last_used_at=now)
        with tenant_context(client):
            checks = RecordedResults()
            if batch.checks:
                try:
                    checks = record_check_results(client, [check for _, check in batch.checks], now=now)
                except ActionError as exc:
                    raise ItemsRejected(_item_problems(exc, [index for index, _ in batch.checks])) from None
            devices = record_device_reports(client, [device for _, device in batch.devices], now=now)
    return Received(batch=row, checks=checks, devices=devices)


def _item_problems(exc: ActionError, indexes: list[int]) -> dict[int, list[Problem]]:
    """Monitoring's errors (`results.<n>.<field>`) as problems of the batch's items."""
    problems: dict[int, list[Problem]] = {}
    for error in exc.errors:
        parts = (error.field or "").split(".")
        position = int(parts[1]) if len(parts) >= 2 and parts[0] == "results" and parts[1].isdigit() else None
        name = _snake(parts[2]) if len(parts) > 2 else ""
        name = "monitor" if name in ("monitor_key", "monitor_id") else name
        code = {"NOT_FOUND": "not_found", "TOO_MANY": "too_many_items"}.get(error.code, "invalid")
        if position is not None and position < len(indexes):
            problems.setdefault(indexes[position], []).append(Problem(name, code, error.message))
        else:
            for index in indexes:
                problems.setdefault(index, []).append(Problem(name, code, error.message))
    return problems


def _snake(name: str) -> str:
    """Monitoring names fields the GraphQL way (`observedAt`); the ingest body says `observed_at`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def prune_batches(*, now: datetime | None = None) -> int:
    """Forget batch ids older than `INGEST_BATCH_KEEP_HOURS` (far beyond the timestamp
    window, after which a replay is refused as stale anyway)."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.INGEST_BATCH_KEEP_HOURS)
    deleted, _ = IngestBatch.objects.filter(received_at__lt=cutoff).delete()
    return deleted
