"""E-mails of notifications, sent from the outbox: one sender for every kind.

SLA alerts (`services.workqueue.sweep`), outreach reminders (`services.outreach.notify`) and
phishing verdicts (`services.security.notify`) all write a `Notification` with
`email_pending=True` in the transaction that decided it, and start their sender once that
commits. The sender:

- claims a batch of pending rows of its kinds with `SKIP LOCKED`, so two senders never send
  the same e-mail;
- re-checks access as the batch goes out (one query): someone who no longer reaches the
  client gets nothing, and their row is no longer pending;
- marks a row sent in the transaction that sent it; if the mail server fails, what was sent
  so far is recorded and the error is raised (the task retries later);
- opens one mail-server connection for the whole run (when there is something to send).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone

from services.workqueue.models import Notification
from tenants.access import who_reaches


def body_only(notification: Notification) -> str:
    return notification.body


def send_notification_emails(
    kinds: Collection[str],
    *,
    staff_only: bool,
    message: Callable[[Notification], str] = body_only,
    batch_size: int = 200,
) -> int:
    """Send the pending e-mails of notifications of `kinds`; returns how many went out.
    `staff_only`: only MSP staff may still receive them (client users are skipped)."""
    sent_total = 0
    mail_connection = get_connection()
    opened = False
    try:
        while True:
            failure: Exception | None = None
            with transaction.atomic():
                pending = list(
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("client")
                    .filter(email_pending=True, kind__in=list(kinds))
                    .order_by("id")[:batch_size]
                )
                if not pending:
                    return sent_total
                still = who_reaches(
                    ((n.user_id, n.client) for n in pending if n.client), staff_only=staff_only
                )
                done: list[int] = []
                sent: list[int] = []
                for notification in pending:
                    user = still.get((notification.user_id, notification.client_id or 0))
                    if user is not None and user.email:
                        try:
                            if not opened:
                                mail_connection.open()
                                opened = True
                            send_mail(
                                subject=notification.title,
                                message=message(notification),
                                from_email=None,
                                recipient_list=[user.email],
                                connection=mail_connection,
                            )
                        except Exception as exc:  # recorded below, then raised for the task's retry
                            failure = exc
                            break
                        sent.append(notification.pk)
                    done.append(notification.pk)
                Notification.objects.filter(pk__in=sent).update(
                    email_pending=False, emailed_at=timezone.now()
                )
                Notification.objects.filter(pk__in=set(done) - set(sent)).update(email_pending=False)
                sent_total += len(sent)
            if failure is not None:
                raise failure
    finally:
        if opened:
            mail_connection.close()
