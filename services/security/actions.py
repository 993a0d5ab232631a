"""Security incident use cases. Each is one transaction in the client's schema that changes
the incident, appends to its SLA event log, records judged outcomes and rewrites the
incident's public `WorkItem` — so the technician queue and the SLA sweep see it at once.

Who may do what:
* staff (who reach the client) do everything;
* the client's IT leads see every incident of their company, raise incidents and add notes;
* members see the incidents they raised or are named on (an affected user), and add notes.
Internal notes are staff-only and never shown to client users.

Phishing intake and triage are in `services.security.phishing_actions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import ActionError, FieldError
from core.idempotency import clean_idempotency_key, create_once, key_reused
from core.tenancy import require_schema
from services.directory.models import Contact
from services.security import devices
from services.security.clocks import incident_clocks, record_outcomes
from services.security.models import (
    DONE_INCIDENT_STATUSES,
    IncidentActivity,
    IncidentAffectedDevice,
    IncidentAffectedUser,
    IncidentCounter,
    IncidentKind,
    IncidentSlaEvent,
    IncidentSlaEventKind,
    IncidentStatus,
    SecurityIncident,
    SecurityResponseTarget,
    Severity,
)
from services.security.policy import MAX_TARGET_MINUTES, ResponsePolicy, response_policy
from services.security.work_index import sync_work_item
from services.workqueue.models import WorkItemKind
from services.workqueue.selectors import clients_lost_by
from tenants.access import assignable_staff, ensure_client_writable
from tenants.actions import record_audit
from tenants.models import Client, ClientRole, Membership, MspRole, User

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_AFFECTED = 200

S = IncidentStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.CONTAINED, S.RESOLVED}),
    S.ACKNOWLEDGED: frozenset({S.CONTAINED, S.RESOLVED}),
    # Back to acknowledged: containment was lost (the contain clock runs again).
    S.CONTAINED: frozenset({S.RESOLVED, S.ACKNOWLEDGED}),
    # Reopen: back to acknowledged, containment and resolution run again.
    S.RESOLVED: frozenset({S.CLOSED, S.ACKNOWLEDGED}),
    S.CLOSED: frozenset({S.ACKNOWLEDGED}),
}


def is_staff(actor: User) -> bool:
    return bool(actor.is_msp_staff)


def client_role(actor: User, client: Client) -> str | None:
    return Membership.objects.filter(user=actor, client=client).values_list("role", flat=True).first()


def contact_for_user(user: User) -> Contact | None:
    return Contact.objects.filter(user_id=user.pk, is_active=True).first()


def incidents_visible_to(client: Client, actor: User) -> QuerySet[SecurityIncident]:
    """Incidents of `client` this person may see: staff and IT leads all of them; members
    those they raised or are named on as an affected user."""
    require_schema(client)
    incidents = SecurityIncident.objects.all()
    if is_staff(actor) or client_role(actor, client) == ClientRole.IT_LEAD:
        return incidents
    contact = contact_for_user(actor)
    mine = Q(created_by_id=actor.pk)
    if contact is not None:
        mine |= Q(pk__in=IncidentAffectedUser.objects.filter(contact=contact).values("incident_id"))
    return incidents.filter(mine)


def get_incident(client: Client, actor: User, number: int, *, for_update: bool = False) -> SecurityIncident:
    """The incident `number` if `actor` may see it; NOT_FOUND otherwise (the same answer)."""
    incidents = incidents_visible_to(client, actor)
    if for_update:
        ensure_client_writable(client)
        incident = (
            SecurityIncident.objects.select_for_update()
            .filter(pk__in=incidents.values("pk"), number=number)
            .first()
        )
    else:
        incident = incidents.filter(number=number).first()
    if incident is None:
        raise ActionError.single("NOT_FOUND", f"There is no incident SEC-{number} for you here.", "number")
    return incident


def _require_staff(actor: User) -> None:
    if not is_staff(actor):
        raise ActionError.single("PERMISSION_DENIED", "Only MSP staff can do that.")


def _instant(incident: SecurityIncident, now: datetime | None) -> datetime:
    """Never earlier than the incident's last change (see `services.support.actions._instant`):
    the event log and timeline replay in commit order."""
    return max(now or timezone.now(), incident.updated_at)


def _event(incident: SecurityIncident, kind: str, at: datetime, severity: str = "") -> None:
    IncidentSlaEvent.objects.create(incident=incident, kind=kind, at=at, severity=severity)


def _activity(
    incident: SecurityIncident,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    internal: bool = False,
    body: str = "",
    detail: dict[str, object] | None = None,
) -> IncidentActivity:
    return IncidentActivity.objects.create(
        incident=incident,
        kind=kind,
        actor_id=actor.pk if actor else None,
        is_internal=internal,
        body=body,
        detail=detail or {},
        created_at=at,
    )


def after_change(
    client: Client, incident: SecurityIncident, now: datetime, policy: ResponsePolicy | None = None
) -> None:
    """Recompute the clocks from the log, record judged outcomes, rewrite the queue row."""
    incident.updated_at = now
    incident.save()
    checked = incident_clocks(incident, policy or response_policy(client), now)
    if checked.clocks is not None:
        record_outcomes(incident, checked.clocks)
    sync_work_item(client, incident, checked.clocks, now=now, clock_error=checked.problem is not None)


def _check_text(errors: list[FieldError], value: str, field_name: str, limit: int, label: str) -> None:
    if "\x00" in value:
        errors.append(FieldError("INVALID", f"The {label} can't contain NUL characters.", field_name))
    elif len(value) > limit:
        errors.append(FieldError("TOO_LONG", f"Keep the {label} under {limit:,} characters.", field_name))


def _affected_contacts(ids: Sequence[int], errors: list[FieldError]) -> list[Contact]:
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_AFFECTED:
        errors.append(
            FieldError("TOO_MANY", f"Name at most {MAX_AFFECTED} affected people.", "affectedContactIds")
        )
        return []
    contacts = {c.pk: c for c in Contact.objects.filter(pk__in=wanted, is_active=True)}
    if len(contacts) != len(wanted):
        errors.append(
            FieldError(
                "NOT_FOUND", "Choose affected people among the client's contacts.", "affectedContactIds"
            )
        )
    return [contacts[pk] for pk in wanted if pk in contacts]


def _affected_devices(ids: Sequence[int], errors: list[FieldError]) -> list[devices.DeviceRef]:
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_AFFECTED:
        errors.append(
            FieldError("TOO_MANY", f"Name at most {MAX_AFFECTED} affected devices.", "affectedDeviceIds")
        )
        return []
    found = devices.devices_by_id(wanted)
    if len(found) != len(wanted):
        errors.append(
            FieldError(
                "NOT_FOUND", "Choose affected devices among the client's active devices.", "affectedDeviceIds"
            )
        )
    return [found[pk] for pk in wanted if pk in found]


@dataclass(frozen=True)
class NewIncident:
    title: str
    kind: str
    severity: str
    description: str = ""
    affected_contact_ids: Sequence[int] = field(default_factory=tuple)
    affected_device_ids: Sequence[int] = field(default_factory=tuple)
    assignee_id: int | None = None


def _validate(data: NewIncident, errors: list[FieldError]) -> None:
    if not data.title.strip():
        errors.append(FieldError("REQUIRED", "Give the incident a short title.", "title"))
    _check_text(errors, data.title, "title", MAX_TITLE, "title")
    _check_text(errors, data.description, "description", MAX_BODY, "description")
    if data.kind not in IncidentKind.values:
        errors.append(FieldError("INVALID", "Choose what kind of incident it is.", "kind"))
    if data.severity not in Severity.values:
        errors.append(FieldError("INVALID", "Choose a severity: critical, high, medium or low.", "severity"))


def _incident_of_submission(actor: User, key: str) -> SecurityIncident | None:
    return (
        SecurityIncident.objects.filter(created_by_id=actor.pk, idempotency_key=key).first() if key else None
    )


def may_raise_incidents(actor: User, client: Client) -> bool:
    return is_staff(actor) or client_role(actor, client) == ClientRole.IT_LEAD


def create_incident(
    client: Client,
    data: NewIncident,
    *,
    actor: User,
    now: datetime | None = None,
    idempotency_key: str | None = None,
    policy: ResponsePolicy | None = None,
) -> SecurityIncident:
    """Open a security incident (staff, or the client's IT lead). Its three clocks start now.

    With an idempotency key, the same submission sent again answers with the incident it
    opened the first time and writes nothing."""
    require_schema(client)
    ensure_client_writable(client)
    if not may_raise_incidents(actor, client):
        raise ActionError.single(
            "PERMISSION_DENIED", "Only MSP staff and the client's IT leads can open incidents."
        )
    key = clean_idempotency_key(idempotency_key)
    earlier = _incident_of_submission(actor, key)
    if earlier is not None:
        if earlier.title != data.title.strip():
            raise key_reused()
        return earlier
    errors: list[FieldError] = []
    _validate(data, errors)
    contacts = _affected_contacts(data.affected_contact_ids, errors)
    device_refs = _affected_devices(data.affected_device_ids, errors)
    if data.assignee_id is not None:
        if not is_staff(actor):
            errors.append(FieldError("PERMISSION_DENIED", "Only MSP staff assign incidents.", "assigneeId"))
        elif not assignable_staff(client).filter(pk=data.assignee_id).exists():
            errors.append(
                FieldError("INVALID", "Choose a technician who works for this client.", "assigneeId")
            )
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        counter, _ = IncidentCounter.objects.select_for_update().get_or_create(pk=1)
        now = now or timezone.now()

        def number_and_create() -> SecurityIncident:
            number = counter.next_number
            IncidentCounter.objects.filter(pk=counter.pk).update(next_number=number + 1)
            return SecurityIncident.objects.create(
                number=number,
                title=data.title.strip(),
                description=data.description.strip(),
                kind=data.kind,
                severity=data.severity,
                assignee_id=data.assignee_id,
                created_by_id=actor.pk,
                created_at=now,
                updated_at=now,
                idempotency_key=key,
            )

        incident, is_new = create_once(number_and_create, lambda: _incident_of_submission(actor, key))
        if not is_new:
            return incident
        _event(incident, IncidentSlaEventKind.CREATED, now, data.severity)
        IncidentAffectedUser.objects.bulk_create(
            [IncidentAffectedUser(incident=incident, contact=contact) for contact in contacts]
        )
        IncidentAffectedDevice.objects.bulk_create(
            [
                IncidentAffectedDevice(incident=incident, device_id=d.id, device_name=d.name[:120])
                for d in device_refs
            ]
        )
        _activity(
            incident,
            IncidentActivity.Kind.CREATED,
            actor,
            now,
            detail={"severity": data.severity, "kind": data.kind},
        )
        record_audit("security_incident.created", actor=actor, client=client, number=incident.number)
        after_change(client, incident, now, policy)
    return incident


def change_status(
    client: Client, number: int, *, actor: User, status: str, note: str = "", now: datetime | None = None
) -> SecurityIncident:
    """Move the incident through new → acknowledged → contained → resolved → closed (staff).

    Leaving `new` acknowledges it; resolving an incident not yet contained contains it at the
    same instant; contained → acknowledged means containment was lost; a resolved or closed
    incident reopens to acknowledged (containment and resolution run again)."""
    _require_staff(actor)
    if status not in IncidentStatus.values:
        raise ActionError.single("INVALID", "Unknown status.", "status")
    errors: list[FieldError] = []
    _check_text(errors, note, "note", MAX_BODY, "note")
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        incident = get_incident(client, actor, number, for_update=True)
        now = _instant(incident, now)
        old = incident.status
        if status not in TRANSITIONS[old]:
            raise ActionError.single(
                "INVALID_TRANSITION",
                f"An incident that is {IncidentStatus(old).label.lower()} cannot become "
                f"{IncidentStatus(status).label.lower()}.",
                "status",
            )
        if old == S.NEW:
            _event(incident, IncidentSlaEventKind.ACKNOWLEDGED, now)
            incident.acknowledged_at = now
        if old in DONE_INCIDENT_STATUSES and status == S.ACKNOWLEDGED:
            _event(incident, IncidentSlaEventKind.REOPENED, now)
            incident.contained_at = incident.resolved_at = incident.closed_at = None
        elif old == S.CONTAINED and status == S.ACKNOWLEDGED:
            _event(incident, IncidentSlaEventKind.UNCONTAINED, now)
            incident.contained_at = None
        if status in (S.CONTAINED, S.RESOLVED) and incident.contained_at is None:
            _event(incident, IncidentSlaEventKind.CONTAINED, now)
            incident.contained_at = now
        if status == S.RESOLVED:
            _event(incident, IncidentSlaEventKind.RESOLVED, now)
            incident.resolved_at = now
        if status == S.CLOSED:
            incident.closed_at = now
        incident.status = status
        _activity(
            incident,
            IncidentActivity.Kind.STATUS,
            actor,
            now,
            body=note.strip(),
            detail={"from": old, "to": status},
        )
        after_change(client, incident, now)
    return incident


def change_severity(
    client: Client, number: int, *, actor: User, severity: str, now: datetime | None = None
) -> SecurityIncident:
    """Re-assess the severity (staff). Time already used survives; running clocks take the new
    severity's targets, stopped clocks keep their judgement."""
    _require_staff(actor)
    if severity not in Severity.values:
        raise ActionError.single("INVALID", "Choose a severity: critical, high, medium or low.", "severity")
    with transaction.atomic():
        incident = get_incident(client, actor, number, for_update=True)
        now = _instant(incident, now)
        previous = incident.severity
        if previous == severity:
            return incident
        incident.severity = severity
        _event(incident, IncidentSlaEventKind.SEVERITY_CHANGED, now, severity)
        _activity(
            incident, IncidentActivity.Kind.SEVERITY, actor, now, detail={"from": previous, "to": severity}
        )
        after_change(client, incident, now)
    return incident


def assign_incident(
    client: Client, number: int, *, actor: User, assignee_id: int | None, now: datetime | None = None
) -> SecurityIncident:
    """Give the incident to a technician who reaches this client (or to nobody)."""
    _require_staff(actor)
    with transaction.atomic():
        incident = get_incident(client, actor, number, for_update=True)
        now = _instant(incident, now)
        if assignee_id is not None and not assignable_staff(client).filter(pk=assignee_id).exists():
            raise ActionError.single(
                "INVALID", "Choose a technician who works for this client.", "assigneeId"
            )
        incident.assignee_id = assignee_id
        _activity(incident, IncidentActivity.Kind.ASSIGNED, actor, now, detail={"assignee_id": assignee_id})
        after_change(client, incident, now)
    return incident


def add_note(
    client: Client,
    number: int,
    *,
    actor: User,
    body: str,
    internal: bool = False,
    now: datetime | None = None,
) -> IncidentActivity:
    """A note on the timeline. Internal notes are staff-only; client users' notes are public."""
    errors: list[FieldError] = []
    if not body.strip():
        errors.append(FieldError("REQUIRED", "Write the note first.", "body"))
    _check_text(errors, body, "body", MAX_BODY, "note")
    if internal and not is_staff(actor):
        errors.append(FieldError("PERMISSION_DENIED", "Only MSP staff write internal notes.", "internal"))
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        incident = get_incident(client, actor, number, for_update=True)
        now = _instant(incident, now)
        entry = _activity(
            incident, IncidentActivity.Kind.NOTE, actor, now, internal=internal, body=body.strip()
        )
        # A note changes no clock; the queue row only records that the incident moved.
        incident.updated_at = now
        incident.save(update_fields=["updated_at"])
    return entry


def set_affected(
    client: Client,
    number: int,
    *,
    actor: User,
    contact_ids: Sequence[int],
    device_ids: Sequence[int],
    now: datetime | None = None,
) -> SecurityIncident:
    """Replace the affected people and devices (staff); the timeline records who and what
    was added or removed. Devices keep the name they had when first linked."""
    _require_staff(actor)
    errors: list[FieldError] = []
    contacts = _affected_contacts(contact_ids, errors)
    with transaction.atomic():
        incident = get_incident(client, actor, number, for_update=True)
        current_devices = set(incident.affected_devices.values_list("device_id", flat=True))
        new_device_ids = [pk for pk in dict.fromkeys(device_ids) if pk not in current_devices]
        device_refs = _affected_devices(new_device_ids, errors)
        if errors:
            raise ActionError(errors)
        now = _instant(incident, now)
        wanted_contacts = {c.pk for c in contacts}
        current_contacts = set(incident.affected_users.values_list("contact_id", flat=True))
        wanted_devices = set(device_ids)
        incident.affected_users.exclude(contact_id__in=wanted_contacts).delete()
        IncidentAffectedUser.objects.bulk_create(
            [
                IncidentAffectedUser(incident=incident, contact=c)
                for c in contacts
                if c.pk not in current_contacts
            ]
        )
        incident.affected_devices.exclude(device_id__in=wanted_devices).delete()
        IncidentAffectedDevice.objects.bulk_create(
            [
                IncidentAffectedDevice(incident=incident, device_id=d.id, device_name=d.name[:120])
                for d in device_refs
            ]
        )
        detail: dict[str, object] = {
            "contacts_added": sorted(wanted_contacts - current_contacts),
            "contacts_removed": sorted(current_contacts - wanted_contacts),
            "devices_added": sorted(d.id for d in device_refs),
            "devices_removed": sorted(current_devices - wanted_devices),
        }
        if any(detail.values()):
            _activity(incident, IncidentActivity.Kind.AFFECTED, actor, now, detail=detail)
            incident.updated_at = now
            incident.save(update_fields=["updated_at"])
    return incident


@dataclass(frozen=True)
class TargetInput:
    severity: str
    acknowledge_minutes: int | None
    contain_minutes: int | None
    resolve_minutes: int | None
    around_the_clock: bool


def save_response_targets(client: Client, targets: Sequence[TargetInput], *, actor: User) -> None:
    """Set the client's own security response targets (MSP admins and account managers).
    Severities not given keep what they had; `reset_response_targets` goes back to defaults.
    Every target is checked the way the SLA catalog checks its own (empty = no target, never 0)."""
    require_schema(client)
    ensure_client_writable(client)
    if not is_staff(actor) or actor.msp_role not in (MspRole.ADMIN, MspRole.ACCOUNT_MANAGER):
        raise ActionError.single(
            "PERMISSION_DENIED", "Only MSP admins and account managers set security response targets."
        )
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, target in enumerate(targets):
        if target.severity not in Severity.values or target.severity in seen:
            errors.append(FieldError("INVALID", "Give each severity once.", f"targets.{index}.severity"))
        seen.add(target.severity)
        for name in ("acknowledge_minutes", "contain_minutes", "resolve_minutes"):
            minutes = getattr(target, name)
            if minutes is None:
                continue
            if minutes <= 0:
                errors.append(
                    FieldError(
                        "INVALID",
                        "A target must be at least 1 minute; leave it empty for none.",
                        f"targets.{index}.{name}",
                    )
                )
            elif minutes > MAX_TARGET_MINUTES:
                errors.append(
                    FieldError("INVALID", "A target can't be longer than a year.", f"targets.{index}.{name}")
                )
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        for target in targets:
            SecurityResponseTarget.objects.update_or_create(
                severity=target.severity,
                defaults={
                    "acknowledge_minutes": target.acknowledge_minutes,
                    "contain_minutes": target.contain_minutes,
                    "resolve_minutes": target.resolve_minutes,
                    "around_the_clock": target.around_the_clock,
                    "updated_at": timezone.now(),
                },
            )
        record_audit("security_targets.saved", actor=actor, client=client, severities=sorted(seen))
        _recompute_open(client)


def reset_response_targets(client: Client, *, actor: User) -> None:
    """Back to the MSP's defaults for every severity."""
    require_schema(client)
    ensure_client_writable(client)
    if not is_staff(actor) or actor.msp_role not in (MspRole.ADMIN, MspRole.ACCOUNT_MANAGER):
        raise ActionError.single(
            "PERMISSION_DENIED", "Only MSP admins and account managers set security response targets."
        )
    with transaction.atomic():
        SecurityResponseTarget.objects.all().delete()
        record_audit("security_targets.reset", actor=actor, client=client)
        _recompute_open(client)


def _recompute_open(client: Client) -> None:
    """Running clocks follow the new terms at once (stopped ones keep their judgement)."""
    policy = response_policy(client)
    now = timezone.now()
    for incident in SecurityIncident.objects.select_for_update().exclude(status__in=DONE_INCIDENT_STATUSES):
        checked = incident_clocks(incident, policy, max(now, incident.updated_at))
        if checked.clocks is not None:
            record_outcomes(incident, checked.clocks)
        sync_work_item(client, incident, checked.clocks, now=now, clock_error=checked.problem is not None)


def release_lost_incident_assignments(user: User, *, actor: User | None, now: datetime | None = None) -> int:
    """After `user`'s access shrank: unassign their open incidents of every client they can no
    longer work, each with an internal timeline entry saying why (as for tickets). The queue
    index names the clients concerned, so only those schemas are visited."""
    lost = clients_lost_by(user, WorkItemKind.SECURITY_INCIDENT)
    if not lost:
        return 0
    released = 0
    with transaction.atomic():
        for client in Client.objects.filter(pk__in=lost).order_by("pk"):
            with tenant_context(client):
                policy = response_policy(client)
                incidents = SecurityIncident.objects.select_for_update().filter(assignee_id=user.pk)
                for incident in incidents.exclude(status__in=DONE_INCIDENT_STATUSES).order_by("number"):
                    at = _instant(incident, now)
                    incident.assignee_id = None
                    _activity(
                        incident,
                        IncidentActivity.Kind.ASSIGNED,
                        actor,
                        at,
                        internal=True,
                        detail={
                            "assignee_id": None,
                            "previous_assignee_id": user.pk,
                            "reason": "lost access",
                        },
                    )
                    after_change(client, incident, at, policy)
                    released += 1
    return released
