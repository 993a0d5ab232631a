"""Per-request middleware: the tenant of the host (cached lookup, tenants.domain_cache), and
the signed-in user with their verified second factor (one query)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as django_otp_middleware
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.domain_cache import cached_tenant, remember_tenant


class CachedTenantMiddleware(TenantMainMiddleware):  # type: ignore[misc]
    def process_request(self, request: Any) -> Any:
        # Each request starts by setting its path once (not once per schema switch as before):
        # the same statements whatever the previous request on this connection left behind.
        connection.search_path_set_schemas = None  # type: ignore[attr-defined]
        return super().process_request(request)

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        tenant = cached_tenant(hostname)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)  # DoesNotExist: not cached
            remember_tenant(hostname, tenant)
        return tenant


class OTPMiddleware(django_otp_middleware.OTPMiddleware):  # type: ignore[misc]
    """django-otp's middleware, reading the session's user and its TOTP device in one query.

    Django's `AuthenticationMiddleware` reads the user, then django-otp reads the device the
    session was verified with: two queries on every request. When the session names a TOTP
    device and the model backend, this reads the device joined to its user instead, and
    applies every check the two would have, on the fresh rows of this request (nothing is
    cached across requests): the device must exist, be confirmed and belong to the session's
    user; the user must be allowed to sign in (`is_active`) and the session's auth hash must
    match (a changed password signs the session out), exactly as `django.contrib.auth.get_user`
    checks it. Anything else (no device in the session, another kind of device, another
    backend, a device of someone else) takes the stock path.
    """

    def _verify_user_sync(self, request: Any, user: Any) -> Any:
        loaded = self._user_and_device(request)
        if loaded is None:
            return super()._verify_user_sync(request, user)
        user, device = loaded
        self._init_user_fields(user)
        if user.is_authenticated:
            user.otp_device = self._finalize_device(request, user, device)
        return user

    def _user_and_device(self, request: Any) -> tuple[Any, Any] | None:
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        user_id = request.session.get(SESSION_KEY)
        backend_path = request.session.get(BACKEND_SESSION_KEY)
        if not persistent_id or user_id is None or backend_path not in settings.AUTHENTICATION_BACKENDS:
            return None
        model, _, pk = self._normalize_persistent_id(persistent_id).partition("/")
        if model != TOTP_DEVICE or not pk.isdigit():
            return None
        backend = load_backend(backend_path)
        if not isinstance(backend, ModelBackend):
            return None
        device = device_with_user(int(pk))
        if device is None or str(device.user_id) != str(user_id):
            return None  # the stock path refuses it (and drops the device from the session)
        user = device.user
        if not backend.user_can_authenticate(user) or not _session_hash_verified(request, user):
            return AnonymousUser(), None
        return user, device


TOTP_DEVICE = f"{TOTPDevice._meta.app_label}.{TOTPDevice._meta.model_name}"


class _JoinedRead:
    """`TOTPDevice.objects.select_related("user").filter(pk=…).first()` as one fixed SQL text.

    The ORM compiles that query anew on every request (about a third of its 0.6 ms of CPU);
    the statement never changes, so it is written once, from the models' own columns, and the
    rows become model instances the way the ORM builds them (`Model.from_db`). Used only while
    no column of either model needs a database converter (else: the ORM query)."""

    def __init__(self) -> None:
        self.usable: bool | None = None  # decided on first use (the models are loaded by then)
        self.sql: str | None = None
        self.device_fields: list[str] = []
        self.user_fields: list[str] = []

    def prepare(self) -> bool:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        device_columns = list(TOTPDevice._meta.concrete_fields)
        user_columns = list(user_model._meta.concrete_fields)
        for field in [*device_columns, *user_columns]:
            if field.get_db_converters(connection) or connection.ops.get_db_converters(field.cached_col):
                return False
        quote = connection.ops.quote_name
        columns = [f"d.{quote(f.column)}" for f in device_columns]
        columns += [f"u.{quote(f.column)}" for f in user_columns]
        device_table, user_table = quote(TOTPDevice._meta.db_table), quote(user_model._meta.db_table)
        user_pk = quote(user_model._meta.pk.column)
        device_pk, user_fk = (
            quote(TOTPDevice._meta.pk.column),
            quote(TOTPDevice._meta.get_field("user").column),
        )
        # Names from the models' metadata only; the one value is a parameter.
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {device_table} d "  # noqa: S608
            f"JOIN {user_table} u ON u.{user_pk} = d.{user_fk} WHERE d.{device_pk} = %s"
        )
        self.device_fields = [f.attname for f in device_columns]
        self.user_fields = [f.attname for f in user_columns]
        return True

    def __call__(self, pk: int) -> TOTPDevice | None:
        if self.usable is None:
            self.usable = self.prepare()
        if not self.usable:
            return TOTPDevice.objects.select_related("user").filter(pk=pk).first()
        assert self.sql is not None
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        split = len(self.device_fields)
        device = TOTPDevice.from_db(connection.alias, self.device_fields, row[:split])
        user = TOTPDevice._meta.get_field("user").related_model.from_db(
            connection.alias, self.user_fields, row[split:]
        )
        TOTPDevice._meta.get_field("user").set_cached_value(device, user)
        return device


device_with_user = _JoinedRead()


def _session_hash_verified(request: Any, user: Any) -> bool:
    """`django.contrib.auth.get_user`'s session check: the hash of the user's password as it
    was at sign-in (or one made with a fallback secret, then rotated); otherwise the session is
    flushed and the request is anonymous."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return True
    if session_hash and any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = current
        return True
    request.session.flush()
    return False
