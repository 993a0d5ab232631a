"""Celery tasks of security: thin wrappers."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask
from services.security.notify import send_verdict_emails


@shared_task(name="security.send_phishing_verdict_emails", base=SystemTask)
def send_phishing_verdict_emails_task() -> int:
    """Send pending phishing-verdict e-mails (access re-checked). Safe to run twice or at once."""
    return send_verdict_emails()
