"""Provisioning a client: validate, clone the template schema, register the portal domain,
invite the first IT lead — all in one transaction, so a failure leaves nothing behind.

PostgreSQL DDL is transactional: the cloned schema disappears with the rollback along
with the client row, its domain and the invitation.
"""

from __future__ import annotations

import logging
import re
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_exists

from core.errors import ActionError, FieldError
from core.idempotency import clean_idempotency_key, create_once, key_reused
from core.tasks import enqueue_on_commit
from core.tenancy import current_schema_name
from tenants.actions import (
    NAME_MAX,
    client_domain_for,
    invite_client_user,
    normalise_email,
    person_name_problem,
    record_audit,
)
from tenants.models import (
    Client,
    ClientRole,
    ClientStatus,
    ClientTier,
    Domain,
    Industry,
    MspRole,
    ProvisioningJob,
    ProvisioningStatus,
    TenantKind,
    User,
)
from tenants.schema_copy import create_client_schema, warm_template_script

logger = logging.getLogger(__name__)

# A slug is the first DNS label of the portal host (`<slug>.<CLIENT_DOMAIN_SUFFIX>`) and part of
# the schema name (`client_<slug>`): 3-40 lowercase letters, digits and single hyphens, starting
# and ending with a letter or digit (RFC 1123 host labels may start with a digit; "123-widgets"
# is fine). What a person typed is checked as typed, never rewritten: "Acme" or " acme" is
# refused with a message naming the problem, not silently turned into "acme".
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
SLUG_RULE = (
    "Use 3-40 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
)
RESERVED_SLUGS = frozenset(
    {"public", "www", "admin", "api", "app", "static", "media", "msp", "portal", "mail", "template", "status"}
)
TEMPLATE_SLUG = "tenant-template"

ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ProvisionRequest:
    """Validated input for provisioning one client."""

    name: str
    slug: str
    industry: str
    tier: str
    it_lead_email: str
    it_lead_name: str
    timezone: str = "UTC"
    account_manager_id: int | None = None
    require_two_factor: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# Keys of a provisioning request as the API spells them.
_API_FIELDS = {
    "it_lead_email": "itLeadEmail",
    "it_lead_name": "itLeadName",
    "account_manager_id": "accountManagerId",
    "require_two_factor": "requireTwoFactor",
}


def schema_name_for(slug: str) -> str:
    return "client_" + slug.replace("-", "_")


def slug_problem(slug: str) -> str | None:
    """Why `slug` (exactly as typed) cannot be a portal address, or None when it can."""
    if slug != slug.strip():
        return f"Remove the spaces around '{slug.strip()}'. {SLUG_RULE}"
    if slug != slug.lower():
        return f"Use lowercase letters only ('{slug}' has capitals). {SLUG_RULE}"
    if not SLUG_PATTERN.match(slug) or "--" in slug:
        return SLUG_RULE
    return None


