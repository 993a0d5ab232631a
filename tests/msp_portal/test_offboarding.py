"""Offboarding: an MSP admin downloads all of a client's data; the nightly purge removes an
offboarded client once the grace period has passed (schema, public rows, slug freed), after
keeping a last archive."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_exists

from msp_portal.offboarding import offboarded_since, purge_due_clients
from msp_portal.tasks import purge_offboarded_clients_task
from services.workqueue.models import WorkItem
from tenants.models import AuditEvent, Client, ClientStatus, Membership
from tenants.provisioning import provision_client

URL = "/exports/clients/alpha.zip"


def test_an_msp_admin_downloads_the_client_archive(world, gql):
    response = gql(world.admin).http.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["slug"] == "alpha" and manifest["counts"]["tenants.Membership"] == 2
    assert AuditEvent.objects.filter(action="client.exported", actor=world.admin, client=world.a).count() == 1


@pytest.mark.parametrize("who", ["technician", "account_manager", "a_lead", "unverified_admin", "nobody"])
def test_nobody_else_gets_it(world, gql, who):
    if who == "nobody":
        http = gql(None).http
    elif who == "unverified_admin":
        http = gql(world.admin, verified=False).http
    else:
        http = gql(getattr(world, who)).http
    assert http.get(URL).status_code == 404
    assert not AuditEvent.objects.filter(action="client.exported").exists()


def test_unknown_client_is_not_found(world, gql):
    assert gql(world.admin).http.get("/exports/clients/nope.zip").status_code == 404


def test_offboarded_clients_are_purged_after_the_grace_period(world, settings, tmp_path):
    settings.CLIENT_ARCHIVE_ROOT = tmp_path / "archives"
    settings.CLIENT_PURGE_GRACE_DAYS = 30
    assert offboarded_since(world.a) is None
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.OFFBOARDED)
    client = Client.objects.get(pk=world.a.pk)
    since = offboarded_since(client)
    assert since is not None and abs((timezone.now() - since).total_seconds()) < 60

    assert purge_due_clients(now=since + timedelta(days=29, hours=23)) == []
    assert schema_exists(client.schema_name)

    assert purge_due_clients(now=since + timedelta(days=30, minutes=1)) == ["alpha"]
    assert not schema_exists(client.schema_name)
    assert not Client.objects.filter(slug="alpha").exists()
    assert not Membership.objects.filter(client_id=client.pk).exists()
    assert not WorkItem.objects.filter(client_id=client.pk).exists()
    archives = list((tmp_path / "archives").glob("alpha-*.zip"))
    assert len(archives) == 1
    audit = AuditEvent.objects.get(action="client.purged")
    assert audit.detail["slug"] == "alpha" and audit.detail["archive"] == str(archives[0])
    # Bravo, still active, is untouched; the slug can be used again.
    assert schema_exists(world.b.schema_name)
    again = provision_client(
        {
            "name": "Alpha Again",
            "slug": "alpha",
            "industry": "other",
            "tier": "standard",
            "it_lead_email": "lead@alpha-again.test",
            "it_lead_name": "New Lead",
        },
        acting_user=world.admin,
    )
    assert again.slug == "alpha" and schema_exists(again.schema_name)


def test_a_reactivated_client_starts_a_new_grace_period(world, settings, tmp_path):
    settings.CLIENT_ARCHIVE_ROOT = tmp_path
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.OFFBOARDED)
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.ACTIVE)
    assert purge_due_clients(now=timezone.now() + timedelta(days=365)) == []
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.OFFBOARDED)
    since = offboarded_since(Client.objects.get(pk=world.a.pk))
    assert since is not None
    # The spell counts from the latest offboarding, not the first.
    assert purge_due_clients(now=since + timedelta(days=29)) == []
    assert purge_offboarded_clients_task.apply().get() == []
    assert schema_exists(world.a.schema_name)
