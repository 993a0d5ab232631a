"""A client's lifecycle: onboarding → active ⇄ suspended, → offboarded; and the guarded delete.

Effects of a status live where they are enforced, not here:
- `tenants.access.clients_reachable_by`: client users reach only live clients (onboarding,
  active), so a suspension also cuts off sessions that are already signed in;
- `tenants.auth.sign_in`: members of an inactive client are refused with a clear message;
- `services.workqueue.selectors.queue_queryset` and the SLA sweep: work items of inactive
  clients are hidden (nothing is rewritten, so they come back on reactivation);
- `tenants.tasks.dispatch_contact_sync`: periodic fan-outs visit live clients only;
- `tenants.access.ensure_client_writable`: offboarded clients are read-only.

Each change is one transaction with an audit event. See docs/client-lifecycle.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import CASCADE, ForeignKey, Model

from core.errors import ActionError
from tenants.actions import record_audit
from tenants.domain_cache import forget_client
from tenants.models import (
    Client,
    ClientRole,
    ClientStatus,
    Domain,
    Invitation,
    Membership,
    StaffClientAccess,
    TenantKind,
    User,
)

# Which status may follow which. Offboarded is final here: undoing it, exporting the
# client's data and a grace period before deletion belong to the full offboarding (later).
TRANSITIONS: dict[str, frozenset[str]] = {
    ClientStatus.ONBOARDING: frozenset(
        {ClientStatus.ACTIVE, ClientStatus.SUSPENDED, ClientStatus.OFFBOARDED}
    ),
    ClientStatus.ACTIVE: frozenset({ClientStatus.SUSPENDED, ClientStatus.OFFBOARDED}),
    ClientStatus.SUSPENDED: frozenset({ClientStatus.ACTIVE, ClientStatus.OFFBOARDED}),
    ClientStatus.OFFBOARDED: frozenset(),
}


def allowed_statuses(client: Client) -> list[str]:
    """The statuses `client` may move to next, in lifecycle order."""
    nexts = TRANSITIONS.get(client.status, frozenset())
    return [status for status in ClientStatus.values if status in nexts]


def change_client_status(client: Client, status: str, *, actor: User | None, reason: str = "") -> Client:
    """Move `client` to `status` (one transaction, audited). Refuses moves the table forbids."""
    if status not in ClientStatus.values:
        raise ActionError.single("INVALID", "Choose a status: active, suspended or offboarded.", "status")
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.kind != TenantKind.CLIENT:
            raise ActionError.single("NOT_FOUND", "No such client.", "clientSlug")
        old = locked.status
        if status == old:
            raise ActionError.single(
                "INVALID_TRANSITION", f"{locked.name} is already {ClientStatus(old).label.lower()}.", "status"
            )
        if status not in TRANSITIONS[old]:
            raise ActionError.single(
                "INVALID_TRANSITION",
                f"A client that is {ClientStatus(old).label.lower()} cannot become "
                f"{ClientStatus(status).label.lower()}.",
                "status",
            )
        # An update, not save(): django-tenants refuses to save a tenant row from another
        # tenant's schema, and an IT lead may sign in on one of her clients' hosts.
        Client.objects.filter(pk=locked.pk).update(status=status)
        forget_client(locked)  # the cached host -> tenant lookup has the old status
        record_audit(
            "client.status_changed",
            actor=actor,
            client=locked,
            old=old,
            new=status,
            reason=reason or "by hand",
        )
    client.status = status
    return client


def activate_on_it_lead_sign_in(user: User) -> list[Client]:
    """An onboarding client becomes active when one of its IT leads first signs in."""
    activated = []
    onboarding = Client.objects.filter(
        kind=TenantKind.CLIENT,
        status=ClientStatus.ONBOARDING,
        memberships__user=user,
        memberships__role=ClientRole.IT_LEAD,
    )
    for client in onboarding:
        try:
            activated.append(
                change_client_status(client, ClientStatus.ACTIVE, actor=user, reason="it_lead_signed_in")
            )
        except ActionError:
            # Someone changed its status meanwhile (e.g. suspended it): leave their decision.
            continue
    return activated


@dataclass(frozen=True)
class Holding:
    """Rows of one kind a client holds, e.g. (3, "ticket", "tickets")."""

    count: int
    singular: str
    plural: str

    def __str__(self) -> str:
        return f"{self.count} {self.singular if self.count == 1 else self.plural}"


# Rows that exist in every client schema without anyone having put data there.
_BOOKKEEPING_MODELS = frozenset({"support.ticketcounter"})


def _tenant_models() -> list[type[Model]]:
    shared = set(settings.SHARED_APPS)
    models: list[type[Model]] = []
    for app_name in settings.TENANT_APPS:
        if app_name in shared:
            continue
        config = next(c for c in apps.get_app_configs() if c.name == app_name)
        models.extend(config.get_models())
    return models


def _owned_by_another_row(model: type[Model], tenant_models: list[type[Model]]) -> bool:
    """Rows that live and die with a parent row (a ticket's comments, activities, time...):
    the parent is what a person would name, so only the parent is reported."""
    return any(
        isinstance(field, ForeignKey)
        and field.related_model in tenant_models
        and field.remote_field.on_delete is CASCADE
        for field in model._meta.get_fields()
    )


def client_holdings(client: Client, *, lock: bool = False) -> list[Holding]:
    """What `client` holds beyond what provisioning and member sync create.

    Every model of every tenant app is counted (so a new app's data is never dropped
    unnoticed), except bookkeeping rows and contacts that only mirror portal members;
    rows owned by a parent row (cascading foreign key) are counted through their parent.
    With `lock`, each table is locked against writers first (for a delete that follows).
    """
    holdings = []
    schema = connection.ops.quote_name(client.schema_name)
    tenant_models = _tenant_models()
    with connection.cursor() as cursor:
        for model in tenant_models:
            label = model._meta.label_lower
            table = f"{schema}.{connection.ops.quote_name(model._meta.db_table)}"
            if lock:
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
            if label in _BOOKKEEPING_MODELS or _owned_by_another_row(model, tenant_models):
                continue
            if issubclass(model, pghistory.models.Event):
                continue  # change history (docs/audit-history.md) is not data of its own
            # Identifiers come from our own tenant row and model metadata, and are quoted.
            sql = f"SELECT count(*) FROM {table}"  # noqa: S608
            if label == "directory.contact":
                sql += " WHERE user_id IS NULL"  # contacts synced from members are not data
            cursor.execute(sql)
            count = int(cursor.fetchone()[0])
            if count:
                singular = str(model._meta.verbose_name)
                plural = str(model._meta.verbose_name_plural)
                if label == "directory.contact":
                    singular, plural = (
                        "contact who is not a portal member",
                        "contacts who are not portal members",
                    )
                holdings.append(Holding(count, singular, plural))
    return holdings


def delete_client(client: Client, *, confirm_slug: str, actor: User | None) -> None:
    """Remove a client created by mistake: its schema, domains, memberships, invitations and
    staff access, in one transaction. Refused when it holds any data (offboard it instead)."""
    if (confirm_slug or "").strip() != client.slug:
        raise ActionError.single(
            "CONFIRMATION_MISMATCH", f"Type the client's address '{client.slug}' to confirm.", "confirmSlug"
        )
    with transaction.atomic():
        locked = Client.objects.select_for_update().filter(pk=client.pk, kind=TenantKind.CLIENT).first()
        if locked is None:
            raise ActionError.single("NOT_FOUND", "No such client.", "clientSlug")
        holdings = client_holdings(locked, lock=True)
        if holdings:
            listed = ", ".join(str(h) for h in holdings)
            raise ActionError.single(
                "CLIENT_HAS_DATA",
                f"{locked.name} holds {listed}, so it cannot be deleted. Suspend or offboard it instead.",
                "clientSlug",
            )
        detail = {
            "slug": locked.slug,
            "name": locked.name,
            "schema": locked.schema_name,
            "members": Membership.objects.filter(client=locked).count(),
            "invitations": Invitation.objects.filter(client=locked).count(),
        }
        Membership.objects.filter(client=locked).delete()
        Invitation.objects.filter(client=locked).delete()
        StaffClientAccess.objects.filter(client=locked).delete()
        Domain.objects.filter(tenant=locked).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {connection.ops.quote_name(locked.schema_name)} CASCADE")
        # The schema is gone already; the row goes without django-tenants touching schemas again.
        Client.objects.filter(pk=locked.pk).delete()
        forget_client(locked)
        record_audit("client.deleted", actor=actor, client=None, **detail)
