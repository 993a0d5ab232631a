"""Isolation probes of sites, devices, the device import and MFA coverage (merged into
`PROBES` of test_isolation.py): nobody outside client B reads or changes any of it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from tests.conftest import World

SECRET = "bravo-secret"


def _outsiders(world: World, gql: Any) -> list:
    from tests.tenants.test_isolation import outsiders

    return [*outsiders(world, gql), gql(world.a_lead, host="testserver")]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def plant_b(world: World) -> dict[str, str]:
    """Client B's site, device, identity-provider account and one import of each kind."""
    from services.infrastructure import actions, device_import
    from services.infrastructure.actions import DeviceInput, SiteInput
    from services.security import mfa
    from services.security.mfa_models import IdpAccount

    with tenant_context(world.b):
        site = actions.create_site(world.b, actor=world.admin, data=SiteInput(name=f"{SECRET} HQ"))
        device = actions.create_device(
            world.b,
            actor=world.admin,
            data=DeviceInput(name=f"{SECRET}-pc", device_type="laptop", serial="BRAVO-SN", site_id=site.pk),
        )
        IdpAccount.objects.create(login="ceo@bravo.test", display_name=f"{SECRET} CEO")
        dev_job = device_import.preview_device_import(
            world.b, actor=world.admin, file_name=f"{SECRET}.csv", data_base64=_b64("name,type\nx,laptop\n")
        )
        idp_job = mfa.preview_idp_import(
            world.b,
            actor=world.admin,
            file_name=f"{SECRET}.csv",
            data_base64=_b64("email,mfa_enabled\nnew@bravo.test,no\n"),
        )
    return {
        "site": to_global_id("Site", site.pk),
        "device": to_global_id("Device", device.pk),
        "device_import": str(dev_job.pk),
        "idp_import": str(idp_job.pk),
    }


def _b_unchanged(world: World) -> None:
    from services.infrastructure.models import Device, DeviceImport, Site
    from services.security.mfa_models import IdpAccount, IdpAccountImport

    with tenant_context(world.b):
        assert list(Site.objects.values_list("name", "is_active")) == [(f"{SECRET} HQ", True)]
        assert list(Device.objects.values_list("name", "is_active", "device_type")) == [
            (f"{SECRET}-pc", True, "laptop")
        ]
        assert list(IdpAccount.objects.values_list("login", flat=True)) == ["ceo@bravo.test"]
        assert set(DeviceImport.objects.values_list("status", flat=True)) == {"previewed"}
        assert set(IdpAccountImport.objects.values_list("status", flat=True)) == {"previewed"}


def _query_probe(query: str, field: str) -> Callable:
    def probe(world: World, gql: Any) -> None:
        ids = plant_b(world)
        text = query.replace("DEVICE_IMPORT", ids["device_import"]).replace("IDP_IMPORT", ids["idp_import"])
        markers = (SECRET, "ceo@bravo.test", "member@bravo.test")
        for graphql in _outsiders(world, gql):
            for variant in (text, text.replace('clientSlug: "bravo"', "")):
                result = json.dumps(graphql.execute(variant))
                assert not any(marker in result for marker in markers), result
        # The probe can see a leak: staff who reach B do.
        seen = json.dumps(gql(world.technician).data(text))
        assert any(marker in seen for marker in markers)

    return probe


def _mutation_probe(mutation: str) -> Callable:
    def probe(world: World, gql: Any) -> None:
        ids = plant_b(world)
        text = mutation
        for key, value in ids.items():
            text = text.replace(key.upper(), value)
        for graphql in _outsiders(world, gql):
            result = graphql.execute(text)
            assert SECRET not in json.dumps(result)
            payload = next(iter((result.get("data") or {}).values()), None)
            assert payload is None or payload["errors"], result
        _b_unchanged(world)

    return probe


ASSET_PROBES: dict[str, Callable] = {
    "sites": _query_probe(
        '{ sites(clientSlug: "bravo", includeRetired: true) { edges { node { name } } } }', "sites"
    ),
    "devices": _query_probe(
        '{ devices(clientSlug: "bravo", includeRetired: true) { edges { node { name serial site { name } } } } }',
        "devices",
    ),
    "deviceImport": _query_probe(
        '{ deviceImport(clientSlug: "bravo", id: "DEVICE_IMPORT") { fileName } }', "x"
    ),
    "idpImport": _query_probe('{ idpImport(clientSlug: "bravo", id: "IDP_IMPORT") { fileName } }', "x"),
    "idpAccounts": _query_probe(
        '{ idpAccounts(clientSlug: "bravo") { totalCount edges { node { login displayName } } } }', "x"
    ),
    "mfaCoverage": _query_probe(
        '{ mfaCoverage(clientSlug: "bravo") { totalAccounts portalUsers { email fullName } } }', "x"
    ),
    "createSite": _mutation_probe(
        'mutation { createSite(clientSlug: "bravo", input: {name: "planted", kind: OFFICE}) { site { name } errors { code } } }'
    ),
    "updateSite": _mutation_probe(
        'mutation { updateSite(clientSlug: "bravo", id: "SITE", input: {name: "renamed", kind: OFFICE}) '
        "{ site { name } errors { code } } }"
    ),
    "retireSite": _mutation_probe(
        'mutation { retireSite(clientSlug: "bravo", id: "SITE") { site { name } errors { code } } }'
    ),
    "createDevice": _mutation_probe(
        'mutation { createDevice(clientSlug: "bravo", input: {name: "planted", deviceType: LAPTOP}) '
        "{ device { name } errors { code } } }"
    ),
    "updateDevice": _mutation_probe(
        'mutation { updateDevice(clientSlug: "bravo", id: "DEVICE", input: {name: "renamed", deviceType: SERVER}) '
        "{ device { name } errors { code } } }"
    ),
    "retireDevice": _mutation_probe(
        'mutation { retireDevice(clientSlug: "bravo", id: "DEVICE") { device { name } errors { code } } }'
    ),
    "previewDeviceImport": _mutation_probe(
        'mutation { previewDeviceImport(clientSlug: "bravo", fileName: "x.csv", dataBase64: "%s") '
        "{ deviceImport { id } errors { code } } }" % _b64("name,type\nplanted,laptop\n")
    ),
    "applyDeviceImport": _mutation_probe(
        'mutation { applyDeviceImport(clientSlug: "bravo", importId: "DEVICE_IMPORT") { deviceImport { fileName } errors { code } } }'
    ),
    "discardDeviceImport": _mutation_probe(
        'mutation { discardDeviceImport(clientSlug: "bravo", importId: "DEVICE_IMPORT") { deviceImport { fileName } errors { code } } }'
    ),
    "previewIdpImport": _mutation_probe(
        'mutation { previewIdpImport(clientSlug: "bravo", fileName: "x.csv", dataBase64: "%s") '
        "{ idpImport { id } errors { code } } }" % _b64("email,mfa_enabled\nplanted@x.test,yes\n")
    ),
    "applyIdpImport": _mutation_probe(
        'mutation { applyIdpImport(clientSlug: "bravo", importId: "IDP_IMPORT") { idpImport { fileName } errors { code } } }'
    ),
    "discardIdpImport": _mutation_probe(
        'mutation { discardIdpImport(clientSlug: "bravo", importId: "IDP_IMPORT") { idpImport { fileName } errors { code } } }'
    ),
}
