"""GraphQL of the service catalog (types, queries, mutations)."""

from services.catalog.graphql.mutations import CatalogMutation
from services.catalog.graphql.queries import CatalogQuery

__all__ = ["CatalogMutation", "CatalogQuery"]
