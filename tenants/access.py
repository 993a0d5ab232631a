"""Who may reach which client: the one authorisation function and its scoped helpers.

Every read of client data goes through here. Scopes fail closed: an anonymous user,
a staff member who has not passed two-factor, or a client user without a membership
gets an empty queryset or `ClientAccessDenied`, never "everything".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet

from core.errors import AccessDenied, ActionError, NotAuthenticated, SecondFactorRequired
from tenants.models import (
    LIVE_CLIENT_STATUSES,
    Client,
    ClientRole,
    ClientStatus,
    Membership,
    MspRole,
    StaffClientAccess,
    TenantKind,
    User,
)

# Roles that work tickets (may be assigned one).
TICKET_ROLES = frozenset({MspRole.TECHNICIAN, MspRole.ADMIN})


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


def may_use_graphiql(user: Any) -> bool:
    """GraphiQL, the developer's window on the whole API: MSP staff who passed the second factor."""
    return bool(getattr(user, "is_authenticated", False) and user.is_msp_staff and user_is_verified(user))


def requires_second_factor(user: User) -> bool:
    """Staff always; client users when any client they belong to requires it."""
    if user.is_msp_staff:
        return True
    # Asked by the root-field gate and again by resolvers: once per request's user object.
    cached = user.__dict__.get("_requires_second_factor")
    if cached is None:
        cached = Membership.objects.filter(user=user, client__require_two_factor=True).exists()
        user.__dict__["_requires_second_factor"] = cached
    return bool(cached)


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


def who_reaches(
    pairs: Iterable[tuple[int, Client]], *, staff_only: bool = False
) -> dict[tuple[int, int], User]:
    """Of the (user id, client) pairs given, those whose user reaches the client *now*,
    mapped to the user (id, name, e-mail and roles loaded).

    The same rule as `clients_reachable_by`, for a whole batch in one query whatever its
    size: used whenever something is about to be sent (a notification row, an e-mail), so
    a person removed from a client's allow-list, deactivated, or no longer a member is told
    nothing more about that client. `staff_only` keeps MSP staff only (internal messages)."""
    wanted = [(user_id, client) for user_id, client in pairs if client.is_client]
    if not wanted:
        return {}
    user_ids = {user_id for user_id, _ in wanted}
    client_ids = {client.pk for _, client in wanted}
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=user_ids, is_active=True)
        .only("pk", "email", "full_name", "msp_role", "limited_to_allowed_clients", "is_active")
        .annotate(
            allowed_client_ids=ArraySubquery(
                StaffClientAccess.objects.filter(user=OuterRef("pk"), client_id__in=client_ids).values(
                    "client_id"
                )
            ),
            member_client_ids=ArraySubquery(
                Membership.objects.filter(user=OuterRef("pk"), client_id__in=client_ids).values("client_id")
            ),
        )
    }
    reached: dict[tuple[int, int], User] = {}
    for user_id, client in wanted:
        user = users.get(user_id)
        if user is None or (staff_only and not user.is_msp_staff):
            continue
        if staff_reaches_all_clients(user):
            reaches = True
        elif user.is_msp_staff:
            reaches = client.pk in user.allowed_client_ids  # type: ignore[attr-defined]
        else:
            reaches = client.pk in user.member_client_ids  # type: ignore[attr-defined]
        if reaches:
            reached[(user_id, client.pk)] = user
    return reached


def may_work_tickets_of(user: User, client: Client) -> bool:
    """May `user` be (or stay) the assignee of `client`'s tickets: an active technician or
    admin who reaches the client."""
    return (
        user.is_active
        and user.msp_role in TICKET_ROLES
        and clients_reachable_by(user).filter(pk=client.pk).exists()
    )


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


def staff_reaching(client: Client) -> Q:
    """A filter on users: MSP staff who reach `client` (the rule of `clients_reachable_by`)."""
    return ~Q(msp_role="") & (
        ~Q(msp_role=MspRole.TECHNICIAN)
        | Q(limited_to_allowed_clients=False)
        | Q(client_access__client=client)
    )


def assignable_staff(client: Client) -> QuerySet[User]:
    """Technicians and admins who reach `client` (one query: all-client staff or the allow-list)."""
    return (
        User.objects.filter(is_active=True, msp_role__in=TICKET_ROLES)
        .filter(staff_reaching(client))
        .distinct()
        .order_by("full_name")
    )
