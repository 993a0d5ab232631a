"""Who may see and change money. Built on `tenants.access` (who reaches which client).

- MSP admins: everything, and every change (contracts, runs, issuing, voiding, credit notes,
  payments).
- Account managers: see every client's billing they reach; change nothing.
- Technicians: no money at all.
- Client IT leads: their own client's invoices, block hours, SLA credits; members only when
  an IT lead or an MSP admin granted them (`BillingGrant`).
Not allowed and not found are one answer, as everywhere (`ClientNotFound`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from billing.models import BillingGrant
from core.errors import AccessDenied
from tenants.access import clients_visible_to, ensure_may_reach_client, ensure_msp_role
from tenants.models import Client, ClientRole, Membership, MspRole, User

MONEY_ROLES = frozenset({MspRole.ADMIN, MspRole.ACCOUNT_MANAGER})


def staff_sees_money(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_msp_staff and user.msp_role in MONEY_ROLES
    )


def ensure_billing_admin(user: Any) -> User:
    """MSP admins (second factor passed): every change to contracts, runs and invoices."""
    return ensure_msp_role(user, MspRole.ADMIN)


def ensure_sees_all_billing(user: Any) -> User:
    """MSP admins and account managers: the cross-client billing views."""
    return ensure_msp_role(user, MspRole.ADMIN, MspRole.ACCOUNT_MANAGER)


def member_sees_billing(user: User, client: Client) -> bool:
    """A client user: the IT lead, or a member with a billing grant."""
    return Membership.objects.filter(
        Q(role=ClientRole.IT_LEAD) | Q(Exists(BillingGrant.objects.filter(client=client, user=user))),
        user=user,
        client=client,
    ).exists()


def ensure_may_see_billing(user: Any, client: Client) -> User:
    """Reach the client and see its money (see the module docstring)."""
    ensure_may_reach_client(user, client)
    if user.is_msp_staff:
        if user.msp_role in MONEY_ROLES:
            return user  # type: ignore[no-any-return]
        raise AccessDenied("Billing is visible to MSP admins and account managers only.")
    if member_sees_billing(user, client):
        return user  # type: ignore[no-any-return]
    raise AccessDenied("Ask your IT lead for access to billing.")


def ensure_may_manage_billing(user: Any, client: Client) -> User:
    """MSP admins who reach the client."""
    ensure_may_reach_client(user, client)
    return ensure_billing_admin(user)


def ensure_may_grant_billing(user: Any, client: Client) -> User:
    """MSP admins, or the client's own IT lead."""
    ensure_may_reach_client(user, client)
    if user.is_msp_staff:
        return ensure_billing_admin(user)
    if Membership.objects.filter(user=user, client=client, role=ClientRole.IT_LEAD).exists():
        return user  # type: ignore[no-any-return]
    raise AccessDenied("Only the client's IT leads can grant access to billing.")


def billing_clients_of(user: Any) -> QuerySet[Client]:
    """The clients whose billing this person may see in this session (empty when in doubt)."""
    visible = clients_visible_to(user)
    if not getattr(user, "is_authenticated", False):
        return visible.none()
    if user.is_msp_staff:
        return visible if user.msp_role in MONEY_ROLES else visible.none()
    return visible.filter(
        Q(memberships__user=user, memberships__role=ClientRole.IT_LEAD)
        | Q(Exists(BillingGrant.objects.filter(client=OuterRef("pk"), user=user)))
    ).distinct()
