"""GraphQL of infrastructure monitoring (client services, monitors, availability, down now)."""

from services.infrastructure.graphql.mutations import MonitoringMutations as MonitoringMutation
from services.infrastructure.graphql.queries import MonitoringQuery

__all__ = ["MonitoringMutation", "MonitoringQuery"]
