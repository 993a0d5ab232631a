"""The GraphQL API of sites, devices and the device import: roles, filters, typed errors,
constant query counts, and the import end to end through the outbox and the task."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from services.directory.models import Contact
from services.infrastructure import actions
from services.infrastructure.actions import DeviceInput, SiteInput
from services.infrastructure.models import Device, Site
from tests.services.infrastructure.conftest import b64

DEVICES = """query($slug: String, $site: ID, $type: DeviceKind, $owner: ID, $managed: Boolean,
  $crit: DeviceCriticality, $prot: ProtectionStatus, $patch: PatchStatus, $search: String, $first: Int) {
  devices(clientSlug: $slug, siteId: $site, deviceType: $type, ownerId: $owner, managed: $managed,
    criticality: $crit, protectionStatus: $prot, patchStatus: $patch, search: $search, first: $first) {
    totalCount
    edges { node { id name deviceType criticality isManaged serial protectionStatus patchStatus
      owner { id fullName email } site { id name kind } } }
  }
}"""

SITES = """query($slug: String) { sites(clientSlug: $slug) { totalCount
  edges { node { id name kind address deviceCount contact { fullName } } } } }"""


def _seed(world, count: int, offset: int = 0) -> None:
    with tenant_context(world.a):
        site = Site.objects.get_or_create(name="HQ")[0]
        owner = Contact.objects.get_or_create(email="ann@alpha.test", defaults={"full_name": "Ann"})[0]
        Device.objects.bulk_create(
            Device(
                name=f"pc-{offset + i:04d}",
                device_type="laptop" if i % 2 else "server",
                owner=owner,
                site=site,
                serial=f"SN{offset + i}",
                protection_status="missing" if i % 3 == 0 else "protected",
                patch_status="overdue" if i % 5 == 0 else "current",
                is_managed=i % 4 != 0,
            )
            for i in range(count)
        )


def _count(gql_client, query, variables) -> int:
    with CaptureQueriesContext(connection) as ctx:
        gql_client.data(query, variables)
    return len(ctx.captured_queries)


def test_device_and_site_lists_take_a_constant_number_of_queries(world, gql):
    staff = gql(world.technician)
    _seed(world, 5)
    small = _count(staff, DEVICES, {"slug": "alpha", "first": 100})
    small_sites = _count(staff, SITES, {"slug": "alpha"})
    _seed(world, 60, offset=100)
    with tenant_context(world.a):
        for n in range(5):
            Site.objects.create(name=f"Branch {n}")
    assert _count(staff, DEVICES, {"slug": "alpha", "first": 100}) == small
    assert _count(staff, SITES, {"slug": "alpha"}) == small_sites
    result = staff.data(DEVICES, {"slug": "alpha", "first": 100})["devices"]
    assert result["totalCount"] == 65 and result["edges"][0]["node"]["owner"]["email"] == "ann@alpha.test"
    sites = staff.data(SITES, {"slug": "alpha"})["sites"]
    assert sites["edges"][0]["node"] == {
        "id": sites["edges"][0]["node"]["id"],
        "name": "Branch 0",
        "kind": "OFFICE",
        "address": "",
        "deviceCount": 0,
        "contact": None,
    }
    assert {e["node"]["name"]: e["node"]["deviceCount"] for e in sites["edges"]}["HQ"] == 65


def test_filters(world, gql):
    _seed(world, 30)
    staff = gql(world.technician)
    with tenant_context(world.a):
        site_id = to_global_id("Site", Site.objects.get(name="HQ").pk)
        owner_id = str(Contact.objects.get(email="ann@alpha.test").pk)

    def total(**variables):
        return staff.data(DEVICES, {"slug": "alpha", **variables})["devices"]["totalCount"]

    assert total() == 30
    assert total(type="SERVER") == 15
    assert total(managed=False) == 8
    assert total(prot="MISSING") == 10
    assert total(patch="OVERDUE") == 6
    assert total(crit="HIGH") == 0
    assert total(site=site_id, owner=owner_id) == 30
    assert total(search="pc-0001") == 1 and total(search="ann@") == 30
    bad = staff.execute(DEVICES, {"slug": "alpha", "site": "not-an-id"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID"


def test_members_see_only_their_own_devices_and_it_leads_see_all(world, gql):
    with tenant_context(world.a):
        me = Contact.objects.get(user_id=world.a_member.pk)
        home = actions.create_site(
            world.a, actor=world.admin, data=SiteInput(name="My home", kind="home_office", contact_id=me.pk)
        )
        actions.create_device(
            world.a,
            actor=world.admin,
            data=DeviceInput(name="my-laptop", device_type="laptop", owner_id=me.pk),
        )
        actions.create_device(
            world.a,
            actor=world.admin,
            data=DeviceInput(name="home-router", device_type="network", site_id=home.pk),
        )
        actions.create_device(
            world.a, actor=world.admin, data=DeviceInput(name="ceo-laptop", device_type="laptop")
        )
    member = gql(world.a_member, host=world.a)
    names = [e["node"]["name"] for e in member.data(DEVICES, {})["devices"]["edges"]]
    assert names == ["home-router", "my-laptop"]
    assert [e["node"]["name"] for e in member.data(SITES, {})["sites"]["edges"]] == ["My home"]
    lead = gql(world.a_lead, host=world.a)
    assert lead.data(DEVICES, {})["devices"]["totalCount"] == 3
    # ...but neither may change anything.
    for person in (member, lead):
        result = person.data(
            'mutation { createSite(input: {name: "x", kind: OFFICE}) { site { id } errors { code } } }'
        )
        assert result["createSite"]["errors"] == [{"code": "PERMISSION_DENIED"}]


CREATE_DEVICE = """mutation($slug: String, $input: DeviceInput!) {
  createDevice(clientSlug: $slug, input: $input) { device { id name site { name } } errors { field code } } }"""


def test_mutations_typed_errors_and_nothing_written(world, gql):
    staff = gql(world.technician)
    bad_inputs = [
        ({"name": "x\x00", "deviceType": "LAPTOP"}, [{"field": "name", "code": "INVALID"}]),
        ({"name": "x" * 121, "deviceType": "LAPTOP"}, [{"field": "name", "code": "TOO_LONG"}]),
        (
            {"name": "x", "deviceType": "LAPTOP", "siteId": "Zm9vOjE="},
            [{"field": "siteId", "code": "INVALID"}],
        ),
        (
            {"name": "x", "deviceType": "LAPTOP", "ownerId": "99999"},
            [{"field": "ownerId", "code": "NOT_FOUND"}],
        ),
        ({"name": " ", "deviceType": "LAPTOP"}, [{"field": "name", "code": "REQUIRED"}]),
    ]
    for data, errors in bad_inputs:
        result = staff.data(CREATE_DEVICE, {"slug": "alpha", "input": data})["createDevice"]
        assert result == {"device": None, "errors": errors}, data
    unknown_type = staff.execute(
        CREATE_DEVICE, {"slug": "alpha", "input": {"name": "x", "deviceType": "TOASTER"}}
    )
    assert unknown_type["errors"]  # not a member of the enum: refused by validation
    with tenant_context(world.a):
        assert not Device.objects.exists()
    site = staff.data(
        'mutation { createSite(clientSlug: "alpha", input: {name: "HQ", kind: OFFICE}) { site { id } errors { code } } }'
    )["createSite"]["site"]
    made = staff.data(
        CREATE_DEVICE,
        {"slug": "alpha", "input": {"name": "pc", "deviceType": "LAPTOP", "siteId": site["id"]}},
    )["createDevice"]
    assert made["errors"] == [] and made["device"]["site"] == {"name": "HQ"}
    retired = staff.data(
        'mutation($id: ID!) { retireDevice(clientSlug: "alpha", id: $id) { device { isActive } errors { code } } }',
        {"id": made["device"]["id"]},
    )["retireDevice"]
    assert retired == {"device": {"isActive": False}, "errors": []}
    home = staff.data(
        'mutation { createSite(clientSlug: "alpha", input: {name: "Home", kind: HOME_OFFICE}) { site { id } errors { field code } } }'
    )["createSite"]
    assert home == {"site": None, "errors": [{"field": "contactId", "code": "REQUIRED"}]}


PREVIEW = """mutation($file: String!) { previewDeviceImport(clientSlug: "alpha", fileName: "d.csv", dataBase64: $file) {
  deviceImport { id status totalRows toCreate errorCount canApply sameFileAppliedAt errors(first: 10) { line column code message } }
  errors { field code message } } }"""
APPLY = """mutation($id: ID!) { applyDeviceImport(clientSlug: "alpha", importId: $id) {
  deviceImport { status } errors { code } } }"""
POLL = """query($id: ID!) { deviceImport(clientSlug: "alpha", id: $id) { status processedRows totalRows toCreate } }"""


def test_import_end_to_end_through_the_outbox_and_the_task(
    world, gql, django_capture_on_commit_callbacks, eager_tasks
):
    staff = gql(world.technician)
    rows = "\n".join(f"pc-{i},laptop,,,SN-{i}" for i in range(300))
    preview = staff.data(PREVIEW, {"file": b64("name,type,os,os_version,serial\n" + rows + "\n")})
    job = preview["previewDeviceImport"]["deviceImport"]
    assert (job["status"], job["totalRows"], job["toCreate"], job["canApply"]) == (
        "PREVIEWED",
        300,
        300,
        True,
    )
    with tenant_context(world.a):
        assert not Device.objects.exists()
    # The task runs (eagerly) when the mutation's transaction commits: outbox → relay → task.
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.data(APPLY, {"id": job["id"]})["applyDeviceImport"]["errors"] == []
    polled = staff.data(POLL, {"id": job["id"]})["deviceImport"]
    assert polled == {"status": "APPLIED", "processedRows": 300, "totalRows": 300, "toCreate": 300}
    with tenant_context(world.a):
        assert Device.objects.count() == 300
    # The same file again: nothing to do, and the preview says when it was imported.
    again = staff.data(PREVIEW, {"file": b64("name,type,os,os_version,serial\n" + rows + "\n")})
    second = again["previewDeviceImport"]["deviceImport"]
    assert (second["toCreate"], second["canApply"]) == (0, False)
    assert job["sameFileAppliedAt"] is None and second["sameFileAppliedAt"] is not None
    assert staff.data(APPLY, {"id": second["id"]})["applyDeviceImport"]["errors"] == [
        {"code": "NOTHING_TO_DO"}
    ]
    # Row errors come back before anything is written; file errors are typed on `file`.
    bad = staff.data(PREVIEW, {"file": b64("name,type\nx,toaster\n")})["previewDeviceImport"]
    assert bad["deviceImport"]["errors"][0]["code"] == "UNKNOWN_VALUE" and not bad["deviceImport"]["canApply"]
    broken = staff.data(PREVIEW, {"file": b64("colour\nred\n")})["previewDeviceImport"]
    assert broken["deviceImport"] is None and broken["errors"][0]["field"] == "file"
    # Client users may not import; a foreign id is nothing.
    lead = gql(world.a_lead, host=world.a)
    refused = lead.data(PREVIEW.replace('clientSlug: "alpha", ', ""), {"file": b64("name,type\nx,laptop\n")})
    assert refused["previewDeviceImport"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert staff.data(POLL, {"id": "not-a-uuid"})["deviceImport"] is None
