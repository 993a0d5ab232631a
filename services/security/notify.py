"""Sending the e-mail copies of phishing verdicts, after the transaction that decided them.

The triage writes each reporter's notification with `email_pending` and an outbox message
that starts `send_verdict_emails` once it commits (`core.tasks.enqueue_on_commit`).
Whether the reporter still reaches the client is checked again as each batch goes out (one
query): someone who left the client since the triage is told nothing more. Each batch is
claimed with `SKIP LOCKED`; a row is marked sent in the transaction that sent it, so an
e-mail is recorded once and delivered at least once (a killed worker's task is redelivered).
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from services.workqueue.models import Notification
from tenants.access import who_reaches

VERDICT_KIND = "phishing_verdict"


def send_verdict_emails(*, batch_size: int = 200) -> int:
    """Send the pending verdict e-mails; returns how many went out."""
    sent_total = 0
    while True:
        failure: Exception | None = None
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("client")
                .filter(email_pending=True, kind=VERDICT_KIND)
                .order_by("id")[:batch_size]
            )
            if not pending:
                return sent_total
            still = who_reaches((n.user_id, n.client) for n in pending if n.client)
            done: list[int] = []
            sent: list[int] = []
            for notification in pending:
                user = still.get((notification.user_id, notification.client_id or 0))
                if user is not None and user.email:
                    try:
                        send_mail(
                            subject=notification.title,
                            message=notification.body,
                            from_email=None,
                            recipient_list=[user.email],
                        )
                    except Exception as exc:  # recorded below, then raised for the task's retry
                        failure = exc
                        break
                    sent.append(notification.pk)
                done.append(notification.pk)
            Notification.objects.filter(pk__in=sent).update(email_pending=False, emailed_at=timezone.now())
            Notification.objects.filter(pk__in=set(done) - set(sent)).update(email_pending=False)
            sent_total += len(sent)
        if failure is not None:
            raise failure
