"""Idempotency keys: a submission sent twice is done once.

The SPA generates one key per form submission (a random UUID) and sends it with every retry
of that submission — a double click, a resend after the network dropped the answer. The
row a use case creates stores the key, under a unique constraint on (who, what, key); a
second request with the same key gets the first one's result and writes nothing. Two
requests that arrive together are settled by the constraint, not by looking first: the
second insert waits for the first transaction and then fails, and `create_once` answers
with the row that won.

Keys are optional. A malformed key is a typed INVALID error; a key used again for a
different request (another ticket, other text) is INVALID too, never silently the old result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from core.errors import ActionError

IDEMPOTENCY_KEY_FIELD = "idempotencyKey"
IDEMPOTENCY_KEY_MAX = 100
IDEMPOTENCY_KEY_MIN = 16
# Letters, digits, hyphens and underscores: a UUID (36 characters) is the usual key.
_KEY = re.compile(rf"[A-Za-z0-9_-]{{{IDEMPOTENCY_KEY_MIN},{IDEMPOTENCY_KEY_MAX}}}")

T = TypeVar("T")


def clean_idempotency_key(value: str | None, field: str = IDEMPOTENCY_KEY_FIELD) -> str:
    """The key as stored ("" when none was sent); a typed INVALID error when malformed."""
    if value is None or value == "":
        return ""
    if not _KEY.fullmatch(value):
        raise ActionError.single(
            "INVALID",
            f"A submission key is {IDEMPOTENCY_KEY_MIN}-{IDEMPOTENCY_KEY_MAX} letters, digits, "
            "hyphens or underscores (a UUID).",
            field,
        )
    return value


def key_reused(field: str = IDEMPOTENCY_KEY_FIELD) -> ActionError:
    """The answer when a key comes back with a different request than the one it was used for."""
    return ActionError.single(
        "INVALID",
        "This submission key was already used for a different request; reload the form and send it again.",
        field,
    )


def create_once(create: Callable[[], T], find: Callable[[], T | None]) -> tuple[T, bool]:
    """`(row, True)` after `create()` inserted the row that carries the key, or `(row, False)`
    with the row of the same submission that committed first, found by `find()` after the
    key's unique constraint refused the insert. `create` runs in a savepoint, so whatever it
    wrote is undone when it is refused; any other integrity error is raised as it was."""
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing, False
