"""Database-level change history (django-pghistory + django-pgtrigger).

Tracked models get an `<Model>Event` table filled by PostgreSQL triggers on every insert,
update and delete, so no code path (ORM, `.update()`, raw SQL, Django admin, a shell) can
skip it. Each event carries the request's context (the signed-in user and URL, set by
`pghistory.middleware.HistoryMiddleware`; actions outside a request may add
`pghistory.context(...)`).

Event tables are append-only: `append_only()` adds a trigger, not tied to pgtrigger's
ignore mechanism, that refuses every UPDATE and DELETE. It lives in the migrations, so it is
in every client schema (the template is migrated and clones copy its triggers). See
docs/audit-history.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pghistory
from django.db import migrations

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION public.history_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history table %.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def trackers() -> tuple[pghistory.RowEvent, ...]:
    """What every tracked model records: its row after an insert or a change, before a delete."""
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def append_only(*tables: str) -> migrations.RunSQL:
    """A migration operation: these event tables refuse UPDATE and DELETE from anyone."""
    sql = [APPEND_ONLY_FUNCTION]
    reverse = []
    for table in tables:
        trigger = f"{table}_append_only"
        sql.append(
            f'CREATE TRIGGER "{trigger}" BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION public.history_is_append_only();"
        )
        reverse.append(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}";')
    return migrations.RunSQL("\n".join(sql), reverse_sql="\n".join(reverse))


KINDS = {"insert": "created", "update": "changed", "delete": "deleted"}

# Columns never shown in a history entry (bookkeeping, or changed by every write).
HIDDEN_FIELDS = {"id", "updated_at", "created_at", "alert_schedule", "next_alert_at", "search_vector"}


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one row, for people: what, when, by whom, which fields."""

    at: datetime
    kind: str  # "created", "changed", "deleted"
    subject: str  # e.g. "Ticket", "Membership"
    label: str  # the row in words, e.g. "#12 Printer jams", "lead@alpha.test"
    actor_id: int | None
    changes: tuple[Change, ...] = field(default_factory=tuple)
    actor_name: str = ""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def entries_from_events(
    events: list[Any], *, subject: str, fields: list[str], label: Callable[[Any], str]
) -> list[HistoryEntry]:
    """History entries from `<Model>Event` rows (any order), diffing each row's snapshot
    against the previous snapshot of the same object. `label(event)` names the row."""
    by_object: dict[Any, list[Any]] = {}
    for event in events:
        by_object.setdefault(event.pgh_obj_id, []).append(event)
    entries: list[HistoryEntry] = []
    for rows in by_object.values():
        rows.sort(key=lambda e: (e.pgh_created_at, e.pgh_id))
        previous = None
        for event in rows:
            kind = {"insert": "created", "update": "changed", "delete": "deleted"}.get(
                event.pgh_label, "changed"
            )
            changes: list[Change] = []
            if kind == "changed" and previous is not None:
                for name in fields:
                    before, after = getattr(previous, name), getattr(event, name)
                    if before != after:
                        changes.append(Change(name, _text(before), _text(after)))
                if not changes:
                    previous = event
                    continue
            elif kind == "created":
                changes = [
                    Change(name, None, _text(getattr(event, name)))
                    for name in fields
                    if getattr(event, name) not in (None, "", [], {})
                ]
            context = event.pgh_context or {}
            actor = context.get("user") if isinstance(context, dict) else None
            entries.append(
                HistoryEntry(
                    at=event.pgh_created_at,
                    kind=kind,
                    subject=subject,
                    label=label(event),
                    actor_id=int(actor) if isinstance(actor, (int, str)) and str(actor).isdecimal() else None,
                    changes=tuple(changes),
                )
            )
            previous = event
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def tracked_fields(event_model: Any) -> list[str]:
    """The tracked row's columns copied into `event_model`, minus bookkeeping ones."""
    return [
        f.attname
        for f in event_model._meta.concrete_fields
        if not f.name.startswith("pgh_") and f.name not in HIDDEN_FIELDS
    ]


# Columns holding a public user id: shown as the person's name in history entries.
USER_ID_COLUMNS = {"assignee_id", "created_by_id", "user_id", "account_manager_id", "actor_id"}


def user_ids_in(entries: Iterable[HistoryEntry]) -> set[int]:
    """Every user id the entries name (actors, and user columns' values)."""
    ids: set[int] = set()
    for entry in entries:
        if entry.actor_id is not None:
            ids.add(entry.actor_id)
        for change in entry.changes:
            if change.field in USER_ID_COLUMNS:
                ids.update(int(v) for v in (change.before, change.after) if v is not None and v.isdecimal())
    return ids


def with_names(entries: list[HistoryEntry], names: dict[int, str]) -> list[HistoryEntry]:
    """Put people's names in: the actor's, and instead of ids in user columns."""

    def name(value: str | None) -> str | None:
        if value is None or not value.isdecimal():
            return value
        return names.get(int(value), f"user #{value}")

    named: list[HistoryEntry] = []
    for entry in entries:
        changes = tuple(
            Change(c.field.removesuffix("_id"), name(c.before), name(c.after))
            if c.field in USER_ID_COLUMNS
            else c
            for c in entry.changes
        )
        actor = names.get(entry.actor_id, "") if entry.actor_id is not None else ""
        named.append(replace(entry, changes=changes, actor_name=actor))
    return named
