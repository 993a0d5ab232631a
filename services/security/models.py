"""Security data of one client (its schema). The models live in topic modules."""

from services.security.mfa_models import IdpAccount, IdpAccountImport, MfaSnapshot

__all__ = ["IdpAccount", "IdpAccountImport", "MfaSnapshot"]
