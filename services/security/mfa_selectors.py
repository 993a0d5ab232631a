"""Reads of MFA coverage for the status page, the MFA page and the snapshots.

An *account* is one way in: a portal login of the client (a member whose user is active)
or an enabled account of the client's identity provider. A person with both has two
accounts, each of which needs its own second factor; the KPI is the share of active
accounts that have one. A portal account is covered by a confirmed authenticator app
(django-otp TOTP device; backup codes alone don't count), an identity-provider account by
the list's "MFA enabled" column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.csv_import import ImportStatus
from core.tenancy import in_schema
from services.security.mfa_models import IdpAccount, IdpAccountImport, MfaSnapshot
from tenants.models import Client, User


@dataclass(frozen=True)
class MfaCoverage:
    """The KPI now. `percent` is None when the client has no active account at all."""

    percent: float | None
    total_accounts: int
    covered_accounts: int
    portal_accounts: int
    portal_covered: int
    idp_accounts: int
    idp_covered: int
    last_import_at: dt.datetime | None

    @property
    def uncovered_accounts(self) -> int:
        return self.total_accounts - self.covered_accounts


@dataclass(frozen=True)
class MfaHistoryPoint:
    day: dt.date
    percent: float | None
    total_accounts: int
    covered_accounts: int


def coverage_percent(covered: int, total: int) -> float | None:
    """Rounded to one decimal, never up to 100 unless every account is covered."""
    if total <= 0:
        return None
    value = round(100 * covered / total, 1)
    if value == 100.0 and covered < total:
        return 99.9
    return value


def portal_accounts(client: Client) -> QuerySet[User]:
    """The client's active portal users, each annotated with `has_mfa` (public schema)."""
    return (
        User.objects.filter(memberships__client=client, is_active=True)
        .annotate(has_mfa=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .order_by("has_mfa", "email")
    )


def mfa_coverage(client: Client) -> MfaCoverage:
    """The client's MFA coverage now (three queries, whatever the number of accounts)."""
    portal = User.objects.filter(memberships__client=client, is_active=True).aggregate(
        total=Count("pk", distinct=True),
        covered=Count(
            "pk",
            distinct=True,
            filter=Q(Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))),
        ),
    )
    with in_schema(client.schema_name):
        idp = IdpAccount.objects.filter(account_enabled=True).aggregate(
            total=Count("pk"), covered=Count("pk", filter=Q(mfa_enabled=True))
        )
        last_import_at = (
            IdpAccountImport.objects.filter(status=ImportStatus.APPLIED)
            .order_by("-applied_at")
            .values_list("applied_at", flat=True)
            .first()
        )
    total = portal["total"] + idp["total"]
    covered = portal["covered"] + idp["covered"]
    return MfaCoverage(
        percent=coverage_percent(covered, total),
        total_accounts=total,
        covered_accounts=covered,
        portal_accounts=portal["total"],
        portal_covered=portal["covered"],
        idp_accounts=idp["total"],
        idp_covered=idp["covered"],
        last_import_at=last_import_at,
    )


def mfa_history(client: Client, days: int = 30, *, today: dt.date | None = None) -> list[MfaHistoryPoint]:
    """One point per day with a snapshot in the last `days` days (today included), oldest
    first (one query). Days without a snapshot are absent, not zero."""
    days = max(1, min(int(days), 366))
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days - 1)
    with in_schema(client.schema_name):
        rows = list(
            MfaSnapshot.objects.filter(day__gte=since, day__lte=today)
            .order_by("day")
            .values_list("day", "total_accounts", "covered_accounts")
        )
    return [
        MfaHistoryPoint(
            day=day, percent=coverage_percent(covered, total), total_accounts=total, covered_accounts=covered
        )
        for day, total, covered in rows
    ]
