"""GraphQL types of tenancy and identity: the client, people, the viewer, provisioning
jobs; their enums, error types and batch loaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import graphene
from django.db import connection
from graphene import relay
from graphene_django import DjangoObjectType

from core.graphql.errors import error_type
from core.graphql.execution import row_value
from core.graphql.loaders import loader, then
from core.graphql.types import CountedConnection, HistoryEntryType, enum_from_choices, enum_value
from core.history import HistoryEntry
from tenants import auth as auth_actions
from tenants.access import (
    AccessDenied,
    client_role_of,
    clients_visible_to,
    ensure_may_reach_client_data,
    requires_second_factor,
    user_is_verified,
)
from tenants.actions import msp_url, portal_url
from tenants.history import client_history
from tenants.lifecycle import allowed_statuses, client_holdings
from tenants.models import (
    Client,
    ClientRole,
    ClientStatus,
    ClientTier,
    Industry,
    Invitation,
    Membership,
    MspRole,
    ProvisioningJob,
    ProvisioningStatus,
    User,
)
from tenants.provisioning import live_progress
from tenants.request_scope import host_client

IndustryEnum = enum_from_choices("Industry", Industry, "The client's industry.")
ClientTierEnum = enum_from_choices("ClientTier", ClientTier, "The service tier the client buys.")
ClientStatusEnum = enum_from_choices("ClientStatus", ClientStatus, "Where the client is in its lifecycle.")
MspRoleEnum = enum_from_choices("MspRole", MspRole, "An MSP staff role.")
ClientRoleEnum = enum_from_choices("ClientRole", ClientRole, "A client user's role in one client.")
ProvisioningStatusEnum = enum_from_choices(
    "ProvisioningStatus", ProvisioningStatus, "State of a provisioning job."
)


class AuthStepEnum(graphene.Enum):
    class Meta:
        name = "AuthStep"
        description = "What the person must do next to finish signing in."

    SIGNED_IN = auth_actions.AuthStep.SIGNED_IN
    OTP_VERIFY = auth_actions.AuthStep.OTP_VERIFY
    OTP_ENROL = auth_actions.AuthStep.OTP_ENROL


AUTH_ERROR_CODES = [
    "INVALID_CREDENTIALS",
    "LOCKED_OUT",
    "NOT_AUTHENTICATED",
    "INVALID_TOKEN",
    "ALREADY_ENROLLED",
    "NOT_ENROLLED",
    "INVALID_INVITATION",
    "WEAK_PASSWORD",
    "REQUIRED",
    "INVALID",
    "WRONG_PORTAL",
    "STAFF_ON_CLIENT_PORTAL",
    "CLIENT_INACTIVE",
]
CLIENT_ERROR_CODES = [
    "REQUIRED",
    "INVALID",
    "INVALID_SLUG",
    "DUPLICATE_SLUG",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "OTP_REQUIRED",
    "NOT_AUTHENTICATED",
    "ALREADY_MEMBER",
    "INVITATION_OPEN",
    "TOO_MANY",
    "INVALID_TRANSITION",
    "CLIENT_HAS_DATA",
    "CONFIRMATION_MISMATCH",
    "CLIENT_INACTIVE",
    "CLIENT_READ_ONLY",
]
AuthError = error_type("AuthError", AUTH_ERROR_CODES, "Why signing in, 2FA or joining a client failed.")
ClientError = error_type("ClientError", CLIENT_ERROR_CODES, "Why a change to clients or their people failed.")


# ------------------------------------------------------------------ batch loaders


def load_staff(ids: Sequence[int]) -> list[User | None]:
    by_id = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    return [by_id.get(pk) for pk in ids]


def load_members(client_ids: Sequence[int]) -> list[list[Membership]]:
    grouped: dict[int, list[Membership]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(client_id__in=client_ids).select_related("user").order_by("user__full_name")
    )
    for membership in memberships:
        grouped[membership.client_id].append(membership)
    return [grouped[pk] for pk in client_ids]


def load_open_invitations(client_ids: Sequence[int]) -> list[list[Invitation]]:
    grouped: dict[int, list[Invitation]] = defaultdict(list)
    invitations = Invitation.objects.filter(
        client_id__in=client_ids, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    for invitation in invitations:
        if invitation.is_open:
            grouped[invitation.client_id].append(invitation)
    return [grouped[pk] for pk in client_ids]


def load_contact_counts(schema_names: Sequence[str]) -> list[int]:
    """One query across the requested clients' schemas (a UNION), not one per client."""
    parts = []
    for schema in schema_names:
        quoted = connection.ops.quote_name(schema)
        # Identifiers come from our own tenant rows and are quoted; values are parameters.
        sql = f"SELECT %s AS schema_name, count(*) AS n FROM {quoted}.directory_contact WHERE is_active"  # noqa: S608
        parts.append(sql)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), list(schema_names))
        counts = dict(cursor.fetchall())
    return [int(counts.get(schema, 0)) for schema in schema_names]


def load_primary_domain_hosts(client_ids: Sequence[int]) -> list[Client]:
    clients = {c.pk: c for c in Client.objects.filter(pk__in=client_ids).prefetch_related("domains")}
    return [clients[pk] for pk in client_ids]


