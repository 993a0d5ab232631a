"""GraphQL of security (MFA coverage here; incidents and phishing join from their modules)."""

from services.security.graphql.mfa import MfaMutation, MfaQuery

__all__ = ["MfaMutation", "MfaQuery"]
