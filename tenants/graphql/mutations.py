"""Mutations of tenancy and identity: sign-in, second factor, provisioning, invitations."""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import ActionError
from core.graphql.errors import to_error_list
from core.graphql.types import enum_value
from tenants import auth as auth_actions
from tenants.access import (
    AccessDenied,
    ensure_may_manage_people,
    ensure_msp_role,
)
from tenants.actions import accept_invitation, invite_client_user, usable_invitation
from tenants.graphql.queries import _decode_staff_id
from tenants.graphql.types import (
    AUTH_ERROR_CODES,
    CLIENT_ERROR_CODES,
    AuthError,
    AuthStepEnum,
    ClientError,
    ClientRoleEnum,
    ClientStatusEnum,
    ClientTierEnum,
    ClientType,
    IndustryEnum,
    InvitationType,
    PortalLinkType,
    ProvisioningJobType,
    Viewer,
)
from tenants.lifecycle import change_client_status, delete_client
from tenants.models import (
    MspRole,
    User,
)
from tenants.provisioning import start_provisioning_job
from tenants.request_scope import is_msp_host, resolve_client

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
    portals = graphene.List(
        graphene.NonNull(PortalLinkType),
        required=True,
        description="With WRONG_PORTAL, STAFF_ON_CLIENT_PORTAL or CLIENT_INACTIVE: where to sign in instead.",
    )
    errors = graphene.List(graphene.NonNull(AuthError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, input: Any) -> Login:
        try:
            step = auth_actions.sign_in(info.context, email=input.email, password=input.password)
        except auth_actions.WrongPortal as exc:
            links = [PortalLinkType(name=link.name, url=link.url) for link in exc.portals]
            return Login(errors=_auth_errors(exc), portals=links)
        except ActionError as exc:
            return Login(errors=_auth_errors(exc), portals=[])
        return Login(next_step=step, viewer=Viewer.for_request(info.context), portals=[], errors=[])


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
                # No portal check: accepting the invitation is what makes this portal hers.
                auth_actions.sign_in(
                    request, email=existing.email, password=input.password, check_portal=False
                )
            user, _client = accept_invitation(
                token=input.token,
                full_name=input.full_name,
                password=input.password,
                authenticated_user=request.user if request.user.is_authenticated else None,
            )
        except ActionError as exc:
            return AcceptInvitation(errors=_auth_errors(exc))
        if not request.user.is_authenticated or request.user.pk != user.pk:
            auth_actions.start_session(request, user)
        return AcceptInvitation(
            viewer=Viewer.for_request(request), next_step=auth_actions.next_step_for(request), errors=[]
        )


def _existing_user_for_invitation(token: str) -> User | None:
    invitation = usable_invitation(token)
    if invitation is None:
        return None
    return User.objects.filter(email__iexact=invitation.email).first()


class ChangeClientStatus(graphene.Mutation):
    """MSP admins, on the MSP host: activate, suspend or offboard a client (audited)."""

    class Arguments:
        client_slug = graphene.String(required=True)
        status = ClientStatusEnum(required=True)

    client = graphene.Field(ClientType)
    errors = graphene.List(graphene.NonNull(ClientError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, client_slug: str, status: Any) -> ChangeClientStatus:
        try:
            user = ensure_msp_role(info.context.user, MspRole.ADMIN)
            if not is_msp_host(info.context):
                raise AccessDenied("Change a client's status from the MSP host.")
            client = resolve_client(info.context, client_slug)
            change_client_status(client, enum_value(status), actor=user)
        except (ActionError, AccessDenied) as exc:
            return ChangeClientStatus(errors=_client_errors(exc))
        return ChangeClientStatus(client=client, errors=[])


class DeleteClient(graphene.Mutation):
    """MSP admins, on the MSP host: remove a client that holds no data yet (e.g. created by
    mistake). `confirmSlug` must repeat the client's address."""

    class Arguments:
        client_slug = graphene.String(required=True)
        confirm_slug = graphene.String(required=True)

    deleted_slug = graphene.String()
    errors = graphene.List(graphene.NonNull(ClientError), required=True)

    @staticmethod
    def mutate(root: Any, info: Any, client_slug: str, confirm_slug: str) -> DeleteClient:
        try:
            user = ensure_msp_role(info.context.user, MspRole.ADMIN)
            if not is_msp_host(info.context):
                raise AccessDenied("Delete clients from the MSP host.")
            client = resolve_client(info.context, client_slug)
            delete_client(client, confirm_slug=confirm_slug, actor=user)
        except (ActionError, AccessDenied) as exc:
            return DeleteClient(errors=_client_errors(exc))
        return DeleteClient(deleted_slug=client.slug, errors=[])


class Mutation(graphene.ObjectType):
    login = Login.Field(required=True)
    verify_otp = VerifyOtp.Field(required=True)
    start_otp_enrolment = StartOtpEnrolment.Field(required=True)
    confirm_otp_enrolment = ConfirmOtpEnrolment.Field(required=True)
    logout = Logout.Field(required=True)
    provision_client = ProvisionClient.Field(required=True)
    invite_client_user = InviteClientUser.Field(required=True)
    accept_invitation = AcceptInvitation.Field(required=True)
    change_client_status = ChangeClientStatus.Field(required=True)
    delete_client = DeleteClient.Field(required=True)
