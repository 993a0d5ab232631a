"""MFA coverage of one client (its schema): the accounts of its identity provider as last
imported, the imports themselves, and a daily snapshot of the coverage KPI.

The portal's own users of the client are the other source of accounts; they live in the
public schema (`tenants.User`, django-otp devices) and are read there, never copied here.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.csv_import import ImportJob


class IdpAccount(models.Model):
    """One account of the client's identity provider (Entra ID, Google Workspace, Okta...),
    as the last imported list describes it. The list is the whole directory: an account
    missing from a newer list is removed."""

    login = models.CharField(max_length=254, help_text="E-mail address or user principal name, lower-cased.")
    display_name = models.CharField(max_length=200, blank=True)
    mfa_enabled = models.BooleanField(default=False)
    mfa_method = models.CharField(max_length=60, blank=True, help_text="As the provider names it.")
    account_enabled = models.BooleanField(default=True, help_text="Disabled accounts don't count.")
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    first_imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["login"]
        constraints = [models.UniqueConstraint(Lower("login"), name="idp_account_login_unique")]
        indexes = [models.Index(fields=["account_enabled", "mfa_enabled"], name="idp_account_mfa_idx")]

    def __str__(self) -> str:
        return self.login


class IdpAccountImport(ImportJob):
    """One uploaded identity-provider list (preview, then apply)."""

    class Meta(ImportJob.Meta):
        pass


class MfaSnapshot(models.Model):
    """The coverage KPI on one day: one row per day, written by the daily beat task and
    rewritten after each import that day (the latest figures of the day win)."""

    day = models.DateField(unique=True)
    total_accounts = models.PositiveIntegerField()
    covered_accounts = models.PositiveIntegerField()
    portal_accounts = models.PositiveIntegerField(default=0)
    portal_covered = models.PositiveIntegerField(default=0)
    idp_accounts = models.PositiveIntegerField(default=0)
    idp_covered = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(covered_accounts__lte=models.F("total_accounts")),
                name="mfa_snapshot_covered_le_total",
            )
        ]

    def __str__(self) -> str:
        return f"MFA {self.covered_accounts}/{self.total_accounts} on {self.day}"
