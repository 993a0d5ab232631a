"""Django admin can't delete (or add, or edit) queue rows: `WorkItem` is derived from the
tickets and written only with them; deleting one would take an open ticket out of every
technician's queue and stop its SLA warnings."""

from __future__ import annotations

from django.contrib import admin
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from services.support.actions import NewTicket, create_ticket
from services.workqueue.models import WorkItem
from tenants.models import User


def _superuser_client(gql, world):
    superuser = User.objects.create_superuser(
        "root@msp.test", "a-long-enough-passphrase-42", full_name="Root"
    )
    http = gql(world.admin).http
    http.force_login(superuser)
    device = TOTPDevice.objects.create(user=superuser, name="test", confirmed=True)
    session = http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return superuser, http


def test_no_one_deletes_adds_or_edits_queue_rows_in_admin(world, gql):
    with tenant_context(world.a):
        create_ticket(world.a, NewTicket(title="Open ticket"), actor=world.a_lead)
    item = WorkItem.objects.get(client=world.a, number=1)
    superuser, http = _superuser_client(gql, world)

    model_admin = admin.site._registry[WorkItem]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert not model_admin.has_delete_permission(request, item)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, item)
    assert "delete_selected" not in model_admin.get_actions(request)

    assert http.get(f"/admin/workqueue/workitem/{item.pk}/delete/").status_code == 403
    response = http.post(f"/admin/workqueue/workitem/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    bulk = http.post(
        "/admin/workqueue/workitem/",
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert WorkItem.objects.filter(pk=item.pk).exists()
    # Still readable: the list and the row's (read-only) page.
    assert http.get("/admin/workqueue/workitem/").status_code == 200
    assert http.get(f"/admin/workqueue/workitem/{item.pk}/change/").status_code == 200
