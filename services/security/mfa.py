"""MFA coverage use cases: the identity-provider list import and the KPI snapshots.

The list (a CSV exported from Entra ID, Google Workspace, Okta...) is the client's whole
directory: applying it adds new accounts, updates changed ones and removes accounts that
are no longer in it. Importing the same file twice changes nothing. Columns
(case-insensitive; `email` and `mfa_enabled` are required):

    email (or upn), display_name, mfa_enabled, mfa_method, account_enabled, last_sign_in

Who may: MSP staff who reach the client and the client's IT leads (the IT lead is the one
who can export the list from the identity provider).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import csv_import
from core.csv_import import Column, ParsedFile, Plan
from core.errors import AccessDenied
from core.tenancy import in_schema, require_schema
from services.security.mfa_models import IdpAccount, IdpAccountImport, MfaSnapshot
from services.security.mfa_selectors import mfa_coverage
from tenants.access import clients_reachable_by, ensure_client_writable
from tenants.actions import record_audit
from tenants.models import Client, ClientRole, Membership, User

APPLY_TASK = "security.apply_idp_import"
SNAPSHOT_TASK = "security.take_mfa_snapshot"
BATCH = 1000

MFA_ON = {"enabled", "enforced", "registered", "capable", "mfa", "required"}
MFA_OFF = {"disabled", "not registered", "notregistered", "not_registered", "none", "not enabled", "off"}


def parse_mfa(text: str) -> bool:
    """Yes/no, or the words identity providers export ("Enforced", "Not registered")."""
    word = text.strip().lower()
    if word in MFA_ON:
        return True
    if word in MFA_OFF:
        return False
    try:
        return csv_import.parse_bool(text)
    except csv_import.CellError:
        raise csv_import.CellError(
            "INVALID_BOOLEAN", f"'{text[:60]}' is not an MFA state (use yes/no, enabled/disabled)."
        ) from None


def parse_account_enabled(text: str) -> bool:
    word = text.strip().lower()
    if word in {"active", "enabled"}:
        return True
    if word in {"blocked", "disabled", "suspended", "inactive"}:
        return False
    return csv_import.parse_bool(text)


def _limit(name: str) -> int:
    return int(IdpAccount._meta.get_field(name).max_length)  # type: ignore[arg-type,union-attr]


COLUMNS: tuple[Column, ...] = (
    Column(
        "email",
        required=True,
        max_length=_limit("login"),
        parse=csv_import.parse_email,
        aliases=(
            "upn",
            "user_principal_name",
            "userprincipalname",
            "login",
            "mail",
            "sign_in_name",
            "username",
        ),
    ),
    Column("display_name", max_length=_limit("display_name"), aliases=("name", "displayname", "full_name")),
    Column(
        "mfa_enabled",
        header_required=True,
        parse=parse_mfa,
        default=False,
        aliases=("mfa", "mfa_status", "mfa_registered", "is_mfa_registered", "ismfaregistered", "2fa"),
    ),
    Column(
        "mfa_method", max_length=_limit("mfa_method"), aliases=("method", "default_method", "mfa_methods")
    ),
    Column(
        "account_enabled",
        parse=parse_account_enabled,
        default=True,
        aliases=("enabled", "accountenabled", "account_status", "status"),
    ),
    Column(
        "last_sign_in",
        parse=csv_import.parse_datetime,
        default=None,
        aliases=("last_sign_in_at", "lastsignindatetime", "last_login", "last_signin"),
    ),
)

FIELDS = {
    "display_name": "display_name",
    "mfa_enabled": "mfa_enabled",
    "mfa_method": "mfa_method",
    "account_enabled": "account_enabled",
    "last_sign_in": "last_sign_in_at",
}


def plan_accounts(parsed: ParsedFile) -> Plan:
    """Compare the list with the stored accounts (one query). The plan's changes are
    ("create" | "update", account) and ("remove", account id)."""
    rows = parsed.rows
    present = set(parsed.columns)
    csv_import.duplicate_errors(rows, lambda r: r.values.get("email") or None, "email", "account")
    stored = {a.login.lower(): a for a in IdpAccount.objects.all()}
    plan = Plan(total_rows=len(rows))
    seen: set[str] = set()
    now = timezone.now()
    for row in rows:
        login = str(row.values.get("email") or "")
        if login:
            seen.add(login)  # a row with errors still keeps its account from removal
        if row.errors:
            continue
        wanted = {name: row.values[column] for column, name in FIELDS.items() if column in present}
        account = stored.get(login)
        if account is None:
            plan.to_create += 1
            plan.changes.append(
                ("create", IdpAccount(login=login, first_imported_at=now, updated_at=now, **wanted))
            )
            continue
        changed = {key: value for key, value in wanted.items() if getattr(account, key) != value}
        if not changed:
            plan.unchanged += 1
            continue
        plan.to_update += 1
        for key, value in changed.items():
            setattr(account, key, value)
        account.updated_at = now
        plan.changes.append(("update", account))
    removed = [("remove", a.pk) for login, a in stored.items() if login not in seen]
    plan.to_remove = len(removed)
    plan.changes.extend(removed)
    return plan


def write_accounts(plan: Plan, progress: Any) -> None:
    creates = [item for kind, item in plan.changes if kind == "create"]
    updates = [item for kind, item in plan.changes if kind == "update"]
    removes = [item for kind, item in plan.changes if kind == "remove"]
    done = 0
    for start in range(0, len(creates), BATCH):
        IdpAccount.objects.bulk_create(creates[start : start + BATCH])
        done += len(creates[start : start + BATCH])
        progress(done)
    fields = sorted({*FIELDS.values(), "updated_at"})
    for start in range(0, len(updates), BATCH):
        IdpAccount.objects.bulk_update(updates[start : start + BATCH], fields)
        done += len(updates[start : start + BATCH])
        progress(done)
    for start in range(0, len(removes), BATCH):
        IdpAccount.objects.filter(pk__in=removes[start : start + BATCH]).delete()
        done += len(removes[start : start + BATCH])
        progress(done)


# ------------------------------------------------------------------ who may


def ensure_may_manage_mfa(user: Any, client: Client, *, write: bool = False) -> User:
    """Staff whose roles reach the client and its IT leads (members: no — it lists their
    colleagues). The session (second factor) is the API's check: `client_schema`."""
    if user.is_msp_staff:
        allowed = clients_reachable_by(user).filter(pk=client.pk).exists()
    else:
        allowed = Membership.objects.filter(user=user, client=client, role=ClientRole.IT_LEAD).exists()
    if not allowed:
        raise AccessDenied("Only the client's IT leads and the MSP's staff see MFA coverage.")
    if write:
        ensure_client_writable(client)
    return user  # type: ignore[no-any-return]


