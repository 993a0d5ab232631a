"""Mutations of notifications: each person marks only their own."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils import timezone

from services.workqueue.graphql.types import MAX_NOTIFICATIONS
from services.workqueue.selectors import notifications_of


class MarkNotificationsRead(graphene.Mutation):
    """Mark some (or, with no ids, all) of your notifications as read."""

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID))

    updated = graphene.Int(required=True)

    @staticmethod
    def mutate(root: Any, info: Any, ids: list[str] | None = None) -> MarkNotificationsRead:
        user = info.context.user
        if not user.is_authenticated:
            return MarkNotificationsRead(updated=0)
        rows = notifications_of(user).filter(read_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=[int(i) for i in ids[:MAX_NOTIFICATIONS] if str(i).isdigit()])
        return MarkNotificationsRead(updated=rows.update(read_at=timezone.now()))


class NotificationMutation(graphene.ObjectType):
    mark_notifications_read = MarkNotificationsRead.Field(required=True)
