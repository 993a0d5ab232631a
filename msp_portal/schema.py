"""The root GraphQL schema, stitched from each app's Query and Mutation."""

import graphene

from tenants.schema import Mutation as TenantsMutation
from tenants.schema import Query as TenantsQuery


class Query(TenantsQuery, graphene.ObjectType):
    pass


class Mutation(TenantsMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
