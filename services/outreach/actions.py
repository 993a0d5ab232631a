"""Use cases of outreach: check-ins, follow-ups, cadence, settings, account managers.

Every action takes the acting user explicitly and runs in one transaction. Who may act is
decided by `ensure_outreach_access` (MSP admins: every client; account managers: the
clients whose account manager they are — their book). Technicians don't see outreach
records (notes and health are account management's); the tickets follow-ups become are
ordinary service-desk tickets they work as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import AccessDenied, ActionError, FieldError
from core.tasks import enqueue_on_commit
from core.tenancy import in_schema
from services.directory.models import Contact
from services.outreach.models import (
    DEFAULT_THRESHOLDS,
    MAX_CADENCE_DAYS,
    CheckIn,
    CheckInKind,
    CheckInStatus,
    ClientOutreach,
    FollowUp,
    InvitationDelivery,
    OutreachSettings,
    Sentiment,
)
from services.outreach.signals import SIGNALS, cadence_days
from services.support import actions as support_actions
from tenants.access import ClientNotFound, ensure_client_writable, ensure_msp_role, staff_reaching
from tenants.actions import record_audit
from tenants.domain_cache import forget_client
from tenants.models import Client, MspRole, User

OUTREACH_ROLES = (MspRole.ADMIN, MspRole.ACCOUNT_MANAGER)
MAX_CONTACTS = 30
MAX_FOLLOW_UPS = 20
RECOMPUTE_TASK = "outreach.recompute_client_health"
SEND_INVITATIONS_TASK = "outreach.send_meeting_invitations"
# Changes within this many seconds share one recompute (the outbox's dedupe key).
RECOMPUTE_DEBOUNCE_SECONDS = 60


# ------------------------------------------------------------------ access


def require_role(user: Any, *roles: str) -> User:
    """The acting user's role (actions; the API checked the session's second factor first)."""
    if not getattr(user, "is_active", False) or not user.is_msp_staff or user.msp_role not in roles:
        raise AccessDenied()
    return user  # type: ignore[no-any-return]


def ensure_outreach_access(user: Any, client: Client) -> User:
    """MSP admins reach every client's outreach; account managers their own book."""
    require_role(user, *OUTREACH_ROLES)
    if not client.is_client:
        raise ClientNotFound(client.slug)
    if user.msp_role == MspRole.ACCOUNT_MANAGER and client.account_manager_id != user.pk:
        raise ClientNotFound(client.slug)
    return user  # type: ignore[no-any-return]


def outreach_clients(user: Any) -> Any:
    """The clients whose outreach this person sees (a queryset; empty when in doubt)."""
    try:
        ensure_msp_role(user, *OUTREACH_ROLES)
    except AccessDenied:
        return Client.objects.none()
    clients = Client.objects.clients()
    if user.msp_role == MspRole.ACCOUNT_MANAGER:
        clients = clients.filter(account_manager=user)
    return clients


def client_for_outreach(user: Any, slug: str) -> Client:
    client = outreach_clients(user).filter(slug=slug).first()
    if client is None:
        ensure_msp_role(user, *OUTREACH_ROLES)
        raise ClientNotFound(slug)
    return client  # type: ignore[no-any-return]


