"""The root GraphQL schema, stitched from each app's Query and Mutation."""

import graphene

from services.support.schema import SupportMutation, SupportQuery
from tenants.schema import Mutation as TenantsMutation
from tenants.schema import Query as TenantsQuery


class Query(TenantsQuery, SupportQuery, graphene.ObjectType):
    pass


class Mutation(TenantsMutation, SupportMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
