"""The GraphQL face of `core.csv_import`: one `CsvImport` type for every import's job row
(devices, identity-provider accounts), read with its live progress."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import graphene

from core.csv_import import MAX_FILE_BYTES, ImportJob, ImportStatus, live_state
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_from_choices

# The longest `dataBase64` argument: the largest file accepted, base64-encoded, plus padding.
UPLOAD_MAX = math.ceil(MAX_FILE_BYTES * 4 / 3) + 8

CsvImportStatusEnum = enum_from_choices("CsvImportStatus", ImportStatus, "Where an uploaded file stands.")
MAX_ERRORS_SHOWN = 500


class CsvImportRowError(graphene.ObjectType):
    """One problem of one row of the file (the header is line 1)."""

    line = graphene.Int(required=True)
    column = graphene.String(required=True, description="The column at fault; empty for the whole row.")
    code = graphene.String(
        required=True, description="REQUIRED, TOO_LONG, INVALID, UNKNOWN_VALUE, DUPLICATE, ..."
    )
    message = graphene.String(required=True)


class CsvImport(graphene.ObjectType):
    """An uploaded CSV file: its preview (what it would do, row errors) and its progress."""

    id = graphene.ID(required=True)
    file_name = graphene.String(required=True)
    status = CsvImportStatusEnum(required=True)
    total_rows = graphene.Int(required=True)
    processed_rows = graphene.Int(required=True, description="Rows applied so far (live while applying).")
    to_create = graphene.Int(required=True)
    to_update = graphene.Int(required=True)
    unchanged = graphene.Int(required=True)
    to_remove = graphene.Int(required=True)
    error_count = graphene.Int(required=True, description="Every row error (the list shows the first ones).")
    errors = graphene.List(
        graphene.NonNull(CsvImportRowError),
        required=True,
        first=graphene.Int(description=f"At most {MAX_ERRORS_SHOWN}."),
    )
    can_apply = graphene.Boolean(required=True)
    failure = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    applied_at = graphene.DateTime()
    same_file_applied_at = graphene.DateTime(
        description="When the very same file (same bytes) was last imported before, if ever."
    )

    @staticmethod
    def from_job(job: ImportJob) -> CsvImport:
        """Read inside the job's schema (one query for the same-file hint)."""
        status, processed = live_state(job)
        same_file_applied_at = (
            type(job)
            ._default_manager.filter(file_sha256=job.file_sha256, status=ImportStatus.APPLIED)
            .exclude(pk=job.pk)
            .order_by("-applied_at")
            .values_list("applied_at", flat=True)
            .first()
        )
        return CsvImport(
            id=str(job.pk),
            file_name=job.file_name,
            status=status,
            total_rows=job.total_rows,
            processed_rows=processed,
            to_create=job.to_create,
            to_update=job.to_update,
            unchanged=job.unchanged,
            to_remove=job.to_remove,
            error_count=job.error_count,
            errors=job.errors,
            can_apply=job.can_apply,
            failure=job.failure,
            created_at=job.created_at,
            applied_at=job.applied_at,
            same_file_applied_at=same_file_applied_at,
        )

    def resolve_errors(root: Any, info: Any, first: int | None = None) -> list[CsvImportRowError]:
        count = max(0, min(first if first is not None else MAX_ERRORS_SHOWN, MAX_ERRORS_SHOWN))
        return [CsvImportRowError(**error) for error in root.errors[:count]]


def import_id(value: str | None, field: str = "importId") -> str:
    """A job id (a UUID) or a typed INVALID error, never an exception from `uuid`."""
    import uuid

    from core.errors import ActionError

    try:
        return str(uuid.UUID(str(value or "")))
    except ValueError:
        raise ActionError.single("INVALID", "This is not an import id.", field) from None


def csv_import_mutations(
    base: type[BaseMutation],
    *,
    name: str,
    payload_field: str,
    preview: Callable[..., ImportJob],
    apply: Callable[..., ImportJob],
    discard: Callable[..., ImportJob],
    client_schema: Callable[[Any, str | None], AbstractContextManager[Any]],
    docs: tuple[str, str, str],
) -> tuple[type[BaseMutation], type[BaseMutation], type[BaseMutation]]:
    """The mutations `Preview<name>`, `Apply<name>` and `Discard<name>` of one CSV import,
    each answering the job as `CsvImport` in `payload_field`.

    `base` is the app's abstract mutation base (it names the app's error type);
    `preview(client, *, actor, file_name, data_base64)`, `apply(client, *, actor, import_id)`
    and `discard(client, *, actor, import_id)` are the app's actions (each authorises the
    actor and returns the job row), and `client_schema` resolves and enters the client (core imports
    neither apps nor tenants, so the app hands them in); `docs` are the three mutations'
    descriptions.
    """
    preview_doc, apply_doc, discard_doc = docs

    class UploadArguments:
        client_slug = graphene.String()
        file_name = graphene.String(required=True)
        data_base64 = graphene.String(
            required=True, description="The CSV file, base64-encoded (at most 5 MB)."
        )

    class JobArguments:
        client_slug = graphene.String()
        import_id = graphene.ID(required=True)

    def perform_preview(
        cls: Any, info: Any, file_name: str, data_base64: str, client_slug: str | None = None
    ) -> Any:
        with client_schema(info.context, client_slug) as client:
            job = preview(client, actor=info.context.user, file_name=file_name, data_base64=data_base64)
            return cls.success(**{payload_field: CsvImport.from_job(job)})

    def job_perform(action: Callable[..., ImportJob]) -> Callable[..., Any]:
        def perform(cls: Any, info: Any, import_id: str, client_slug: str | None = None) -> Any:
            key = _import_id(import_id)
            with client_schema(info.context, client_slug) as client:
                job = action(client, actor=info.context.user, import_id=key)
                return cls.success(**{payload_field: CsvImport.from_job(job)})

        return perform

    def make(
        verb: str, doc: str, arguments: type, perform: Callable[..., Any], **extra: Any
    ) -> type[BaseMutation]:
        namespace = {
            "__doc__": doc,
            "__module__": base.__module__,
            "Arguments": arguments,
            payload_field: graphene.Field(CsvImport),
            "perform": classmethod(perform),
            **extra,
        }
        return type(f"{verb}{name}", (base,), namespace)

    return (
        make(
            "Preview",
            preview_doc,
            UploadArguments,
            perform_preview,
            max_lengths={"fileName": 200, "dataBase64": UPLOAD_MAX},
        ),
        make("Apply", apply_doc, JobArguments, job_perform(apply)),
        make("Discard", discard_doc, JobArguments, job_perform(discard)),
    )


# `import_id` is also the mutations' argument name.
_import_id = import_id
