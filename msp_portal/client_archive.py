"""One client's data as a zip archive, and back: its schema's rows, its rows in the public
schema (domains, memberships, invitations, staff access, SLA choice, work items,
notifications, provisioning jobs, audit rows), the people those rows name, and the files
attached to its tickets.

A one-schema `pg_dump` loses the public rows; this module knows every model that points
at a client, so nothing is left behind. It is pure Python (Django's serializers), so no
PostgreSQL client binary is needed.

Archive layout (README, "Operations"):

    manifest.json   format version, client slug/schema, counts, when and by which portal
    users.json      the people the rows name: id, e-mail, name, staff role (no passwords)
    public.json     the client row, then every public row pointing at it
    tenant.json     every row of the client's schema
    media/<name>    ticket attachments, under their storage names

Ids are kept, so links (global ids, ticket numbers, notification links) stay true after
a restore. Restoring therefore needs the ids to be free: the intended use is putting a
client back into the portal it came from (after a wipe or an offboarding purge). A whole
portal on a fresh machine is restored with `restore_portal` instead.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import pghistory
import pghistory.models
import pgtrigger
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from core.errors import ActionError
from tenants.models import Client, TenantKind, User

logger = logging.getLogger(__name__)

FORMAT = "msp-portal-client-archive"
FORMAT_VERSION = 1
Progress = Callable[[str], None]


def tenant_models() -> list[type[models.Model]]:
    """Every model stored in a client's schema, parents before children."""
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if config.name in settings.TENANT_APPS and config.name not in settings.SHARED_APPS:
            found.extend(m for m in config.get_models() if not m._meta.proxy and m._meta.managed)
    return _ordered(found)


def public_client_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every public-schema model with a foreign key to Client, with those keys' names."""
    found: list[tuple[type[models.Model], list[str]]] = []
    for config in apps.get_app_configs():
        if config.name not in settings.SHARED_APPS:
            continue
        for model in config.get_models():
            if model is Client or model._meta.proxy or not model._meta.managed:
                continue
            keys = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.ForeignKey) and f.related_model is Client
            ]
            if keys:
                found.append((model, keys))
    order = {model: index for index, model in enumerate(_ordered([m for m, _ in found]))}
    return sorted(found, key=lambda pair: order[pair[0]])


def _ordered(found: list[type[models.Model]]) -> list[type[models.Model]]:
    remaining = list(found)
    result: list[type[models.Model]] = []
    while remaining:
        progressed = False
        for model in list(remaining):
            parents = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not model and f.related_model in remaining
            }
            if not parents:
                result.append(model)
                remaining.remove(model)
                progressed = True
        if not progressed:  # a cycle: keep declaration order for the rest
            result.extend(remaining)
            break
    return result


def is_history(model: type[models.Model]) -> bool:
    """A pghistory event table: append-only, kept when the rows it describes go."""
    return issubclass(model, pghistory.models.Event)


def _public_rows(client: Client) -> list[models.Model]:
    rows: list[models.Model] = []
    for model, keys in public_client_models():
        condition = models.Q()
        for key in keys:
            condition |= models.Q(**{key: client})
        rows.extend(model._base_manager.filter(condition).order_by("pk"))
    return rows


def _user_ids(rows: Iterable[models.Model]) -> set[int]:
    """Ids of the people named by these rows: user foreign keys, and the user ids the
    client's schema keeps as plain integers (assignee_id, author_id, watcher_ids…)."""
    ids: set[int] = set()
    for row in rows:
        for f in row._meta.concrete_fields:
            value = getattr(row, f.attname)
            if value is None:
                continue
            if isinstance(f, models.ForeignKey) and f.related_model is User:
                ids.add(value)
            elif f.attname in USER_ID_FIELDS.get(row._meta.label, ()):
                ids.update(value if isinstance(value, list) else [value])
    return ids


# Plain integer columns holding public user ids (the schema has no cross-schema keys).
USER_ID_FIELDS: dict[str, tuple[str, ...]] = {
    "directory.Contact": ("user_id",),
    "support.Ticket": ("assignee_id", "created_by_id"),
    "support.TicketWatcher": ("user_id",),
    "support.TicketActivity": ("actor_id",),
    "support.Comment": ("author_id",),
    "support.TimeEntry": ("technician_id",),
    "workqueue.WorkItem": ("watcher_ids",),
}


