"""CSV imports with a preview: parse and check every row before anything is written, then
apply the whole file in one transaction (all or nothing) with progress for large files.

One machinery for every import (devices, identity-provider accounts): an app describes its
columns (`Column`), subclasses `ImportJob` for its job rows, and gives two functions — one
that turns parsed rows into a plan (what each row would create or change, or why it can't),
and one that writes a plan. This module does the rest, the same way for each:

1. `decode_upload` — base64 → text: size limit, UTF-8 (a byte-order mark is dropped;
   Windows-1252, what Excel writes by default, is accepted too), row limit.
2. `parse_csv` — header check (required and unknown columns), then every row: NUL bytes,
   over-long values, required values, the column's own parser (choice, date, boolean,
   e-mail...). Each problem is a `RowError` with the file's line number and column.
3. `preview` — the job row is stored with the plan's counts and every row error (the first
   `MAX_STORED_ERRORS`); nothing else is written.
4. `run_apply` (from the app's Celery task, through the outbox) — locks the job, plans the
   file again against the data as it is *now* (someone may have changed it since the
   preview), and writes everything in one transaction, or nothing when any row fails. The
   transaction is still open while it works, so progress is published through the cache
   (`live_progress`), like provisioning's; the row holds the truth once it is done.

Applying the same file twice changes nothing: the plan compares each row with what is
stored, and unchanged rows are not written.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import hashlib
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from core.errors import ActionError

logger = logging.getLogger(__name__)

# Limits of one upload (settings may lower them; they are checked before any parsing).
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_FIELD_CHARS = 1_000  # any single cell, whatever its column's own limit
MAX_STORED_ERRORS = 500  # row errors kept on the job (the count is always exact)
PROGRESS_EVERY = 250  # rows between two progress updates
PROGRESS_TTL_SECONDS = 3600


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"  # checked, nothing written; may be applied if no errors
    QUEUED = "queued", "Queued"  # apply requested, waiting for a worker
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"  # apply refused (rows became invalid) or crashed: nothing written
    DISCARDED = "discarded", "Discarded"


LIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.APPLYING)


class ImportJob(models.Model):
    """One uploaded file: its preview (counts, row errors) and, once applied, its outcome.

    Abstract: each import has its own table in the client's schema (`DeviceImport`,
    `IdpAccountImport`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, help_text="Same file, same hash: shown as a hint.")
    content = models.TextField(help_text="The decoded file, kept until it is applied or discarded.")
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    to_remove = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Row errors (the first few hundred).")
    failure = models.CharField(max_length=300, blank=True, help_text="Why the apply failed, for people.")
    # The public-schema user (no cross-schema foreign key).
    requested_by_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or 'upload'} ({self.status})"

    @property
    def can_apply(self) -> bool:
        return self.status == ImportStatus.PREVIEWED and self.error_count == 0 and self.total_rows > 0


# ------------------------------------------------------------------ columns and rows


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `line` is the file's line number (the header is line 1)."""

    line: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message}


class CellError(ValueError):
    """Raised by a column parser: the cell's value is not acceptable (`code`, message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    """One column of an import: header name (and accepted aliases), limit and parser.
    An empty cell is `default` (the parser is not called), or REQUIRED when `required`."""

    name: str
    required: bool = False
    max_length: int | None = None
    parse: Parser | None = None
    default: Any = ""
    aliases: tuple[str, ...] = ()
    header_required: bool = False


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]
    raw: dict[str, str]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedFile:
    columns: list[str]  # canonical names present in the header
    rows: list[ParsedRow]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]


def _normalise_header(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def parse_choice(choices: dict[str, str], what: str) -> Parser:
    """A parser accepting each choice's value or label (any case, spaces or underscores)."""
    lookup: dict[str, str] = {}
    for value, label in choices.items():
        lookup[_normalise_header(value)] = value
        lookup[_normalise_header(str(label))] = value

    def parse(text: str) -> str:
        found = lookup.get(_normalise_header(text))
        if found is None:
            allowed = ", ".join(choices)
            raise CellError("UNKNOWN_VALUE", f"Unknown {what} '{text[:60]}'; use one of: {allowed}.")
        return found

    return parse


TRUE_WORDS = {"yes", "y", "true", "1", "on", "enabled", "x"}
FALSE_WORDS = {"no", "n", "false", "0", "off", "disabled", "-"}


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("INVALID_BOOLEAN", f"'{text[:60]}' is not yes/no (use yes, no, true, false, 1 or 0).")


