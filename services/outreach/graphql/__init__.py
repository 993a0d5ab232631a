"""GraphQL of outreach (types, queries, mutations)."""

from services.outreach.graphql.mutations import OutreachMutations as OutreachMutation
from services.outreach.graphql.queries import OutreachQuery

__all__ = ["OutreachMutation", "OutreachQuery"]
