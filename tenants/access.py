"""Who may reach which client: the one authorisation function and its scoped helpers.

Every read of client data goes through here. Scopes fail closed: an anonymous user,
a staff member who has not passed two-factor, or a client user without a membership
gets an empty queryset or `ClientAccessDenied`, never "everything".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.errors import AccessDenied, ActionError, NotAuthenticated, SecondFactorRequired
from tenants.models import (
    LIVE_CLIENT_STATUSES,
    Client,
    ClientRole,
    ClientStatus,
    Membership,
    MspRole,
    TenantKind,
    User,
)


class ClientNotFound(AccessDenied):
    """The client does not exist *or* the person may not see it: the two are not told apart."""

    code = "NOT_FOUND"

    def __init__(self, slug: str | None = None):
        super().__init__(f"No client '{slug}' is available to you." if slug else "No such client.")


class ClientInactive(AccessDenied):
    """A client user's own company is suspended or offboarded: told plainly, since it is hers."""

    code = "CLIENT_INACTIVE"

    def __init__(self, client: Client):
        state = "suspended" if client.status == ClientStatus.SUSPENDED else "closed"
        super().__init__(f"{client.name}'s portal is {state}. Contact your MSP if this is unexpected.")


def user_is_verified(user: Any) -> bool:
    """True when this session passed a second factor (django-otp's per-request flag)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def requires_second_factor(user: User) -> bool:
    """Staff always; client users when any client they belong to requires it."""
    if user.is_msp_staff:
        return True
    return Membership.objects.filter(user=user, client__require_two_factor=True).exists()


def ensure_may_reach_client_data(user: Any) -> User:
    """The gate in front of all client data: signed in, active, second factor passed if required."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotAuthenticated()
    if requires_second_factor(user) and not user_is_verified(user):
        raise SecondFactorRequired()
    return user


def staff_reaches_all_clients(user: User) -> bool:
    return user.is_msp_staff and not (user.msp_role == MspRole.TECHNICIAN and user.limited_to_allowed_clients)


def clients_visible_to(user: Any) -> QuerySet[Client]:
    """The clients a person may see in this session. Empty (never everything) when in doubt."""
    try:
        ensure_may_reach_client_data(user)
    except AccessDenied:
        return Client.objects.none()
    return clients_reachable_by(user)


def clients_reachable_by(user: User) -> QuerySet[Client]:
    """The clients a person's roles reach, whatever their session (e.g. for choosing an assignee)."""
    base = Client.objects.filter(kind=TenantKind.CLIENT)
    if not user.is_active:
        return base.none()
    if staff_reaches_all_clients(user):
        return base
    if user.is_msp_staff:
        return base.filter(staff_access__user=user)
    # Client users reach only live clients: suspending a client cuts existing sessions off too.
    return base.filter(memberships__user=user, status__in=LIVE_CLIENT_STATUSES)


def _not_reachable(user: User, client: Client | None, slug: str | None) -> AccessDenied:
    """Why a client is out of reach: her own company is inactive, or (for anything else) not found."""
    if (
        client is not None
        and not user.is_msp_staff
        and not client.is_live
        and Membership.objects.filter(user=user, client=client).exists()
    ):
        return ClientInactive(client)
    return ClientNotFound(slug)


def access_client_by_slug(user: Any, slug: str) -> Client:
    """The client `slug` if this person may reach it; otherwise `ClientNotFound`."""
    ensure_may_reach_client_data(user)
    client = clients_reachable_by(user).filter(slug=slug).first()
    if client is None:
        raise _not_reachable(user, Client.objects.clients().filter(slug=slug).first(), slug)
    return client


def ensure_may_reach_client(user: Any, client: Client) -> Client:
    """Authorise `user` for an already-resolved client (e.g. from the request host)."""
    ensure_may_reach_client_data(user)
    if not client.is_client or not clients_reachable_by(user).filter(pk=client.pk).exists():
        raise _not_reachable(user, client if client.is_client else None, client.slug)
    return client


def ensure_client_writable(client: Client) -> Client:
    """Offboarded clients are read-only: staff may still look, nobody may change anything."""
    if client.status == ClientStatus.OFFBOARDED:
        raise ActionError.single(
            "CLIENT_READ_ONLY", f"{client.name} is offboarded: its data can be read but not changed."
        )
    return client


def client_role_of(user: User, client: Client) -> str | None:
    return Membership.objects.filter(user=user, client=client).values_list("role", flat=True).first()


def ensure_msp_role(user: Any, *roles: str) -> User:
    """Staff with one of `roles` (any staff role when none given), second factor passed."""
    ensure_may_reach_client_data(user)
    if not user.is_msp_staff or (roles and user.msp_role not in roles):
        raise AccessDenied()
    return user


def ensure_may_manage_people(user: Any, client: Client) -> User:
    """MSP admins and account managers who reach the client, or the client's own IT lead."""
    ensure_may_reach_client(user, client)
    if user.is_msp_staff:
        if user.msp_role in (MspRole.ADMIN, MspRole.ACCOUNT_MANAGER):
            return user
        raise AccessDenied("Only MSP admins, account managers and the client's IT leads can invite people.")
    if client_role_of(user, client) == ClientRole.IT_LEAD:
        return user
    raise AccessDenied("Only the client's IT leads can invite people.")


def assignable_staff(client: Client) -> QuerySet[User]:
    """Technicians and admins who reach `client` (one query: all-client staff or the allow-list)."""
    return (
        User.objects.filter(is_active=True, msp_role__in=[MspRole.TECHNICIAN, MspRole.ADMIN])
        .filter(
            Q(limited_to_allowed_clients=False) | Q(msp_role=MspRole.ADMIN) | Q(client_access__client=client)
        )
        .distinct()
        .order_by("full_name")
    )