# ------------------------------------------------------------------------- types


class StaffMember(DjangoObjectType):
    """An MSP staff member as other people see them."""

    msp_role = MspRoleEnum(required=True)

    class Meta:
        model = User
        name = "StaffMember"
        interfaces = (relay.Node,)
        fields = ("id", "full_name", "email")

    @row_value
    def resolve_msp_role(root: User, info: Any) -> str:
        return enum_value(root.msp_role)


class ClientMember(graphene.ObjectType):
    id = graphene.ID(required=True)
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)
    role = ClientRoleEnum(required=True)
    joined_at = graphene.DateTime(required=True)

    @staticmethod
    def from_membership(membership: Membership) -> ClientMember:
        return ClientMember(
            id=str(membership.user_id),
            full_name=membership.user.full_name,
            email=membership.user.email,
            role=membership.role,
            joined_at=membership.created_at,
        )


class InvitationType(graphene.ObjectType):
    class Meta:
        name = "Invitation"

    id = graphene.ID(required=True)
    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    role = ClientRoleEnum(required=True)
    created_at = graphene.DateTime(required=True)
    expires_at = graphene.DateTime(required=True)
    invited_by = graphene.String()

    @staticmethod
    def from_invitation(invitation: Invitation) -> InvitationType:
        return InvitationType(
            id=str(invitation.pk),
            email=invitation.email,
            full_name=invitation.full_name,
            role=invitation.role,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            invited_by=invitation.invited_by.full_name if invitation.invited_by else None,
        )


def _may_see_invitations(info: Any, client: Client) -> bool:
    user = info.context.user
    return bool(user.is_msp_staff or client_role_of(user, client) == ClientRole.IT_LEAD)


class ClientType(DjangoObjectType):
    """A client company. Only reachable through `clients`/`client`, which authorise first."""

    industry = IndustryEnum(required=True)
    tier = ClientTierEnum(required=True)
    status = ClientStatusEnum(required=True)
    portal_url = graphene.String(required=True)
    account_manager = graphene.Field(StaffMember)
    member_count = graphene.Int(required=True)
    it_leads = graphene.List(graphene.NonNull(ClientMember), required=True)
    members = graphene.List(graphene.NonNull(ClientMember), required=True)
    pending_invitations = graphene.List(graphene.NonNull(InvitationType), required=True)
    contact_count = graphene.Int(required=True, description="Active contacts in the client's own schema.")
    history = graphene.List(
        graphene.NonNull(HistoryEntryType),
        required=True,
        description="MSP staff: changes of the client, its memberships and staff allow-list, newest first "
        "(four queries per client: ask for it on one client, as the client page does).",
    )
    allowed_statuses = graphene.List(
        graphene.NonNull(ClientStatusEnum),
        required=True,
        description="MSP admins: the statuses this client may move to next (empty for others).",
    )
    deletion_blockers = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="MSP admins: what the client holds that stops a delete, e.g. '3 tickets' "
        "(empty when it may be deleted, and for everyone else).",
    )

    class Meta:
        model = Client
        name = "Client"
        interfaces = (relay.Node,)
        connection_class = CountedConnection
        fields = ("id", "slug", "name", "timezone", "require_two_factor", "created_at")

    @classmethod
    def get_node(cls, info: Any, id: Any) -> Client | None:
        # Relay node lookups go through the same authorisation as everything else.
        return clients_visible_to(info.context.user).filter(pk=id).first()

    def resolve_industry(root: Client, info: Any) -> str:
        return enum_value(root.industry)

    def resolve_tier(root: Client, info: Any) -> str:
        return enum_value(root.tier)

    def resolve_status(root: Client, info: Any) -> str:
        return enum_value(root.status)

    def resolve_portal_url(root: Client, info: Any) -> Any:
        return then(loader(info, load_primary_domain_hosts).load(root.pk), portal_url)

    def resolve_account_manager(root: Client, info: Any) -> Any:
        if root.account_manager_id is None:
            return None
        return loader(info, load_staff).load(root.account_manager_id)

    def resolve_member_count(root: Client, info: Any) -> Any:
        return then(loader(info, load_members).load(root.pk), len)

    def resolve_members(root: Client, info: Any) -> Any:
        return then(
            loader(info, load_members).load(root.pk), lambda ms: [ClientMember.from_membership(m) for m in ms]
        )

    def resolve_it_leads(root: Client, info: Any) -> Any:
        return then(
            loader(info, load_members).load(root.pk),
            lambda ms: [ClientMember.from_membership(m) for m in ms if m.role == ClientRole.IT_LEAD],
        )

    def resolve_pending_invitations(root: Client, info: Any) -> Any:
        if not _may_see_invitations(info, root):
            return []
        return then(
            loader(info, load_open_invitations).load(root.pk),
            lambda invs: [InvitationType.from_invitation(i) for i in invs],
        )

    def resolve_history(root: Client, info: Any) -> list[HistoryEntry]:
        if not info.context.user.is_msp_staff:
            return []
        return client_history(root)

    def resolve_contact_count(root: Client, info: Any) -> Any:
        return loader(info, load_contact_counts).load(root.schema_name)

    def resolve_allowed_statuses(root: Client, info: Any) -> list[str]:
        if info.context.user.msp_role != MspRole.ADMIN:
            return []
        return allowed_statuses(root)

    def resolve_deletion_blockers(root: Client, info: Any) -> list[str]:
        if info.context.user.msp_role != MspRole.ADMIN:
            return []
        return [str(holding) for holding in client_holdings(root)]


