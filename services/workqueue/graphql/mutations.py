"""Mutations of notifications: each person marks only their own."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.errors import error_type
from core.graphql.ids import decode_ids
from core.graphql.mutations import BaseMutation
from services.workqueue import actions
from services.workqueue.graphql.types import MAX_NOTIFICATIONS

NotificationError = error_type("NotificationError", ["TOO_MANY"], "Why marking notifications failed.")


class MarkNotificationsRead(BaseMutation):
    """Mark some (or, with no ids, all) of your notifications as read."""

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID))

    class Meta:
        error_type = NotificationError

    updated = graphene.Int(description="How many were marked (null when refused).")

    @classmethod
    def perform(cls, info: Any, ids: list[str] | None = None) -> Any:
        pks = None if ids is None else decode_ids(ids, "Notification", "ids", limit=MAX_NOTIFICATIONS)
        return cls.success(updated=actions.mark_notifications_read(info.context.user, pks))


class NotificationMutation(graphene.ObjectType):
    mark_notifications_read = MarkNotificationsRead.Field(required=True)
