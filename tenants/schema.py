"""GraphQL for tenancy and identity: viewer, clients, sign-in, 2FA, provisioning, invitations.

Resolvers are thin: parse, authorise (tenants.access / tenants.request_scope), call an
action, map errors. Relations a list shows are batched with DataLoaders.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import graphene
from django.contrib.auth import login
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphql_relay import from_global_id

from msp_portal.graphql.errors import error_fields, guard_query, to_error_list
from msp_portal.graphql.loaders import loader, then
from tenants import auth as auth_actions
from tenants.access import (
    AccessDenied,
    client_role_of,
    clients_visible_to,
    ensure_may_manage_people,
    ensure_may_reach_client_data,
    ensure_msp_role,
    requires_second_factor,
    user_is_verified,
)
from tenants.actions import accept_invitation, invite_client_user, portal_url
from tenants.errors import ActionError
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
    hash_token,
)
from tenants.provisioning import live_progress, start_provisioning_job
from tenants.request_scope import host_client, is_msp_host, resolve_client


def enum_value(value: Any) -> Any:
    """Graphene hands enum arguments over as enum members; actions take the stored value."""
    return getattr(value, "value", value)


def _enum(name: str, choices: Any, description: str) -> type[graphene.Enum]:
    return graphene.Enum(name, [(value.upper(), value) for value in choices.values], description=description)


IndustryEnum = _enum("Industry", Industry, "The client's industry.")
ClientTierEnum = _enum("ClientTier", ClientTier, "The service tier the client buys.")
ClientStatusEnum = _enum("ClientStatus", ClientStatus, "Where the client is in its lifecycle.")
MspRoleEnum = _enum("MspRole", MspRole, "An MSP staff role.")
ClientRoleEnum = _enum("ClientRole", ClientRole, "A client user's role in one client.")
ProvisioningStatusEnum = _enum("ProvisioningStatus", ProvisioningStatus, "State of a provisioning job.")


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
]
AuthErrorCode = graphene.Enum("AuthErrorCode", [(code, code) for code in AUTH_ERROR_CODES])
ClientErrorCode = graphene.Enum("ClientErrorCode", [(code, code) for code in CLIENT_ERROR_CODES])
AuthError = type("AuthError", (graphene.ObjectType,), error_fields(AuthErrorCode))
ClientError = type("ClientError", (graphene.ObjectType,), error_fields(ClientErrorCode))


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


class CountedConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="All matches, not just this page.")

    def resolve_total_count(root, info: Any) -> int:
        return int(root.length)


class StaffMember(DjangoObjectType):
    """An MSP staff member as other people see them."""

    msp_role = MspRoleEnum(required=True)

    class Meta:
        model = User
        name = "StaffMember"
        interfaces = (relay.Node,)
        fields = ("id", "full_name", "email")

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

    def resolve_contact_count(root: Client, info: Any) -> Any:
        return loader(info, load_contact_counts).load(root.schema_name)


class ClientSummary(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    portal_url = graphene.String(required=True)

    @staticmethod
    def from_client(client: Client) -> ClientSummary:
        return ClientSummary(slug=client.slug, name=client.name, portal_url=portal_url(client))


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


# ------------------------------------------------------------------------ queries


def filtered_clients(
    queryset: QuerySet[Client],
    *,
    search: str | None = None,
    industry: str | None = None,
    tier: str | None = None,
    status: str | None = None,
    account_manager_pk: int | None = None,
) -> QuerySet[Client]:
    if search:
        term = search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(slug__icontains=term))
    if industry:
        queryset = queryset.filter(industry=industry)
    if tier:
        queryset = queryset.filter(tier=tier)
    if status:
        queryset = queryset.filter(status=status)
    if account_manager_pk is not None:
        queryset = queryset.filter(account_manager_id=account_manager_pk)
    return queryset.order_by(Lower("name"), "pk")


def _decode_staff_id(global_id: str | None, field: str) -> int | None:
    if not global_id:
        return None
    try:
        type_name, pk = from_global_id(global_id)
        if type_name != "StaffMember":
            raise ValueError(type_name)
        return int(pk)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ActionError.single("INVALID", "That is not a staff member's id.", field) from None


class Query(graphene.ObjectType):
    viewer = graphene.Field(Viewer, description="The signed-in person; null when signed out.")
    clients = DjangoConnectionField(
        ClientType,
        required=True,
        search=graphene.String(),
        industry=IndustryEnum(),
        tier=ClientTierEnum(),
        status=ClientStatusEnum(),
        account_manager_id=graphene.ID(),
        description="MSP staff (second factor passed), on the MSP host: the clients they reach.",
    )
    client = graphene.Field(
        ClientType,
        slug=graphene.String(description="Required on the MSP host; optional on a client's portal host."),
        description="One client the person may reach; null when there is none.",
    )
    provisioning_job = graphene.Field(ProvisioningJobType, id=graphene.ID(required=True))
    account_managers = graphene.List(
        graphene.NonNull(StaffMember), required=True, description="Staff who can own client accounts."
    )

    def resolve_viewer(root: Any, info: Any) -> Viewer | None:
        return Viewer.for_request(info.context)

    def resolve_clients(
        root: Any,
        info: Any,
        search: str | None = None,
        industry: str | None = None,
        tier: str | None = None,
        status: str | None = None,
        account_manager_id: str | None = None,
        **_paging: Any,
    ) -> QuerySet[Client]:
        def body() -> QuerySet[Client]:
            user = ensure_msp_role(info.context.user)
            if not is_msp_host(info.context):
                raise AccessDenied("The client list is only available on the MSP host.")
            try:
                manager_pk = _decode_staff_id(account_manager_id, "accountManagerId")
            except ActionError:
                return Client.objects.none()
            return filtered_clients(
                clients_visible_to(user),
                search=search,
                industry=enum_value(industry),
                tier=enum_value(tier),
                status=enum_value(status),
                account_manager_pk=manager_pk,
            )

        return guard_query(body)

    def resolve_client(root: Any, info: Any, slug: str | None = None) -> Client | None:
        def body() -> Client | None:
            ensure_may_reach_client_data(info.context.user)
            try:
                return resolve_client(info.context, slug)
            except AccessDenied as exc:
                if exc.code == "NOT_FOUND":
                    return None
                raise

        return guard_query(body)

    def resolve_provisioning_job(root: Any, info: Any, id: str) -> ProvisioningJobType | None:
        def body() -> ProvisioningJobType | None:
            ensure_msp_role(info.context.user, MspRole.ADMIN)
            job = (
                ProvisioningJob.objects.filter(pk=id).select_related("client").first()
                if _is_uuid(id)
                else None
            )
            return ProvisioningJobType.from_job(job) if job else None

        return guard_query(body)

    def resolve_account_managers(root: Any, info: Any) -> QuerySet[User]:
        def body() -> QuerySet[User]:
            ensure_msp_role(info.context.user)
            return User.objects.filter(
                msp_role__in=[MspRole.ACCOUNT_MANAGER, MspRole.ADMIN], is_active=True
            ).order_by("full_name")

        return guard_query(body)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- mutations


def _auth_errors(exc: Exception) -> list[Any]:
    return to_error_list(exc, AuthError, set(AUTH_ERROR_CODES))


def _client_errors(exc: Exception) -> list[Any]:
    return to_error_list(exc, ClientError, set(CLIENT_ERROR_CODES))


class LoginInput(graphene.InputObjectType):
    email = graphene.String(required=True)
    password = graphene.String(required=True)


class Login(graphene.Mutation):
    class Arguments:
        input = LoginInput(required=True)

    next_step = graphene.Field(AuthStepEnum)
    viewer = graphene.Field(Viewer)
    errors = graphene.List(graphene.NonNull(AuthError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, input: Any) -> Login:
        try:
            step = auth_actions.sign_in(info.context, email=input.email, password=input.password)
        except ActionError as exc:
            return Login(errors=_auth_errors(exc))
        return Login(next_step=step, viewer=Viewer.for_request(info.context), errors=[])


class VerifyOtp(graphene.Mutation):
    class Arguments:
        token = graphene.String(required=True)

    viewer = graphene.Field(Viewer)
    errors = graphene.List(graphene.NonNull(AuthError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, token: str) -> VerifyOtp:
        try:
            auth_actions.verify_second_factor(info.context, token)
        except ActionError as exc:
            return VerifyOtp(errors=_auth_errors(exc))
        return VerifyOtp(viewer=Viewer.for_request(info.context), errors=[])


class StartOtpEnrolment(graphene.Mutation):
    otpauth_uri = graphene.String()
    qr_code_svg = graphene.String()
    secret = graphene.String()
    errors = graphene.List(graphene.NonNull(AuthError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any) -> StartOtpEnrolment:
        try:
            enrolment = auth_actions.start_totp_enrolment(info.context)
        except ActionError as exc:
            return StartOtpEnrolment(errors=_auth_errors(exc))
        return StartOtpEnrolment(
            otpauth_uri=enrolment.otpauth_uri,
            qr_code_svg=enrolment.qr_code_svg,
            secret=enrolment.secret,
            errors=[],
        )


class ConfirmOtpEnrolment(graphene.Mutation):
    class Arguments:
        token = graphene.String(required=True)

    viewer = graphene.Field(Viewer)
    backup_codes = graphene.List(graphene.NonNull(graphene.String))
    errors = graphene.List(graphene.NonNull(AuthError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, token: str) -> ConfirmOtpEnrolment:
        try:
            codes = auth_actions.confirm_totp_enrolment(info.context, token)
        except ActionError as exc:
            return ConfirmOtpEnrolment(errors=_auth_errors(exc))
        return ConfirmOtpEnrolment(viewer=Viewer.for_request(info.context), backup_codes=codes, errors=[])


class Logout(graphene.Mutation):
    ok = graphene.Boolean(required=True)

    @staticmethod
    def mutate(root: Any, info: Any) -> Logout:
        auth_actions.sign_out(info.context)
        return Logout(ok=True)


class ProvisionClientInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    industry = IndustryEnum(required=True)
    tier = ClientTierEnum(required=True)
    timezone = graphene.String()
    it_lead_email = graphene.String(required=True)
    it_lead_name = graphene.String(required=True)
    account_manager_id = graphene.ID()
    require_two_factor = graphene.Boolean()


class ProvisionClient(graphene.Mutation):
    """MSP admins: queue provisioning of a new client. Poll `provisioningJob(id)` for progress."""

    class Arguments:
        input = ProvisionClientInput(required=True)

    job = graphene.Field(ProvisioningJobType)
    errors = graphene.List(graphene.NonNull(ClientError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, input: Any) -> ProvisionClient:
        try:
            user = ensure_msp_role(info.context.user, MspRole.ADMIN)
            if not is_msp_host(info.context):
                raise AccessDenied("Provision clients from the MSP host.")
            raw = {
                "name": input.name,
                "slug": input.slug,
                "industry": enum_value(input.industry),
                "tier": enum_value(input.tier),
                "timezone": input.timezone or "UTC",
                "it_lead_email": input.it_lead_email,
                "it_lead_name": input.it_lead_name,
                "account_manager_id": _decode_staff_id(input.account_manager_id, "accountManagerId"),
                "require_two_factor": bool(input.require_two_factor),
            }
            job = start_provisioning_job(raw, acting_user=user)
        except (ActionError, AccessDenied) as exc:
            return ProvisionClient(errors=_client_errors(exc))
        return ProvisionClient(job=ProvisioningJobType.from_job(job), errors=[])


class InviteClientUserInput(graphene.InputObjectType):
    client_slug = graphene.String(required=True)
    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    role = ClientRoleEnum(required=True)


class InviteClientUser(graphene.Mutation):
    """MSP admins and account managers, or the client's IT lead: invite a person by email."""

    class Arguments:
        input = InviteClientUserInput(required=True)

    invitation = graphene.Field(InvitationType)
    errors = graphene.List(graphene.NonNull(ClientError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, input: Any) -> InviteClientUser:
        try:
            client = resolve_client(info.context, input.client_slug)
            user = ensure_may_manage_people(info.context.user, client)
            invitation, _token = invite_client_user(
                client,
                email=input.email,
                full_name=input.full_name,
                role=enum_value(input.role),
                invited_by=user,
            )
        except (ActionError, AccessDenied) as exc:
            return InviteClientUser(errors=_client_errors(exc))
        return InviteClientUser(invitation=InvitationType.from_invitation(invitation), errors=[])


class AcceptInvitationInput(graphene.InputObjectType):
    token = graphene.String(required=True)
    full_name = graphene.String(required=True)
    password = graphene.String(required=True)


class AcceptInvitation(graphene.Mutation):
    """Anyone with the emailed link: set a password (or confirm yours) and join the client."""

    class Arguments:
        input = AcceptInvitationInput(required=True)

    viewer = graphene.Field(Viewer)
    next_step = graphene.Field(AuthStepEnum)
    errors = graphene.List(graphene.NonNull(AuthError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, input: Any) -> AcceptInvitation:
        request = info.context
        try:
            existing = _existing_user_for_invitation(input.token)
            if existing is not None:
                # An existing account proves itself through the axes-guarded sign-in.
                auth_actions.sign_in(request, email=existing.email, password=input.password)
            user, _client = accept_invitation(
                token=input.token,
                full_name=input.full_name,
                password=input.password,
                authenticated_user=request.user if request.user.is_authenticated else None,
            )
        except ActionError as exc:
            return AcceptInvitation(errors=_auth_errors(exc))
        if not request.user.is_authenticated or request.user.pk != user.pk:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return AcceptInvitation(
            viewer=Viewer.for_request(request), next_step=auth_actions.next_step_for(request), errors=[]
        )


def _existing_user_for_invitation(token: str) -> User | None:
    invitation = Invitation.objects.filter(token_hash=hash_token(token or "")).first()
    if invitation is None or not invitation.is_open:
        return None
    return User.objects.filter(email__iexact=invitation.email).first()


class Mutation(graphene.ObjectType):
    login = Login.Field(required=True)
    verify_otp = VerifyOtp.Field(required=True)
    start_otp_enrolment = StartOtpEnrolment.Field(required=True)
    confirm_otp_enrolment = ConfirmOtpEnrolment.Field(required=True)
    logout = Logout.Field(required=True)
    provision_client = ProvisionClient.Field(required=True)
    invite_client_user = InviteClientUser.Field(required=True)
    accept_invitation = AcceptInvitation.Field(required=True)
