"""Token keys, their secrets, and the request signature (docs/ingest.md, "Signing").

The secret of a token is not stored anywhere: it is an HMAC of the token's key id and a
random nonce under a key derived from `SECRET_KEY` (Django's `salted_hmac`), computed
again for each request. A copy of the database alone therefore reveals no secret, and the
secret is shown exactly once, when the token is created. Secrets derived from a key in
`SECRET_KEY_FALLBACKS` are accepted too, so `SECRET_KEY` can be rotated the Django way;
once the old key leaves the fallbacks, every token must be re-created.

Signature: `X-Ingest-Signature: sha256=<hex>` where `<hex>` is
HMAC-SHA256(key = the secret as UTF-8, message = `<X-Ingest-Timestamp>` + "." + raw body).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

KEY_PREFIX = "ik_"
SECRET_PREFIX = "iks_"
SIGNATURE_PREFIX = "sha256="
_SALT = "services.ingest.token-secret"


def new_key_id() -> str:
    """A public, unguessable key id (shown in the portal and sent in X-Ingest-Key)."""
    return KEY_PREFIX + secrets.token_hex(12)


def new_nonce() -> str:
    return secrets.token_hex(32)


def derive_secret(key_id: str, nonce: str, *, secret_key: str | None = None) -> str:
    """The token's secret: only `SECRET_KEY` (or a fallback key) and the nonce make it."""
    digest = salted_hmac(
        _SALT, f"{key_id}:{nonce}", secret=secret_key or settings.SECRET_KEY, algorithm="sha256"
    )
    return SECRET_PREFIX + digest.hexdigest()


def candidate_secrets(key_id: str, nonce: str) -> list[str]:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [derive_secret(key_id, nonce, secret_key=key) for key in keys]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Ingest-Signature header value for this timestamp and body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def signature_matches(secrets_: list[str], timestamp: str, body: bytes, header: str) -> bool:
    """Constant-time comparison against every acceptable secret."""
    header = header.strip()
    matched = False
    for secret in secrets_:
        # Compare every candidate (no early exit) so timing says nothing about which one matched.
        matched |= hmac.compare_digest(sign(secret, timestamp, body), header)
    return matched
