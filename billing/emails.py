"""E-mailing an issued invoice (PDF attached) to the client's billing contact.

Queued through the outbox when the invoice is issued; sent by a worker. Who receives it
is decided at send time: the profile's billing contact only if that person may still
see the client's billing (`billing.access`), plus the profile's billing address. Sent
once: the invoice row is locked while sending and `emailed_at` recorded in the same
transaction (a crash between the two means at most one repeat, never none).
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from billing.access import member_sees_billing
from billing.models import BillingProfile, Invoice, InvoiceStatus
from billing.money import format_money
from billing.pdf import render_invoice
from tenants.access import who_reaches

NOT_SENT = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


def recipients_of(invoice: Invoice, profile: BillingProfile | None) -> list[str]:
    """The billing contact (if still allowed to see billing) and the billing address."""
    if profile is None:
        return []
    found: list[str] = []
    if profile.billing_contact_id:
        reached = who_reaches([(profile.billing_contact_id, invoice.client)])
        user = reached.get((profile.billing_contact_id, invoice.client_id))
        if (
            user is not None
            and (user.is_msp_staff or member_sees_billing(user, invoice.client))
            and user.email
        ):
            found.append(user.email)
    if profile.billing_email and profile.billing_email.lower() not in {f.lower() for f in found}:
        found.append(profile.billing_email)
    return found


def send_invoice_email(invoice_id: int) -> int:
    """Send the invoice once; returns the number of recipients (0 when none or done)."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client")
            .filter(pk=invoice_id, emailed_at__isnull=True)
            .exclude(status__in=NOT_SENT)
            .first()
        )
        if invoice is None:
            return 0
        profile = BillingProfile.objects.filter(client_id=invoice.client_id).first()
        recipients = recipients_of(invoice, profile)
        if not recipients:
            return 0
        seller = (invoice.seller_details or {}).get("name", "")
        message = EmailMessage(
            subject=f"Invoice {invoice.number_display} from {seller}",
            body=(
                f"Hello,\n\nplease find attached invoice {invoice.number_display} "
                f"over {format_money(invoice.total, invoice.currency)}, due on {invoice.due_on:%d %b %Y}.\n"
                "You can also see it in the portal under Invoices (and pay it there when online payment\n"
                "is offered).\n\n"
                f"{seller}\n"
            ),
            to=recipients,
        )
        message.attach(f"{invoice.number_display}.pdf", render_invoice(invoice), "application/pdf")
        message.send()
        Invoice.objects.filter(pk=invoice.pk).update(emailed_at=timezone.now())
    return len(recipients)
