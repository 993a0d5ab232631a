"""GraphQL of the service desk (types, queries, mutations)."""

from services.support.graphql.mutations import SupportMutation
from services.support.graphql.queries import SupportQuery

__all__ = ["SupportMutation", "SupportQuery"]
