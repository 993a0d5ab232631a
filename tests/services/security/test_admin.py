"""Django admin of security: on a client's portal host, incidents and phishing reports are
read-only (they change through the actions), response targets are saved through the action's
checks; on the MSP host there is nothing of a client to show (and no error)."""

from __future__ import annotations

from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from services.security.actions import NewIncident, create_incident
from services.security.models import SecurityResponseTarget
from tenants.models import AuditEvent, User
from tests.conftest import client_host


def _superuser_http(host: str) -> HttpClient:
    superuser = User.objects.create_superuser(
        "root@msp.test", "a-long-enough-passphrase-42", full_name="Root"
    )
    http = HttpClient(HTTP_HOST=host)
    http.force_login(superuser)
    device = TOTPDevice.objects.create(user=superuser, name="test", confirmed=True)
    session = http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return http


def test_incidents_are_read_only_on_the_client_host(world):
    with tenant_context(world.a):
        incident = create_incident(
            world.a, NewIncident(title="Phish wave", kind="phishing", severity="high"), actor=world.technician
        )
    http = _superuser_http(client_host(world.a))
    listing = http.get("/admin/security/securityincident/")
    assert listing.status_code == 200 and b"Phish wave" in listing.content
    assert http.get(f"/admin/security/securityincident/{incident.pk}/delete/").status_code == 403
    assert http.get("/admin/security/securityincident/add/").status_code == 403


def test_targets_saved_in_admin_go_through_the_action(world):
    http = _superuser_http(client_host(world.a))
    fields = {"severity": "low", "acknowledge_minutes": "30", "contain_minutes": "", "resolve_minutes": "600"}
    assert http.post("/admin/security/securityresponsetarget/add/", fields).status_code == 302
    with tenant_context(world.a):
        row = SecurityResponseTarget.objects.get(severity="low")
        assert (row.acknowledge_minutes, row.contain_minutes, row.resolve_minutes) == (30, None, 600)
    # Recorded in the portal's audit log; Django's admin log (public schema, public content
    # types) is not written for client-schema rows: its foreign key would fail at commit.
    assert AuditEvent.objects.filter(action="security_targets.saved", client=world.a).exists()


def test_nothing_of_a_client_on_the_msp_host(world):
    http = _superuser_http("testserver")
    assert http.get("/admin/security/securityincident/").status_code == 403
    index = http.get("/admin/")
    assert index.status_code == 200 and b"/admin/security/" not in index.content
