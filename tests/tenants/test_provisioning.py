"""Provisioning a client: success, bad input, duplicates, failure mid-way, idempotency."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from core.errors import ActionError
from services.directory.models import Contact
from tenants import provisioning
from tenants.models import AuditEvent, Client, Domain, Invitation, ProvisioningJob, ProvisioningStatus
from tenants.provisioning import provision_client, run_provisioning_job, start_provisioning_job
from tenants.tasks import provision_client_task

VALID = {
    "name": "Charlie Retail",
    "slug": "charlie",
    "industry": "retail",
    "tier": "premium",
    "timezone": "Europe/Paris",
    "it_lead_email": "Lead@Charlie.test",
    "it_lead_name": "Cara Lead",
}


def test_provision_creates_schema_domain_and_invites_it_lead(world, django_capture_on_commit_callbacks):
    steps = []
    with django_capture_on_commit_callbacks(execute=True):
        client = provision_client(
            VALID, acting_user=world.admin, progress=lambda s, t, m: steps.append((s, t, m))
        )

    assert client.schema_name == "client_charlie"
    assert schema_exists("client_charlie")
    with schema_context(client.schema_name):
        assert Contact.objects.count() == 0  # the tenant's tables exist (cloned from the template)
    assert Domain.objects.get(tenant=client).domain == "charlie.localhost"
    invitation = Invitation.objects.get(client=client)
    assert (invitation.email, invitation.role) == ("lead@charlie.test", "it_lead")
    assert len(mail.outbox) == 1 and "charlie.localhost/invite/" in mail.outbox[0].body
    assert [s for s, _, _ in steps] == [1, 2, 3, 4, 5, 6] and all(t == 6 for _, t, _ in steps)
    assert AuditEvent.objects.filter(action="client.provisioned", client=client, actor=world.admin).exists()


def test_provisioned_schema_is_cloned_not_migrated(world):
    # A row that only exists in the template: a schema built by replaying migrations starts
    # empty, a clone of the template carries it (django-tenants clones with data).
    with schema_context(settings.TENANT_BASE_SCHEMA):
        Contact.objects.create(full_name="Template marker", email="marker@template.test")
    provision_client(VALID, acting_user=world.admin)
    with schema_context("client_charlie"):
        assert list(Contact.objects.values_list("full_name", flat=True)) == ["Template marker"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, count(*) FROM information_schema.tables "
            "WHERE table_schema IN (%s, %s) GROUP BY table_schema",
            ["client_charlie", settings.TENANT_BASE_SCHEMA],
        )
        tables = dict(cursor.fetchall())
    assert tables["client_charlie"] == tables[settings.TENANT_BASE_SCHEMA] > 0


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("", "REQUIRED"),
        ("ab", "INVALID_SLUG"),
        ("Has Spaces", "INVALID_SLUG"),
        ("-starts-with-hyphen", "INVALID_SLUG"),
        ("Acme", "INVALID_SLUG"),
        (" acme", "INVALID_SLUG"),
        ("acme ", "INVALID_SLUG"),
        ("double--hyphen", "INVALID_SLUG"),
        ("ends-", "INVALID_SLUG"),
        ("public", "INVALID_SLUG"),
        ("admin", "INVALID_SLUG"),
        ("x" * 41, "INVALID_SLUG"),
        ("robert'); drop schema public; --", "INVALID_SLUG"),
    ],
)
def test_invalid_slug_is_a_typed_error_and_nothing_is_written(world, slug, code):
    before = (Client.objects.count(), Invitation.objects.count(), Domain.objects.count())
    with pytest.raises(ActionError) as excinfo:
        provision_client({**VALID, "slug": slug}, acting_user=world.admin)
    assert [(e.field, e.code) for e in excinfo.value.errors] == [("slug", code)]
    assert (Client.objects.count(), Invitation.objects.count(), Domain.objects.count()) == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Acme", "Use lowercase letters only ('Acme' has capitals)"),
        (" acme", "Remove the spaces around 'acme'"),
    ],
)
def test_a_slug_is_never_rewritten_but_refused_with_the_reason(world, typed, message):
    with pytest.raises(ActionError) as excinfo:
        provision_client({**VALID, "slug": typed}, acting_user=world.admin)
    assert message in excinfo.value.errors[0].message
    assert not Client.objects.filter(slug="acme").exists()


@pytest.mark.parametrize(
    ("slug", "schema", "host"),
    [
        ("1-bad", "client_1_bad", "1-bad.localhost"),
        ("123-widgets", "client_123_widgets", "123-widgets.localhost"),
    ],
)
def test_a_slug_may_start_with_a_digit_and_is_kept_as_typed(world, slug, schema, host):
    client = provision_client({**VALID, "slug": slug}, acting_user=world.admin)
    assert (client.slug, client.schema_name) == (slug, schema)
    assert schema_exists(schema)
    assert Domain.objects.get(tenant=client).domain == host
    assert not Client.objects.filter(slug=slug.lstrip("0123456789-")).exists()


def test_duplicate_slug_is_refused(world):
    with pytest.raises(ActionError) as excinfo:
        provision_client({**VALID, "slug": world.a.slug}, acting_user=world.admin)
    assert excinfo.value.errors[0].code == "DUPLICATE_SLUG"
    assert Client.objects.filter(slug=world.a.slug).count() == 1


def test_every_bad_field_is_reported_at_once(world):
    with pytest.raises(ActionError) as excinfo:
        provision_client(
            {
                "name": "",
                "slug": "ok-slug",
                "industry": "mining",
                "tier": "gold",
                "timezone": "Mars/Olympus",
                "it_lead_email": "not-an-email",
                "it_lead_name": "",
            },
            acting_user=world.admin,
        )
    assert {e.field for e in excinfo.value.errors} == {
        "name",
        "industry",
        "tier",
        "timezone",
        "itLeadEmail",
        "itLeadName",
    }


@pytest.mark.parametrize("failing_step", ["domain", "invitation"])
def test_failure_mid_way_leaves_nothing_behind(world, monkeypatch, failing_step):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    if failing_step == "domain":
        monkeypatch.setattr(Domain.objects, "create", boom)
    else:
        monkeypatch.setattr(provisioning, "invite_client_user", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        provision_client(VALID, acting_user=world.admin)
    assert not Client.objects.filter(slug="charlie").exists()
    assert not schema_exists("client_charlie")
    assert not Invitation.objects.filter(email="lead@charlie.test").exists()
    assert not Domain.objects.filter(domain="charlie.localhost").exists()


def test_template_is_rebuilt_when_its_schema_is_missing(world):
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA tenant_template CASCADE")
    client = provision_client(VALID, acting_user=world.admin)
    assert schema_exists("tenant_template") and schema_exists(client.schema_name)


def test_cli_provisions_with_progress_and_is_idempotent(world):
    out = io.StringIO()
    args = [
        "--name",
        "Delta Finance",
        "--slug",
        "delta",
        "--industry",
        "finance",
        "--it-lead-email",
        "lead@delta.test",
        "--it-lead-name",
        "Dee Lead",
        "--account-manager",
        world.account_manager.email,
    ]
    call_command("create_client", *args, stdout=out)
    output = out.getvalue()
    assert "1/6 Validating the request" in output and "6/6 Inviting the IT lead" in output
    assert "Provisioned 'Delta Finance'" in output
    assert Client.objects.get(slug="delta").account_manager == world.account_manager

    again = io.StringIO()
    call_command("create_client", *args, stdout=again)
    assert "already exists" in again.getvalue()
    assert Client.objects.filter(slug="delta").count() == 1


def test_cli_refuses_capitals_instead_of_lowering_them(world):
    with pytest.raises(CommandError, match=r"slug: Use lowercase letters only .*\[INVALID_SLUG\]"):
        call_command(
            "create_client",
            "--name",
            "Echo Widgets",
            "--slug",
            "Echo",
            "--it-lead-email",
            "a@b.test",
            "--it-lead-name",
            "A",
            stdout=io.StringIO(),
        )
    assert not Client.objects.filter(slug="echo").exists()


def test_cli_reports_bad_input_clearly(world):
    with pytest.raises(CommandError, match=r"slug: .*\[INVALID_SLUG\]"):
        call_command(
            "create_client",
            "--name",
            "X",
            "--slug",
            "X Y",
            "--it-lead-email",
            "a@b.test",
            "--it-lead-name",
            "A",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="already belongs to"):
        call_command(
            "create_client",
            "--name",
            "Other",
            "--slug",
            world.a.slug,
            "--it-lead-email",
            "a@b.test",
            "--it-lead-name",
            "A",
            stdout=io.StringIO(),
        )


def test_provisioning_job_runs_once_and_records_progress(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        provision_client_task, "apply_async", lambda args, kwargs, **options: sent.append(args[0])
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start_provisioning_job(VALID, acting_user=world.admin)
    assert sent == [str(job.pk)] and job.status == ProvisioningStatus.QUEUED

    seen = []
    finished = run_provisioning_job(str(job.pk), on_progress=lambda s, t, m: seen.append(s))
    assert finished.status == ProvisioningStatus.SUCCEEDED
    assert finished.client is not None
    assert (finished.step, finished.total_steps, finished.client.slug) == (6, 6, "charlie")
    assert seen == [1, 2, 3, 4, 5, 6]
    # A retried task finds the job finished and does nothing.
    result = provision_client_task.apply(args=[str(job.pk)]).get()
    assert result["status"] == "succeeded"
    assert Client.objects.filter(slug="charlie").count() == 1


def test_second_live_job_for_the_same_slug_is_refused(world, monkeypatch):
    monkeypatch.setattr(provision_client_task, "delay", lambda job_id: None)
    start_provisioning_job(VALID, acting_user=world.admin)
    with pytest.raises(ActionError) as excinfo:
        start_provisioning_job(VALID, acting_user=world.admin)
    assert excinfo.value.errors[0].code == "DUPLICATE_SLUG"
    assert ProvisioningJob.objects.filter(slug="charlie").count() == 1


def test_failed_job_is_marked_failed_with_the_reason(world, monkeypatch):
    monkeypatch.setattr(provision_client_task, "delay", lambda job_id: None)
    job = start_provisioning_job(VALID, acting_user=world.admin)
    monkeypatch.setattr(
        provisioning, "invite_client_user", lambda *a, **k: (_ for _ in ()).throw(OSError("smtp"))
    )
    finished = run_provisioning_job(str(job.pk))
    assert finished.status == ProvisioningStatus.FAILED
    assert "rolled back" in finished.error and "smtp" in finished.error
    assert not schema_exists("client_charlie")
