"""GraphQL of infrastructure: sites, devices and their import; client services, monitors,
availability and the cross-client "down now" board."""

from services.infrastructure.graphql.monitoring_mutations import MonitoringMutations as MonitoringMutation
from services.infrastructure.graphql.monitoring_queries import MonitoringQuery
from services.infrastructure.graphql.mutations import InfrastructureMutation
from services.infrastructure.graphql.queries import InfrastructureQuery

__all__ = ["InfrastructureMutation", "InfrastructureQuery", "MonitoringMutation", "MonitoringQuery"]
