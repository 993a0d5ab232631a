"""GraphQL of the push ingest (tokens for staff, connection state for IT leads)."""

from services.ingest.graphql.mutations import IngestMutation
from services.ingest.graphql.queries import IngestQuery

__all__ = ["IngestMutation", "IngestQuery"]
