"""GraphQL of tenancy and identity (types, queries, mutations); resolvers call
`tenants.access`, `tenants.request_scope` and actions, nothing else."""

from tenants.graphql.mutations import Mutation as TenantsMutation
from tenants.graphql.queries import Query as TenantsQuery

__all__ = ["TenantsMutation", "TenantsQuery"]
