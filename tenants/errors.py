"""Typed errors raised by actions and mapped one-to-one onto GraphQL error results."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    code: str
    message: str
    field: str | None = None


class ActionError(Exception):
    """An action refused its input. Carries every problem found, each with a code."""

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(e.message for e in self.errors))

    @classmethod
    def single(cls, code: str, message: str, field: str | None = None) -> ActionError:
        return cls(FieldError(code=code, message=message, field=field))