def parse_date(text: str) -> dt.date:
    """ISO dates (2027-03-31); day-first dates are ambiguous across countries and refused."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CellError("INVALID_DATE", f"'{text[:60]}' is not a date; write it as YYYY-MM-DD.") from None


def parse_datetime(text: str) -> dt.datetime:
    """ISO date-times; without a zone they are UTC; a date alone is midnight UTC."""
    value = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CellError(
            "INVALID_DATE", f"'{text[:60]}' is not a date and time; write it as YYYY-MM-DD HH:MM."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    if not (1970 <= parsed.year <= 2200):
        raise CellError("INVALID_DATE", f"'{text[:60]}' is out of range.")
    return parsed


def parse_email(text: str) -> str:
    value = text.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise CellError("INVALID_EMAIL", f"'{text[:60]}' is not an e-mail address.") from None
    return value


# ------------------------------------------------------------------ upload and parsing


def decode_upload(data_base64: str, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, str]:
    """The uploaded file as text and its SHA-256; `ActionError` on the `file` field when it is
    too large, not base64, empty or not text."""
    if len(data_base64) > (max_bytes * 4) // 3 + 8:
        raise ActionError.single("TOO_LARGE", f"The file is larger than {max_bytes // 1024} KB.", "file")
    try:
        raw = base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ActionError.single("INVALID", "The file data is not valid base64.", "file") from None
    if len(raw) > max_bytes:
        raise ActionError.single("TOO_LARGE", f"The file is larger than {max_bytes // 1024} KB.", "file")
    if not raw.strip():
        raise ActionError.single("REQUIRED", "The file is empty.", "file")
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise ActionError.single(
                "INVALID", "The file is not text: save it as CSV (UTF-8) and try again.", "file"
            ) from None
    return text, digest


def _sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma by default; semicolon files (Excel in many European locales) are recognised."""
    first_line = text.split("\n", 1)[0]
    if first_line.count(";") > first_line.count(",") and first_line.count(";") > first_line.count("\t"):
        return _Semicolon
    if first_line.count("\t") > first_line.count(","):
        return csv.excel_tab
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


