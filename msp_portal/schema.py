"""The root GraphQL schema, stitched from each app's Query and Mutation."""

import graphene

from services.catalog.graphql import CatalogMutation, CatalogQuery
from services.support.graphql import SupportMutation, SupportQuery
from services.workqueue.graphql import NotificationMutation, NotificationQuery
from tenants.graphql import TenantsMutation, TenantsQuery


class Query(TenantsQuery, SupportQuery, CatalogQuery, NotificationQuery, graphene.ObjectType):
    pass


class Mutation(TenantsMutation, SupportMutation, CatalogMutation, NotificationMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
