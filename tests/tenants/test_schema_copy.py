"""A new client's schema is a copy of the template made from DDL read off the catalogue
(tenants.schema_copy): it must be the schema replaying every migration would build, object for
object, and it must stay correct when the template moves on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings
from django_tenants.utils import schema_context, schema_exists

from services.directory.models import Contact
from services.support.models import Ticket
from tenants import schema_copy
from tenants.models import Client, TenantKind
from tenants.provisioning import provision_client
from tenants.schema_copy import TemplateNotCopyable, copy_template_schema, schema_shape

pytestmark = pytest.mark.usefixtures("eager_tasks")

TEMPLATE = settings.TENANT_BASE_SCHEMA


@pytest.fixture(autouse=True)
def _fresh_script() -> Iterator[None]:
    """Tests here change the template inside their transaction: no script made from such a
    template may outlive the test."""
    schema_copy.forget_template_script()
    yield
    schema_copy.forget_template_script()


def _request(slug: str) -> dict[str, str]:
    return {
        "name": f"Client {slug}",
        "slug": slug,
        "it_lead_email": f"lead@{slug}.test",
        "it_lead_name": "Lead",
    }


def _migrated_schema(schema: str) -> None:
    """A schema built the slow way: CREATE SCHEMA and every tenant migration replayed."""
    client = Client.objects.create(
        schema_name=schema, name=schema, slug=schema.replace("_", "-"), kind=TenantKind.CLIENT
    )
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        client.create_schema(check_if_exists=False, verbosity=0)


def _differences(left: dict, right: dict) -> dict[str, tuple[list, list]]:
    return {
        part: (sorted(set(left[part]) - set(right[part]))[:5], sorted(set(right[part]) - set(left[part]))[:5])
        for part in left
        if left[part] != right[part]
    }


def test_copied_schema_is_the_schema_migrations_build(world):
    client = provision_client(_request("copied"), acting_user=world.admin)
    _migrated_schema("client_migrated")

    copied, migrated = schema_shape(client.schema_name), schema_shape("client_migrated")

    assert _differences(copied, migrated) == {}
    # The comparison covers what matters, not empty lists.
    assert len(copied["columns"]) > 100 and len(copied["indexes"]) > 20
    assert copied["triggers"] and copied["functions"] and copied["comments"]  # pgtrigger / pghistory
    assert any(c[2] == "f" and "REFERENCES <schema>." in c[3] for c in copied["constraints"])
    assert copied["sequences"] and copied["identity owners"]
    assert schema_shape(TEMPLATE) == copied


def test_copy_is_made_without_django_tenants_clone(world, monkeypatch):
    def no_clone(*args, **kwargs):
        raise AssertionError("clone_schema must not be used")

    monkeypatch.setattr("django_tenants.clone.CloneSchema.clone_schema", no_clone)
    client = provision_client(_request("fastcopy"), acting_user=world.admin)
    assert schema_exists(client.schema_name)


def test_copied_schema_carries_template_rows_and_continues_its_sequences(world):
    with schema_context(TEMPLATE):
        marker = Contact.objects.create(full_name="Template marker", email="marker@template.test")
    client = provision_client(_request("rows"), acting_user=world.admin)
    with schema_context(client.schema_name):
        assert list(Contact.objects.values_list("pk", "full_name")) == [(marker.pk, "Template marker")]
        # The identity sequence was moved on with the rows: a new row gets a fresh key.
        assert Contact.objects.create(full_name="New", email="new@rows.test").pk > marker.pk


def test_history_triggers_work_in_a_copied_schema(world):
    client = provision_client(_request("history"), acting_user=world.admin)
    with schema_context(client.schema_name):
        contact = Contact.objects.create(full_name="Req", email="req@history.test")
        ticket = Ticket.objects.create(
            number=1, title="Printer", requester=contact, impact="low", urgency="low", priority="P4"
        )
        ticket.title = "Printer on fire"
        ticket.save()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pgh_label FROM support_ticketevent WHERE pgh_obj_id = %s ORDER BY pgh_id", [ticket.pk]
            )
            assert [row[0] for row in cursor.fetchall()] == ["insert", "update"]
            # The event table is append-only in the copy too (a trigger function in public).
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                cursor.execute("DELETE FROM support_ticketevent")


def test_script_is_regenerated_when_the_template_migrations_change(world):
    first = schema_copy.template_script(TEMPLATE)
    assert schema_copy.template_script(TEMPLATE) is first  # cached
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TEMPLATE}.directory_contact ADD COLUMN nickname text")
        cursor.execute(
            f"INSERT INTO {TEMPLATE}.django_migrations (app, name, applied) VALUES ('directory', '9999_nickname', now())"
        )
    second = schema_copy.template_script(TEMPLATE)
    assert second.key != first.key and '"nickname" text' in second.ddl
    client = provision_client(_request("moved-on"), acting_user=world.admin)
    assert schema_shape(client.schema_name) == schema_shape(TEMPLATE)


def test_what_the_generator_cannot_copy_falls_back_to_django_tenants_clone(world, caplog):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIEW {TEMPLATE}.open_tickets AS SELECT id FROM {TEMPLATE}.support_ticket")
    with pytest.raises(TemplateNotCopyable, match="open_tickets"):
        schema_copy.template_script(TEMPLATE)
    client = provision_client(_request("fallback"), acting_user=world.admin)
    assert "falling back to django-tenants' clone" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_views WHERE schemaname = %s AND viewname = 'open_tickets'", [client.schema_name]
        )
        assert cursor.fetchone() is not None


def test_a_failed_copy_leaves_nothing_behind(world, monkeypatch):
    real = schema_copy.TemplateScript.sql_for

    def broken(self, schema):
        return real(self, schema) + "\nSELECT 1/0;"

    monkeypatch.setattr(schema_copy.TemplateScript, "sql_for", broken)
    with pytest.raises(Exception, match="division by zero"):
        provision_client(_request("broken"), acting_user=world.admin)
    assert not schema_exists("client_broken")
    assert not Client.objects.filter(slug="broken").exists()


def test_copy_needs_an_existing_template(world):
    with pytest.raises(TemplateNotCopyable), transaction.atomic():
        copy_template_schema("no_such_template", "client_nowhere")
