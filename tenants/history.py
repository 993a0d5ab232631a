"""A client's change history for staff: the client row (status, tier, account manager…),
its memberships and its staff allow-list, from the pghistory event tables (core/history.py).
Four queries whatever the number of events."""

from __future__ import annotations

from dataclasses import replace

from django.apps import apps

from core.history import HistoryEntry, entries_from_events, tracked_fields, user_ids_in, with_names
from tenants.models import Client, User

HISTORY_LIMIT = 200


def user_names(ids: set[int]) -> dict[int, str]:
    return {
        pk: name or email
        for pk, name, email in User.objects.filter(pk__in=ids).values_list("pk", "full_name", "email")
    }


def client_history(client: Client, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Newest first, at most `limit` entries."""
    client_events = apps.get_model("tenants", "ClientEvent")
    membership_events = apps.get_model("tenants", "MembershipEvent")
    access_events = apps.get_model("tenants", "StaffClientAccessEvent")
    client_rows = list(client_events.objects.filter(pgh_obj_id=client.pk).order_by("-pgh_id")[:limit])
    membership_rows = list(membership_events.objects.filter(client_id=client.pk).order_by("-pgh_id")[:limit])
    access_rows = list(access_events.objects.filter(client_id=client.pk).order_by("-pgh_id")[:limit])
    people = {row.user_id for row in [*membership_rows, *access_rows]}
    hidden = {"schema_name", "kind", "client_id"}
    entries = [
        *entries_from_events(
            client_rows,
            subject="Client",
            fields=[f for f in tracked_fields(client_events) if f not in hidden],
            label=lambda row: row.name,
        ),
        *entries_from_events(
            membership_rows,
            subject="Membership",
            fields=[f for f in tracked_fields(membership_events) if f not in hidden],
            label=lambda row: f"user #{row.user_id}",
        ),
        *entries_from_events(
            access_rows,
            subject="Staff access",
            fields=[f for f in tracked_fields(access_events) if f not in hidden],
            label=lambda row: f"user #{row.user_id}",
        ),
    ]
    names = user_names(user_ids_in(entries) | people)
    entries = [
        entry
        if not entry.label.startswith("user #")
        else _relabel(entry, names.get(int(entry.label.removeprefix("user #")), entry.label))
        for entry in entries
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return with_names(entries[:limit], names)


def _relabel(entry: HistoryEntry, label: str) -> HistoryEntry:
    return replace(entry, label=label)
