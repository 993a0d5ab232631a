"""Tenancy and identity: the client registry, its domains, users, roles and invitations.

Everything here lives in the public schema. Rows that belong to one client carry
`client_id` and are read through the helpers in `tenants.access`, never unscoped.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

import pghistory
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.timezone import now
from django_tenants.models import DomainMixin, TenantMixin

from core.history import trackers


class Industry(models.TextChoices):
    HEALTHCARE = "healthcare", "Healthcare"
    FINANCE = "finance", "Financial services"
    LEGAL = "legal", "Legal"
    MANUFACTURING = "manufacturing", "Manufacturing"
    RETAIL = "retail", "Retail"
    EDUCATION = "education", "Education"
    NONPROFIT = "nonprofit", "Non-profit"
    PROFESSIONAL_SERVICES = "professional_services", "Professional services"
    TECHNOLOGY = "technology", "Technology"
    OTHER = "other", "Other"


class ClientTier(models.TextChoices):
    ESSENTIAL = "essential", "Essential"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


class ClientStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    OFFBOARDED = "offboarded", "Offboarded"


# Clients whose people may sign in, whose tickets are in the queue and whom periodic jobs
# visit. Suspended and offboarded clients are neither (see docs/client-lifecycle.md).
LIVE_CLIENT_STATUSES = (ClientStatus.ONBOARDING, ClientStatus.ACTIVE)


class TenantKind(models.TextChoices):
    """What a tenant row stands for. Only `client` rows are ever listed to people."""

    MSP = "msp", "MSP (public schema)"
    TEMPLATE = "template", "Template schema for cloning"
    CLIENT = "client", "Client"


class ClientQuerySet(models.QuerySet["Client"]):
    def clients(self) -> ClientQuerySet:
        """Real clients only: never the MSP's own public tenant or the clone template."""
        return self.filter(kind=TenantKind.CLIENT)

    def live(self) -> ClientQuerySet:
        """Real clients that are onboarding or active (not suspended, not offboarded)."""
        return self.filter(kind=TenantKind.CLIENT, status__in=LIVE_CLIENT_STATUSES)


@pghistory.track(*trackers())
class Client(TenantMixin):
    """A client company of the MSP: one PostgreSQL schema each."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=48, unique=True)
    kind = models.CharField(max_length=16, choices=TenantKind.choices, default=TenantKind.CLIENT)
    industry = models.CharField(max_length=32, choices=Industry.choices, default=Industry.OTHER)
    tier = models.CharField(max_length=16, choices=ClientTier.choices, default=ClientTier.STANDARD)
    status = models.CharField(max_length=16, choices=ClientStatus.choices, default=ClientStatus.ONBOARDING)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_clients",
    )
    timezone = models.CharField(max_length=64, default="UTC")
    require_two_factor = models.BooleanField(
        default=False, help_text="Client users must use two-factor authentication as well as MSP staff."
    )
    created_at = models.DateTimeField(default=now)

    # Provisioning creates schemas explicitly inside one transaction (tenants.provisioning).
    auto_create_schema = False
    auto_drop_schema = False

    objects: ClassVar[ClientQuerySet] = ClientQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "status"], name="client_kind_status_idx"),
            models.Index(Lower("name"), name="client_lower_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_client(self) -> bool:
        return self.kind == TenantKind.CLIENT

    @property
    def is_live(self) -> bool:
        """Onboarding or active: its people may sign in and its tickets are worked on."""
        return self.status in LIVE_CLIENT_STATUSES


class Domain(DomainMixin):
    """A host name that resolves to a tenant (client portal host or the MSP host)."""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("msp_role", MspRole.ADMIN)
        return self.create_user(email, password, **extra)


class MspRole(models.TextChoices):
    ADMIN = "admin", "MSP admin"
    TECHNICIAN = "technician", "Technician"
    ACCOUNT_MANAGER = "account_manager", "Account manager"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: MSP staff (with `msp_role`) or a client user (with memberships).

    Users live in the public schema, so one person can belong to several clients.
    `is_staff` keeps its Django meaning (may open Django admin); MSP staff are the
    users with an `msp_role`.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    msp_role = models.CharField(max_length=32, choices=MspRole.choices, blank=True, default="")
    limited_to_allowed_clients = models.BooleanField(
        default=False,
        help_text="A technician who may only reach the clients on their allow-list.",
    )
    allowed_clients = models.ManyToManyField(
        Client, blank=True, related_name="allowed_staff", through="StaffClientAccess"
    )
    timezone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def is_msp_staff(self) -> bool:
        return bool(self.msp_role) and self.is_active

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


@pghistory.track(*trackers())
class StaffClientAccess(models.Model):
    """One client on a limited staff member's allow-list."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="client_access")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="staff_access")
    granted_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="staff_client_access_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} may reach {self.client_id}"


class ClientRole(models.TextChoices):
    IT_LEAD = "it_lead", "IT lead"
    MEMBER = "member", "Member"


@pghistory.track(*trackers())
class Membership(models.Model):
    """A client user's place in one client, with a role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=ClientRole.choices, default=ClientRole.MEMBER)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="membership_user_client_unique")
        ]
        indexes = [models.Index(fields=["client", "role"], name="membership_client_role_idx")]

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.client.slug} ({self.role})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation for a person to join a client. Only the token's hash is stored."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=16, choices=ClientRole.choices, default=ClientRole.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per person and client.
            models.UniqueConstraint(
                Lower("email"),
                "client",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.client_id}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ProvisioningStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ProvisioningJob(models.Model):
    """A request to provision a client, run by a Celery worker or the CLI.

    While it runs, its steps are published through the cache (the provisioning
    transaction is still open), so the person who started it sees each step;
    see `tenants.provisioning.live_progress`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=48)
    request = models.JSONField(help_text="The validated provisioning input.")
    status = models.CharField(
        max_length=16, choices=ProvisioningStatus.choices, default=ProvisioningStatus.QUEUED
    )
    step = models.PositiveSmallIntegerField(default=0)
    total_steps = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=100, blank=True, default="", help_text="The submission key of the form that asked for it."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live job per slug: a double click or a retried request cannot start two.
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status__in=["queued", "running"]),
                name="provisioning_job_one_live_per_slug",
            ),
            # The same form submission, sent again, answers with its job (core.idempotency).
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="provisioning_job_idempotency_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Provisioning {self.slug} ({self.status})"


class AuditEvent(models.Model):
    """An append-only record of a security- or tenancy-relevant action."""

    action = models.CharField(max_length=64)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} at {self.created_at:%Y-%m-%d %H:%M}"
