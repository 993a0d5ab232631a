"""The GraphQL API of MFA coverage: who sees it, the KPI with history, accounts without MFA
first, constant query counts, and the IdP import through the API."""

from __future__ import annotations

import base64
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from services.security.mfa_models import IdpAccount, MfaSnapshot

COVERAGE = """{ mfaCoverage(clientSlug: "alpha") { percent totalAccounts coveredAccounts uncoveredAccounts
  portalAccounts portalCovered idpAccounts idpCovered
  history(days: 7) { day percent } portalUsers { email hasMfa isItLead } } }"""
ACCOUNTS = """query($mfa: Boolean, $search: String) { idpAccounts(clientSlug: "alpha", mfaEnabled: $mfa, search: $search, first: 100) {
  totalCount edges { node { login mfaEnabled accountEnabled } } } }"""


def _accounts(world, count, start=0):
    with tenant_context(world.a):
        IdpAccount.objects.bulk_create(
            IdpAccount(
                login=f"user{start + i}@alpha.test", mfa_enabled=i % 2 == 0, account_enabled=i % 5 != 4
            )
            for i in range(count)
        )


def test_coverage_history_and_portal_users(world, gql):
    TOTPDevice.objects.create(user=world.a_lead, name="app", confirmed=True)
    _accounts(world, 10)
    today = timezone.localdate()
    with tenant_context(world.a):
        MfaSnapshot.objects.create(day=today - dt.timedelta(days=1), total_accounts=4, covered_accounts=1)
        MfaSnapshot.objects.create(day=today - dt.timedelta(days=30), total_accounts=4, covered_accounts=0)
    data = gql(world.a_lead, host=world.a).data(COVERAGE.replace('(clientSlug: "alpha")', ""))["mfaCoverage"]
    # Portal: lead (MFA) + member; IdP: 8 enabled accounts, 4 of them with MFA (0, 2, 6, 8).
    assert {k: data[k] for k in ("totalAccounts", "coveredAccounts", "uncoveredAccounts", "percent")} == {
        "totalAccounts": 10,
        "coveredAccounts": 5,
        "uncoveredAccounts": 5,
        "percent": 50.0,
    }
    assert data["history"] == [{"day": (today - dt.timedelta(days=1)).isoformat(), "percent": 25.0}]
    assert data["portalUsers"] == [
        {"email": "member@alpha.test", "hasMfa": False, "isItLead": False},
        {"email": "lead@alpha.test", "hasMfa": True, "isItLead": True},
    ]
    # Members don't see their colleagues' MFA; staff who reach the client do.
    denied = gql(world.a_member, host=world.a).execute(COVERAGE)
    assert denied["data"] is None and denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert gql(world.technician).data(COVERAGE)["mfaCoverage"]["totalAccounts"] == 10


def _count(client, query, variables=None):
    with CaptureQueriesContext(connection) as ctx:
        client.data(query, variables or {})
    return len(ctx.captured_queries)


def test_accounts_without_mfa_first_and_constant_queries(world, gql):
    staff = gql(world.technician)
    _accounts(world, 5)
    small = (_count(staff, ACCOUNTS), _count(staff, COVERAGE))
    _accounts(world, 80, start=100)
    assert (_count(staff, ACCOUNTS), _count(staff, COVERAGE)) == small
    edges = staff.data(ACCOUNTS)["idpAccounts"]["edges"]
    flags = [e["node"]["mfaEnabled"] for e in edges]
    assert flags == sorted(flags) and all(e["node"]["accountEnabled"] for e in edges)
    assert (
        staff.data(ACCOUNTS, {"mfa": False, "search": "user10"})["idpAccounts"]["totalCount"] == 4
    )  # user101, 103, 105, 107


def test_idp_import_by_the_it_lead_through_the_api(
    world, gql, django_capture_on_commit_callbacks, eager_tasks
):
    lead = gql(world.a_lead, host=world.a)
    text = "email,mfa_enabled\nann@alpha.test,yes\nbob@alpha.test,no\n"
    preview = lead.data(
        'mutation($f: String!) { previewIdpImport(fileName: "idp.csv", dataBase64: $f) '
        "{ idpImport { id toCreate canApply } errors { code } } }",
        {"f": base64.b64encode(text.encode()).decode()},
    )["previewIdpImport"]
    assert preview["idpImport"]["toCreate"] == 2 and preview["idpImport"]["canApply"]
    with django_capture_on_commit_callbacks(execute=True):
        applied = lead.data(
            "mutation($id: ID!) { applyIdpImport(importId: $id) { idpImport { status } errors { code } } }",
            {"id": preview["idpImport"]["id"]},
        )["applyIdpImport"]
    assert applied["errors"] == []
    polled = lead.data(
        "query($id: ID!) { idpImport(id: $id) { status processedRows } }", {"id": preview["idpImport"]["id"]}
    )
    assert polled["idpImport"] == {"status": "APPLIED", "processedRows": 2}
    with tenant_context(world.a):
        assert IdpAccount.objects.count() == 2
        assert MfaSnapshot.objects.get(day=timezone.localdate()).total_accounts == 4
