"""GraphQL of in-app notifications (types, queries, mutations)."""

from services.workqueue.graphql.mutations import NotificationMutation
from services.workqueue.graphql.queries import NotificationQuery

__all__ = ["NotificationMutation", "NotificationQuery"]