def validate_request(raw: dict[str, Any]) -> ProvisionRequest:
    """Check every field and report all problems at once (field names as the API spells them)."""
    errors: list[FieldError] = []
    # The job stores the request as jsonb, which can't hold NUL: no text field may carry one.
    for key, value in raw.items():
        if isinstance(value, str) and "\x00" in value:
            errors.append(
                FieldError(
                    "INVALID", "Remove the NUL character (\\0) from this text.", _API_FIELDS.get(key, key)
                )
            )
    if errors:
        raise ActionError(errors)
    name = str(raw.get("name") or "").strip()
    slug = str(raw.get("slug") or "")
    if not name:
        errors.append(FieldError("REQUIRED", "Enter the client's name.", "name"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("TOO_LONG", f"Keep the name under {NAME_MAX} characters.", "name"))
    if not slug.strip():
        errors.append(FieldError("REQUIRED", "Enter a short name for the portal address.", "slug"))
    elif (problem := slug_problem(slug)) is not None:
        errors.append(FieldError("INVALID_SLUG", problem, "slug"))
    elif slug in RESERVED_SLUGS or slug == TEMPLATE_SLUG:
        errors.append(FieldError("INVALID_SLUG", f"'{slug}' is reserved; choose another.", "slug"))
    elif Client.objects.filter(slug=slug).exists() or schema_exists(schema_name_for(slug)):
        errors.append(
            FieldError("DUPLICATE_SLUG", f"A client with the address '{slug}' already exists.", "slug")
        )
    industry = str(raw.get("industry") or Industry.OTHER)
    if industry not in Industry.values:
        errors.append(FieldError("INVALID", "Choose an industry from the list.", "industry"))
    tier = str(raw.get("tier") or ClientTier.STANDARD)
    if tier not in ClientTier.values:
        errors.append(FieldError("INVALID", "Choose a tier from the list.", "tier"))
    tz = str(raw.get("timezone") or "UTC")
    if tz not in zoneinfo.available_timezones():
        errors.append(
            FieldError("INVALID", f"'{tz}' is not an IANA time zone (e.g. Europe/London).", "timezone")
        )
    it_lead_email = ""
    try:
        it_lead_email = normalise_email(str(raw.get("it_lead_email") or ""), "itLeadEmail")
    except ActionError as exc:
        errors.extend(exc.errors)
    it_lead_name = str(raw.get("it_lead_name") or "").strip()
    name_problem = person_name_problem(it_lead_name, "itLeadName", "Enter the IT lead's name.")
    if name_problem is not None:
        errors.append(name_problem)
    account_manager_id = raw.get("account_manager_id")
    if account_manager_id is not None:
        try:
            account_manager_id = int(account_manager_id)
        except (TypeError, ValueError):
            account_manager_id = 0
        if not User.objects.filter(
            pk=account_manager_id, msp_role__in=[MspRole.ACCOUNT_MANAGER, MspRole.ADMIN], is_active=True
        ).exists():
            errors.append(FieldError("INVALID", "Choose an active account manager.", "accountManagerId"))
    if errors:
        raise ActionError(errors)
    return ProvisionRequest(
        name=name,
        slug=slug,
        industry=industry,
        tier=tier,
        it_lead_email=it_lead_email,
        it_lead_name=it_lead_name,
        timezone=tz,
        account_manager_id=account_manager_id,
        require_two_factor=bool(raw.get("require_two_factor", False)),
    )


def ensure_template_tenant(verbosity: int = 0) -> Client:
    """The template schema new clients are cloned from, kept current by `migrate_schemas`
    because it is a tenant row. Created with migrations the first time."""
    template = Client.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
    if template is None:
        template = Client.objects.create(
            schema_name=settings.TENANT_BASE_SCHEMA,
            name="Template",
            slug=TEMPLATE_SLUG,
            kind=TenantKind.TEMPLATE,
        )
    if not schema_exists(template.schema_name):
        # No template to clone from yet: this one is built by replaying migrations.
        template.create_schema(check_if_exists=True, verbosity=verbosity)
    # New clients are copies of the template: its DDL is read from the catalogue once per
    # state of the template (tenants.schema_copy).
    warm_template_script()
    return template


PROVISIONING_STEPS = (
    "Validating the request",
    "Preparing the template schema",
    "Registering the client",
    "Creating the client's schema",
    "Registering the portal address",
    "Inviting the IT lead",
)


def provision_client(
    raw: dict[str, Any] | ProvisionRequest,
    *,
    acting_user: User | None,
    progress: ProgressCallback | None = None,
) -> Client:
    """Create a client with its schema, portal domain and first IT lead invitation.

    Raises `ActionError` for bad input (nothing written). Any failure after validation
    rolls the whole thing back, schema included.
    """
    report = progress or (lambda step, total, message: None)
    total = len(PROVISIONING_STEPS)
    report(1, total, PROVISIONING_STEPS[0])
    request = raw if isinstance(raw, ProvisionRequest) else validate_request(raw)
    if current_schema_name() != "public":
        raise RuntimeError("Clients are provisioned from the public schema.")
    started = time.perf_counter()
    report(2, total, PROVISIONING_STEPS[1])
    ensure_template_tenant()
    with transaction.atomic():
        report(3, total, PROVISIONING_STEPS[2])
        # Lock out a concurrent provisioning of the same slug until this one commits.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"provision:{request.slug}"])
        if Client.objects.filter(slug=request.slug).exists():
            raise ActionError.single(
                "DUPLICATE_SLUG", f"A client with the address '{request.slug}' already exists.", "slug"
            )
        client = Client.objects.create(
            schema_name=schema_name_for(request.slug),
            name=request.name,
            slug=request.slug,
            kind=TenantKind.CLIENT,
            industry=request.industry,
            tier=request.tier,
            status=ClientStatus.ONBOARDING,
            timezone=request.timezone,
            account_manager_id=request.account_manager_id,
            require_two_factor=request.require_two_factor,
        )
        report(4, total, PROVISIONING_STEPS[3])
        create_client_schema(client)
        report(5, total, PROVISIONING_STEPS[4])
        Domain.objects.create(domain=client_domain_for(request.slug), tenant=client, is_primary=True)
        report(6, total, PROVISIONING_STEPS[5])
        invite_client_user(
            client,
            email=request.it_lead_email,
            full_name=request.it_lead_name,
            role=ClientRole.IT_LEAD,
            invited_by=acting_user,
        )
        record_audit("client.provisioned", actor=acting_user, client=client, slug=client.slug)
    logger.info(
        "client provisioned",
        extra={"client": client.slug, "seconds": round(time.perf_counter() - started, 3)},
    )
    return client


def _constraint_of(exc: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL says was violated."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


def start_provisioning_job(
    raw: dict[str, Any], *, acting_user: User, idempotency_key: str | None = None
) -> ProvisioningJob:
    """Validate now (so the person sees field errors at once) and queue the work.

    With an idempotency key, the same submission sent again (or twice at once) answers with
    the job it started the first time — whatever that job has done since — and queues
    nothing (core.idempotency)."""
    key = clean_idempotency_key(idempotency_key)

    def of_submission() -> ProvisioningJob | None:
        return (
            ProvisioningJob.objects.filter(requested_by=acting_user, idempotency_key=key).first()
            if key
            else None
        )

    def same_request(job: ProvisioningJob) -> ProvisioningJob:
        if job.slug != str(raw.get("slug") or "").strip().lower():
            raise key_reused()
        return job

    earlier = of_submission()
    if earlier is not None:
        # Before validating: once the first job has run, its slug is taken.
        return same_request(earlier)
    request = validate_request(raw)
    reap_stale_jobs(slug=request.slug)
    with transaction.atomic():
        if ProvisioningJob.objects.filter(
            slug=request.slug, status__in=[ProvisioningStatus.QUEUED, ProvisioningStatus.RUNNING]
        ).exists():
            raise ActionError.single(
                "DUPLICATE_SLUG", f"A client with the address '{request.slug}' is being provisioned.", "slug"
            )
        try:
            job, created = create_once(
                lambda: ProvisioningJob.objects.create(
                    slug=request.slug,
                    request=request.as_json(),
                    requested_by=acting_user,
                    total_steps=len(PROVISIONING_STEPS),
                    message="Queued",
                    idempotency_key=key,
                ),
                of_submission,
            )
        except IntegrityError as exc:
            if _constraint_of(exc) != "provisioning_job_one_live_per_slug":
                raise
            # Another submission (another key, or none) started this slug a moment ago.
            raise ActionError.single(
                "DUPLICATE_SLUG", f"A client with the address '{request.slug}' is being provisioned.", "slug"
            ) from None
        if not created:
            return same_request(job)
        # Stored with the job, published after the commit (at once when the broker answers
        # within a second, else by the beat relay): the request never waits on a broker.
        enqueue_on_commit("tenants.provision_client", str(job.pk), dedupe_key=f"provision:{job.pk}")
    return job


def progress_cache_key(job_id: str) -> str:
    return f"provisioning-progress:{job_id}"


def _cached_progress(job_id: str) -> dict[str, Any] | None:
    """The running job's published step, or None (also when the cache is unreachable:
    progress is a courtesy, the job row is the truth)."""
    try:
        return cache.get(progress_cache_key(job_id))  # type: ignore[no-any-return]
    except Exception:
        logger.warning("provisioning progress unavailable (cache unreachable)", extra={"job": job_id})
        return None


def live_progress(job: ProvisioningJob) -> tuple[int, int, str]:
    """(step, total, message) of a job, including the steps of one still running.

    A running job's steps happen inside its still-open transaction, so they are
    published through the cache (Redis) rather than the job row. With the cache away
    the row's own values are shown.
    """
    if job.status == ProvisioningStatus.RUNNING:
        cached = _cached_progress(str(job.pk))
        if cached:
            return cached["step"], cached["total"], cached["message"]
    return job.step, job.total_steps, job.message


# ------------------------------------------------------------------ the job's lease
# A worker running a job holds a session-level PostgreSQL advisory lock on it: that lock is
# the job's lease. PostgreSQL releases it the moment the worker's connection ends, so a
# worker killed mid-job is detected at once, with no heartbeat to tune: a RUNNING job whose
# lock anyone can take has nobody running it. Provisioning is one transaction, so such a
# job left nothing behind; it is failed with a message saying so and the slug is free.


def _lock_key(job_id: str) -> str:
    return f"provisioning-job:{job_id}"


def _try_lock(job_id: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [_lock_key(job_id)])
        return bool(cursor.fetchone()[0])


def _lease_held(job_id: str) -> bool:
    """Does any session (this one included) hold the job's lease?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(%s, 0))",
            [_lock_key(job_id)],
        )
        return bool(cursor.fetchone()[0])


def _unlock(job_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [_lock_key(job_id)])


def queue_timeout() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "PROVISIONING_QUEUE_TIMEOUT_SECONDS", 900)))


def reap_stale_jobs(*, slug: str | None = None, job_id: str | None = None) -> int:
    """Fail the jobs nobody is running any more; returns how many.

    RUNNING with its lease free: the worker died (its transaction was rolled back).
    QUEUED for longer than `PROVISIONING_QUEUE_TIMEOUT_SECONDS`: no worker ever took it.
    Called on every read of a job, before a new job for a slug, and by beat every minute.
    """
    jobs = ProvisioningJob.objects.filter(
        Q(status=ProvisioningStatus.RUNNING)
        | Q(status=ProvisioningStatus.QUEUED, created_at__lte=timezone.now() - queue_timeout())
    )
    if slug is not None:
        jobs = jobs.filter(slug=slug)
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    reaped = 0
    for job in jobs:
        key = str(job.pk)
        if job.status == ProvisioningStatus.QUEUED:
            minutes = int(queue_timeout().total_seconds() // 60)
            reaped += _fail_stale(
                job,
                ProvisioningStatus.QUEUED,
                f"No worker started this job within {minutes} minutes, so nothing was created. "
                "Start the provisioning again.",
            )
            continue
        if _lease_held(key) or not _try_lock(key):
            continue  # a live worker holds the lease (possibly in this very process)
        try:
            step, total, message = live_progress(job)
            reaped += _fail_stale(
                job,
                ProvisioningStatus.RUNNING,
                f"The worker running this job stopped at step {step} of {total} ({message}). "
                "Everything it had done was rolled back; start the provisioning again.",
                step=step,
            )
        finally:
            _unlock(key)
    return reaped


def _fail_stale(job: ProvisioningJob, was: str, error: str, *, step: int | None = None) -> int:
    updated = ProvisioningJob.objects.filter(pk=job.pk, status=was).update(
        status=ProvisioningStatus.FAILED,
        error=error,
        message="Failed",
        step=job.step if step is None else step,
        finished_at=timezone.now(),
    )
    if updated:
        logger.warning("provisioning job failed as stale", extra={"job": str(job.pk), "was": was})
        _forget_progress(str(job.pk))
    return updated


def _forget_progress(job_id: str) -> None:
    try:
        cache.delete(progress_cache_key(job_id))
    except Exception:
        logger.warning("provisioning progress not cleared (cache unreachable)", extra={"job": job_id})


def run_provisioning_job(job_id: str, *, on_progress: ProgressCallback | None = None) -> ProvisioningJob:
    """Run a queued job. Safe to run twice: a finished job is left as it is, one another
    worker is running is left to it, and one whose worker died is run again (its first
    attempt was rolled back)."""
    if not _try_lock(job_id):
        return ProvisioningJob.objects.get(pk=job_id)
    try:
        return _run_locked(job_id, on_progress)
    finally:
        try:
            _unlock(job_id)
        except Exception:  # the connection is gone, and the lease with it
            logger.warning("provisioning lease not released explicitly", extra={"job": job_id})


def _run_locked(job_id: str, on_progress: ProgressCallback | None) -> ProvisioningJob:
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().get(pk=job_id)
        if job.status in (ProvisioningStatus.SUCCEEDED, ProvisioningStatus.FAILED):
            return job
        job.status = ProvisioningStatus.RUNNING
        job.save(update_fields=["status"])

    def progress(step: int, total: int, message: str) -> None:
        try:
            cache.set(progress_cache_key(job_id), {"step": step, "total": total, "message": message}, 3600)
        except Exception:  # progress is a courtesy: never fail a provisioning over it
            logger.warning("provisioning progress not published (cache unreachable)", extra={"job": job_id})
        if on_progress:
            on_progress(step, total, message)

    try:
        client = provision_client(
            ProvisionRequest(**job.request), acting_user=job.requested_by, progress=progress
        )
    except ActionError as exc:
        _finish(job, ProvisioningStatus.FAILED, error=str(exc))
    except Exception:
        logger.exception("provisioning failed", extra={"job": job_id})
        # The reason is logged with the job id; the person sees no internals.
        _finish(
            job,
            ProvisioningStatus.FAILED,
            error=f"Provisioning failed and was rolled back; nothing was created (job {job_id}).",
        )
    else:
        _finish(job, ProvisioningStatus.SUCCEEDED, client=client)
    _forget_progress(job_id)
    job.refresh_from_db()
    return job


def _finish(job: ProvisioningJob, status: str, *, error: str = "", client: Client | None = None) -> None:
    succeeded = status == ProvisioningStatus.SUCCEEDED
    step, total, _ = live_progress(job)
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=status,
        error=error,
        client=client,
        message="Client ready" if succeeded else "Failed",
        step=total if succeeded else step,
        finished_at=timezone.now(),
    )