# ------------------------------------------------------------------ use cases


def preview_idp_import(client: Client, *, actor: User, file_name: str, data_base64: str) -> IdpAccountImport:
    """Check an uploaded identity-provider list and store its preview; nothing else is written."""
    require_schema(client)
    ensure_may_manage_mfa(actor, client, write=True)
    return csv_import.store_preview(  # type: ignore[return-value]
        IdpAccountImport,
        data_base64=data_base64,
        file_name=file_name,
        columns=COLUMNS,
        planner=plan_accounts,
        requested_by_id=actor.pk,
    )


def apply_idp_import(client: Client, *, actor: User, import_id: Any) -> IdpAccountImport:
    """Queue the apply of a previewed list without errors (through the outbox)."""
    require_schema(client)
    ensure_may_manage_mfa(actor, client, write=True)
    job = csv_import.request_apply(IdpAccountImport, import_id, APPLY_TASK)
    record_audit("idp_import.requested", actor=actor, client=client, job=str(job.pk), file=job.file_name)
    return job  # type: ignore[return-value]


def discard_idp_import(client: Client, *, actor: User, import_id: Any) -> IdpAccountImport:
    require_schema(client)
    ensure_may_manage_mfa(actor, client, write=True)
    return csv_import.discard(IdpAccountImport, import_id)  # type: ignore[return-value]


def run_idp_import(client: Client, job_id: str) -> IdpAccountImport | None:
    """The worker's side: apply the list, then rewrite today's coverage snapshot in the
    same transaction (the KPI history shows the import's effect at once)."""
    require_schema(client)
    return csv_import.run_apply(  # type: ignore[return-value]
        IdpAccountImport,
        job_id,
        columns=COLUMNS,
        planner=plan_accounts,
        writer=write_accounts,
        after_apply=lambda job: _snapshot_after_import(client),
    )


def _snapshot_after_import(client: Client) -> None:
    take_snapshot(client)


def take_snapshot(client: Client, day: dt.date | None = None) -> MfaSnapshot:
    """Write the coverage of `day` (today by default): one row per day, the latest figures
    win, so running it twice on a day leaves one row."""
    day = day or timezone.localdate()
    coverage = mfa_coverage(client)
    with in_schema(client.schema_name), transaction.atomic():
        snapshot, _ = MfaSnapshot.objects.update_or_create(
            day=day,
            defaults={
                "total_accounts": coverage.total_accounts,
                "covered_accounts": coverage.covered_accounts,
                "portal_accounts": coverage.portal_accounts,
                "portal_covered": coverage.portal_covered,
                "idp_accounts": coverage.idp_accounts,
                "idp_covered": coverage.idp_covered,
                "taken_at": timezone.now(),
            },
        )
    return snapshot


def dispatch_snapshots(day: dt.date | None = None) -> int:
    """Beat, daily: one snapshot task per live client, through the outbox, at most one per
    client and day (the dedupe key), so a second dispatch the same day queues nothing."""
    from core.tasks import enqueue_on_commit

    day = day or timezone.localdate()
    sent = 0
    with transaction.atomic():
        for schema in Client.objects.live().values_list("schema_name", flat=True):
            stored = enqueue_on_commit(
                SNAPSHOT_TASK,
                day.isoformat(),
                schema_name=schema,
                dedupe_key=f"{SNAPSHOT_TASK}:{schema}:{day.isoformat()}",
            )
            sent += stored is not None
    return sent
