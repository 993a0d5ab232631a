"""Interval arithmetic behind availability (pure: no database).

A monitor's history is a list of state changes; between two changes the monitor was in
the state of the earlier one. Availability over a period is

    measured = time in a known state (up, degraded, down) − maintenance
    down     = time down − maintenance
    availability % = (measured − down) / measured × 100

so time before the first result, while paused, and inside maintenance windows counts
neither for nor against the service. Intervals are half-open [start, end).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

Interval = tuple[datetime, datetime]

KNOWN_STATES = frozenset({"up", "degraded", "down"})


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of `intervals` (empty ones dropped)."""
    ordered = sorted((s, e) for s, e in intervals if e > s)
    merged: list[Interval] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if min(e, end) > max(s, start)]


def subtract(intervals: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """`intervals` minus `holes` (both merged and sorted)."""
    result: list[Interval] = []
    for start, end in intervals:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def seconds(intervals: Iterable[Interval]) -> int:
    return int(sum((e - s).total_seconds() for s, e in intervals))


def state_intervals(
    changes: Sequence[tuple[datetime, str]], initial_state: str, start: datetime, end: datetime
) -> dict[str, list[Interval]]:
    """Split [start, end) by state. `changes` are (instant, new state) in time order; the
    state before the first change inside the period is the last earlier change's, or
    `initial_state` when there is none."""
    by_state: dict[str, list[Interval]] = {}
    state = initial_state
    cursor = start
    for at, new_state in changes:
        if at <= start:
            state = new_state
            continue
        if at >= end:
            break
        by_state.setdefault(state, []).append((cursor, at))
        state, cursor = new_state, at
    if cursor < end:
        by_state.setdefault(state, []).append((cursor, end))
    return by_state


def percent(measured_seconds: int, down_seconds: int) -> Decimal | None:
    """Availability in percent floored to 4 decimals (never rounded up to a promise it
    missed); None when nothing was measured."""
    if measured_seconds <= 0:
        return None
    value = Decimal(measured_seconds - down_seconds) * 100 / Decimal(measured_seconds)
    return value.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)


def figures(
    per_monitor_states: Sequence[dict[str, list[Interval]]], maintenance: Sequence[Interval]
) -> tuple[int, int, int]:
    """(measured, down, maintenance) seconds of the union of monitors: measured while any
    monitor was in a known state, down while any was down — maintenance left out."""
    holes = merge(maintenance)
    known = merge(i for states in per_monitor_states for s in KNOWN_STATES for i in states.get(s, []))
    down = merge(i for states in per_monitor_states for i in states.get("down", []))
    measured = subtract(known, holes)
    return seconds(measured), seconds(subtract(down, holes)), seconds(holes)