@dataclass
class ArchiveSummary:
    slug: str
    schema_name: str
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def export_client(client: Client, out: IO[bytes], *, progress: Progress | None = None) -> ArchiveSummary:
    """Write `client`'s archive to the binary stream `out` (read in one snapshot)."""
    say = progress or (lambda message: None)
    if not client.is_client:
        raise ActionError.single("NOT_A_CLIENT", "Only client tenants can be exported.")
    summary = ArchiveSummary(slug=client.slug, schema_name=client.schema_name)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            # One consistent snapshot of both schemas for the whole export.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        client = Client.objects.get(pk=client.pk)
        say(f"public rows of {client.slug}")
        public_rows: list[models.Model] = [client, *_public_rows(client)]
        say(f"schema {client.schema_name}")
        tenant_rows: list[models.Model] = []
        with schema_context(client.schema_name):
            for model in tenant_models():
                rows = list(model._base_manager.order_by("pk"))
                tenant_rows.extend(rows)
                say(f"  {model._meta.label}: {len(rows)}")
        for row in [*public_rows, *tenant_rows]:
            summary.counts[row._meta.label] = summary.counts.get(row._meta.label, 0) + 1
        people = User.objects.filter(pk__in=_user_ids([*public_rows, *tenant_rows])).order_by("pk")
        users = [
            {
                "id": user.pk,
                "email": user.email,
                "full_name": user.full_name,
                "msp_role": user.msp_role,
                "is_active": user.is_active,
            }
            for user in people
        ]
        attachments = [
            row.file.name  # type: ignore[attr-defined]
            for row in tenant_rows
            if row._meta.label == "support.Attachment" and row.file  # type: ignore[attr-defined]
        ]
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "manifest.json",
                json.dumps(
                    {
                        "format": FORMAT,
                        "version": FORMAT_VERSION,
                        "slug": client.slug,
                        "name": client.name,
                        "schema_name": client.schema_name,
                        "exported_at": timezone.now().isoformat(),
                        "counts": summary.counts,
                        "files": attachments,
                    },
                    indent=2,
                ),
            )
            archive.writestr("users.json", json.dumps(users, indent=2))
            archive.writestr("public.json", serializers.serialize("json", public_rows, indent=1))
            archive.writestr("tenant.json", serializers.serialize("json", tenant_rows, indent=1))
            for name in attachments:
                say(f"  file {name}")
                if not default_storage.exists(name):
                    raise ActionError.single(
                        "ATTACHMENT_MISSING", f"The attachment file '{name}' is missing from storage."
                    )
                with default_storage.open(name, "rb") as handle:
                    archive.writestr(f"media/{name}", handle.read())
                summary.files += 1
    logger.info("client exported", extra={"client": client.slug, "rows": summary.rows})
    return summary


def export_client_bytes(client: Client) -> bytes:
    buffer = io.BytesIO()
    export_client(client, buffer)
    return buffer.getvalue()


