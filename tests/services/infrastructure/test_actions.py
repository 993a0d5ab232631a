"""Sites and devices: who may change them, typed errors, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import AccessDenied, ActionError
from services.infrastructure import actions
from services.infrastructure.actions import DeviceInput, SiteInput
from services.infrastructure.models import Device, Site
from tenants.models import AuditEvent, Client, ClientStatus

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def codes(exc: pytest.ExceptionInfo[ActionError]) -> set[tuple[str | None, str]]:
    return {(e.field, e.code) for e in exc.value.errors}


def test_staff_create_an_office_and_a_home_office(world, in_a, contacts):
    office = actions.create_site(
        world.a, actor=world.technician, data=SiteInput(name=" HQ ", address="Main St 1")
    )
    home = actions.create_site(
        world.a,
        actor=world.technician,
        data=SiteInput(name="Ann at home", kind="home_office", contact_id=contacts["ann"].pk),
    )
    assert office.name == "HQ" and home.contact == contacts["ann"]
    assert AuditEvent.objects.filter(action="site.created", client=world.a).count() == 2


def test_a_home_office_needs_its_person_and_one_each(world, in_a, contacts):
    with pytest.raises(ActionError) as exc:
        actions.create_site(world.a, actor=world.admin, data=SiteInput(name="Home", kind="home_office"))
    assert codes(exc) == {("contactId", "REQUIRED")}
    actions.create_site(
        world.a,
        actor=world.admin,
        data=SiteInput(name="Home", kind="home_office", contact_id=contacts["bob"].pk),
    )
    with pytest.raises(ActionError) as exc:
        actions.create_site(
            world.a,
            actor=world.admin,
            data=SiteInput(name="Bob 2", kind="home_office", contact_id=contacts["bob"].pk),
        )
    assert codes(exc) == {("contactId", "DUPLICATE")}
    with pytest.raises(ActionError) as exc:
        actions.create_site(world.a, actor=world.admin, data=SiteInput(name="HOME"))
    assert codes(exc) == {("name", "DUPLICATE")}
    assert Site.objects.count() == 1


def test_bad_site_input_is_typed_and_writes_nothing(world, in_a):
    with pytest.raises(ActionError) as exc:
        actions.create_site(
            world.a,
            actor=world.admin,
            data=SiteInput(name="x" * 121, kind="castle", address="a\x00b", contact_id=999_999),
        )
    assert codes(exc) == {
        ("name", "TOO_LONG"),
        ("kind", "INVALID"),
        ("address", "INVALID"),
        ("contactId", "NOT_FOUND"),
    }
    assert not Site.objects.exists()


@pytest.mark.parametrize("who", ["a_lead", "a_member"])
def test_client_users_cannot_change_the_inventory(world, in_a, who):
    with pytest.raises(AccessDenied):
        actions.create_site(world.a, actor=getattr(world, who), data=SiteInput(name="HQ"))
    with pytest.raises(AccessDenied):
        actions.create_device(
            world.a, actor=getattr(world, who), data=DeviceInput(name="pc", device_type="laptop")
        )


def test_an_offboarded_client_is_read_only(world, in_a):
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.OFFBOARDED)
    client = Client.objects.get(pk=world.a.pk)
    with pytest.raises(ActionError) as exc:
        actions.create_site(client, actor=world.admin, data=SiteInput(name="HQ"))
    assert codes(exc) == {(None, "CLIENT_READ_ONLY")}


def test_devices_are_created_edited_and_retired(world, in_a, contacts):
    site = actions.create_site(world.a, actor=world.admin, data=SiteInput(name="HQ"))
    device = actions.create_device(
        world.a,
        actor=world.technician,
        data=DeviceInput(
            name="ws-01",
            device_type="workstation",
            os="Windows",
            os_version="11 23H2",
            owner_id=contacts["ann"].pk,
            site_id=site.pk,
            serial="SN-1",
            warranty_ends_on=dt.date(2028, 1, 31),
        ),
        now=NOW,
    )
    later = NOW + dt.timedelta(hours=1)
    updated = actions.update_device(
        world.a,
        actor=world.technician,
        device_id=device.pk,
        data=DeviceInput(name="ws-01", device_type="laptop", serial="SN-1", criticality="high"),
        now=later,
    )
    assert (updated.device_type, updated.criticality, updated.owner_id, updated.updated_at) == (
        "laptop",
        "high",
        None,
        later,
    )
    assert AuditEvent.objects.get(action="device.updated").detail["changed"] == [
        "criticality",
        "device_type",
        "os",
        "os_version",
        "owner",
        "site",
        "warranty_ends_on",
    ]
    actions.retire_device(world.a, actor=world.technician, device_id=device.pk)
    actions.retire_device(world.a, actor=world.technician, device_id=device.pk)
    assert Device.objects.get(pk=device.pk).is_active is False
    assert AuditEvent.objects.filter(action="device.retired").count() == 1


def test_bad_device_input_is_typed_and_writes_nothing(world, in_a):
    actions.create_device(
        world.a, actor=world.admin, data=DeviceInput(name="a", device_type="server", serial="SN-9")
    )
    retired = actions.create_site(world.a, actor=world.admin, data=SiteInput(name="Old"))
    actions.retire_site(world.a, actor=world.admin, site_id=retired.pk)
    with pytest.raises(ActionError) as exc:
        actions.create_device(
            world.a,
            actor=world.admin,
            data=DeviceInput(
                name="",
                device_type="toaster",
                criticality="extreme",
                os="o" * 81,
                site_id=retired.pk,
                warranty_ends_on=dt.date(3000, 1, 1),
                last_seen_at=NOW + dt.timedelta(days=1),
            ),
            now=NOW,
        )
    assert codes(exc) == {
        ("name", "REQUIRED"),
        ("deviceType", "INVALID"),
        ("criticality", "INVALID"),
        ("os", "TOO_LONG"),
        ("siteId", "NOT_FOUND"),
        ("warrantyEndsOn", "INVALID"),
        ("lastSeenAt", "INVALID"),
    }
    with pytest.raises(ActionError) as exc:
        actions.create_device(
            world.a, actor=world.admin, data=DeviceInput(name="b", device_type="server", serial="sn-9")
        )
    assert codes(exc) == {("serial", "DUPLICATE")}
    assert Device.objects.count() == 1


def test_members_see_their_own_devices_and_home_office_only(world, in_a, contacts):
    from services.directory.models import Contact

    member_contact = Contact.objects.get(user_id=world.a_member.pk)
    home = actions.create_site(
        world.a,
        actor=world.admin,
        data=SiteInput(name="Home", kind="home_office", contact_id=member_contact.pk),
    )
    office = actions.create_site(world.a, actor=world.admin, data=SiteInput(name="HQ"))
    mine = actions.create_device(
        world.a,
        actor=world.admin,
        data=DeviceInput(name="mine", device_type="laptop", owner_id=member_contact.pk),
    )
    router = actions.create_device(
        world.a, actor=world.admin, data=DeviceInput(name="router", device_type="network", site_id=home.pk)
    )
    actions.create_device(
        world.a, actor=world.admin, data=DeviceInput(name="other", device_type="laptop", site_id=office.pk)
    )
    assert set(actions.devices_visible_to(world.a, world.a_member)) == {mine, router}
    assert list(actions.sites_visible_to(world.a, world.a_member)) == [home]
    assert actions.devices_visible_to(world.a, world.a_lead).count() == 3
    assert actions.sites_visible_to(world.a, world.a_lead).count() == 2