def _clean_text(value: str, field_name: str, limit: int, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ActionError.single("INVALID", "Remove the NUL character (\\0) from this text.", field_name)
    if required and not value:
        raise ActionError.single("REQUIRED", required, field_name)
    if len(value) > limit:
        raise ActionError.single("TOO_LONG", f"Use at most {limit} characters here.", field_name)
    return value


# ------------------------------------------------------------------ account manager, cadence, settings


def assign_account_manager(client: Client, *, actor: User, manager: User | None) -> Client:
    """MSP admins: make `manager` (an active account manager or admin) the client's account manager."""
    require_role(actor, MspRole.ADMIN)
    if manager is not None and (not manager.is_active or manager.msp_role not in OUTREACH_ROLES):
        raise ActionError.single(
            "INVALID", "Choose an active account manager or MSP admin.", "accountManagerId"
        )
    with transaction.atomic():
        Client.objects.filter(pk=client.pk).update(account_manager=manager)
        forget_client(client)  # the cached host -> tenant lookup (tenants.domain_cache)
        client.account_manager = manager
        # A new manager inherits the stages of the old one: alert them afresh.
        ClientOutreach.objects.filter(client=client).update(overdue_stage=0, reminded_for=None)
        record_audit(
            "outreach.account_manager_assigned",
            actor=actor,
            client=client,
            account_manager=manager.pk if manager else None,
        )
    return client


def profile_of(client: Client) -> ClientOutreach:
    profile, _ = ClientOutreach.objects.get_or_create(client=client)
    return profile


def set_cadence(client: Client, *, actor: User, days: int | None) -> ClientOutreach:
    """The account manager's cadence for one client; None returns to the tier's default."""
    ensure_outreach_access(actor, client)
    if days is not None and not 1 <= days <= MAX_CADENCE_DAYS:
        raise ActionError.single(
            "INVALID",
            f"A cadence is between 1 and {MAX_CADENCE_DAYS} days (or empty for the tier's).",
            "days",
        )
    with transaction.atomic():
        profile = ClientOutreach.objects.select_for_update().filter(client=client).first() or profile_of(
            client
        )
        profile.cadence_override_days = days
        profile.save(update_fields=["cadence_override_days"])
        refresh_schedule(client)
        record_audit("outreach.cadence_set", actor=actor, client=client, days=days)
    return ClientOutreach.objects.get(pk=profile.pk)


@dataclass
class SettingsChange:
    cadence_days: dict[str, int] = field(default_factory=dict)  # tier → days
    weights: dict[str, int] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    reminder_days_before: int | None = None


TIER_FIELDS = {
    "premium": "premium_cadence_days",
    "standard": "standard_cadence_days",
    "essential": "essential_cadence_days",
}


def settings_problems(change: SettingsChange, current: OutreachSettings) -> list[FieldError]:
    """Everything wrong with `change` applied to `current` (the API and Django admin share it)."""
    errors: list[FieldError] = []
    for tier, days in change.cadence_days.items():
        if tier not in TIER_FIELDS:
            errors.append(FieldError("INVALID", f"There is no tier '{tier}'.", "cadence"))
        elif not 1 <= days <= MAX_CADENCE_DAYS:
            errors.append(
                FieldError(
                    "INVALID", f"A cadence is between 1 and {MAX_CADENCE_DAYS} days.", f"cadence.{tier}"
                )
            )
    for key, weight in change.weights.items():
        if key not in SIGNALS:
            errors.append(FieldError("UNKNOWN_SIGNAL", f"There is no signal '{key}'.", "weights"))
        elif not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= 100:
            errors.append(
                FieldError("INVALID", "A weight is a whole number from 0 to 100.", f"weights.{key}")
            )
    for key, value in change.thresholds.items():
        if key not in DEFAULT_THRESHOLDS:
            errors.append(FieldError("INVALID", f"There is no threshold '{key}'.", "thresholds"))
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 100:
            errors.append(FieldError("INVALID", "A threshold is between 0 and 100.", f"thresholds.{key}"))
    if change.reminder_days_before is not None and not 0 <= change.reminder_days_before <= 60:
        errors.append(FieldError("INVALID", "Remind between 0 and 60 days before.", "reminderDaysBefore"))
    if errors:
        return errors
    weights = {**(current.weights or {}), **change.weights}
    thresholds = {**DEFAULT_THRESHOLDS, **(current.thresholds or {}), **change.thresholds}
    if thresholds["at_risk_below"] > thresholds["healthy_from"]:
        errors.append(
            FieldError(
                "INVALID", "'At risk below' must not be above 'healthy from'.", "thresholds.atRiskBelow"
            )
        )
    if not any(weights.get(key, current.weight(key)) for key in SIGNALS):
        errors.append(FieldError("INVALID", "At least one signal needs a weight above 0.", "weights"))
    return errors


def update_settings(*, actor: User, change: SettingsChange) -> OutreachSettings:
    """MSP admins: cadence per tier, weights and thresholds; all validated, all or nothing."""
    require_role(actor, MspRole.ADMIN)
    with transaction.atomic():
        settings = OutreachSettings.current()
        settings = OutreachSettings.objects.select_for_update().get(pk=settings.pk)
        errors = settings_problems(change, settings)
        if errors:
            raise ActionError(errors)
        for tier, days in change.cadence_days.items():
            setattr(settings, TIER_FIELDS[tier], days)
        settings.weights = {**(settings.weights or {}), **change.weights}
        settings.thresholds = {**DEFAULT_THRESHOLDS, **(settings.thresholds or {}), **change.thresholds}
        if change.reminder_days_before is not None:
            settings.reminder_days_before = change.reminder_days_before
        settings.updated_at = timezone.now()
        settings.updated_by = actor
        settings.save()
        record_audit(
            "outreach.settings_changed",
            actor=actor,
            cadence=change.cadence_days,
            weights=change.weights,
            thresholds=change.thresholds,
        )
        # Every score depends on these: the nightly job would do, but do it now.
        enqueue_on_commit("outreach.dispatch_health_recompute", dedupe_key=_debounce_key("all"))
    return settings


# ------------------------------------------------------------------ schedule


def refresh_schedule(client: Client, *, now: datetime | None = None) -> ClientOutreach:
    """Recompute last / next check-in and the due date; a new due date resets its stages."""
    now = now or timezone.now()
    profile = profile_of(client)
    last = (
        CheckIn.objects.filter(client=client, status=CheckInStatus.DONE, held_at__isnull=False)
        .order_by("-held_at")
        .values_list("held_at", flat=True)
        .first()
    )
    planned = (
        CheckIn.objects.filter(client=client, status=CheckInStatus.PLANNED, scheduled_for__isnull=False)
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    cadence = cadence_days(client, profile, OutreachSettings.current())
    base = timezone.localdate(last) if last else timezone.localdate(client.created_at)
    due = base + timedelta(days=cadence)
    changes: dict[str, Any] = {
        "last_checkin_at": last,
        "next_planned_at": planned,
        "next_due_on": due,
        "updated_at": now,
    }
    if due != profile.next_due_on:
        changes.update(overdue_stage=0, reminded_for=None)
    ClientOutreach.objects.filter(pk=profile.pk).update(**changes)
    for name, value in changes.items():
        setattr(profile, name, value)
    return profile


def _debounce_key(scope: str) -> str:
    bucket = int(timezone.now().timestamp()) // RECOMPUTE_DEBOUNCE_SECONDS
    return f"outreach-health:{scope}:{bucket}"


def signal_changed(client: Client) -> None:
    """One of outreach's own signals changed: mark the score stale and recompute it soon
    (through the outbox, once per client and minute; the change watch catches the rest)."""
    ClientOutreach.objects.filter(client=client).update(health_stale=True)
    enqueue_on_commit(
        RECOMPUTE_TASK, client.pk, schema_name=client.schema_name, dedupe_key=_debounce_key(str(client.pk))
    )


# ------------------------------------------------------------------ check-ins


@dataclass
class NewFollowUp:
    title: str
    due_on: date
    owner_id: int | None = None
    detail: str = ""


@dataclass
class NewCheckIn:
    kind: str
    subject: str
    notes: str = ""
    sentiment: str = ""
    contact_ids: Sequence[int] = ()
    held_at: datetime | None = None  # done check-ins
    scheduled_for: datetime | None = None  # planned ones
    duration_minutes: int = 30
    location: str = ""
    invite_contact_ids: Sequence[int] = ()
    follow_ups: Sequence[NewFollowUp] = ()
    campaign_task_id: int | None = None


def _contacts(client: Client, ids: Sequence[int], field_name: str) -> list[dict[str, Any]]:
    """Snapshot of the client's active contacts `ids` (read in the client's schema)."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_CONTACTS:
        raise ActionError.single("INVALID", f"Choose at most {MAX_CONTACTS} contacts.", field_name)
    if not ids:
        return []
    with in_schema(client.schema_name):
        found = {
            c.pk: {"id": c.pk, "name": c.full_name, "email": c.email}
            for c in Contact.objects.filter(pk__in=ids, is_active=True)
        }
    if len(found) != len(ids):
        raise ActionError.single("NOT_FOUND", "Choose contacts of this client.", field_name)
    return [found[i] for i in ids]


def _follow_up_owner(client: Client, owner_id: int | None, actor: User, field_name: str) -> User:
    if owner_id is None or owner_id == actor.pk:
        return actor
    owner = (
        User.objects.filter(pk=owner_id, is_active=True)
        .exclude(msp_role="")
        .filter(staff_reaching(client))
        .first()
    )
    if owner is None:
        raise ActionError.single(
            "NOT_FOUND", "Choose an MSP staff member who works for this client.", field_name
        )
    return owner


def _validate_follow_up(client: Client, data: NewFollowUp, actor: User, today: date, prefix: str) -> FollowUp:
    title = _clean_text(data.title, f"{prefix}title", 200, required="Say what is to be done.")
    detail = _clean_text(data.detail, f"{prefix}detail", 5_000)
    if data.due_on < today:
        raise ActionError.single("IN_THE_PAST", "A follow-up can't be due in the past.", f"{prefix}dueOn")
    if data.due_on > today + timedelta(days=730):
        raise ActionError.single("INVALID", "Choose a due date within two years.", f"{prefix}dueOn")
    owner = _follow_up_owner(client, data.owner_id, actor, f"{prefix}ownerId")
    return FollowUp(
        client=client, title=title, detail=detail, owner=owner, due_on=data.due_on, created_by=actor
    )


def log_checkin(client: Client, *, actor: User, data: NewCheckIn, now: datetime | None = None) -> CheckIn:
    """Record a check-in held (with notes, contacts, sentiment, follow-ups) or plan one.

    A planned meeting or QBR with `invite_contact_ids` sends each chosen contact an .ics
    invitation once (the outbox; access and the contact re-checked when it is sent)."""
    ensure_outreach_access(actor, client)
    ensure_client_writable(client)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if data.kind not in CheckInKind.values:
        raise ActionError.single("INVALID", "Choose call, meeting, QBR or e-mail.", "kind")
    subject = _clean_text(data.subject, "subject", 200, required="Give the check-in a subject.")
    notes = _clean_text(data.notes, "notes", 20_000)
    location = _clean_text(data.location, "location", 200)
    if data.sentiment and data.sentiment not in Sentiment.values:
        raise ActionError.single("INVALID", "Choose positive, neutral or negative.", "sentiment")
    if data.held_at is not None and data.scheduled_for is not None:
        raise ActionError.single("INVALID", "A check-in is either held or planned, not both.", "scheduledFor")
    planned = data.scheduled_for is not None
    if planned:
        assert data.scheduled_for is not None
        if data.scheduled_for < now:
            raise ActionError.single(
                "IN_THE_PAST", "Plan the check-in for a time still to come.", "scheduledFor"
            )
        if data.sentiment:
            raise ActionError.single(
                "INVALID", "Sentiment is recorded once the check-in is held.", "sentiment"
            )
    held_at = None if planned else (data.held_at or now)
    if held_at is not None and held_at > now + timedelta(minutes=5):
        raise ActionError.single(
            "INVALID", "A held check-in can't be in the future; plan it instead.", "heldAt"
        )
    if not 5 <= data.duration_minutes <= 8 * 60:
        raise ActionError.single(
            "INVALID", "A check-in lasts between 5 minutes and 8 hours.", "durationMinutes"
        )
    if data.invite_contact_ids and not (planned and data.kind in (CheckInKind.MEETING, CheckInKind.QBR)):
        raise ActionError.single(
            "INVALID", "Invitations are sent for planned meetings and QBRs.", "inviteContactIds"
        )
    if len(data.follow_ups) > MAX_FOLLOW_UPS:
        raise ActionError.single("INVALID", f"Add at most {MAX_FOLLOW_UPS} follow-ups at once.", "followUps")
    contacts = _contacts(client, data.contact_ids, "contactIds")
    invitees = _contacts(client, data.invite_contact_ids, "inviteContactIds")
    follow_ups = [
        _validate_follow_up(client, f, actor, today, f"followUps.{index}.")
        for index, f in enumerate(data.follow_ups)
    ]
    task = None
    if data.campaign_task_id is not None:
        from services.outreach.models import CampaignTask

        task = CampaignTask.objects.filter(pk=data.campaign_task_id, client=client).first()
        if task is None:
            raise ActionError.single(
                "NOT_FOUND", "There is no such campaign task for this client.", "campaignTaskId"
            )
    with transaction.atomic():
        checkin = CheckIn.objects.create(
            client=client,
            kind=data.kind,
            status=CheckInStatus.PLANNED if planned else CheckInStatus.DONE,
            subject=subject,
            notes=notes,
            sentiment=data.sentiment,
            scheduled_for=data.scheduled_for,
            held_at=held_at,
            duration_minutes=data.duration_minutes,
            location=location,
            contacts=contacts,
            owner=actor,
            campaign_task=task,
            created_at=now,
        )
        for follow_up in follow_ups:
            follow_up.checkin = checkin
            follow_up.created_at = now
        FollowUp.objects.bulk_create(follow_ups)
        if invitees:
            InvitationDelivery.objects.bulk_create(
                [
                    InvitationDelivery(checkin=checkin, contact_id=c["id"], email=c["email"], name=c["name"])
                    for c in invitees
                ]
            )
            enqueue_on_commit(SEND_INVITATIONS_TASK, dedupe_key=f"outreach-invite:{checkin.pk}:0")
        if task is not None and not planned:
            from services.outreach.campaigns import mark_contacted

            mark_contacted(task, now=now)
        refresh_schedule(client, now=now)
        signal_changed(client)
        record_audit(
            "outreach.checkin_logged", actor=actor, client=client, checkin=checkin.pk, kind=data.kind
        )
    return checkin


def complete_checkin(
    checkin: CheckIn,
    *,
    actor: User,
    notes: str,
    sentiment: str,
    contact_ids: Sequence[int],
    follow_ups: Sequence[NewFollowUp] = (),
    now: datetime | None = None,
) -> CheckIn:
    """A planned check-in was held: its notes, who was there, how it went, what was agreed."""
    client = checkin.client
    ensure_outreach_access(actor, client)
    ensure_client_writable(client)
    now = now or timezone.now()
    if checkin.status != CheckInStatus.PLANNED:
        raise ActionError.single("INVALID_STATE", "Only a planned check-in can be marked held.", "checkInId")
    notes = _clean_text(notes, "notes", 20_000)
    if sentiment and sentiment not in Sentiment.values:
        raise ActionError.single("INVALID", "Choose positive, neutral or negative.", "sentiment")
    contacts = _contacts(client, contact_ids, "contactIds") if contact_ids else checkin.contacts
    today = timezone.localdate(now)
    new = [_validate_follow_up(client, f, actor, today, f"followUps.{i}.") for i, f in enumerate(follow_ups)]
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
        if locked.status != CheckInStatus.PLANNED:
            raise ActionError.single(
                "INVALID_STATE", "Only a planned check-in can be marked held.", "checkInId"
            )
        locked.status = CheckInStatus.DONE
        locked.held_at = min(now, locked.scheduled_for or now)
        locked.notes = notes
        locked.sentiment = sentiment
        locked.contacts = contacts
        locked.save(update_fields=["status", "held_at", "notes", "sentiment", "contacts"])
        for follow_up in new:
            follow_up.checkin = locked
        FollowUp.objects.bulk_create(new)
        if locked.campaign_task_id:
            from services.outreach.campaigns import mark_contacted

            mark_contacted(locked.campaign_task, now=now)  # type: ignore[arg-type]
        refresh_schedule(client, now=now)
        signal_changed(client)
        record_audit("outreach.checkin_held", actor=actor, client=client, checkin=locked.pk)
    return locked


def cancel_checkin(checkin: CheckIn, *, actor: User) -> CheckIn:
    ensure_outreach_access(actor, checkin.client)
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
        if locked.status != CheckInStatus.PLANNED:
            raise ActionError.single(
                "INVALID_STATE", "Only a planned check-in can be cancelled.", "checkInId"
            )
        locked.status = CheckInStatus.CANCELLED
        locked.save(update_fields=["status"])
        # Invitations not yet sent are not sent any more (the sender re-reads the status).
        refresh_schedule(checkin.client)
        record_audit("outreach.checkin_cancelled", actor=actor, client=checkin.client, checkin=locked.pk)
    return locked


# ------------------------------------------------------------------ follow-ups


def add_follow_up(
    client: Client,
    *,
    actor: User,
    data: NewFollowUp,
    checkin: CheckIn | None = None,
    now: datetime | None = None,
) -> FollowUp:
    ensure_outreach_access(actor, client)
    ensure_client_writable(client)
    now = now or timezone.now()
    follow_up = _validate_follow_up(client, data, actor, timezone.localdate(now), "")
    follow_up.checkin = checkin
    follow_up.created_at = now
    with transaction.atomic():
        follow_up.save()
        record_audit("outreach.follow_up_added", actor=actor, client=client, follow_up=follow_up.pk)
    return follow_up


def complete_follow_up(follow_up: FollowUp, *, actor: User, done: bool = True) -> FollowUp:
    ensure_outreach_access(actor, follow_up.client)
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        locked.done_at = (locked.done_at or timezone.now()) if done else None
        locked.save(update_fields=["done_at"])
        record_audit(
            "outreach.follow_up_done", actor=actor, client=follow_up.client, follow_up=locked.pk, done=done
        )
    return locked


def follow_up_to_ticket(
    follow_up: FollowUp,
    *,
    actor: User,
    requester_contact_id: int | None = None,
    impact: str = "low",
    urgency: str = "medium",
) -> FollowUp:
    """Open a service-desk ticket for the follow-up in one step (in the client's schema);
    the follow-up keeps the ticket's number. Asked twice, it answers with the first ticket."""
    client = follow_up.client
    ensure_outreach_access(actor, client)
    ensure_client_writable(client)
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.ticket_number is not None:
            return locked
        if requester_contact_id is None:
            snapshot = locked.checkin.contacts if locked.checkin_id else []  # type: ignore[union-attr]
            requester_contact_id = snapshot[0]["id"] if snapshot else None
        if requester_contact_id is None:
            raise ActionError.single(
                "REQUIRED", "Choose the client contact the ticket is for.", "requesterContactId"
            )
        with tenant_context(client):
            ticket = support_actions.create_ticket(
                client,
                support_actions.NewTicket(
                    title=locked.title,
                    description=(locked.detail or locked.title)
                    + "\n\n(Agreed with the client as an account-management follow-up.)",
                    impact=impact,
                    urgency=urgency,
                    category="Account management",
                    requester_contact_id=requester_contact_id,
                ),
                actor=actor,
                idempotency_key=f"outreach-follow-up-{locked.pk}",
            )
        locked.ticket_number = ticket.number
        locked.save(update_fields=["ticket_number"])
        record_audit(
            "outreach.follow_up_ticketed",
            actor=actor,
            client=client,
            follow_up=locked.pk,
            ticket=ticket.number,
        )
    return locked
