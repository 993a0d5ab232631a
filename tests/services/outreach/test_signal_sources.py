"""Signals of apps that land on other branches (security incidents, MFA coverage): their
providers read those apps' tables in each client's schema. Until the app is installed the
signal is "no data" for everyone; the SQL is checked here against tables made by hand with
the columns of the apps' models (services/security on the `security` and `assets` branches)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from services.outreach.health import read_signals
from services.outreach.models import OutreachSettings
from services.outreach.signals import SIGNALS, Context
from tenants.models import Client


def _probe_client(pk: int, name: str) -> Client:
    """A client row that is never saved, with a schema of its own made here: the providers
    need only its id and schema name, so this holds whether or not the real app is installed."""
    client = Client(pk=pk, schema_name=name, slug=name.replace("_", "-"), name=name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(name)}")
    return client


def _tables(client):
    schema = connection.ops.quote_name(client.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {schema}.security_securityincident (id serial primary key, severity varchar(8), "
            "status varchar(16), created_at timestamptz)"
        )
        cursor.execute(
            f"CREATE TABLE {schema}.security_mfasnapshot (id serial primary key, day date unique, "
            "total_accounts integer, covered_accounts integer)"
        )
    return schema


def test_sources_not_installed_are_no_data_for_everyone(world):
    readings = read_signals([world.a], timezone.now(), OutreachSettings.current())[world.a.pk]
    missing = [key for key, signal in SIGNALS.items() if not signal.installed()]
    assert {"overdue_invoices", "availability"} <= set(missing)  # not wired yet
    for key in missing:
        assert readings[key] is None


def test_security_incident_and_mfa_providers_read_each_clients_schema(world):
    now = timezone.now()
    first, second = _probe_client(900001, "outreach_probe_a"), _probe_client(900002, "outreach_probe_b")
    a, b = _tables(first), _tables(second)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {a}.security_securityincident (severity, status, created_at) VALUES "
            "('high', 'new', %s), ('low', 'closed', %s), ('critical', 'closed', %s)",
            [now - timedelta(days=1), now - timedelta(days=10), now - timedelta(days=200)],
        )
        cursor.execute(
            f"INSERT INTO {a}.security_mfasnapshot (day, total_accounts, covered_accounts) VALUES "
            "(%s, 40, 30), (%s, 40, 10)",
            [now.date() - timedelta(days=1), now.date() - timedelta(days=30)],
        )
        cursor.execute(
            f"INSERT INTO {b}.security_mfasnapshot (day, total_accounts, covered_accounts) VALUES (%s, 10, 10)",
            [now.date() - timedelta(days=20)],  # too old: no data
        )
    ctx = Context(now=now, settings=OutreachSettings.current())
    incidents = SIGNALS["security_incidents"].read([first, second], ctx)
    assert incidents[first.pk].value == 2.0  # the one of 200 days ago is outside the window
    assert incidents[first.pk].subscore == 100 - 40 - 20
    assert "1 critical/high, 1 open" in incidents[first.pk].display
    assert incidents[second.pk].subscore == 100.0  # the app is there, nothing happened
    mfa = SIGNALS["mfa_coverage"].read([first, second], ctx)
    assert mfa[first.pk].value == 75.0 and mfa[first.pk].subscore == 50.0
    assert second.pk not in mfa
