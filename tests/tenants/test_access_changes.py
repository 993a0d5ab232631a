"""Someone losing access to a client (taken off its allow-list, switched to limited,
deactivated, or moved to a role that doesn't work tickets) stops being the assignee of its
open tickets: each is unassigned with an internal timeline entry saying why, its queue row
follows in the same transaction, and only the affected clients' schemas are visited.
Django admin changes go through the same action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from services.support import actions as support_actions
from services.support.actions import NewTicket, assign_ticket, change_status, create_ticket
from services.support.models import Ticket, TicketActivity
from services.workqueue.models import Notification, WorkItem
from services.workqueue.sweep import sweep_sla_alerts
from tenants.actions import change_staff_access, deactivate_user, grant_client_access, revoke_client_access
from tenants.models import AuditEvent, Client, MspRole, StaffClientAccess, User

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _assigned(world, client: Client, assignee: User, title: str = "Server room alarm") -> int:
    lead = world.a_lead if client == world.a else world.b_lead
    with tenant_context(client):
        number = create_ticket(
            client, NewTicket(title=title, impact="medium", urgency="high"), actor=lead, now=T0
        ).number
        assign_ticket(client, number, actor=world.admin, assignee_id=assignee.pk, now=T0)
    return number


def _state(client: Client, number: int) -> tuple[int | None, int | None, list[dict]]:
    """The ticket's assignee, its queue row's assignee, and its internal unassignment entries."""
    with tenant_context(client):
        ticket = Ticket.objects.get(number=number)
        entries = [
            {"internal": a.is_internal, "actor": a.actor_id, **a.detail}
            for a in ticket.activities.filter(kind=TicketActivity.Kind.ASSIGNED, detail__assignee_id=None)
        ]
    item = WorkItem.objects.get(client=client, object_id=ticket.pk)
    return ticket.assignee_id, item.assignee_id, entries


@pytest.fixture
def visited(monkeypatch):
    """The clients whose schema the release visited."""
    calls: list[str] = []
    original = support_actions.unassign_after_lost_access

    def spy(client, **kwargs):
        calls.append(client.slug)
        return original(client, **kwargs)

    monkeypatch.setattr(support_actions, "unassign_after_lost_access", spy)
    return calls


def test_taken_off_the_allow_list_unassigns_open_tickets_with_a_reason(world, visited):
    tech = world.limited_technician
    open_number = _assigned(world, world.a, tech)
    done_number = _assigned(world, world.a, tech, title="Done already")
    with tenant_context(world.a):
        change_status(world.a, done_number, actor=tech, status="resolved", now=T0 + timedelta(minutes=5))

    revoke_client_access(tech, world.a, actor=world.admin, now=T0 + timedelta(minutes=10))

    assert not StaffClientAccess.objects.filter(user=tech, client=world.a).exists()
    assignee, queue_assignee, entries = _state(world.a, open_number)
    assert (assignee, queue_assignee) == (None, None)
    assert entries == [
        {
            "internal": True,
            "actor": world.admin.pk,
            "assignee_id": None,
            "previous_assignee_id": tech.pk,
            "reason": "Lia Limited no longer has access to Alpha Health.",
        }
    ]
    # A done ticket keeps the record of who worked it.
    assert _state(world.a, done_number)[0] == tech.pk
    assert visited == ["alpha"]
    assert AuditEvent.objects.filter(action="staff.access_changed", actor=world.admin).exists()
    # The reported hole, end to end: the sweep tells the technician nothing more.
    sweep_sla_alerts(T0 + timedelta(hours=2))
    assert not Notification.objects.filter(user=tech).exists()
    assert Notification.objects.filter(user=world.account_manager).exists()


def test_switched_to_limited_loses_only_the_clients_off_the_list(world, visited):
    tech = world.technician
    alpha, bravo = _assigned(world, world.a, tech), _assigned(world, world.b, tech)

    change_staff_access(tech, actor=world.admin, limited_to_allowed_clients=True, allowed_clients=[world.a])

    assert _state(world.a, alpha)[:2] == (tech.pk, tech.pk)
    assignee, queue_assignee, entries = _state(world.b, bravo)
    assert (assignee, queue_assignee) == (None, None)
    assert entries[0]["reason"] == "Tom Tech no longer has access to Bravo Legal."
    assert visited == ["bravo"]  # Alpha's schema is not visited: nothing to do there


def test_deactivated_loses_every_ticket(world, visited):
    tech = world.technician
    alpha, bravo = _assigned(world, world.a, tech), _assigned(world, world.b, tech)
    deactivate_user(tech, actor=world.admin)
    for client, number in ((world.a, alpha), (world.b, bravo)):
        assignee, queue_assignee, entries = _state(client, number)
        assert (assignee, queue_assignee) == (None, None)
        assert entries[0]["reason"] == "Tom Tech was deactivated."
    assert sorted(visited) == ["alpha", "bravo"]


def test_demoted_to_a_role_that_does_not_work_tickets(world):
    tech = world.technician
    number = _assigned(world, world.a, tech)
    change_staff_access(tech, actor=world.admin, msp_role=MspRole.ACCOUNT_MANAGER)
    assert (
        _state(world.a, number)[2][0]["reason"] == "Tom Tech's role (Account manager) doesn't work tickets."
    )


def test_changes_that_keep_access_touch_no_ticket(world, visited):
    tech = world.limited_technician
    number = _assigned(world, world.a, tech)
    grant_client_access(tech, world.b, actor=world.admin)
    change_staff_access(tech, actor=world.admin, msp_role=MspRole.ADMIN)
    change_staff_access(tech, actor=world.admin, msp_role=MspRole.ADMIN)  # no change at all
    assert _state(world.a, number)[:2] == (tech.pk, tech.pk)
    assert visited == []
    assert set(StaffClientAccess.objects.filter(user=tech).values_list("client__slug", flat=True)) == {
        "alpha",
        "bravo",
    }


def test_an_unknown_role_is_refused_and_nothing_changes(world):
    from core.errors import ActionError

    with pytest.raises(ActionError) as refused:
        change_staff_access(world.technician, actor=world.admin, msp_role="overlord")
    assert refused.value.errors[0].code == "INVALID"
    assert User.objects.get(pk=world.technician.pk).msp_role == MspRole.TECHNICIAN


def _admin_http(world) -> HttpClient:
    User.objects.filter(pk=world.admin.pk).update(is_superuser=True)
    http = HttpClient()
    http.force_login(world.admin)
    session = http.session
    session["otp_device_id"] = world.devices[world.admin.pk].persistent_id
    session.save()
    return http


def _user_form(
    user: User, clients: list[Client], initial: list[StaffClientAccess], **override: object
) -> dict:
    data: dict[str, object] = {
        "email": user.email,
        "full_name": user.full_name,
        "timezone": user.timezone,
        "msp_role": user.msp_role,
        "client_access-TOTAL_FORMS": str(len(initial) + len(clients)),
        "client_access-INITIAL_FORMS": str(len(initial)),
        "client_access-MIN_NUM_FORMS": "0",
        "client_access-MAX_NUM_FORMS": "1000",
    }
    if user.limited_to_allowed_clients:
        data["limited_to_allowed_clients"] = "on"
    if user.is_active:
        data["is_active"] = "on"
    for index, row in enumerate(initial):
        data[f"client_access-{index}-id"] = str(row.pk)
        data[f"client_access-{index}-user"] = str(user.pk)
        data[f"client_access-{index}-client"] = str(row.client_id)
    for offset, client in enumerate(clients):
        index = len(initial) + offset
        data[f"client_access-{index}-user"] = str(user.pk)
        data[f"client_access-{index}-client"] = str(client.pk)
    for key, value in override.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_django_admin_removing_an_allow_list_row_goes_through_the_action(world, visited):
    tech = world.limited_technician
    number = _assigned(world, world.a, tech)
    rows = list(StaffClientAccess.objects.filter(user=tech))
    data = _user_form(tech, [], rows, **{"client_access-0-DELETE": "on"})
    response = _admin_http(world).post(f"/admin/tenants/user/{tech.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not StaffClientAccess.objects.filter(user=tech).exists()
    assignee, queue_assignee, entries = _state(world.a, number)
    assert (assignee, queue_assignee) == (None, None) and entries[0]["actor"] == world.admin.pk
    assert visited == ["alpha"]


def test_django_admin_switch_to_limited_and_allow_list_in_one_save(world, visited):
    """Limited *and* Alpha added in the same form: Alpha's tickets stay, Bravo's are released."""
    tech = world.technician
    alpha, bravo = _assigned(world, world.a, tech), _assigned(world, world.b, tech)
    data = _user_form(tech, [world.a], [], limited_to_allowed_clients="on")
    response = _admin_http(world).post(f"/admin/tenants/user/{tech.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=tech.pk).limited_to_allowed_clients is True
    assert _state(world.a, alpha)[0] == tech.pk and _state(world.b, bravo)[0] is None
    assert visited == ["bravo"]


def test_django_admin_deactivation_goes_through_the_action(world):
    tech = world.technician
    number = _assigned(world, world.a, tech)
    data = _user_form(tech, [], [], is_active=None)
    response = _admin_http(world).post(f"/admin/tenants/user/{tech.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=tech.pk).is_active is False
    assert _state(world.a, number)[2][0]["reason"] == "Tom Tech was deactivated."


def test_django_admin_deleting_a_user_releases_their_tickets_first(world):
    """Tickets keep the assignee's id (no cross-schema foreign key): nothing may point at a
    deleted person."""
    doomed = User.objects.create_user(
        "temp@msp.test", "x" * 20, full_name="Temp Tech", msp_role=MspRole.TECHNICIAN
    )
    number = _assigned(world, world.b, doomed)
    response = _admin_http(world).post(f"/admin/tenants/user/{doomed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.filter(pk=doomed.pk).exists()
    assignee, queue_assignee, entries = _state(world.b, number)
    assert (assignee, queue_assignee) == (None, None)
    assert entries[0]["previous_assignee_id"] == doomed.pk
