"""MRR from running totals: issuing adds an invoice's charge lines to its month, voiding
takes them away, payments, credit notes and write-offs leave them; the totals always equal
the aggregate over the lines, and the dashboard reads them in one query each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing import actions, mrr, runs, selectors
from billing.models import ClientMrrMonth, Invoice, MrrMonth, RunItem
from tests.billing.conftest import add_line, make_contract
from tests.conftest import World


def _issue(world: World, client, run_on: date) -> Invoice:
    run = runs.start_run(run_on, trigger="command", enqueue=False, client_ids=[client.pk])
    item = RunItem.objects.get(run=run, client=client)
    runs.draft_item(item.pk)
    actions.approve_run_item(item, actor=world.admin)
    return actions.issue_run_item(item, actor=world.admin, today=run_on)


def _stored() -> tuple[list[tuple], list[tuple]]:
    by_line = [
        (r.month, r.service_line, r.currency, r.total, r.lines)
        for r in MrrMonth.objects.order_by("month", "service_line", "currency")
    ]
    by_client = [
        (r.client_id, r.month, r.currency, r.total, r.lines)
        for r in ClientMrrMonth.objects.order_by("client_id", "month", "currency")
    ]
    return by_line, by_client


def _live() -> tuple[list[tuple], list[tuple]]:
    return [tuple(r) for r in mrr.live_by_service_line()], [tuple(r) for r in mrr.live_by_client()]


def test_running_totals_follow_issue_and_void_and_equal_the_lines(
    world: World, django_assert_num_queries
) -> None:
    a = make_contract(world.a, world.admin)
    add_line(a, world.admin, "flat", "1000.00", service_line="support")
    add_line(a, world.admin, "flat", "250.50", service_line="security")
    add_line(a, world.admin, "one_off", "99.00", starts_on=date(2026, 3, 10))  # not recurring
    b = make_contract(world.b, world.admin, currency="EUR")
    add_line(b, world.admin, "flat", "400.00", service_line="support")
    march_a = _issue(world, world.a, date(2026, 4, 1))
    march_b = _issue(world, world.b, date(2026, 4, 1))
    april_a = _issue(world, world.a, date(2026, 5, 1))
    assert _stored() == _live()
    by_line = {
        (r["month"], r["service_line"], r["invoice__currency"]): r["total"]
        for r in selectors.mrr_by_service_line(date(2026, 5, 15), 12)
    }
    assert by_line[(date(2026, 3, 1), "support", "USD")] == Decimal("1000.00")
    assert by_line[(date(2026, 3, 1), "security", "USD")] == Decimal("250.50")
    assert by_line[(date(2026, 3, 1), "support", "EUR")] == Decimal("400.00")
    # Payments, credit notes and write-offs leave MRR as it was.
    actions.record_payment(march_a, actor=world.admin, amount="500.00")
    actions.create_credit_note(march_a, actor=world.admin, amount="100.00", reason="Goodwill")
    actions.mark_uncollectible(march_b, actor=world.admin, reason="Gone")
    assert _stored() == _live()
    # Voiding takes April out again: its rows go (the lines' aggregate has none for April).
    actions.void_invoice(april_a, actor=world.admin, reason="Issued twice")
    assert _stored() == _live()
    assert not MrrMonth.objects.filter(month=date(2026, 4, 1)).exists()
    clients = selectors.mrr_by_client(date(2026, 5, 15), 12)
    assert [(r["invoice__client__slug"], r["month"], r["total"]) for r in clients] == [
        (world.a.slug, date(2026, 3, 1), Decimal("1250.50")),
        (world.b.slug, date(2026, 3, 1), Decimal("400.00")),
    ]
    # A window that starts after March shows nothing; the dashboard reads one query each.
    assert selectors.mrr_by_client(date(2027, 6, 1), 3) == []
    with django_assert_num_queries(2):
        selectors.mrr_by_service_line(date(2026, 5, 15), 24)
        selectors.mrr_by_client(date(2026, 5, 15), 24)
    # Rebuilding from the lines gives the same rows.
    before = _stored()
    MrrMonth.objects.all().delete()
    assert mrr.rebuild() == (len(before[0]), len(before[1]))
    assert _stored() == before
