"""What a queue request costs: the total is counted only when asked for and only up to a cap,
pages still page, and the `breached` filter's index-friendly form matches what it replaced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.graphql.types import CappedCountConnection
from services.workqueue.models import BreachState, WorkItem
from services.workqueue.selectors import queue_queryset

PAGE = """query($first: Int, $after: String, $breached: Boolean) {
  queue(first: $first, after: $after, breached: $breached) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { number } } } }"""
COUNTED = """query($first: Int, $breached: Boolean) {
  queue(first: $first, breached: $breached) { totalCount totalCountIsCapped edges { node { number } } } }"""
ONLY_CAPPED = "{ queue(first: 1) { totalCountIsCapped } }"


def _items(world, specs: Sequence[tuple[str, int | None]]) -> list[WorkItem]:
    """Open work items of client A: (breach state, deadline in minutes from now or None)."""
    now = timezone.now()
    return WorkItem.objects.bulk_create(
        WorkItem(
            client=world.a,
            kind="ticket",
            object_id=index + 1,
            number=index + 1,
            title=f"Item {index + 1}",
            priority="P3",
            status="open",
            service_line="support",
            breach_state=state,
            next_deadline_at=None if minutes is None else now + timedelta(minutes=minutes),
        )
        for index, (state, minutes) in enumerate(specs)
    )


def _counts(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_no_count_unless_the_total_is_asked_for(world, gql):
    _items(world, [(BreachState.ON_TRACK, 60 * n) for n in range(1, 8)])
    tech = gql(world.technician)
    with CaptureQueriesContext(connection) as without:
        page = tech.data(PAGE, {"first": 3})["queue"]
    assert [e["node"]["number"] for e in page["edges"]] == [1, 2, 3]
    assert _counts(without) == []
    with CaptureQueriesContext(connection) as counted:
        assert tech.data(COUNTED, {"first": 3})["queue"]["totalCount"] == 7
    assert len(_counts(counted)) == 1
    # Asking for the total costs exactly one query more than not asking.
    assert len(counted.captured_queries) == len(without.captured_queries) + 1
    # `totalCountIsCapped` alone counts too (the two share the one count).
    with CaptureQueriesContext(connection) as capped_only:
        assert tech.data(ONLY_CAPPED)["queue"]["totalCountIsCapped"] is False
    assert len(_counts(capped_only)) == 1


def test_pages_without_counting_match_the_counted_pages(world, gql):
    _items(world, [(BreachState.ON_TRACK, 60 * n) for n in range(1, 6)])
    tech = gql(world.technician)
    first = tech.data(PAGE, {"first": 2})["queue"]
    assert first["pageInfo"]["hasNextPage"] is True and first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    second = tech.data(PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]})["queue"]
    assert [e["node"]["number"] for e in second["edges"]] == [3, 4]
    assert second["pageInfo"]["hasNextPage"] is True
    last = tech.data(PAGE, {"first": 2, "after": second["pageInfo"]["endCursor"]})["queue"]
    assert [e["node"]["number"] for e in last["edges"]] == [5]
    assert last["pageInfo"]["hasNextPage"] is False
    exact = tech.data(PAGE, {"first": 5})["queue"]
    assert len(exact["edges"]) == 5 and exact["pageInfo"]["hasNextPage"] is False
    empty = tech.data(PAGE, {"first": 0})["queue"]
    assert empty["edges"] == [] and empty["pageInfo"]["hasNextPage"] is True
    assert empty["pageInfo"]["startCursor"] is None


def test_large_totals_are_capped_and_say_so(world, gql, monkeypatch):
    _items(world, [(BreachState.ON_TRACK, 60 * n) for n in range(1, 6)])
    tech = gql(world.technician)
    monkeypatch.setattr(CappedCountConnection, "count_cap", 3)
    with CaptureQueriesContext(connection) as queries:
        capped = tech.data(COUNTED, {"first": 2})["queue"]
    assert (capped["totalCount"], capped["totalCountIsCapped"]) == (3, True)
    # The count stops at cap + 1 rows: a LIMIT inside the one COUNT query.
    [count] = _counts(queries)
    assert "LIMIT 4" in count
    monkeypatch.setattr(CappedCountConnection, "count_cap", 5)
    exact = tech.data(COUNTED, {"first": 2})["queue"]
    assert (exact["totalCount"], exact["totalCountIsCapped"]) == (5, False)


@pytest.mark.parametrize("minutes_ago", [0, 1])
def test_breached_filter_matches_the_plain_or(world, gql, minutes_ago):
    specs = [
        (BreachState.BREACHED, 30),  # flagged, deadline ahead (a later clock)
        (BreachState.BREACHED, -90),  # flagged and overdue: listed once
        (BreachState.BREACHED, None),  # flagged, paused
        (BreachState.ON_TRACK, -1),  # overdue, not swept yet
        (BreachState.WARNING, -minutes_ago),  # due right now (<= now) or a minute ago
        (BreachState.WARNING, 5),
        (BreachState.ON_TRACK, 120),
        (BreachState.PAUSED, None),
    ]
    items = _items(world, specs)
    WorkItem.objects.filter(pk=items[-1].pk).update(is_open=False, breach_state=BreachState.BREACHED)
    now = timezone.now() + timedelta(seconds=1)
    # The condition spelled out, in the queue's order.
    old = WorkItem.objects.filter(
        Q(breach_state=BreachState.BREACHED) | Q(next_deadline_at__lte=now), is_open=True
    ).order_by(F("next_deadline_at").asc(nulls_last=True), "id")
    new = queue_queryset(world.technician, now=now, breached=True)
    assert list(new.values_list("pk", flat=True)) == list(old.values_list("pk", flat=True))
    assert new.count() == 5
    tech = gql(world.technician)
    answer = tech.data(COUNTED, {"first": 50, "breached": True})["queue"]
    assert answer["totalCount"] == 5 and len(answer["edges"]) == 5
    assert sorted(e["node"]["number"] for e in answer["edges"]) == [1, 2, 3, 4, 5]
