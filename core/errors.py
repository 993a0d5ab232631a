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


class AccessDenied(Exception):
    """The person may not do this. `code` is the API error code."""

    code = "PERMISSION_DENIED"

    def __init__(self, message: str = "You do not have permission to do that.", *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class SecondFactorRequired(AccessDenied):
    code = "OTP_REQUIRED"

    def __init__(self) -> None:
        super().__init__("Verify your second factor (authenticator code) to continue.")


class NotAuthenticated(AccessDenied):
    code = "NOT_AUTHENTICATED"

    def __init__(self) -> None:
        super().__init__("Sign in to continue.")
