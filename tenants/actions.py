"""Identity use cases: invitations, memberships, the MSP tenant. One transaction each."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core.errors import ActionError, FieldError
from core.tasks import enqueue_on_commit
from tenants.access import ensure_client_writable
from tenants.models import (
    AuditEvent,
    Client,
    ClientRole,
    Domain,
    Invitation,
    Membership,
    MspRole,
    StaffClientAccess,
    TenantKind,
    User,
    hash_token,
)


def portal_url(client: Client) -> str:
    """The address of a client's portal (or of the MSP host for the public tenant)."""
    # Reads the (possibly prefetched) domains rather than issuing a query per client.
    domain = next((d for d in client.domains.all() if d.is_primary), None)
    host = domain.domain if domain else (settings.MSP_HOSTS[0] if settings.MSP_HOSTS else "localhost")
    port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
    return f"{settings.PORTAL_SCHEME}://{host}{port}/"


def msp_url(path: str = "") -> str:
    """An absolute address on the MSP host (where staff work), e.g. for links in e-mails."""
    host = settings.MSP_HOSTS[0] if settings.MSP_HOSTS else "localhost"
    port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
    return f"{settings.PORTAL_SCHEME}://{host}{port}/{path.lstrip('/')}"


def client_domain_for(slug: str) -> str:
    return f"{slug}.{settings.CLIENT_DOMAIN_SUFFIX}"


def record_audit(action: str, *, actor: User | None, client: Client | None = None, **detail: object) -> None:
    AuditEvent.objects.create(action=action, actor=actor, client=client, detail=detail)


def normalise_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    if not email:
        raise ActionError.single("REQUIRED", "Enter an email address.", field)
    try:
        validate_email(email)
    except ValidationError:
        raise ActionError.single("INVALID", f"'{email}' is not a valid email address.", field) from None
    return email


def invite_client_user(
    client: Client, *, email: str, full_name: str, role: str, invited_by: User | None
) -> tuple[Invitation, str]:
    """Invite a person to `client`; returns the invitation and the one-time token.

    The emailed link carries the token; only its hash is stored.
    """
    errors: list[FieldError] = []
    try:
        email = normalise_email(email)
    except ActionError as exc:
        errors.extend(exc.errors)
    full_name = (full_name or "").strip()
    if not full_name:
        errors.append(FieldError("REQUIRED", "Enter the person's full name.", "fullName"))
    if role not in ClientRole.values:
        errors.append(FieldError("INVALID", "Choose a role: IT lead or member.", "role"))
    if errors:
        raise ActionError(errors)
    ensure_client_writable(client)
    if not client.is_live:
        raise ActionError.single(
            "CLIENT_INACTIVE", f"{client.name} is suspended: reactivate it before inviting people."
        )
    if Membership.objects.filter(client=client, user__email__iexact=email).exists():
        raise ActionError.single("ALREADY_MEMBER", f"{email} is already a member of {client.name}.", "email")
    revoke_expired_invitations(client=client, email=email)
    if Invitation.objects.filter(
        client=client, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ActionError.single("INVITATION_OPEN", f"{email} already has an open invitation.", "email")

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            client=client,
            email=email,
            full_name=full_name,
            role=role,
            token_hash=hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record_audit("invitation.created", actor=invited_by, client=client, email=email, role=role)
        link = f"{portal_url(client)}invite/{token}"
        inviter = invited_by.full_name if invited_by else "Your managed service provider"
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You're invited to the {client.name} IT portal",
                message=(
                    f"Hello {full_name},\n\n{inviter} invited you to the {client.name} portal, where you can "
                    f"raise IT requests, follow their progress and see how your service levels are met."
                    f"\n\nSet your password here (the link "
                    f"expires in {settings.INVITATION_VALID_DAYS} days):\n{link}\n"
                ),
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation, token


def revoke_expired_invitations(*, client: Client | None = None, email: str | None = None) -> int:
    """Close invitations whose link expired, so the person can be invited again."""
    expired = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    )
    if client is not None:
        expired = expired.filter(client=client)
    if email is not None:
        expired = expired.filter(email__iexact=email)
    return expired.update(revoked_at=timezone.now())


def usable_invitation(token: str) -> Invitation | None:
    """The invitation behind `token` if it can still be accepted (open, and its client live)."""
    if not token:
        return None
    invitation = Invitation.objects.select_related("client").filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_open or not invitation.client.is_live:
        return None
    return invitation


