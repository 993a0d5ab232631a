"""Two Celery workers running two beat-scheduled sweeps at once, through the real Redis
broker and PostgreSQL: each stage of an item is still notified once to each follower and
e-mailed once.

The worker has two execution threads (Celery's thread pool, concurrency 2: in one test
process two worker controllers would share kombu's event loop, and the solo pool runs tasks
on that loop's thread, one after the other), each with its own database connection, so the
two messages run at once as on two worker processes. The overlap is forced, not hoped for. The first sweep to reach the chosen point waits there until the other sweep
has finished:

* `locked`: the first sweep holds its batch's row locks (inside its transaction, after the
  claim) while the second runs from start to end: the second saw the items as due, and its
  claim skips the locked rows;
* `stale`: the first sweep has picked its candidates and waits before claiming them while
  the second sweeps and commits: the first claims candidates that are no longer due, and the
  claim's re-check leaves them alone.

Waits are on events set by the other worker's thread, each bounded; nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from core.outbox import relay
from msp_portal.celery import app
from services.support.models import Ticket
from services.workqueue import sweep
from services.workqueue.models import BreachState, Notification, WorkItem
from services.workqueue.sweep import SEND_EMAILS_TASK
from services.workqueue.tasks import sweep_sla_alerts_task

pytestmark = pytest.mark.celery_worker

WAIT = 60  # seconds: the bound on every wait (a failure, never a pause)
SWEEP_TASK = "workqueue.sweep_sla_alerts"


@pytest.fixture(scope="module")
def two_workers(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """A real worker on this run's queue with two execution threads, each with its own
    database connection and taking one message at a time: two sweeps run at once, as on two
    worker processes."""
    before = (app.conf.task_always_eager, app.conf.worker_prefetch_multiplier)
    with django_db_blocker.unblock():
        app.conf.task_always_eager = False
        app.conf.worker_prefetch_multiplier = 1
        try:
            with start_worker(
                app,
                pool="threads",
                concurrency=2,
                perform_ping_check=False,
                shutdown_timeout=10,
                hostname="sweeps@test",
            ):
                yield
        finally:
            app.conf.task_always_eager, app.conf.worker_prefetch_multiplier = before


class Finished:
    """Counts finished tasks by name (the workers are threads of this process)."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.counts: dict[str, int] = {}
        self.sweep_threads: list[int] = []

    def __call__(self, sender: Any = None, **kwargs: Any) -> None:
        with self.condition:
            name = getattr(sender, "name", "")
            self.counts[name] = self.counts.get(name, 0) + 1
            if name == SWEEP_TASK:
                self.sweep_threads.append(threading.get_ident())
            self.condition.notify_all()

    def wait_for(self, name: str, count: int) -> None:
        with self.condition:
            if not self.condition.wait_for(lambda: self.counts.get(name, 0) >= count, timeout=WAIT):
                raise AssertionError(f"{name}: {self.counts.get(name, 0)} of {count} runs finished in time")


@pytest.fixture
def finished() -> Iterator[Finished]:
    counter = Finished()
    task_postrun.connect(counter, weak=False)
    try:
        yield counter
    finally:
        task_postrun.disconnect(counter)


def hold_first_sweep_at(monkeypatch: pytest.MonkeyPatch, where: str, finished: Finished) -> list[int]:
    """Make the first sweep that reaches `where` wait there until another sweep has finished.
    Returns the list the held thread's id is put in."""
    held: list[int] = []
    lock = threading.Lock()
    enough = finished.counts.get(SWEEP_TASK, 0) + 1
    target = {"locked": "who_reaches", "stale": "_claim_and_decide_sql"}[where]
    original = getattr(sweep, target)

    def hold(*args: Any, **kwargs: Any) -> Any:
        with lock:
            first = not held
            if first:
                held.append(threading.get_ident())
        if first:
            with finished.condition:
                others_done = finished.condition.wait_for(
                    lambda: finished.counts.get(SWEEP_TASK, 0) >= enough, timeout=WAIT
                )
            if not others_done:
                raise AssertionError("the other sweep never ran while this one was held")
        return original(*args, **kwargs)

    monkeypatch.setattr(sweep, target, hold)
    return held