class ClientSummary(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    portal_url = graphene.String(required=True)

    @staticmethod
    def from_client(client: Client) -> ClientSummary:
        return ClientSummary(slug=client.slug, name=client.name, portal_url=portal_url(client))


class InvitationPreview(graphene.ObjectType):
    """What the invitation page may show before the form: no more than the emailed link says."""

    usable = graphene.Boolean(
        required=True, description="False for an unknown, expired, revoked or used token (not told apart)."
    )
    company_name = graphene.String(description="The inviting client's name (null when not usable).")
    full_name = graphene.String(description="The name the inviter typed (null when not usable).")


class PortalLinkType(graphene.ObjectType):
    class Meta:
        name = "PortalLink"
        description = "Where to sign in instead, when this portal refused a right password."

    name = graphene.String(required=True)
    url = graphene.String(required=True)


class ViewerMembership(graphene.ObjectType):
    client = graphene.Field(ClientSummary, required=True)
    role = ClientRoleEnum(required=True)


class Viewer(graphene.ObjectType):
    """The signed-in person and what they may do."""

    id = graphene.ID(required=True)
    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    msp_role = MspRoleEnum()
    is_msp_staff = graphene.Boolean(required=True)
    otp_enrolled = graphene.Boolean(required=True)
    otp_verified = graphene.Boolean(required=True)
    otp_required = graphene.Boolean(required=True)
    can_provision_clients = graphene.Boolean(required=True)
    memberships = graphene.List(graphene.NonNull(ViewerMembership), required=True)
    current_client = graphene.Field(ClientSummary)
    msp_workspace_url = graphene.String(
        description="Staff: the address of the MSP workspace (where staff work, whatever the host)."
    )
    on_client_portal = graphene.Boolean(
        required=True, description="True when this request came to a client's portal host (not the MSP host)."
    )

    @staticmethod
    def for_request(request: Any) -> Viewer | None:
        user = request.user
        if not user.is_authenticated:
            return None
        return Viewer(id=str(user.pk), email=user.email, full_name=user.full_name)

    def resolve_msp_role(root: Viewer, info: Any) -> str | None:
        return info.context.user.msp_role or None

    def resolve_is_msp_staff(root: Viewer, info: Any) -> bool:
        return bool(info.context.user.is_msp_staff)

    def resolve_otp_enrolled(root: Viewer, info: Any) -> bool:
        return auth_actions.confirmed_totp_device(info.context.user) is not None

    def resolve_otp_verified(root: Viewer, info: Any) -> bool:
        return user_is_verified(info.context.user)

    def resolve_otp_required(root: Viewer, info: Any) -> bool:
        return requires_second_factor(info.context.user)

    def resolve_can_provision_clients(root: Viewer, info: Any) -> bool:
        user = info.context.user
        return user.msp_role == MspRole.ADMIN and _passes_gate(user)

    def resolve_memberships(root: Viewer, info: Any) -> list[ViewerMembership]:
        user = info.context.user
        if not _passes_gate(user):
            return []
        memberships = (
            Membership.objects.filter(user=user).select_related("client").prefetch_related("client__domains")
        )
        return [
            ViewerMembership(client=ClientSummary.from_client(m.client), role=m.role)
            for m in memberships.order_by("client__name")
        ]

    def resolve_on_client_portal(root: Viewer, info: Any) -> bool:
        return host_client(info.context) is not None

    def resolve_msp_workspace_url(root: Viewer, info: Any) -> str | None:
        return msp_url() if info.context.user.is_msp_staff else None

    def resolve_current_client(root: Viewer, info: Any) -> ClientSummary | None:
        client = host_client(info.context)
        if client is None or not _passes_gate(info.context.user):
            return None
        if not clients_visible_to(info.context.user).filter(pk=client.pk).exists():
            return None
        return ClientSummary.from_client(client)


def _passes_gate(user: Any) -> bool:
    try:
        ensure_may_reach_client_data(user)
    except AccessDenied:
        return False
    return True


class ProvisioningJobType(graphene.ObjectType):
    class Meta:
        name = "ProvisioningJob"

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    status = ProvisioningStatusEnum(required=True)
    step = graphene.Int(required=True)
    total_steps = graphene.Int(required=True)
    message = graphene.String(required=True)
    error = graphene.String(required=True)
    client = graphene.Field(ClientType)
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()

    @staticmethod
    def from_job(job: ProvisioningJob) -> ProvisioningJobType:
        step, total, message = live_progress(job)
        return ProvisioningJobType(
            id=str(job.pk),
            slug=job.slug,
            status=enum_value(job.status),
            step=step,
            total_steps=total,
            message=message,
            error=job.error,
            client=job.client,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
