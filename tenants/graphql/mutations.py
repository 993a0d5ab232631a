"""Mutations of tenancy and identity: sign-in, second factor, provisioning, invitations.

Each one has the shape of `core.graphql.mutations.BaseMutation`: arguments, payload
fields, `perform` calling one action; input checks and error mapping are the base's.
"""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import AccessDenied, ActionError
from core.graphql.ids import decode_id
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value
from tenants import auth as auth_actions
from tenants.access import ensure_may_manage_people, ensure_msp_role
from tenants.actions import accept_invitation, invite_client_user, usable_invitation
from tenants.graphql.types import (
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
from tenants.models import MspRole, User
from tenants.provisioning import start_provisioning_job
from tenants.request_scope import is_msp_host, resolve_client

# The longest e-mail address SMTP allows (RFC 5321); names as stored.
EMAIL_MAX = 254
NAME_MAX = 200


class LoginInput(graphene.InputObjectType):
    email = graphene.String(required=True)
    password = graphene.String(required=True)


class Login(BaseMutation):
    """Sign in with e-mail and password; `nextStep` says whether a second factor follows."""

    class Arguments:
        input = LoginInput(required=True)

    class Meta:
        error_type = AuthError

    # A failed sign-in must stay recorded (it counts towards the lockout).
    atomic = False
    max_lengths = {"email": EMAIL_MAX, "password": 1024}

    next_step = graphene.Field(AuthStepEnum)
    viewer = graphene.Field(Viewer)
    portals = graphene.List(
        graphene.NonNull(PortalLinkType),
        required=True,
        description="With WRONG_PORTAL, STAFF_ON_CLIENT_PORTAL or CLIENT_INACTIVE: where to sign in instead.",
    )
    payload_defaults = {"portals": []}

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        step = auth_actions.sign_in(info.context, email=input.email, password=input.password)
        return cls.success(next_step=step, viewer=Viewer.for_request(info.context))

    @classmethod
    def failure(cls, exc: ActionError | AccessDenied) -> Any:
        payload = super().failure(exc)
        if isinstance(exc, auth_actions.WrongPortal):
            payload.portals = [PortalLinkType(name=link.name, url=link.url) for link in exc.portals]
        return payload


class VerifyOtp(BaseMutation):
    """Prove the second factor with an authenticator or backup code."""

    class Arguments:
        token = graphene.String(required=True)

    class Meta:
        error_type = AuthError

    atomic = False  # failed codes are throttled by the device's own counter
    max_lengths = {"token": 64}

    viewer = graphene.Field(Viewer)

    @classmethod
    def perform(cls, info: Any, token: str) -> Any:
        auth_actions.verify_second_factor(info.context, token)
        return cls.success(viewer=Viewer.for_request(info.context))


class StartOtpEnrolment(BaseMutation):
    """Begin enrolling an authenticator app: a secret and its QR code."""

    class Meta:
        error_type = AuthError

    otpauth_uri = graphene.String()
    qr_code_svg = graphene.String()
    secret = graphene.String()

    @classmethod
    def perform(cls, info: Any) -> Any:
        enrolment = auth_actions.start_totp_enrolment(info.context)
        return cls.success(
            otpauth_uri=enrolment.otpauth_uri, qr_code_svg=enrolment.qr_code_svg, secret=enrolment.secret
        )


class ConfirmOtpEnrolment(BaseMutation):
    """Finish enrolment with a first code; answers with one-time backup codes."""

    class Arguments:
        token = graphene.String(required=True)

    class Meta:
        error_type = AuthError

    atomic = False  # failed codes are throttled by the device's own counter
    max_lengths = {"token": 64}

    viewer = graphene.Field(Viewer)
    backup_codes = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def perform(cls, info: Any, token: str) -> Any:
        codes = auth_actions.confirm_totp_enrolment(info.context, token)
        return cls.success(viewer=Viewer.for_request(info.context), backup_codes=codes)


class Logout(BaseMutation):
    """End this session (always succeeds)."""

    class Meta:
        error_type = AuthError

    ok = graphene.Boolean(description="True once signed out (null when refused).")

    @classmethod
    def perform(cls, info: Any) -> Any:
        auth_actions.sign_out(info.context)
        return cls.success(ok=True)


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


class ProvisionClient(BaseMutation):
    """MSP admins: queue provisioning of a new client. Poll `provisioningJob(id)` for progress."""

    class Arguments:
        input = ProvisionClientInput(required=True)

    class Meta:
        error_type = ClientError

    max_lengths = {
        "name": NAME_MAX,
        "slug": 63,
        "timezone": 64,
        "itLeadEmail": EMAIL_MAX,
        "itLeadName": NAME_MAX,
        "accountManagerId": 200,
    }

    job = graphene.Field(ProvisioningJobType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
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
            "account_manager_id": decode_id(
                input.account_manager_id, "StaffMember", "accountManagerId", required=False
            ),
            "require_two_factor": bool(input.require_two_factor),
        }
        job = start_provisioning_job(raw, acting_user=user)
        return cls.success(job=ProvisioningJobType.from_job(job))


class InviteClientUserInput(graphene.InputObjectType):
    client_slug = graphene.String(required=True)
    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    role = ClientRoleEnum(required=True)


class InviteClientUser(BaseMutation):
    """MSP admins and account managers, or the client's IT lead: invite a person by email."""

    class Arguments:
        input = InviteClientUserInput(required=True)

    class Meta:
        error_type = ClientError

    max_lengths = {"clientSlug": 63, "email": EMAIL_MAX, "fullName": NAME_MAX}

    invitation = graphene.Field(InvitationType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        client = resolve_client(info.context, input.client_slug)
        user = ensure_may_manage_people(info.context.user, client)
        invitation, _token = invite_client_user(
            client,
            email=input.email,
            full_name=input.full_name,
            role=enum_value(input.role),
            invited_by=user,
        )
        return cls.success(invitation=InvitationType.from_invitation(invitation))


class AcceptInvitationInput(graphene.InputObjectType):
    token = graphene.String(required=True)
    full_name = graphene.String(required=True)
    password = graphene.String(required=True)


class AcceptInvitation(BaseMutation):
    """Anyone with the emailed link: set a password (or confirm yours) and join the client."""

    class Arguments:
        input = AcceptInvitationInput(required=True)

    class Meta:
        error_type = AuthError

    atomic = False  # an existing account proves itself through the lockout-guarded sign-in
    max_lengths = {"token": 200, "fullName": NAME_MAX, "password": 1024}

    viewer = graphene.Field(Viewer)
    next_step = graphene.Field(AuthStepEnum)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        request = info.context
        existing = _existing_user_for_invitation(input.token)
        if existing is not None:
            # An existing account proves itself through the axes-guarded sign-in.
            # No portal check: accepting the invitation is what makes this portal hers.
            auth_actions.sign_in(request, email=existing.email, password=input.password, check_portal=False)
        user, _client = accept_invitation(
            token=input.token,
            full_name=input.full_name,
            password=input.password,
            authenticated_user=request.user if request.user.is_authenticated else None,
        )
        if not request.user.is_authenticated or request.user.pk != user.pk:
            auth_actions.start_session(request, user)
        return cls.success(viewer=Viewer.for_request(request), next_step=auth_actions.next_step_for(request))


def _existing_user_for_invitation(token: str) -> User | None:
    invitation = usable_invitation(token)
    if invitation is None:
        return None
    return User.objects.filter(email__iexact=invitation.email).first()


class ChangeClientStatus(BaseMutation):
    """MSP admins, on the MSP host: activate, suspend or offboard a client (audited)."""

    class Arguments:
        client_slug = graphene.String(required=True)
        status = ClientStatusEnum(required=True)

    class Meta:
        error_type = ClientError

    max_lengths = {"clientSlug": 63}

    client = graphene.Field(ClientType)

    @classmethod
    def perform(cls, info: Any, client_slug: str, status: Any) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN)
        if not is_msp_host(info.context):
            raise AccessDenied("Change a client's status from the MSP host.")
        client = resolve_client(info.context, client_slug)
        change_client_status(client, enum_value(status), actor=user)
        return cls.success(client=client)


class DeleteClient(BaseMutation):
    """MSP admins, on the MSP host: remove a client that holds no data yet (e.g. created by
    mistake). `confirmSlug` must repeat the client's address."""

    class Arguments:
        client_slug = graphene.String(required=True)
        confirm_slug = graphene.String(required=True)

    class Meta:
        error_type = ClientError

    max_lengths = {"clientSlug": 63, "confirmSlug": 63}

    deleted_slug = graphene.String()

    @classmethod
    def perform(cls, info: Any, client_slug: str, confirm_slug: str) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN)
        if not is_msp_host(info.context):
            raise AccessDenied("Delete clients from the MSP host.")
        client = resolve_client(info.context, client_slug)
        delete_client(client, confirm_slug=confirm_slug, actor=user)
        return cls.success(deleted_slug=client.slug)


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