def accept_invitation(
    *, token: str, full_name: str, password: str, authenticated_user: User | None = None
) -> tuple[User, Client]:
    """Turn an open invitation into a membership, creating the user if needed.

    A person who already has an account must be signed in as it (`authenticated_user`);
    the caller signs them in through the axes-guarded path first.
    """
    if not token:
        raise ActionError.single("INVALID_INVITATION", "This invitation link is not valid.", "token")
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("client")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if invitation is None or not invitation.is_open:
            raise ActionError.single(
                "INVALID_INVITATION",
                "This invitation link has expired or was already used. Ask for a new one.",
                "token",
            )
        if not invitation.client.is_live:
            raise ActionError.single(
                "INVALID_INVITATION",
                f"{invitation.client.name}'s portal is not open at the moment, so this invitation "
                "can't be used. Contact your MSP.",
                "token",
            )
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            full_name = (full_name or invitation.full_name).strip()
            if not full_name:
                raise ActionError.single("REQUIRED", "Enter your full name.", "fullName")
            candidate = User(email=invitation.email, full_name=full_name)
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                raise ActionError(
                    [FieldError("WEAK_PASSWORD", message, "password") for message in exc.messages]
                ) from None
            candidate.set_password(password)
            candidate.save()
            user = candidate
        elif authenticated_user is None or authenticated_user.pk != user.pk:
            raise ActionError.single(
                "INVALID_CREDENTIALS",
                "You already have an account: enter its current password to accept.",
                "password",
            )
        Membership.objects.get_or_create(
            user=user, client=invitation.client, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record_audit("invitation.accepted", actor=user, client=invitation.client, email=invitation.email)
        # By name: the directory app sits above tenants and keeps its contacts in step.
        enqueue_on_commit("directory.sync_member_contacts", schema_name=invitation.client.schema_name)
    return user, invitation.client


class AccessLossHandler(Protocol):
    def __call__(self, user: User, *, actor: User | None, now: datetime | None) -> object: ...


# What the apps above tenants do, in the same transaction, when someone's access shrinks
# (the service desk unassigns their tickets). Apps register in their AppConfig.ready(), so
# tenants needs no import of them and no Django signal carries a business rule.
ACCESS_LOSS_HANDLERS: list[AccessLossHandler] = []


def on_access_lost(handler: AccessLossHandler) -> None:
    """Register `handler(user, actor=..., now=...)`, called after any access change."""
    if handler not in ACCESS_LOSS_HANDLERS:
        ACCESS_LOSS_HANDLERS.append(handler)


def change_staff_access(
    user: User,
    *,
    actor: User | None,
    msp_role: str | None = None,
    limited_to_allowed_clients: bool | None = None,
    is_active: bool | None = None,
    allowed_clients: Iterable[Client] | None = None,
    now: datetime | None = None,
) -> User:
    """Change what a person may reach: role, allow-list switch, allow-list, active flag.

    The one way access changes (Django admin, seeding and any future mutation call it). In
    the same transaction, the open tickets of every client the person can no longer work
    are unassigned, each with a timeline entry saying why, and their queue rows follow
    (see docs/service-desk.md). `None` leaves a setting as it is."""
    if msp_role is not None and msp_role not in ("", *MspRole.values):
        raise ActionError.single("INVALID", "Choose an MSP role.", "mspRole")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changes: dict[str, object] = {}
        for field, value in (
            ("msp_role", msp_role),
            ("limited_to_allowed_clients", limited_to_allowed_clients),
            ("is_active", is_active),
        ):
            if value is not None and getattr(user, field) != value:
                changes[field] = value
                setattr(user, field, value)
        if changes:
            user.save(update_fields=list(changes))
        if allowed_clients is not None:
            wanted = {client.pk for client in allowed_clients if client.is_client}
            current = set(StaffClientAccess.objects.filter(user=user).values_list("client_id", flat=True))
            StaffClientAccess.objects.filter(user=user, client_id__in=current - wanted).delete()
            StaffClientAccess.objects.bulk_create(
                [StaffClientAccess(user=user, client_id=pk) for pk in sorted(wanted - current)]
            )
            if wanted != current:
                changes["allowed_client_ids"] = sorted(wanted)
        if not changes:
            return user
        record_audit("staff.access_changed", actor=actor, user_id=user.pk, changes=changes)
        for handler in ACCESS_LOSS_HANDLERS:
            handler(user, actor=actor, now=now)
    return user


def grant_client_access(user: User, client: Client, *, actor: User | None) -> User:
    """Put `client` on a limited staff member's allow-list."""
    current = list(Client.objects.filter(staff_access__user=user))
    return change_staff_access(user, actor=actor, allowed_clients=[*current, client])


def revoke_client_access(
    user: User, client: Client, *, actor: User | None, now: datetime | None = None
) -> User:
    """Take `client` off the allow-list; the person's open tickets there are unassigned."""
    current = Client.objects.filter(staff_access__user=user).exclude(pk=client.pk)
    return change_staff_access(user, actor=actor, allowed_clients=list(current), now=now)


def deactivate_user(user: User, *, actor: User | None) -> User:
    """Nobody signs in as `user` any more; their open tickets are unassigned."""
    return change_staff_access(user, actor=actor, is_active=False)


def ensure_msp_tenant() -> Client:
    """The MSP's own tenant row (the public schema) and a domain for every MSP host."""
    msp, _ = Client.objects.get_or_create(
        schema_name="public",
        defaults={"name": "MSP", "slug": "msp", "kind": TenantKind.MSP},
    )
    for index, host in enumerate(settings.MSP_HOSTS):
        Domain.objects.get_or_create(domain=host, defaults={"tenant": msp, "is_primary": index == 0})
    return msp
