"""The one decoder of ids that arrive in GraphQL arguments.

An id is either the Relay global id of the expected type (`base64("Type:pk")`) or, for
types the API exposes with plain ids, the decimal primary key itself. Anything else — a
global id of another type, "abc", "²", a negative or enormous number — is a typed
INVALID field error, never an exception from `int()`.
"""

from __future__ import annotations

import binascii

from graphql_relay import from_global_id

from core.errors import ActionError

MAX_PK = 2**63 - 1


def _pk(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_PK else None


def decode_id(value: str | None, type_name: str, field: str, *, required: bool = True) -> int | None:
    """The primary key `value` names, when it names a `type_name`; else a typed error.

    Returns None for an empty value when `required` is False."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ActionError.single("REQUIRED", "Choose one.", field)
        return None
    pk = _pk(text)
    if pk is None:
        try:
            decoded_type, decoded_pk = from_global_id(text)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            decoded_type, decoded_pk = "", ""
        pk = _pk(decoded_pk) if decoded_type == type_name else None
    if pk is None:
        raise ActionError.single("INVALID", f"That is not a valid {_words(type_name)} id.", field)
    return pk


def decode_ids(values: list[str] | None, type_name: str, field: str, *, limit: int = 100) -> list[int]:
    """Several ids (at most `limit`); the first bad one is reported."""
    values = values or []
    if len(values) > limit:
        raise ActionError.single("TOO_MANY", f"Send at most {limit} ids at a time.", field)
    return [pk for value in values if (pk := decode_id(value, type_name, field)) is not None]


def _words(type_name: str) -> str:
    """`StaffMember` -> `staff member`."""
    out = "".join(f" {c.lower()}" if c.isupper() else c for c in type_name).strip()
    return out
