"""One mutation shape for the whole API (after Saleor's `BaseMutation`).

    parse and clean the input  →  authorise  →  call one action  →  map errors

A subclass declares its arguments, its payload fields and its app's error type, and
implements `perform(info, **cleaned)`; it may override `authorise(info, **cleaned)`.
Everything else is done here, the same way for every mutation:

- every text argument is checked before anything runs: NUL bytes and text longer than
  `max_text_length` (or the per-argument limit in `max_lengths`) are typed field errors;
- `ActionError` and `AccessDenied` become the app's typed `errors`;
- the mutation runs in one transaction (a savepoint inside the request), so an error
  after a write leaves nothing half-written;
- anything unexpected becomes code INTERNAL with the request id, the traceback is logged
  once, and nothing of the exception's text reaches the client.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, ClassVar

import graphene
from django.db import transaction
from graphene.types.mutation import MutationOptions
from graphene.utils.str_converters import to_camel_case

from core.availability import DATABASE_UNAVAILABLE
from core.errors import AccessDenied, ActionError, FieldError
from core.graphql.errors import internal_message, log_unexpected, to_error_list

# Longest text any argument may carry unless a mutation says otherwise (a ticket description
# or reply fits easily; a megabyte login e-mail does not).
DEFAULT_MAX_TEXT_LENGTH = 20_000


def model_limit(model: type[Any], field: str) -> int:
    """The `max_length` of a model's text field, for `max_lengths`: the edge refuses what the
    column can't hold instead of the database raising mid-transaction."""
    limit = model._meta.get_field(field).max_length
    if not limit:
        raise TypeError(f"{model.__name__}.{field} has no max_length.")
    return int(limit)


class BaseMutationOptions(MutationOptions):
    error_type: type[graphene.ObjectType] | None = None


class BaseMutation(graphene.Mutation):
    """Base of every mutation. See the module docstring for the shape."""

    max_text_length: ClassVar[int] = DEFAULT_MAX_TEXT_LENGTH
    # Payload fields every answer carries (success, refusal or INTERNAL), e.g. an empty list.
    payload_defaults: ClassVar[Mapping[str, Any]] = {}
    # False only where a refusal must still be written (sign-in failures count towards lockout).
    atomic: ClassVar[bool] = True
    # camelCase argument path ("input.title") -> longest text accepted.
    max_lengths: ClassVar[Mapping[str, int]] = {}

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(
        cls, error_type: type[graphene.ObjectType] | None = None, _meta: Any = None, **options: Any
    ) -> None:
        if not _meta:
            _meta = BaseMutationOptions(cls)
        # An abstract base of one app's mutations may name the type once for all of them.
        error_type = error_type or getattr(cls, "default_error_type", None)
        if error_type is None:
            raise TypeError(f"{cls.__name__} needs Meta.error_type (its app's error type).")
        _meta.error_type = error_type
        output = options.get("output") or getattr(cls, "Output", None)
        if output is None:
            if "errors" not in cls.__dict__:
                cls.errors = graphene.List(  # type: ignore[attr-defined]
                    graphene.NonNull(error_type),
                    required=True,
                    description="What was wrong with the request; empty when it succeeded.",
                )
        elif "errors" not in output._meta.fields:
            raise TypeError(f"{cls.__name__}'s payload {output.__name__} needs an `errors` field.")
        super().__init_subclass_with_meta__(_meta=_meta, **options)

    # ----------------------------------------------------------------- the shape

    @classmethod
    def mutate(cls, root: Any, info: Any, **data: Any) -> Any:
        try:
            cls.check_text(data)
            with transaction.atomic() if cls.atomic else contextlib.nullcontext():
                cls.authorise(info, **data)
                return cls.perform(info, **data)
        except (ActionError, AccessDenied) as exc:
            return cls.failure(exc)
        except DATABASE_UNAVAILABLE:
            raise  # the whole request answers SERVICE_UNAVAILABLE (core.availability)
        except Exception as exc:
            request_id = log_unexpected(exc, f"mutation {cls.__name__}")
            error = cls._meta.error_type(code="INTERNAL", message=internal_message(request_id))
            return cls._meta.output(**{**cls.payload_defaults, "errors": [error]})

    @classmethod
    def authorise(cls, info: Any, *args: Any, **data: Any) -> None:
        """Refuse with `AccessDenied` when the person may not do this at all. The root-field
        gate has already required sign-in and the second factor; actions check the rest."""

    @classmethod
    def perform(cls, info: Any, *args: Any, **data: Any) -> Any:
        """The mutation's one use case: call an action and return `cls.success(...)`."""
        raise NotImplementedError(f"{cls.__name__}.perform")

    @classmethod
    def success(cls, **payload: Any) -> Any:
        return cls._meta.output(**{**cls.payload_defaults, **payload, "errors": []})

    @classmethod
    def failure(cls, exc: ActionError | AccessDenied) -> Any:
        errors = to_error_list(exc, cls._meta.error_type)
        return cls._meta.output(**{**cls.payload_defaults, "errors": errors})

    # ------------------------------------------------------------- input checks

    @classmethod
    def check_text(cls, data: Mapping[str, Any]) -> None:
        problems: list[FieldError] = []
        for path, value in _texts(data):
            path = path.removeprefix("input.")
            limit = cls.max_lengths.get(path, cls.max_text_length)
            if "\x00" in value:
                problems.append(FieldError("INVALID", "Remove the NUL character (\\0) from this text.", path))
            elif len(value) > limit:
                problems.append(FieldError("TOO_LONG", f"Use at most {limit} characters here.", path))
        if problems:
            raise ActionError(problems)


def _texts(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in a (nested) argument value, with its camelCase path."""
    found: list[tuple[str, str]] = []
    if isinstance(value, str):
        found.append((path, value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = to_camel_case(str(key))
            found.extend(_texts(item, f"{path}.{name}" if path else name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(_texts(item, path))
    return found
