"""GraphQL of sites, devices and the device import."""

from services.infrastructure.graphql.mutations import InfrastructureMutation
from services.infrastructure.graphql.queries import InfrastructureQuery

__all__ = ["InfrastructureMutation", "InfrastructureQuery"]
