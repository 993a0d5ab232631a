"""The root GraphQL schema, stitched from each app's Query and Mutation."""

import graphene

from services.catalog.schema import CatalogMutation, CatalogQuery
from services.support.schema import SupportMutation, SupportQuery
from services.workqueue.schema import NotificationMutation, NotificationQuery
from tenants.schema import Mutation as TenantsMutation
from tenants.schema import Query as TenantsQuery


class Query(TenantsQuery, SupportQuery, CatalogQuery, NotificationQuery, graphene.ObjectType):
    pass


class Mutation(TenantsMutation, SupportMutation, CatalogMutation, NotificationMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
