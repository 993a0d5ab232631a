"""Seed a demo MSP: staff of every role, three clients of different industries, client
users of both roles. Idempotent: running it again changes nothing and loses nothing."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from services.directory.actions import sync_member_contacts
from services.support.actions import NewTicket, assign_ticket, change_status, create_ticket, reply
from services.support.models import Ticket
from tenants.actions import grant_client_access, portal_url
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
        "member": ("bea.member@brightline.demo", "Bea Member"),
    },
]


def _user(email: str, full_name: str, **extra: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, **extra)
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
        limited_technician = User.objects.get(email="tech.limited@msp.demo")
        grant_client_access(limited_technician, Client.objects.get(slug="harbor-finch"), actor=admin)
        self._seed_outreach(account_manager)
        self.print_logins()

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