def _read(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(archive.read(name))
    except KeyError as exc:
        raise ActionError.single("BAD_ARCHIVE", f"The archive has no {name}.") from exc
    except ValueError as exc:
        raise ActionError.single("BAD_ARCHIVE", f"{name} in the archive is not valid JSON.") from exc


def import_client(source: IO[bytes], *, progress: Progress | None = None) -> Client:
    """Put an exported client back: its public rows, a new schema cloned from the template
    with every row of the old one, and its files. One transaction: on any error nothing
    is left (files written so far are removed)."""
    from tenants.provisioning import ensure_template_tenant
    from tenants.schema_copy import create_client_schema

    say = progress or (lambda message: None)
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise ActionError.single("BAD_ARCHIVE", "This is not a client archive (not a zip file).") from exc
    manifest = _read(archive, "manifest.json")
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise ActionError.single(
            "BAD_ARCHIVE", f"Unsupported archive format {manifest.get('format')} v{manifest.get('version')}."
        )
    slug, schema_name = manifest["slug"], manifest["schema_name"]
    if Client.objects.filter(models.Q(slug=slug) | models.Q(schema_name=schema_name)).exists() or (
        schema_exists(schema_name)
    ):
        raise ActionError.single(
            "CLIENT_EXISTS",
            f"A client '{slug}' (or its schema {schema_name}) is still in this portal: "
            "delete it before restoring the archive.",
        )
    users = _read(archive, "users.json")
    public = list(serializers.deserialize("json", archive.read("public.json"), ignorenonexistent=False))
    tenant = list(serializers.deserialize("json", archive.read("tenant.json"), ignorenonexistent=False))
    if not public or not isinstance(public[0].object, Client):
        raise ActionError.single("BAD_ARCHIVE", "The archive does not start with its client.")
    to_load = _rows_to_load(public)
    ensure_template_tenant()
    written: list[str] = []
    try:
        # The archive carries the rows' history: loading them must not add "created" events.
        with transaction.atomic():
            # Public rows: their earlier history is still here (append-only) and ends with
            # the deletion; the restore is recorded as new "created" events marked as such.
            with pghistory.context(action="import_client", archive_exported_at=manifest.get("exported_at")):
                say(f"people: {len(users)}")
                _ensure_users(users)
                say(f"public rows: {len(to_load)}")
                for item in to_load:
                    item.save()
            client = public[0].object
            assert isinstance(client, Client)
            say(f"schema {client.schema_name} (copied from the template)")
            create_client_schema(client)
            _reset_sequences(list({type(item.object) for item in public}))
            with schema_context(client.schema_name):
                for model in tenant_models():
                    if not is_history(model):
                        model._base_manager.all().delete()  # the template's rows, if any
                say(f"schema rows: {len(tenant)}")
                # The new schema gets the archived history as it was: loading its rows must
                # not add "created" events (pgtrigger.ignore skips the tracking triggers only).
                with pgtrigger.ignore():
                    for item in tenant:
                        item.save()
                _reset_sequences(list({type(item.object) for item in tenant}))
            for name in manifest.get("files", []):
                if default_storage.exists(name):
                    raise ActionError.single(
                        "FILE_EXISTS", f"A file '{name}' is already in storage; it would be overwritten."
                    )
                saved = default_storage.save(name, ContentFile(archive.read(f"media/{name}")))
                written.append(saved)
                if saved != name:
                    raise ActionError.single("FILE_EXISTS", f"Storage renamed '{name}' to '{saved}'.")
            say(f"files: {len(written)}")
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    logger.info("client imported", extra={"client": slug})
    return Client.objects.get(pk=client.pk)


def _rows_to_load(public: list[Any]) -> list[Any]:
    """The public rows to insert: all, except history events this portal still has (the
    history of a deleted client stays; it is append-only). Raises if any other id is taken."""
    taken: list[str] = []
    load: list[Any] = []
    for item in public:
        model = type(item.object)
        exists = model._base_manager.filter(pk=item.object.pk).exists()
        if exists and is_history(model):
            continue
        if exists:
            taken.append(f"{model._meta.label} #{item.object.pk}")
        load.append(item)
    if taken:
        raise ActionError.single(
            "IDS_TAKEN",
            "Rows of this portal already use the archive's ids ("
            + ", ".join(taken[:5])
            + (", …" if len(taken) > 5 else "")
            + "): restore the whole portal with restore_portal instead.",
        )
    return load


def _ensure_users(users: list[dict[str, Any]]) -> None:
    """People are portal-wide: the same id and e-mail must be there, or neither (then the
    person is created without a usable password and sets one through a reset)."""
    for entry in users:
        by_id = User.objects.filter(pk=entry["id"]).first()
        by_email = User.objects.filter(email__iexact=entry["email"]).first()
        if by_id is not None and by_id.email.lower() == entry["email"].lower():
            continue
        if by_id is None and by_email is None:
            user = User(
                pk=entry["id"],
                email=entry["email"],
                full_name=entry["full_name"],
                msp_role=entry["msp_role"],
                is_active=entry["is_active"],
            )
            user.set_unusable_password()
            user.save()
            continue
        raise ActionError.single(
            "USER_MISMATCH",
            f"User #{entry['id']} <{entry['email']}> of the archive does not match this portal's people: "
            "restore the whole portal with restore_portal instead.",
        )
    _reset_sequences([User])


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def wipe_client(client: Client) -> dict[str, int]:
    """Remove a client for good: its schema (dropped with every row) and every public row
    pointing at it, then the client row; the slug and schema name are free again.
    Attachment files go too (after the commit). Returns what was removed, per model."""
    if client.kind != TenantKind.CLIENT:
        raise ActionError.single("NOT_A_CLIENT", "Only client tenants can be removed.")
    removed: dict[str, int] = {}
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        files: list[str] = []
        if schema_exists(client.schema_name):
            with schema_context(client.schema_name):
                attachment = apps.get_model("support", "Attachment")
                files = [name for name in attachment._base_manager.values_list("file", flat=True) if name]
                for model in tenant_models():
                    removed[model._meta.label] = model._base_manager.count()
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of this transaction must run before their tables go.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'DROP SCHEMA "{client.schema_name}" CASCADE')
        for model, keys in reversed(public_client_models()):
            if is_history(model):
                continue  # append-only; the history of a removed client stays
            condition = models.Q()
            for key in keys:
                condition |= models.Q(**{key: client})
            count, _ = model._base_manager.filter(condition).delete()
            removed[model._meta.label] = removed.get(model._meta.label, 0) + count
        Client.objects.filter(pk=client.pk).delete()

        def remove_files() -> None:
            for name in files:
                default_storage.delete(name)

        transaction.on_commit(remove_files)
    return {label: count for label, count in removed.items() if count}
