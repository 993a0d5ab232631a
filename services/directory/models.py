"""Contacts at a client company. Lives in each client's schema.

A contact is anyone the MSP deals with at the client; a portal user's contact row is
linked by `user_id` (the public-schema user), kept in step by `sync_member_contacts`.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Contact(models.Model):
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    is_business_critical = models.BooleanField(
        default=False,
        help_text="Keeps the client's revenue running: their requests are raised one urgency step.",
    )
    # The public-schema user this contact signs in as, if any (no cross-schema foreign key).
    user_id = models.IntegerField(null=True, blank=True, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="contact_email_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"
