"""GraphQL for in-app notifications: each person sees and marks only their own."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils import timezone

from msp_portal.graphql.errors import guard_query
from services.workqueue.models import Notification
from tenants.access import AccessDenied

MAX_NOTIFICATIONS = 100


class NotificationType(graphene.ObjectType):
    class Meta:
        name = "Notification"

    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True)
    link = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    read_at = graphene.DateTime()

    @staticmethod
    def from_row(row: Notification) -> NotificationType:
        return NotificationType(
            id=str(row.pk),
            kind=row.kind,
            title=row.title,
            body=row.body,
            link=row.link,
            created_at=row.created_at,
            read_at=row.read_at,
        )


def _signed_in(info: Any) -> Any:
    user = info.context.user
    if not user.is_authenticated:
        raise AccessDenied("Sign in to continue.", code="NOT_AUTHENTICATED")
    return user


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
            rows = Notification.objects.filter(user=_signed_in(info))
            if unread_only:
                rows = rows.filter(read_at__isnull=True)
            return [NotificationType.from_row(row) for row in rows[:MAX_NOTIFICATIONS]]

        return guard_query(body)

    def resolve_unread_notification_count(root: Any, info: Any) -> int:
        return guard_query(
            lambda: Notification.objects.filter(user=_signed_in(info), read_at__isnull=True).count()
        )


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
        rows = Notification.objects.filter(user=user, read_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=[int(i) for i in ids[:MAX_NOTIFICATIONS] if str(i).isdigit()])
        return MarkNotificationsRead(updated=rows.update(read_at=timezone.now()))


class NotificationMutation(graphene.ObjectType):
    mark_notifications_read = MarkNotificationsRead.Field(required=True)
