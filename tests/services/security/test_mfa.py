"""MFA coverage: the numbers, the IdP list import (preview, apply, idempotency, removal),
snapshots (one per day, rewritten after an import), the fan-out through the outbox."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from core.csv_import import ImportStatus
from core.errors import AccessDenied, ActionError
from core.models import OutboxMessage
from services.security import mfa
from services.security.mfa_models import IdpAccount, MfaSnapshot
from services.security.mfa_selectors import coverage_percent, mfa_coverage, mfa_history
from tenants.models import Client, ClientStatus


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def in_a(world: Any) -> Iterator[Client]:
    with tenant_context(world.a):
        yield world.a


LIST = (
    "UserPrincipalName,DisplayName,MFA Status,Method,Account Enabled,Last Sign-In\n"
    "ann@alpha.test,Ann,Enforced,Authenticator app,yes,2026-11-30T08:00:00Z\n"
    "bob@alpha.test,Bob,Disabled,,yes,\n"
    "cy@alpha.test,Cy,enabled,SMS,true,2026-11-01\n"
    "old@alpha.test,Old,no,,Blocked,\n"
)


def preview(world: Any, text: str, actor: Any = None) -> Any:
    return mfa.preview_idp_import(
        world.a, actor=actor or world.a_lead, file_name="users.csv", data_base64=b64(text)
    )


def apply(world: Any, text: str, actor: Any = None) -> Any:
    job = preview(world, text, actor)
    assert job.error_count == 0, job.errors
    mfa.apply_idp_import(world.a, actor=actor or world.a_lead, import_id=job.pk)
    return mfa.run_idp_import(world.a, str(job.pk))


def test_percent_rounding():
    assert coverage_percent(0, 0) is None
    assert coverage_percent(1, 3) == 33.3
    assert coverage_percent(1999, 2000) == 99.9  # never shown as 100 while one account lacks MFA
    assert coverage_percent(5, 5) == 100.0


def test_coverage_counts_portal_users_and_idp_accounts(world, in_a, django_assert_num_queries):
    # Client A's portal: its lead and member, neither with an authenticator yet.
    mfa_coverage(world.a)  # the connection's search_path is set on the first query
    with django_assert_num_queries(3):
        empty = mfa_coverage(world.a)
    assert (empty.total_accounts, empty.covered_accounts, empty.percent) == (2, 0, 0.0)
    TOTPDevice.objects.create(user=world.a_lead, name="app", confirmed=True)
    TOTPDevice.objects.create(user=world.a_member, name="half-enrolled", confirmed=False)
    apply(world, LIST)
    coverage = mfa_coverage(world.a)
    # Portal 1/2 (the member's device is unconfirmed); IdP 2/3 (the blocked account doesn't count).
    assert (coverage.portal_accounts, coverage.portal_covered) == (2, 1)
    assert (coverage.idp_accounts, coverage.idp_covered) == (3, 2)
    assert (coverage.total_accounts, coverage.covered_accounts, coverage.uncovered_accounts) == (5, 3, 2)
    assert coverage.percent == 60.0 and coverage.last_import_at is not None
    # A deactivated portal user is no account any more; client B is not counted.
    from tenants.models import User

    User.objects.filter(pk=world.a_member.pk).update(is_active=False)
    assert mfa_coverage(world.a).total_accounts == 4
    assert mfa_coverage(world.b).total_accounts == 2


def test_the_list_is_the_whole_directory_and_twice_changes_nothing(world, in_a):
    done = apply(world, LIST)
    assert (done.status, done.to_create) == (ImportStatus.APPLIED, 4)
    ann = IdpAccount.objects.get(login="ann@alpha.test")
    assert (ann.mfa_enabled, ann.mfa_method, ann.last_sign_in_at) == (
        True,
        "Authenticator app",
        dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC),
    )
    assert IdpAccount.objects.get(login="old@alpha.test").account_enabled is False
    before = list(IdpAccount.objects.order_by("pk").values())
    again = preview(world, LIST)
    assert (again.to_create, again.to_update, again.to_remove, again.unchanged) == (0, 0, 0, 4)
    with pytest.raises(ActionError) as exc:
        mfa.apply_idp_import(world.a, actor=world.a_lead, import_id=again.pk)
    assert exc.value.errors[0].code == "NOTHING_TO_DO"
    assert list(IdpAccount.objects.order_by("pk").values()) == before
    # Bob turned MFA on, Old left the company.
    newer = LIST.replace("Bob,Disabled", "Bob,Enabled").replace("old@alpha.test,Old,no,,Blocked,\n", "")
    job = preview(world, newer)
    assert (job.to_create, job.to_update, job.to_remove, job.unchanged) == (0, 1, 1, 2)
    mfa.apply_idp_import(world.a, actor=world.a_lead, import_id=job.pk)
    mfa.run_idp_import(world.a, str(job.pk))
    assert sorted(IdpAccount.objects.values_list("login", "mfa_enabled")) == [
        ("ann@alpha.test", True),
        ("bob@alpha.test", True),
        ("cy@alpha.test", True),
    ]


def test_bad_rows_and_who_may_import(world, in_a):
    job = preview(
        world,
        "email,mfa_enabled,last_sign_in\n"
        "a@alpha.test,maybe,\n"
        "not-an-address,yes,\n"
        "A@alpha.test,yes,\n"
        "b@alpha.test,yes,yesterday\n"
        "c\x00@alpha.test,yes,\n",
    )
    assert {(e["line"], e["column"], e["code"]) for e in job.errors} == {
        (2, "mfa_enabled", "INVALID_BOOLEAN"),
        (3, "email", "INVALID_EMAIL"),
        (4, "email", "DUPLICATE"),
        (5, "last_sign_in", "INVALID_DATE"),
        (6, "email", "INVALID"),
    }
    with pytest.raises(ActionError):
        preview(world, "email\nx@alpha.test\n")  # the MFA column is required
    assert not IdpAccount.objects.exists()
    with pytest.raises(AccessDenied):
        preview(world, LIST, actor=world.a_member)
    with pytest.raises(AccessDenied):
        preview(world, LIST, actor=world.b_lead)
    assert preview(world, LIST, actor=world.technician).to_create == 4


def test_an_offboarded_client_takes_no_list(world, in_a):
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.OFFBOARDED)
    with pytest.raises(ActionError) as exc:
        mfa.preview_idp_import(
            Client.objects.get(pk=world.a.pk), actor=world.technician, file_name="x", data_base64=b64(LIST)
        )
    assert exc.value.errors[0].code == "CLIENT_READ_ONLY"


def test_snapshots_one_per_day_rewritten_after_an_import(world, in_a):
    today = dt.date(2026, 12, 3)
    mfa.take_snapshot(world.a, today - dt.timedelta(days=2))
    mfa.take_snapshot(world.a, today)
    mfa.take_snapshot(world.a, today)
    assert MfaSnapshot.objects.filter(day=today).count() == 1
    apply(world, LIST)  # writes the snapshot of the real "today"
    real_today = dt.date.today()
    assert MfaSnapshot.objects.get(day=real_today).total_accounts == 5
    history = mfa_history(world.a, 7, today=today)
    assert [(p.day, p.total_accounts, p.percent) for p in history] == [
        (today - dt.timedelta(days=2), 2, 0.0),
        (today, 5 if real_today == today else 2, 40.0 if real_today == today else 0.0),
    ]
    assert mfa_history(world.a, 1, today=today - dt.timedelta(days=1)) == []


def test_the_daily_dispatch_fans_out_once_per_client_and_day(world):
    day = dt.date(2026, 12, 3)
    sent = mfa.dispatch_snapshots(day)
    assert sent == 2  # clients A and B (the MSP tenant and the template are no clients)
    assert mfa.dispatch_snapshots(day) == 0  # deduplicated per (client, day)
    rows = OutboxMessage.objects.filter(task=mfa.SNAPSHOT_TASK)
    assert sorted(rows.values_list("schema_name", flat=True)) == sorted(
        [world.a.schema_name, world.b.schema_name]
    )
    assert {tuple(r.args) for r in rows} == {("2026-12-03",)}


def test_the_snapshot_task_runs_in_the_clients_schema(world, eager_tasks):
    from services.security.tasks import take_mfa_snapshot_task

    with tenant_context(world.b):
        result = take_mfa_snapshot_task.apply(
            args=["2026-12-01"], headers={"_schema_name": world.b.schema_name}
        ).get()
        assert result == {"day": "2026-12-01", "covered": 0, "total": 2}
        assert MfaSnapshot.objects.get(day=dt.date(2026, 12, 1)).total_accounts == 2
    with tenant_context(world.a):
        assert not MfaSnapshot.objects.exists()
