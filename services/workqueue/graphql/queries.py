"""Root query fields of notifications: each person sees only their own."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.errors import guard_query
from services.workqueue.graphql.types import MAX_NOTIFICATIONS, NotificationType, _signed_in
from services.workqueue.selectors import notifications_of


class NotificationQuery(graphene.ObjectType):
    notifications = graphene.List(
        graphene.NonNull(NotificationType),
        required=True,
        unread_only=graphene.Boolean(),
        description="Your own notifications, newest first (at most 100).",
    )
    unread_notification_count = graphene.Int(required=True)

    def resolve_notifications(root: Any, info: Any, unread_only: bool = False) -> list[NotificationType]:
        def body() -> list[NotificationType]:
            rows = notifications_of(_signed_in(info))
            if unread_only:
                rows = rows.filter(read_at__isnull=True)
            return [NotificationType.from_row(row) for row in rows[:MAX_NOTIFICATIONS]]

        return guard_query(body)

    def resolve_unread_notification_count(root: Any, info: Any) -> int:
        return guard_query(lambda: notifications_of(_signed_in(info)).filter(read_at__isnull=True).count())
