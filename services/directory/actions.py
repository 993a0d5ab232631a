"""Use cases on a client's directory. Each runs in the current tenant schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core.tenancy import current_schema_name
from services.directory.models import Contact
from tenants.models import Client, Membership


@dataclass(frozen=True)
class ContactSyncResult:
    created: int
    updated: int
    deactivated: int


def sync_member_contacts(client: Client) -> ContactSyncResult:
    """Make every portal member of `client` a contact in its schema, and deactivate
    contacts whose membership ended. Idempotent; must run inside the client's schema."""
    if current_schema_name() != client.schema_name:
        raise RuntimeError(f"sync_member_contacts for {client.slug} ran in schema {current_schema_name()}.")
    members = list(Membership.objects.filter(client=client).select_related("user"))
    member_ids = {m.user_id for m in members}
    created = updated = 0
    with transaction.atomic():
        by_user = {c.user_id: c for c in Contact.objects.filter(user_id__in=member_ids)}
        by_email = {c.email.lower(): c for c in Contact.objects.filter(user_id__isnull=True)}
        for membership in members:
            user = membership.user
            contact = by_user.get(user.pk) or by_email.get(user.email.lower())
            if contact is None:
                Contact.objects.create(full_name=user.full_name, email=user.email, user_id=user.pk)
                created += 1
            elif (contact.user_id, contact.full_name, contact.email, contact.is_active) != (
                user.pk,
                user.full_name,
                user.email,
                True,
            ):
                contact.user_id, contact.full_name, contact.email, contact.is_active = (
                    user.pk,
                    user.full_name,
                    user.email,
                    True,
                )
                contact.save(update_fields=["user_id", "full_name", "email", "is_active"])
                updated += 1
        deactivated = (
            Contact.objects.filter(user_id__isnull=False, is_active=True)
            .exclude(user_id__in=member_ids)
            .update(is_active=False)
        )
    return ContactSyncResult(created=created, updated=updated, deactivated=deactivated)
