"""The GraphQL face of `core.csv_import`: one `CsvImport` type for every import's job row
(devices, identity-provider accounts), read with its live progress."""

from __future__ import annotations

from typing import Any

import graphene

from core.csv_import import ImportJob, ImportStatus, live_state
from core.graphql.types import enum_from_choices

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
