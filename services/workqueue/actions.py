"""Use cases of the work queue that people trigger (the sweep is in `sweep.py`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from services.workqueue.selectors import notifications_of
from tenants.models import User


def mark_notifications_read(user: User, ids: list[int] | None) -> int:
    """Mark `user`'s own unread notifications (all of them when `ids` is None) as read."""
    with transaction.atomic():
        rows = notifications_of(user).filter(read_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return rows.update(read_at=timezone.now())
