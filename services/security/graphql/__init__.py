"""GraphQL of security: incidents, phishing intake and MFA coverage."""

from services.security.graphql.mfa import MfaMutation, MfaQuery
from services.security.graphql.mutations import SecurityMutation
from services.security.graphql.queries import SecurityQuery

__all__ = ["MfaMutation", "MfaQuery", "SecurityMutation", "SecurityQuery"]
