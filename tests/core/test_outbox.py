"""The transactional outbox: work decided in a transaction is stored in it, and reaches the
broker once the broker answers — never lost when Redis is down, never holding a request."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from core.tasks import enqueue_on_commit, relay_outbox_task
from msp_portal.celery import app
from tenants.models import ProvisioningJob, ProvisioningStatus

PROVISION = """mutation($input: ProvisionClientInput!) {
  provisionClient(input: $input) { job { id status } errors { field code message } }
}"""


@pytest.fixture(autouse=True)
def fresh_memo() -> Iterator[None]:
    """A broker found down in one test must not skip the quick relay in the next."""
    outbox.broker_memo.mark(ok=True)
    yield
    outbox.broker_memo.mark(ok=True)


def _broker_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Producer connections go to `url` (with every option the relay asks for)."""
    original = app.connection_for_write
    monkeypatch.setattr(app, "connection_for_write", lambda url_=None, **options: original(url, **options))


@pytest.fixture
def silent_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A broker that accepts connections and then never answers (a hung Redis): the worst
    case for a request, which would wait on it without a bound."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    url = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    _broker_at(monkeypatch, url)
    try:
        yield url
    finally:
        server.close()


def _queue() -> int:
    """Queue a harmless system task; returns its outbox row id."""
    message_id = enqueue_on_commit("tenants.revoke_expired_invitations")
    assert message_id is not None
    return message_id