@pytest.fixture
def followed_item(world_state: Any, django_db_blocker: Any) -> Iterator[WorkItem]:
    """A committed ticket assigned to a technician (the client has an account manager, so
    each stage has two followers), removed afterwards with what the sweeps wrote."""
    with django_db_blocker.unblock():
        from services.support.actions import NewTicket, assign_ticket, create_ticket

        first_outbox = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
        now = timezone.now()
        with tenant_context(world_state.b):
            ticket = create_ticket(
                world_state.b,
                NewTicket(title="Two workers", impact="medium", urgency="high"),
                actor=world_state.b_lead,
                now=now,
            )
            assign_ticket(
                world_state.b,
                ticket.number,
                actor=world_state.technician,
                assignee_id=world_state.technician.pk,
                now=now,
            )
        item = WorkItem.objects.get(client=world_state.b, object_id=ticket.pk)
        try:
            yield item
        finally:
            Notification.objects.filter(dedupe_key__startswith=f"sla:{item.pk}:").delete()
            OutboxMessage.objects.filter(id__gt=first_outbox).delete()
            item.delete()
            with tenant_context(world_state.b):
                Ticket.objects.filter(pk=ticket.pk).delete()


def _come_due(item: WorkItem, stage: int) -> None:
    """Time passes (as the engine would have scheduled it): `stage` is due a minute ago, the
    stages after it are still ahead. The sweep runs at the real time, as beat starts it."""
    now = timezone.now()
    labels = {1: "75%", 2: "90%", 3: "breached"}
    schedule = [
        {"stage": number, "label": labels[number], "at": (now + timedelta(hours=number - stage)).isoformat()}
        for number in range(stage, 4)
    ]
    schedule[0]["at"] = (now - timedelta(minutes=1)).isoformat()
    WorkItem.objects.filter(pk=item.pk).update(
        alert_schedule=schedule,
        next_alert_at=now - timedelta(minutes=1),
        next_deadline_at=now + timedelta(hours=3 - stage),
    )


@pytest.mark.parametrize("where", ["locked", "stale"])
def test_two_workers_sweeping_at_once_notify_and_email_each_stage_once(
    two_workers, world_state, followed_item, finished, django_db_blocker, monkeypatch, where
):
    followers = sorted([world_state.technician.pk, world_state.account_manager.pk])
    with django_db_blocker.unblock():
        # Earlier tests of this run may have left senders of their own in the outbox.
        outbox_before = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
        for stage in (1, 2, 3):
            _come_due(followed_item, stage)
            swept_before = len(finished.sweep_threads)
            held = hold_first_sweep_at(monkeypatch, where, finished)
            # Beat's two overlapping runs: one message each, taken by the two workers.
            results = [sweep_sla_alerts_task.delay(), sweep_sla_alerts_task.delay()]
            outcomes = [result.get(timeout=WAIT) for result in results]
            monkeypatch.undo()
            # A result is stored just before its task's postrun signal: wait for both signals.
            finished.wait_for(SWEEP_TASK, swept_before + 2)
            assert held, "no sweep reached the point where it was to be held"
            assert len(set(finished.sweep_threads[swept_before:])) == 2, "both sweeps ran on one thread"
            assert sum(outcome["notifications"] for outcome in outcomes) == 2  # one per follower
            assert sorted(outcome["notifications"] for outcome in outcomes) == [0, 2]

            # The e-mails: the notifying sweep queued one sender through the outbox; publish
            # anything its quick relay left and wait for that sender to have run.
            relay()
            senders = OutboxMessage.objects.filter(
                task=SEND_EMAILS_TASK, sent_at__isnull=False, id__gt=outbox_before
            ).count()
            finished.wait_for(SEND_EMAILS_TASK, senders)

            rows = Notification.objects.filter(dedupe_key__startswith=f"sla:{followed_item.pk}:")
            this_stage = rows.filter(dedupe_key__regex=rf":{stage}:[0-9]+$")  # …:<stage>:<user id>
            assert sorted(this_stage.values_list("user_id", flat=True)) == followers
            assert not rows.filter(email_pending=True).exists()
            assert rows.filter(emailed_at__isnull=False).count() == 2 * stage
            followed_item.refresh_from_db()
            assert followed_item.notified_stage == stage
        assert followed_item.breach_state == BreachState.BREACHED

    # Three stages, two followers: six notifications and six e-mails, none twice.
    titles = [(message.to[0], message.subject) for message in mail.outbox]
    assert len(titles) == len(set(titles)) == 6
    assert sorted({to for to, _ in titles}) == sorted(
        [world_state.technician.email, world_state.account_manager.email]
    )
