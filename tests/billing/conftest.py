"""Billing fixtures: a contract for client A and helpers that put service-desk data
(time entries, SLA outcomes, devices) into a client's schema."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import schema_context

from billing import actions
from billing.models import Contract
from tenants.models import Client

MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def make_contract(
    client: Client, admin: Any, *, starts_on: date = date(2026, 1, 1), **fields: Any
) -> Contract:
    actions.save_billing_profile(client, actor=admin, currency=fields.pop("currency", "USD"), billing_day=1)
    return actions.create_contract(client, actor=admin, name="Managed IT", starts_on=starts_on, **fields)


def add_line(contract: Contract, admin: Any, model: str, price: str, **fields: Any) -> Any:
    return actions.add_contract_line(
        contract,
        actor=admin,
        pricing_model=model,
        description=fields.pop("description", model.replace("_", " ").title()),
        unit_price=price,
        **fields,
    )


def _ticket(number: int) -> Any:
    from services.directory.models import Contact
    from services.support.models import Ticket

    contact, _ = Contact.objects.get_or_create(
        email="billing-tests@example.test", defaults={"full_name": "Bill Tester"}
    )
    ticket, _ = Ticket.objects.get_or_create(
        number=number,
        defaults={"title": "Work", "requester": contact, "impact": "low", "urgency": "low", "priority": "P4"},
    )
    return ticket


def log_time(client: Client, entries: list[tuple[date, int]], *, billable: bool = True) -> None:
    """Time entries of `raw_minutes` on `work_date` (stored rounding is support's own)."""
    from services.support.models import TimeEntry

    with schema_context(client.schema_name):
        ticket = _ticket(90001)
        TimeEntry.objects.bulk_create(
            [
                TimeEntry(
                    ticket=ticket,
                    technician_id=1,
                    minutes=max(raw, 1),
                    raw_minutes=raw,
                    billable=billable,
                    work_date=day,
                )
                for day, raw in entries
            ]
        )


def judge_slas(client: Client, day: date, *, met: int, breached: int) -> None:
    from services.support.models import SlaOutcome

    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    with schema_context(client.schema_name):
        rows = []
        for index in range(met + breached):
            ticket = _ticket(91000 + index)
            rows.append(
                SlaOutcome(
                    ticket=ticket,
                    clock="resolution",
                    result="met" if index < met else "breached",
                    priority="P3",
                    policy_id=1,
                    target_minutes=60,
                    business_minutes_used=30,
                    minutes_over=-30,
                    due_at=at,
                    judged_at=at + timedelta(minutes=index),
                )
            )
        SlaOutcome.objects.bulk_create(rows)


def add_devices(client: Client, managed: int, unmanaged: int = 0) -> None:
    from services.infrastructure.models import Device

    with schema_context(client.schema_name):
        Device.objects.bulk_create(
            [
                Device(name=f"dev-{i}", device_type="laptop", is_managed=i < managed)
                for i in range(managed + unmanaged)
            ]
        )


@pytest.fixture
def contract_a(world: Any) -> Contract:
    return make_contract(world.a, world.admin)


@pytest.fixture
def money() -> Any:
    return Decimal
