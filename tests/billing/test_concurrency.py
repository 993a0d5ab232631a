"""Races on real connections (committed data, cleaned up afterwards): invoice numbers stay
gap-free and unique with concurrent issuers, and a run drafts each (client, period) once
with two dispatchers or two workers at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from billing import actions, runs
from billing.models import (
    BillingRun,
    BlockHourPeriod,
    Contract,
    ContractLine,
    CreditNote,
    Invoice,
    NumberSequence,
    Payment,
    RunItem,
    UsageSnapshot,
)
from tenants.models import Client
from tests.concurrency import first_holds_while_second_waits
from tests.conftest import World

RUN_ON = date(2026, 4, 1)


@pytest.fixture
def committed_clients(world_state: World, django_db_blocker: Any) -> Iterator[list[Client]]:
    """Eight committed clients (no schemas: billing is public data) with a flat contract each."""
    with django_db_blocker.unblock():
        clients = [
            Client.objects.create(name=f"Race {i}", slug=f"race-{i}", schema_name=f"race_{i}", kind="client")
            for i in range(8)
        ]
        for client in clients:
            actions.save_billing_profile(client, actor=world_state.admin, billing_day=1)
            contract = actions.create_contract(
                client, actor=world_state.admin, name="Flat", starts_on=date(2026, 1, 1)
            )
            actions.add_contract_line(
                contract,
                actor=world_state.admin,
                pricing_model="flat",
                description="Service",
                unit_price="10",
            )
        runs_before = set(BillingRun.objects.values_list("pk", flat=True))
        try:
            yield clients
        finally:
            ids = [c.pk for c in clients]
            Payment.objects.filter(client_id__in=ids).delete()
            CreditNote.objects.filter(client_id__in=ids).delete()
            BlockHourPeriod.objects.filter(client_id__in=ids).delete()
            Invoice.objects.filter(client_id__in=ids).delete()
            UsageSnapshot.objects.filter(run_item__client_id__in=ids).delete()
            RunItem.objects.filter(client_id__in=ids).delete()
            BillingRun.objects.exclude(pk__in=runs_before).delete()
            ContractLine.objects.filter(client_id__in=ids).delete()
            Contract.objects.filter(client_id__in=ids).delete()
            Client.objects.filter(pk__in=ids).delete()


def _drafts(clients: list[Client]) -> list[Invoice]:
    run = runs.start_run(RUN_ON, trigger="command", enqueue=False, client_ids=[c.pk for c in clients])
    for item in RunItem.objects.filter(run=run):
        runs.draft_item(item.pk)
    return list(Invoice.objects.filter(client__in=clients).order_by("client_id"))


def test_concurrent_issuers_take_consecutive_numbers_and_a_rollback_leaves_no_gap(
    committed_clients: list[Client], world_state: World, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        drafts = _drafts(committed_clients)
        start = (
            NumberSequence.objects.filter(kind="invoice").values_list("next_number", flat=True).first() or 1
        )
        barrier = threading.Barrier(len(drafts))
        errors: list[BaseException] = []

        def issue(invoice: Invoice, fail: bool) -> None:
            try:
                barrier.wait()
                with transaction.atomic():
                    actions.issue_invoice(invoice, actor=world_state.admin, today=RUN_ON)
                    if fail:
                        raise RuntimeError("the issuing request dies after taking its number")
            except RuntimeError:
                pass
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=issue, args=(inv, i == 3)) for i, inv in enumerate(drafts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        issued = Invoice.objects.filter(client__in=committed_clients, number__isnull=False)
        numbers = sorted(n for n in issued.values_list("number", flat=True) if n is not None)
        assert numbers == list(range(start, start + len(drafts) - 1))  # 7 issued, no gap, no duplicate
        assert Invoice.objects.filter(client__in=committed_clients, number__isnull=True).count() == 1


def test_the_second_issuer_waits_for_the_first_and_follows_it(
    committed_clients: list[Client], world_state: World, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        first, second = _drafts(committed_clients)[:2]
        one, two = first_holds_while_second_waits(
            lambda: actions.issue_invoice(first, actor=world_state.admin, today=RUN_ON),
            lambda: actions.issue_invoice(second, actor=world_state.admin, today=RUN_ON),
            "public",
        )
        assert two.number == one.number + 1


def test_two_dispatchers_at_once_make_one_item_per_client_and_period(
    committed_clients: list[Client], django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        ids = [c.pk for c in committed_clients]
        one, two = first_holds_while_second_waits(
            lambda: runs.start_run(RUN_ON, trigger="beat", enqueue=False, client_ids=ids),
            lambda: runs.start_run(RUN_ON, trigger="beat", enqueue=False, client_ids=ids),
            "public",
        )
        assert (one.total_items, two.total_items) == (8, 0)
        assert RunItem.objects.filter(client_id__in=ids).count() == 8


def test_two_workers_drafting_one_item_make_one_invoice(
    committed_clients: list[Client], django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        client = committed_clients[0]
        run = runs.start_run(RUN_ON, trigger="beat", enqueue=False, client_ids=[client.pk])
        item = RunItem.objects.get(run=run)
        first, second = first_holds_while_second_waits(
            lambda: runs.draft_item(item.pk), lambda: runs.draft_item(item.pk), "public"
        )
        assert first.status == second.status == "draft"
        assert Invoice.objects.filter(client=client).count() == 1
        assert UsageSnapshot.objects.filter(run_item=item).count() == 0  # flat only: nothing counted
