"""Demo sites, devices and MFA coverage for one client (called by `seed_demo`).

Through the real actions where there is one (sites, devices, the identity-provider list
import); what only the ingest reports (endpoint protection, patch state) and a month of
past coverage snapshots (history can't be made in the past) are written directly.
Idempotent: a client that has sites already is left as it is.
"""

from __future__ import annotations

import base64
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from services.directory.models import Contact
from services.infrastructure import actions
from services.infrastructure.actions import DeviceInput, SiteInput
from services.infrastructure.models import Device, Site
from services.security import mfa
from services.security.mfa_models import MfaSnapshot
from tenants.models import Client, User

EXTRA_PEOPLE = [
    ("Priya Shah", "priya.shah"),
    ("Tom Becker", "tom.becker"),
    ("Sofia Rossi", "sofia.rossi"),
    ("Jonas Berg", "jonas.berg"),
    ("Amara Okafor", "amara.okafor"),
    ("Liam Walsh", "liam.walsh"),
]
OS_BY_TYPE = {
    "laptop": [("Windows", "11 23H2"), ("Windows", "11 22H2"), ("macOS", "15.1")],
    "workstation": [("Windows", "11 23H2"), ("Windows", "10 22H2")],
    "server": [("Windows Server", "2022"), ("Ubuntu", "24.04 LTS")],
    "virtual_machine": [("Ubuntu", "22.04 LTS"), ("Windows Server", "2019")],
    "firewall": [("FortiOS", "7.4")],
    "network": [("UniFi OS", "4.0")],
    "printer": [("", "")],
    "mobile": [("iOS", "18.1"), ("Android", "15")],
}


def seed_assets(client: Client, *, staff: User, domain: str) -> bool:
    """Sites, ~20 devices and an identity-provider list for `client` (in its schema).
    Returns False when the client had sites already (nothing done)."""
    if Site.objects.exists():
        return False
    rng = random.Random(client.slug)  # noqa: S311 (demo data, not security)
    now = timezone.now()
    with transaction.atomic():
        people = list(Contact.objects.filter(is_active=True).order_by("pk"))
        for name, local in EXTRA_PEOPLE:
            person, _ = Contact.objects.get_or_create(
                email=f"{local}@{domain}", defaults={"full_name": name, "job_title": "Staff"}
            )
            people.append(person)
        office = actions.create_site(
            client, actor=staff, data=SiteInput(name="Head office", address="1 High Street")
        )
        data_room = actions.create_site(
            client,
            actor=staff,
            data=SiteInput(name="Server room", kind="data_room", address="1 High Street, B1"),
        )
        homes = [
            actions.create_site(
                client,
                actor=staff,
                data=SiteInput(name=f"{person.full_name} (home)", kind="home_office", contact_id=person.pk),
            )
            for person in people[:4]
        ]
        specs: list[tuple[str, str, Site, Contact | None, str]] = [
            ("fw-01", "firewall", office, None, "business_critical"),
            ("sw-core-01", "network", data_room, None, "high"),
            ("srv-files-01", "server", data_room, None, "business_critical"),
            ("srv-app-01", "virtual_machine", data_room, None, "high"),
            ("prn-office-01", "printer", office, None, "low"),
            ("ap-office-01", "network", office, None, "medium"),
        ]
        for index, person in enumerate(people[:10]):
            specs.append((f"lt-{index + 1:02d}", "laptop", office, person, "medium"))
        for index, person in enumerate(people[:3]):
            specs.append((f"ws-{index + 1:02d}", "workstation", office, person, "medium"))
        for index, home in enumerate(homes[:2]):
            specs.append((f"home-router-{index + 1:02d}", "network", home, home.contact, "low"))
        specs.append(("phone-ceo", "mobile", office, people[0], "high"))
        for index, (name, kind, site, owner, criticality) in enumerate(specs):
            os_name, os_version = rng.choice(OS_BY_TYPE[kind])
            actions.create_device(
                client,
                actor=staff,
                data=DeviceInput(
                    name=name,
                    device_type=kind,
                    os=os_name,
                    os_version=os_version,
                    owner_id=owner.pk if owner else None,
                    site_id=site.pk,
                    criticality=criticality,
                    is_managed=kind != "mobile",
                    serial=f"{client.slug[:3].upper()}-{index + 1:04d}",
                    warranty_ends_on=dt.date(2025 + rng.randint(0, 4), rng.randint(1, 12), 1),
                    last_seen_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 3)),
                ),
                now=now,
            )
        # What an RMM agent would have reported (the ingest writes these in production).
        for device in Device.objects.all():
            roll = rng.random()
            Device.objects.filter(pk=device.pk).update(
                protection_status="protected" if roll < 0.7 else ("outdated" if roll < 0.85 else "missing"),
                protection_product="Defender for Endpoint" if roll < 0.85 else "",
                protection_reported_at=now - dt.timedelta(hours=rng.randint(1, 30)),
                patch_status=rng.choice(["current", "current", "current", "pending", "overdue"]),
                patch_reported_at=now - dt.timedelta(hours=rng.randint(1, 30)),
            )
    _seed_identity_provider(client, staff, people, rng)
    return True


def _seed_identity_provider(client: Client, staff: User, people: list[Contact], rng: random.Random) -> None:
    lines = ["UserPrincipalName,DisplayName,MFA Status,Method,Account Enabled,Last Sign-In"]
    for index, person in enumerate(people):
        enabled = index != len(people) - 1  # a leaver's account, disabled
        has_mfa = rng.random() < 0.65
        method = rng.choice(["Authenticator app", "FIDO2 key", "SMS"]) if has_mfa else ""
        signed_in = (timezone.now() - dt.timedelta(days=rng.randint(0, 20))).strftime("%Y-%m-%d %H:%M")
        lines.append(
            f"{person.email},{person.full_name},{'Enforced' if has_mfa else 'Disabled'},{method},"
            f"{'yes' if enabled else 'no'},{signed_in}"
        )
    text = "\n".join(lines) + "\n"
    with transaction.atomic():
        job = mfa.preview_idp_import(
            client,
            actor=staff,
            file_name="entra-users.csv",
            data_base64=base64.b64encode(text.encode()).decode(),
        )
        mfa.apply_idp_import(client, actor=staff, import_id=job.pk)
    mfa.run_idp_import(client, str(job.pk))  # the queued task finds it applied and does nothing
    today = timezone.localdate()
    current = MfaSnapshot.objects.get(day=today)
    for days_ago in range(30, 0, -1):
        covered = max(0, current.covered_accounts - (days_ago // 8))
        MfaSnapshot.objects.get_or_create(
            day=today - dt.timedelta(days=days_ago),
            defaults={"total_accounts": current.total_accounts, "covered_accounts": covered},
        )
