"""Seed a demo MSP: staff of every role, three clients of different industries, client
users of both roles. Idempotent: running it again changes nothing and loses nothing."""

from __future__ import annotations

import functools
import os
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from billing import actions as billing_actions
from billing import runs as billing_runs
from billing.models import Contract, RunItem
from billing.periods import period_containing
from services.demo.assets import seed_assets
from services.demo.monitoring_seed import seed_monitoring
from services.directory.actions import sync_member_contacts
from services.directory.models import Contact
from services.security import actions as security
from services.security import phishing_actions as phishing
from services.security.models import PhishingReport, SecurityIncident
from services.support.actions import NewTicket, assign_ticket, change_status, create_ticket, reply
from services.support.models import Ticket
from tenants.actions import grant_client_access, portal_url
from tenants.domain_cache import forget_client
from tenants.models import Client, ClientRole, ClientStatus, Membership, MspRole, User
from tenants.provisioning import provision_client

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "portal-demo-2026")

STAFF = [
    ("admin@msp.demo", "Morgan Admin", MspRole.ADMIN, False),
    ("tech@msp.demo", "Taylor Technician", MspRole.TECHNICIAN, False),
    ("tech.limited@msp.demo", "Lee Limited", MspRole.TECHNICIAN, True),
    ("am@msp.demo", "Alex Account-Manager", MspRole.ACCOUNT_MANAGER, False),
]
CLIENTS: list[dict[str, Any]] = [
    {
        "name": "Northwind Dental Group",
        "slug": "northwind",
        "industry": "healthcare",
        "tier": "premium",
        "timezone": "Europe/London",
        "require_two_factor": True,
        "it_lead": ("ivy.lead@northwind.demo", "Ivy Lead"),
        "billing": {"currency": "GBP", "tax_rate": "20", "block": True, "devices": False},
        "member": ("max.member@northwind.demo", "Max Member"),
    },
    {
        "name": "Harbor & Finch LLP",
        "slug": "harbor-finch",
        "industry": "legal",
        "tier": "standard",
        "timezone": "America/New_York",
        "require_two_factor": False,
        "it_lead": ("lena.lead@harborfinch.demo", "Lena Lead"),
        "billing": {"currency": "USD", "tax_rate": "0", "block": False, "devices": True},
        "member": ("mo.member@harborfinch.demo", "Mo Member"),
    },
    {
        "name": "Brightline Manufacturing",
        "slug": "brightline",
        "industry": "manufacturing",
        "tier": "essential",
        "timezone": "Europe/Berlin",
        "require_two_factor": False,
        "it_lead": ("ben.lead@brightline.demo", "Ben Lead"),
        "billing": {"currency": "EUR", "tax_rate": "19", "block": True, "devices": True},
        "member": ("bea.member@brightline.demo", "Bea Member"),
    },
]


@functools.cache
def demo_password_hash() -> str:
    """Every demo person has the same (published) password: it is hashed once per seed, not
    once per person — PBKDF2 costs about a second of CPU each, ten people ten seconds."""
    return make_password(DEMO_PASSWORD)


