"""Sending the e-mail copies of phishing verdicts, after the transaction that decided them.

The triage writes each reporter's notification with `email_pending` and an outbox message
that starts `send_verdict_emails` once it commits (`core.tasks.enqueue_on_commit`).
Whether the reporter still reaches the client is checked again as each batch goes out (one
query): someone who left the client since the triage is told nothing more. Each batch is
claimed with `SKIP LOCKED`; a row is marked sent in the transaction that sent it, so an
e-mail is recorded once and delivered at least once (a killed worker's task is redelivered).
"""

from __future__ import annotations

from services.workqueue.mail import send_notification_emails

VERDICT_KIND = "phishing_verdict"


def send_verdict_emails(*, batch_size: int = 200) -> int:
    """Send the pending verdict e-mails (to the reporters who still reach their client: client
    users included); `services.workqueue.mail` claims, re-checks and records."""
    return send_notification_emails([VERDICT_KIND], staff_only=False, batch_size=batch_size)