def parse_csv(text: str, columns: Sequence[Column], *, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Check the header and every row of `text` against `columns`.

    File-level problems (no header, a required or unknown column, too many rows, broken
    quoting) are an `ActionError` on the `file` field: nothing can be previewed. Problems of
    single rows are `RowError`s on their rows, so the person sees all of them at once."""
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[_normalise_header(column.name)] = column
        for alias in column.aliases:
            by_name[_normalise_header(alias)] = column
    # NUL bytes make the csv module stop ("line contains NUL"): replace them with a marker
    # that can't be typed, so the row that held one is reported like any other bad cell.
    marker = "\ufffe"
    reader = csv.reader(io.StringIO(text.replace("\x00", marker), newline=""), _sniff_dialect(text))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ActionError.single("REQUIRED", "The file has no header row.", "file")
        names: list[Column | None] = []
        unknown: list[str] = []
        seen: set[str] = set()
        for cell in header:
            key = _normalise_header(cell.replace(marker, ""))
            column = by_name.get(key)
            if column is None:
                if key:
                    unknown.append(cell.strip()[:40])
                names.append(None)
                continue
            if column.name in seen:
                raise ActionError.single("INVALID", f"The column '{column.name}' appears twice.", "file")
            seen.add(column.name)
            names.append(column)
        if unknown:
            expected = ", ".join(c.name for c in columns)
            raise ActionError.single(
                "INVALID",
                f"Unknown column(s): {', '.join(unknown[:5])}. The columns are: {expected}.",
                "file",
            )
        missing = [c.name for c in columns if (c.required or c.header_required) and c.name not in seen]
        if missing:
            raise ActionError.single(
                "REQUIRED", f"The file needs the column(s): {', '.join(missing)}.", "file"
            )
        rows: list[ParsedRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (and trailing separators) are not rows
            if len(rows) >= max_rows:
                raise ActionError.single(
                    "TOO_LARGE",
                    f"The file has more than {max_rows} rows: split it into several files.",
                    "file",
                )
            rows.append(_parse_row(reader.line_num, cells, names, columns, marker))
    except csv.Error as exc:
        raise ActionError.single(
            "INVALID", f"The file is not valid CSV near line {reader.line_num}: {exc}.", "file"
        ) from None
    if not rows:
        raise ActionError.single("REQUIRED", "The file has a header but no rows.", "file")
    return ParsedFile(columns=sorted(seen), rows=rows)


def _parse_row(
    line: int, cells: list[str], names: list[Column | None], columns: Sequence[Column], marker: str
) -> ParsedRow:
    row = ParsedRow(line=line, values={}, raw={})
    if len(cells) > len(names):
        extra = [c for c in cells[len(names) :] if c.strip()]
        if extra:
            row.errors.append(
                RowError(line, "", "INVALID", f"The row has {len(cells)} cells but the header {len(names)}.")
            )
    for index, column in enumerate(names):
        if column is None:
            continue
        text = cells[index].strip() if index < len(cells) else ""
        row.raw[column.name] = text[:200].replace(marker, "\\0")
        if marker in text:
            row.errors.append(RowError(line, column.name, "INVALID", "Remove the NUL character (\\0)."))
            continue
        limit = min(column.max_length or MAX_FIELD_CHARS, MAX_FIELD_CHARS)
        if len(text) > limit:
            row.errors.append(RowError(line, column.name, "TOO_LONG", f"Use at most {limit} characters."))
            continue
        if not text:
            if column.required:
                row.errors.append(RowError(line, column.name, "REQUIRED", f"Fill in {column.name}."))
            else:
                row.values[column.name] = column.default
            continue
        if column.parse is None:
            row.values[column.name] = text
            continue
        try:
            row.values[column.name] = column.parse(text)
        except CellError as exc:
            row.errors.append(RowError(line, column.name, exc.code, str(exc)))
    for column in columns:
        if (
            column.required
            and column.name not in row.values
            and not any(e.column == column.name for e in row.errors)
        ):
            row.errors.append(RowError(line, column.name, "REQUIRED", f"Fill in {column.name}."))
    return row


def duplicate_errors(
    rows: Iterable[ParsedRow], key: Callable[[ParsedRow], str | None], column: str, what: str
) -> None:
    """Mark every row after the first that repeats `key` (case-insensitive)."""
    first_line: dict[str, int] = {}
    for row in rows:
        value = key(row)
        if not value:
            continue
        folded = value.casefold()
        if folded in first_line:
            row.errors.append(
                RowError(row.line, column, "DUPLICATE", f"The {what} is also on line {first_line[folded]}.")
            )
        else:
            first_line[folded] = row.line


# ------------------------------------------------------------------ plan, preview, apply


@dataclass
class Plan:
    """What applying a file would do. `changes` are opaque to this module: the app's writer
    gets them back; `errors` are row errors found while planning (unknown owner, ...)."""

    total_rows: int
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    to_remove: int = 0
    changes: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


Planner = Callable[[ParsedFile], Plan]
# Writes the plan's changes; calls `progress(done)` now and then (done ≤ len(changes)).
Writer = Callable[[Plan, Callable[[int], None]], None]


def plan_text(text: str, columns: Sequence[Column], planner: Planner, *, max_rows: int = MAX_ROWS) -> Plan:
    parsed = parse_csv(text, columns, max_rows=max_rows)
    plan = planner(parsed)
    plan.errors = sorted([*parsed.errors, *plan.errors], key=lambda e: (e.line, e.column))
    return plan


def store_preview(
    job_model: type[ImportJob],
    *,
    data_base64: str,
    file_name: str,
    columns: Sequence[Column],
    planner: Planner,
    requested_by_id: int | None,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_ROWS,
) -> ImportJob:
    """Check an upload and store its preview (a job row; nothing else is written)."""
    file_name = file_name.strip()[:200]
    text, digest = decode_upload(data_base64, max_bytes=max_bytes)
    plan = plan_text(text, columns, planner, max_rows=max_rows)
    return job_model.objects.create(
        file_name=file_name,
        file_sha256=digest,
        content=text,
        total_rows=plan.total_rows,
        to_create=plan.to_create,
        to_update=plan.to_update,
        unchanged=plan.unchanged,
        to_remove=plan.to_remove,
        error_count=len(plan.errors),
        errors=[e.as_dict() for e in plan.errors[:MAX_STORED_ERRORS]],
        requested_by_id=requested_by_id,
    )


def request_apply(job_model: type[ImportJob], job_id: Any, task_name: str) -> ImportJob:
    """Queue the apply of a previewed file without errors (through the outbox). Asking again
    for a job already queued, applying or applied answers with it and queues nothing."""
    job = job_model.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise ActionError.single("NOT_FOUND", "No such import.", "importId")
    if job.status in (*LIVE_STATUSES, ImportStatus.APPLIED):
        return job
    if job.status != ImportStatus.PREVIEWED:
        raise ActionError.single(
            "INVALID_STATE", f"This import is {job.get_status_display().lower()}.", "importId"
        )
    if job.error_count:
        raise ActionError.single(
            "HAS_ERRORS", "Correct the rows with errors and upload the file again.", "importId"
        )
    if job.to_create == job.to_update == job.to_remove == 0:
        raise ActionError.single(
            "NOTHING_TO_DO", "The file changes nothing: it is already applied.", "importId"
        )
    from core.tasks import enqueue_on_commit

    job_model.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    job.status = ImportStatus.QUEUED
    enqueue_on_commit(task_name, str(job.pk), dedupe_key=f"{task_name}:{job.pk}")
    return job


def discard(job_model: type[ImportJob], job_id: Any) -> ImportJob:
    """Drop a preview that will not be applied (its stored file goes with it)."""
    job = job_model.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise ActionError.single("NOT_FOUND", "No such import.", "importId")
    if job.status != ImportStatus.PREVIEWED:
        raise ActionError.single(
            "INVALID_STATE", f"This import is {job.get_status_display().lower()}.", "importId"
        )
    job.status = ImportStatus.DISCARDED
    job.content = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "content", "finished_at"])
    return job


def progress_key(job: ImportJob) -> str:
    from core.tenancy import current_schema_name

    return f"import-progress:{current_schema_name()}:{job._meta.label_lower}:{job.pk}"


def live_state(job: ImportJob) -> tuple[str, int]:
    """(status, rows processed) as the person polling should see them: while the apply's
    transaction is open the row still says QUEUED, and the worker's progress is in the cache."""
    if job.status in LIVE_STATUSES:
        try:
            cached = cache.get(progress_key(job))
        except Exception:  # progress is a courtesy: the row's value is shown without the cache
            logger.warning("import progress unavailable (cache unreachable)", extra={"job": str(job.pk)})
            cached = None
        if cached is not None:
            return ImportStatus.APPLYING, min(int(cached), job.total_rows)
    return str(job.status), int(job.processed_rows)


def _publish(job: ImportJob, done: int) -> None:
    try:
        cache.set(progress_key(job), done, PROGRESS_TTL_SECONDS)
    except Exception:
        logger.warning("import progress not published (cache unreachable)", extra={"job": str(job.pk)})


def run_apply(
    job_model: type[ImportJob],
    job_id: Any,
    *,
    columns: Sequence[Column],
    planner: Planner,
    writer: Writer,
    after_apply: Callable[[ImportJob], None] | None = None,
    max_rows: int = MAX_ROWS,
) -> ImportJob | None:
    """Apply a queued import: plan again, then write everything or nothing.

    Safe to run twice (a redelivered task): only a `QUEUED` job is taken, under a row lock,
    and its status changes in the same transaction as the writes. Rows that became invalid
    since the preview (an owner was removed, a serial was taken) fail the job with their
    errors and nothing is written."""
    with transaction.atomic():
        job = job_model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return job
        job.status = ImportStatus.APPLYING
        job_model.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING)
        _publish(job, 0)
        failure: list[RowError] | None = None
        try:
            with transaction.atomic():
                plan = plan_text(job.content, columns, planner, max_rows=max_rows)
                if plan.errors:
                    failure = plan.errors
                    raise _Refused()
                total = len(plan.changes)
                step = max(1, min(PROGRESS_EVERY, total // 20 or 1))

                def progress(done: int) -> None:
                    # Shown as rows of the file (unchanged rows are done at once).
                    if done == total or done % step == 0:
                        _publish(
                            job, plan.unchanged + (plan.total_rows - plan.unchanged) * done // max(total, 1)
                        )

                writer(plan, progress)
                job.to_create, job.to_update, job.to_remove = plan.to_create, plan.to_update, plan.to_remove
                job.unchanged = plan.unchanged
                job.total_rows = plan.total_rows
                job.processed_rows = plan.total_rows
                job.status = ImportStatus.APPLIED
                job.applied_at = job.finished_at = timezone.now()
                job.content = ""  # applied: the data lives in its tables now
                job.save()
                if after_apply is not None:
                    after_apply(job)
        except _Refused:
            job.status = ImportStatus.FAILED
            job.error_count = len(failure or [])
            job.errors = [e.as_dict() for e in (failure or [])[:MAX_STORED_ERRORS]]
            job.failure = "Rows changed since the preview are no longer valid: nothing was imported."
            job.finished_at = timezone.now()
            job.save()
        except ActionError as exc:
            job.status = ImportStatus.FAILED
            job.failure = "; ".join(e.message for e in exc.errors)[:300]
            job.finished_at = timezone.now()
            job.save()
    _forget(job)
    return job


def fail_crashed(job_model: type[ImportJob], job_id: Any) -> None:
    """After an unexpected error (the writes were rolled back): mark the job failed."""
    with transaction.atomic():
        job = job_model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in LIVE_STATUSES:
            return
        job.status = ImportStatus.FAILED
        job.failure = "The import stopped on an unexpected error: nothing was imported. Try again later."
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
    _forget(job)


def _forget(job: ImportJob) -> None:
    try:
        cache.delete(progress_key(job))
    except Exception:
        logger.warning("import progress not cleared (cache unreachable)", extra={"job": str(job.pk)})


class _Refused(Exception):
    """Rows failed while planning the apply: roll back (nothing was written yet anyway)."""