def _user(email: str, full_name: str, **extra: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name, **extra)
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Seed demo data (idempotent) and print the demo sign-ins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--without-tickets", action="store_true", help="Seed people and clients only.")

    def handle(self, *args: Any, **options: Any) -> None:
        admin = None
        for email, name, role, limited in STAFF:
            user = _user(
                email, name, msp_role=role, limited_to_allowed_clients=limited, is_staff=role == MspRole.ADMIN
            )
            if role == MspRole.ADMIN:
                admin = user
                if not user.is_superuser:
                    user.is_superuser = True
                    user.save(update_fields=["is_superuser"])
        account_manager = User.objects.get(email="am@msp.demo")
        for spec in CLIENTS:
            client = Client.objects.filter(slug=spec["slug"]).first()
            if client is None:
                self.stdout.write(f"Provisioning {spec['name']}…")
                client = provision_client(
                    {
                        "name": spec["name"],
                        "slug": spec["slug"],
                        "industry": spec["industry"],
                        "tier": spec["tier"],
                        "timezone": spec["timezone"],
                        "require_two_factor": spec["require_two_factor"],
                        "it_lead_email": spec["it_lead"][0],
                        "it_lead_name": spec["it_lead"][1],
                        "account_manager_id": account_manager.pk,
                    },
                    acting_user=admin,
                )
                Client.objects.filter(pk=client.pk).update(status=ClientStatus.ACTIVE)
                forget_client(client)  # the cached host -> tenant lookup (tenants.domain_cache)
            with transaction.atomic():
                for (email, name), client_role in (
                    (spec["it_lead"], ClientRole.IT_LEAD),
                    (spec["member"], ClientRole.MEMBER),
                ):
                    person = _user(email, name)
                    Membership.objects.get_or_create(
                        user=person, client=client, defaults={"role": client_role}
                    )
                    client.invitations.filter(email=email, accepted_at__isnull=True).delete()
            with schema_context(client.schema_name):
                sync_member_contacts(client)
                if not options["without_tickets"] and not Ticket.objects.exists():
                    self._seed_tickets(client, spec)
                # Sites, devices (mixed protection and patch state) and the IdP list (partial MFA).
                seed_assets(
                    client,
                    staff=User.objects.get(email="tech@msp.demo"),
                    domain=spec["it_lead"][0].split("@")[1],
                )
                if not options["without_tickets"]:
                    # Services and monitors with a month of history (nothing down: no tickets).
                    seed_monitoring(
                        client, User.objects.get(email="tech@msp.demo"), degraded=spec["slug"] == "brightline"
                    )
                if not options["without_tickets"] and not SecurityIncident.objects.exists():
                    self._seed_security(client, spec)
            if not Contract.objects.filter(client=client).exists():
                self._seed_billing(client, spec, admin)
        limited_technician = User.objects.get(email="tech.limited@msp.demo")
        grant_client_access(limited_technician, Client.objects.get(slug="harbor-finch"), actor=admin)
        self._seed_outreach(account_manager)
        self.print_logins()

    def _seed_billing(self, client: Client, spec: dict[str, Any], admin: Any) -> None:
        """A contract (flat, per seat, per device, block hours) from four months ago and the
        last two months' invoices, issued through the real run; the older one paid."""
        terms = spec["billing"]
        today = timezone.localdate()
        this_period = period_containing(today, 1)
        runs_on = [this_period.previous(1).start, this_period.start]
        starts_on = this_period.previous(1).previous(1).previous(1).start
        billing_actions.save_billing_profile(
            client,
            actor=admin,
            currency=terms["currency"],
            billing_day=1,
            payment_terms_days=30,
            tax_rate=terms["tax_rate"],
            legal_name=spec["name"],
            billing_email=spec["it_lead"][0],
        )
        contract = billing_actions.create_contract(
            client, actor=admin, name="Managed IT services", starts_on=starts_on
        )
        add = billing_actions.add_contract_line
        add(
            contract,
            actor=admin,
            pricing_model="flat",
            description="Managed network and servers",
            unit_price="1200.00",
            service_line="infrastructure",
        )
        add(
            contract,
            actor=admin,
            pricing_model="per_seat",
            description="End-user support per user",
            unit_price="45.00",
            quantity="2",
            service_line="support",
        )
        if terms["devices"]:
            add(
                contract,
                actor=admin,
                pricing_model="per_device",
                description="Endpoint protection per device",
                unit_price="8.50",
                quantity="10",
                service_line="security",
            )
        if terms["block"]:
            add(
                contract,
                actor=admin,
                pricing_model="block_hours",
                description="Project hours (10 h block)",
                unit_price="950.00",
                included_hours="10",
                overage_rate="110.00",
                rollover_periods=2,
                service_line="support",
            )
        for run_on in runs_on:
            run = billing_runs.start_run(run_on, trigger="command", enqueue=False, client_ids=[client.pk])
            for item in RunItem.objects.filter(run=run):
                billing_runs.draft_item(item.pk)
                item.refresh_from_db()
                if item.status == "draft":
                    billing_actions.approve_run_item(item, actor=admin)
                    invoice = billing_actions.issue_run_item(item, actor=admin, today=run_on)
                    if run_on == runs_on[0]:
                        billing_actions.record_payment(
                            invoice,
                            actor=admin,
                            amount=str(invoice.total),
                            reference="Bank transfer",
                            received_on=run_on,
                        )

    def _seed_outreach(self, account_manager: User) -> None:
        """Check-ins with sentiments and follow-ups, a how-to broadcast, and today's health
        scores, so the account manager's board and client 360 are not empty (once)."""
        from datetime import timedelta

        from django.utils import timezone

        from services.outreach import actions as outreach
        from services.outreach.broadcasts import NewBroadcast, create_broadcast
        from services.outreach.health import recompute_health
        from services.outreach.models import Broadcast, CheckIn

        now = timezone.now()
        clients = list(Client.objects.filter(slug__in=[spec["slug"] for spec in CLIENTS]).order_by("slug"))
        if not CheckIn.objects.exists():
            for index, client in enumerate(clients):
                outreach.log_checkin(
                    client,
                    actor=account_manager,
                    data=outreach.NewCheckIn(
                        kind="call",
                        subject="Regular check-in",
                        notes="Talked through open requests and plans for next quarter.",
                        sentiment=("positive", "neutral", "negative")[index % 3],
                        held_at=now - timedelta(days=20 + 45 * index),
                        follow_ups=[
                            outreach.NewFollowUp(
                                title="Send the hardware refresh quote",
                                due_on=timezone.localdate() + timedelta(days=5),
                            )
                        ],
                    ),
                    now=now,
                )
        if not Broadcast.objects.exists():
            create_broadcast(
                actor=account_manager,
                data=NewBroadcast(
                    kind="howto",
                    title="VPN keeps dropping? Reconnect in three steps",
                    body=(
                        "<p>If the VPN drops every few minutes:</p><ol><li>Quit the VPN client.</li>"
                        "<li>Switch Wi-Fi off and on.</li>"
                        "<li>Start the VPN client and sign in again.</li></ol>"
                        "<p>Still dropping? Raise a request and mention your home router.</p>"
                    ),
                ),
            )
        recompute_health(clients)

    def _seed_tickets(self, client: Client, spec: dict[str, Any]) -> None:
        """A few requests in different states, so the queue and the client portal are not empty."""
        lead = User.objects.get(email=spec["it_lead"][0])
        member = User.objects.get(email=spec["member"][0])
        technician = User.objects.get(email="tech@msp.demo")
        samples = [
            (lead, "VPN drops every few minutes for remote staff", "high", "high", "infrastructure"),
            (member, "Suspicious email asking to reset my password", "medium", "high", "security"),
            (member, "New starter needs a laptop and accounts", "low", "medium", "support"),
            (lead, "Shared drive is slow in the afternoon", "medium", "medium", "infrastructure"),
        ]
        for index, (who, title, impact, urgency, line) in enumerate(samples):
            ticket = create_ticket(
                client,
                NewTicket(title=title, impact=impact, urgency=urgency, service_line=line),
                actor=who,
            )
            if index % 2 == 0:
                assign_ticket(client, ticket.number, actor=technician, assignee_id=technician.pk)
            if index == 1:
                reply(
                    client, ticket.number, actor=technician, body="Please don't click the link; we're on it."
                )
            if index == 3:
                reply(client, ticket.number, actor=technician, body="Can you tell us which folders are slow?")
                change_status(client, ticket.number, actor=technician, status="waiting_on_client")

    def _seed_security(self, client: Client, spec: dict[str, Any]) -> None:
        """Security incidents in different states and phishing reports (one campaign reported by
        two people), through the real actions: clocks, queue rows and timelines included."""
        lead = User.objects.get(email=spec["it_lead"][0])
        member = User.objects.get(email=spec["member"][0])
        technician = User.objects.get(email="tech@msp.demo")
        member_contact = Contact.objects.filter(user_id=member.pk).values_list("pk", flat=True).first()
        affected = [member_contact] if member_contact else []
        samples = [
            ("Ransomware note on a shared drive", "malware", "critical", "acknowledged", affected),
            (
                "Mailbox forwarding rule to an outside address",
                "account_compromise",
                "high",
                "contained",
                affected,
            ),
            ("Laptop left on a train", "data_loss", "medium", "new", []),
            ("Unknown USB stick plugged into reception PC", "other", "low", "resolved", []),
        ]
        for title, kind, severity, status, people in samples:
            incident = security.create_incident(
                client,
                security.NewIncident(
                    title=title,
                    kind=kind,
                    severity=severity,
                    affected_contact_ids=people,
                    assignee_id=technician.pk,
                ),
                actor=technician,
            )
            if status != "new":
                security.change_status(client, incident.number, actor=technician, status=status)
        domain = spec["slug"].replace("-", "")
        lure = (
            f'From: "IT Service Desk" <it-support@{domain}-helpdesk.example>\r\n'
            f"Reply-To: harvest@collector.example\r\nTo: staff@{domain}.demo\r\n"
            "Subject: [EXTERNAL] Your mailbox is almost full - verify now\r\n"
            "Date: Mon, 23 Nov 2026 07:58:00 +0000\r\nMessage-ID: <lure-1@collector.example>\r\n"
            "Authentication-Results: mx.demo; spf=fail smtp.mailfrom=collector.example;\r\n"
            " dkim=none; dmarc=fail\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            '<p>Your mailbox is 99% full. <a href="https://collector.example/owa/login?u=1">'
            f"https://outlook.{domain}.demo/</a> to keep your e-mail.</p>\r\n"
        ).encode()
        newsletter = (
            b"From: Office Supplies <news@supplies.example>\r\nSubject: Winter catalogue\r\n"
            b"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <cat-7@supplies.example>\r\n"
            b"Authentication-Results: mx.demo; spf=pass; dkim=pass; dmarc=pass\r\n\r\n"
            b"Our winter catalogue is out: https://supplies.example/catalogue/winter\r\n"
        )
        first = phishing.report_phishing(
            client, actor=member, raw=lure, comment="Looks like our IT but the link is odd"
        )
        phishing.report_phishing(client, actor=lead, raw=lure)
        if spec["slug"] == "northwind":
            phishing.triage_campaign(
                client,
                first.campaign_id,
                phishing.Triage(
                    verdict="incident", severity="high", note="Credential harvesting aimed at staff"
                ),
                actor=technician,
            )
        safe = phishing.report_phishing(client, actor=member, raw=newsletter)
        phishing.triage_campaign(
            client,
            safe.campaign_id,
            phishing.Triage(verdict="safe", note="A supplier's newsletter"),
            actor=technician,
        )
        assert PhishingReport.objects.count() == 3

    def print_logins(self) -> None:
        msp = Client.objects.get(schema_name="public")
        self.stdout.write(self.style.SUCCESS(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  MSP portal: {portal_url(msp)}")
        for email, _name, role, limited in STAFF:
            note = " (allow-list: Harbor & Finch only)" if limited else ""
            self.stdout.write(f"    {role.label:<16} {email}{note}")
        self.stdout.write("    Staff enrol an authenticator app (TOTP) at first sign-in.")
        for spec in CLIENTS:
            client = Client.objects.get(slug=spec["slug"])
            self.stdout.write(f"  {client.name}: {portal_url(client)}")
            self.stdout.write(f"    {'Client IT lead':<16} {spec['it_lead'][0]}")
            self.stdout.write(f"    {'Client member':<16} {spec['member'][0]}")
