"""GraphQL types of in-app notifications."""

from __future__ import annotations

from typing import Any

import graphene

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
