"""Sign-in, two-factor enrolment and verification, sign-out.

Every login path (the SPA's GraphQL mutations and Django admin) authenticates through
`django.contrib.auth.authenticate` with the request, so django-axes counts failures
per user and IP on all of them and refuses locked-out credentials.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ActionError, FieldError
from tenants.access import clients_reachable_by, requires_second_factor, user_is_verified
from tenants.actions import msp_url, portal_url, record_audit
from tenants.lifecycle import activate_on_it_lead_sign_in
from tenants.models import Client, ClientStatus, Membership, User
from tenants.request_scope import host_client


class AuthStep:
    SIGNED_IN = "SIGNED_IN"
    OTP_VERIFY = "OTP_VERIFY"
    OTP_ENROL = "OTP_ENROL"


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Axes keys lockouts on the normalised email, so 'A@x.com' and 'a@x.com' count together."""
    # Axes keys credentials by USERNAME_FIELD ("email", as a lazy string); admin posts "username".
    given = {str(key): value for key, value in (credentials or {}).items()}
    username = given.get("email") or given.get("username") or request.POST.get("username", "")
    return str(username).strip().lower()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """GraphQL answers a lockout itself with a typed LOCKED_OUT error; other paths get a 403."""
    if request.path.startswith("/graphql") and original_response is not None:
        return original_response
    return JsonResponse(
        {"error": "Too many failed sign-in attempts. Try again later or contact your MSP."}, status=403
    )


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def next_step_for(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated or not requires_second_factor(user) or user_is_verified(user):  # type: ignore[arg-type]
        return AuthStep.SIGNED_IN
    return AuthStep.OTP_VERIFY if confirmed_totp_device(user) else AuthStep.OTP_ENROL  # type: ignore[arg-type]


@dataclass(frozen=True)
class PortalLink:
    """Where a person refused at this portal should sign in instead."""

    name: str
    url: str


class WrongPortal(ActionError):
    """The password was right but this portal is not hers (or her company's is inactive).

    Only raised after the password checked out, so an anonymous prober learns nothing
    about which email addresses have accounts."""

    def __init__(self, code: str, message: str, portals: list[PortalLink]):
        super().__init__(FieldError(code, message))
        self.portals = portals


def _own_portals(user: User) -> list[PortalLink]:
    clients = clients_reachable_by(user).prefetch_related("domains").order_by("name")
    return [PortalLink(name=client.name, url=portal_url(client)) for client in clients]


def portal_refusal(request: HttpRequest, user: User) -> WrongPortal | None:
    """Why `user` may not sign in at this request's host, or None when she may.

    - staff on a client's portal host: their workspace is the MSP host (a link to this client
      there when they reach it);
    - a client user on another client's portal host: links to her own portals;
    - a member of a suspended or offboarded client, at its host (or on the MSP host when none
      of her clients is live): a clear message, plus her other live portals if any.
    """
    host = host_client(request)
    if user.is_msp_staff:
        if host is None:
            return None
        reachable = clients_reachable_by(user).filter(pk=host.pk).exists()
        link = (
            PortalLink(name=f"{host.name} in the MSP workspace", url=msp_url(f"clients/{host.slug}"))
            if reachable
            else PortalLink(name="The MSP workspace", url=msp_url())
        )
        return WrongPortal(
            "STAFF_ON_CLIENT_PORTAL",
            f"This is {host.name}'s portal, for its own people. MSP staff sign in at the MSP workspace.",
            [link],
        )
    if host is None:
        memberships = Membership.objects.filter(user=user).select_related("client")
        if memberships and not any(m.client.is_live for m in memberships):
            first = memberships[0].client
            return WrongPortal("CLIENT_INACTIVE", _inactive_message(first), [])
        return None
    if clients_reachable_by(user).filter(pk=host.pk).exists():
        return None
    own = _own_portals(user)
    if Membership.objects.filter(user=user, client=host).exists():
        return WrongPortal("CLIENT_INACTIVE", _inactive_message(host), own)
    if not own:
        return WrongPortal(
            "WRONG_PORTAL",
            f"Your account isn't part of {host.name}'s portal, and none of your companies' portals is open. "
            "Contact your MSP.",
            [],
        )
    return WrongPortal(
        "WRONG_PORTAL",
        f"Your account isn't part of {host.name}'s portal. Sign in at your own company's portal instead.",
        own,
    )


def _inactive_message(client: Client) -> str:
    state = "suspended" if client.status == ClientStatus.SUSPENDED else "closed"
    return (
        f"{client.name}'s portal is {state}, so you can't sign in to it. "
        "Contact your MSP if this is unexpected."
    )


def sign_in(request: HttpRequest, *, email: str, password: str, check_portal: bool = True) -> str:
    """Check the password (axes-guarded) and start a fresh session. Returns the next step.

    A right password at the wrong portal starts no session: `WrongPortal` says where to go.
    `check_portal=False` only for accepting an invitation, which makes this portal hers."""
    email = (email or "").strip().lower()
    if not email or not password:
        raise ActionError.single("INVALID_CREDENTIALS", "Enter your email and password.")
    user = authenticate(request, username=email, password=password)
    if getattr(request, "axes_locked_out", False):
        raise ActionError.single(
            "LOCKED_OUT", "Too many failed sign-in attempts. Try again later or contact your MSP."
        )
    if user is None:
        raise ActionError.single("INVALID_CREDENTIALS", "Email or password is wrong.")
    refusal = portal_refusal(request, user) if check_portal else None  # type: ignore[arg-type]
    if refusal is not None:
        record_audit(
            "auth.sign_in_refused", actor=user, client=host_client(request), code=refusal.errors[0].code
        )  # type: ignore[arg-type]
        raise refusal
    start_session(request, user)  # type: ignore[arg-type]
    return next_step_for(request)


def start_session(request: HttpRequest, user: User) -> None:
    """Sign `user` in (after a password or an accepted invitation) with the effects of a sign-in."""
    # login() rotates the session key, so a planted session id is worthless afterwards.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_audit("auth.signed_in", actor=user)
    # The first sign-in of a client's IT lead ends its onboarding.
    activate_on_it_lead_sign_in(user)


def sign_out(request: HttpRequest) -> None:
    logout(request)


def _require_signed_in(request: HttpRequest) -> User:
    if not request.user.is_authenticated:
        raise ActionError.single("NOT_AUTHENTICATED", "Sign in first.")
    return request.user  # type: ignore[return-value]


@dataclass(frozen=True)
class Enrolment:
    otpauth_uri: str
    secret: str
    qr_code_svg: str


def start_totp_enrolment(request: HttpRequest) -> Enrolment:
    """Create (or restart) an unconfirmed authenticator for the signed-in user."""
    user = _require_signed_in(request)
    if confirmed_totp_device(user):
        raise ActionError.single("ALREADY_ENROLLED", "Two-factor authentication is already set up.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = device.config_url  # the standard otpauth:// URI, issuer from OTP_TOTP_ISSUER
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return Enrolment(otpauth_uri=uri, secret=secret, qr_code_svg=svg)


def confirm_totp_enrolment(request: HttpRequest, token: str) -> list[str]:
    """Confirm the new authenticator with a first code; returns one-time backup codes."""
    user = _require_signed_in(request)
    if confirmed_totp_device(user):
        raise ActionError.single("ALREADY_ENROLLED", "Two-factor authentication is already set up.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ActionError.single("NOT_ENROLLED", "Start the set-up again to get a new QR code.")
    if not device.verify_token((token or "").replace(" ", "")):
        raise ActionError.single(
            "INVALID_TOKEN", "That code is not right. Check the time on your phone.", "token"
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(10)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
        record_audit("auth.otp_enrolled", actor=user)
    _mark_verified(request, device)
    return codes


def verify_second_factor(request: HttpRequest, token: str) -> None:
    """Check a TOTP code or a backup code and mark this session verified."""
    user = _require_signed_in(request)
    token = (token or "").replace(" ", "").strip()
    if not token:
        raise ActionError.single("INVALID_TOKEN", "Enter the code from your authenticator app.", "token")
    device = django_otp.match_token(user, token)
    if device is None:
        record_audit("auth.otp_failed", actor=user)
        raise ActionError.single("INVALID_TOKEN", "That code is not right or was already used.", "token")
    _mark_verified(request, device)


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # A new privilege level gets a new session key as well.
    request.session.cycle_key()
    django_otp.login(request, device)