def _queued_task_ids() -> list[str]:
    """Task ids waiting in this test run's queue on the real broker."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    raw = client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
    return [json.loads(item)["headers"]["id"] for item in raw]


def test_the_message_is_stored_in_the_transaction_and_rolled_back_with_it(world):
    with transaction.atomic():
        kept = _queue()
    assert OutboxMessage.objects.filter(pk=kept, sent_at__isnull=True).exists()

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        lost = _queue()
        assert OutboxMessage.objects.filter(pk=lost).exists()
        raise Refused
    assert not OutboxMessage.objects.filter(pk=lost).exists()


def test_nothing_is_published_before_the_commit(world, django_capture_on_commit_callbacks, monkeypatch):
    published = []
    monkeypatch.setattr(outbox, "publish", lambda message, conn: published.append(message.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_id = _queue()
    assert published == []
    for callback in callbacks:
        callback()
    assert published == [message_id]
    assert OutboxMessage.objects.get(pk=message_id).sent_at is not None


def test_a_row_is_marked_sent_only_after_the_broker_accepted_it(world, monkeypatch):
    first = _queue()
    second = _queue()

    def refuse(message, conn):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(outbox, "publish", refuse)
    result = outbox.relay(ids=[first, second])
    assert (result.sent, result.failed, result.error) == (0, 2, "ConnectionRefusedError")
    pending = OutboxMessage.objects.get(pk=first)
    assert pending.sent_at is None and pending.attempts == 1 and pending.available_at > timezone.now()
    assert "Connection refused" not in pending.last_error  # no socket details kept

    # Not due yet: a relay right away leaves it alone; once due, it goes.
    published = []
    monkeypatch.setattr(outbox, "publish", lambda message, conn: published.append(message.pk))
    assert outbox.relay(ids=[first, second]).sent == 0
    OutboxMessage.objects.filter(pk__in=[first, second]).update(available_at=timezone.now())
    assert outbox.relay(ids=[first, second]).sent == 2
    assert published == [first, second]
    assert OutboxMessage.objects.filter(pk__in=[first, second], sent_at__isnull=True).count() == 0


def test_a_relay_that_fails_mid_batch_keeps_what_was_published(world, monkeypatch):
    ids = [_queue() for _ in range(3)]
    calls = []

    def second_fails(message, conn):
        calls.append(message.pk)
        if len(calls) == 2:
            raise TimeoutError("timed out")

    monkeypatch.setattr(outbox, "publish", second_fails)
    result = outbox.relay(ids=ids)
    assert (result.sent, result.failed) == (1, 2)
    assert list(
        OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=False).values_list("pk", flat=True)
    ) == [ids[0]]


def test_the_relay_publishes_to_the_real_broker_with_the_schema(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message_id = enqueue_on_commit("directory.sync_member_contacts", schema_name=world.a.schema_name)
    assert message_id is not None
    message = OutboxMessage.objects.get(pk=message_id)
    assert message.sent_at is not None and message.schema_name == "client_alpha"
    assert str(message.task_id) in _queued_task_ids()


def test_a_tenant_task_is_refused_inside_the_transaction_without_a_client_schema(world):
    from core.tasks import TenantRequiredError

    with pytest.raises(TenantRequiredError), transaction.atomic():
        enqueue_on_commit("directory.sync_member_contacts")
    assert not OutboxMessage.objects.filter(
        task="directory.sync_member_contacts", sent_at__isnull=True
    ).exists()


def test_a_dedupe_key_stores_one_message(world):
    first = enqueue_on_commit("tenants.revoke_expired_invitations", dedupe_key="once")
    assert enqueue_on_commit("tenants.revoke_expired_invitations", dedupe_key="once") is None
    assert OutboxMessage.objects.filter(dedupe_key="once").values_list("pk", flat=True).get() == first


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_broker_down_the_request_returns_fast_and_the_row_waits(
    world, gql, django_capture_on_commit_callbacks, monkeypatch, request, kind
):
    """The reported hang: provisionClient waited 19 s on a Redis that was down and left a
    job queued forever. Now the request answers within the publish bound (1 s), the job
    and its message are committed, and the beat relay delivers them once Redis is back."""
    if kind == "silent":
        request.getfixturevalue("silent_broker")
    else:
        _broker_at(monkeypatch, "redis://127.0.0.1:1/0")  # nothing listens there
    graphql = gql(world.admin)
    variables = {
        "input": {
            "name": "Hotel",
            "slug": "hotel",
            "industry": "OTHER",
            "tier": "STANDARD",
            "itLeadEmail": "lead@hotel.test",
            "itLeadName": "H",
        }
    }
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        payload = graphql.data(PROVISION, variables)["provisionClient"]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    # What the request spends on the broker after its commit (the rest of the request is the
    # mutation itself): within the publish bound, where it used to wait without one.
    started = time.monotonic()
    for callback in after_commit:
        callback()
    elapsed = time.monotonic() - started
    assert elapsed < 2 * settings.OUTBOX_PUBLISH_TIMEOUT + 1, elapsed
    job = ProvisioningJob.objects.get(pk=payload["job"]["id"])
    message = OutboxMessage.objects.get(dedupe_key=f"provision:{job.pk}")
    assert message.sent_at is None and message.attempts == 1

    # During the outage, further requests don't even try (the process remembers).
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
    assert time.monotonic() - started < 0.5

    # Redis is back: the beat relay delivers what waited.
    monkeypatch.undo()
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    relay_outbox_task.apply().get()
    message.refresh_from_db()
    assert message.sent_at is not None
    assert str(message.task_id) in _queued_task_ids()
    assert ProvisioningJob.objects.get(pk=job.pk).status == ProvisioningStatus.QUEUED


def test_two_relays_never_publish_the_same_row(world_state, django_db_blocker):
    """Relay A holds a claimed batch (its publish is slow); relay B, on its own connection,
    skips those rows (SKIP LOCKED) instead of publishing them a second time."""
    with django_db_blocker.unblock():
        ids = [_queue() for _ in range(4)]
        OutboxMessage.objects.filter(pk__in=ids).update(sent_at=None)  # undo the quick relay
    published: list[tuple[str, int]] = []
    a_claimed = threading.Event()
    b_done = threading.Event()
    original = outbox.publish

    def publish(message, conn):
        who = threading.current_thread().name
        published.append((who, message.pk))
        if who == "A":
            a_claimed.set()
            b_done.wait(timeout=10)

    def run(name: str) -> None:
        with django_db_blocker.unblock():
            try:
                if name == "B":
                    a_claimed.wait(timeout=10)
                outbox.relay(ids=ids, batch_size=2 if name == "A" else 10, max_batches=1)
            finally:
                if name == "B":
                    b_done.set()
                connection.close()

    outbox.publish = publish  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        outbox.publish = original  # type: ignore[assignment]
        with django_db_blocker.unblock():
            sent = set(
                OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=False).values_list("pk", flat=True)
            )
            OutboxMessage.objects.filter(pk__in=ids).delete()
    pks = [pk for _, pk in published]
    assert sorted(pks) == sorted(ids) and len(set(pks)) == len(pks)  # each row once
    assert {pk for who, pk in published if who == "A"} == set(ids[:2])
    assert sent == set(ids)


def test_old_sent_rows_are_pruned_and_pending_ones_never(world):
    old = _queue()
    waiting = _queue()
    OutboxMessage.objects.filter(pk=old).update(sent_at=timezone.now() - timedelta(days=8))
    OutboxMessage.objects.filter(pk=waiting).update(
        sent_at=None, created_at=timezone.now() - timedelta(days=30)
    )
    assert outbox.prune_sent() >= 1
    assert not OutboxMessage.objects.filter(pk=old).exists()
    assert OutboxMessage.objects.filter(pk=waiting).exists()
