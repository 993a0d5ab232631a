"""Sites and devices of one client (its schema).

A person's home office is a site linked to that contact: remote work made every home a
place the MSP supports. Devices carry what an RMM agent or an import reports about them,
including their endpoint protection and patch state (the status page reads both).
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from services.directory.models import Contact


class SiteKind(models.TextChoices):
    OFFICE = "office", "Office"
    DATA_ROOM = "data_room", "Data room"
    HOME_OFFICE = "home_office", "Home office"


class Site(models.Model):
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=SiteKind.choices, default=SiteKind.OFFICE)
    address = models.CharField(max_length=300, blank=True)
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
        help_text="For a home office: the person who works there.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="site_name_unique"),
            models.CheckConstraint(
                condition=~Q(kind="home_office") | Q(contact__isnull=False),
                name="home_office_has_contact",
            ),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(kind="home_office"), name="one_home_office_per_contact"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeviceType(models.TextChoices):
    WORKSTATION = "workstation", "Workstation"
    LAPTOP = "laptop", "Laptop"
    SERVER = "server", "Server"
    VIRTUAL_MACHINE = "virtual_machine", "Virtual machine"
    NETWORK = "network", "Network device"
    FIREWALL = "firewall", "Firewall"
    MOBILE = "mobile", "Mobile"
    PRINTER = "printer", "Printer"
    OTHER = "other", "Other"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    BUSINESS_CRITICAL = "business_critical", "Business-critical"


class ProtectionStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not reported"
    PROTECTED = "protected", "Protected"
    OUTDATED = "outdated", "Outdated"
    MISSING = "missing", "Missing"


class PatchStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not reported"
    CURRENT = "current", "Up to date"
    PENDING = "pending", "Updates pending"
    OVERDUE = "overdue", "Updates overdue"


class Device(models.Model):
    name = models.CharField(max_length=120, help_text="Host name or label.")
    device_type = models.CharField(max_length=16, choices=DeviceType.choices)
    os = models.CharField(max_length=80, blank=True)
    os_version = models.CharField(max_length=40, blank=True)
    owner = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    criticality = models.CharField(max_length=20, choices=Criticality.choices, default=Criticality.MEDIUM)
    is_managed = models.BooleanField(default=True, help_text="Under the MSP's management (counts for billing).")
    serial = models.CharField(max_length=80, blank=True, help_text="Identifies the device in imports and ingest.")
    warranty_ends_on = models.DateField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    protection_status = models.CharField(
        max_length=12, choices=ProtectionStatus.choices, default=ProtectionStatus.UNKNOWN
    )
    protection_product = models.CharField(max_length=80, blank=True)
    protection_reported_at = models.DateTimeField(null=True, blank=True)
    patch_status = models.CharField(max_length=12, choices=PatchStatus.choices, default=PatchStatus.UNKNOWN)
    patch_reported_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="False once retired.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("serial"), condition=~Q(serial=""), name="device_serial_unique"),
        ]
        indexes = [models.Index(fields=["is_managed", "is_active"], name="device_managed_idx")]

    def __str__(self) -> str:
        return self.name
