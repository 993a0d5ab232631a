"""GraphQL of the status page (types, queries)."""

from services.status.graphql.queries import StatusQuery

__all__ = ["StatusQuery"]
