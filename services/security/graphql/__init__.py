from services.security.graphql.mutations import SecurityMutation
from services.security.graphql.queries import SecurityQuery

__all__ = ["SecurityMutation", "SecurityQuery"]
