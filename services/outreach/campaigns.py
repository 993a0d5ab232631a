"""Segments (saved rules over clients, evaluated live) and campaigns built from them.

A segment's rules are ANDed; the values of one rule are ORed:

    [{"field": "industry", "values": ["retail", "healthcare"]},
     {"field": "tier", "values": ["premium"]},
     {"field": "size", "min": 10, "max": 200},
     {"field": "location", "values": ["Europe/"]}]

Fields: industry, tier, healthBand (healthy / watch / atRisk / noData), size (portal
members), location (the client's time zone or its region prefix, e.g. "Europe/"), status,
services (services taken: the service lines — support, infrastructure, security, other — of
the client's billing contract lines running today, read from billing's public tables, so a
segment never loops over client schemas). An unknown field is UNKNOWN_FIELD, never ignored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from billing.models import ContractLine, ServiceLine
from core.errors import ActionError, FieldError
from services.outreach.actions import OUTREACH_ROLES, _clean_text, outreach_clients, require_role
from services.outreach.models import (
    Campaign,
    CampaignTask,
    CampaignTaskStatus,
    HealthBand,
    Segment,
)
from tenants.access import ensure_msp_role
from tenants.actions import record_audit
from tenants.models import LIVE_CLIENT_STATUSES, Client, ClientStatus, ClientTier, Industry, User

MAX_RULES = 10
MAX_VALUES = 50
CHOICE_FIELDS: dict[str, tuple[str, list[str]]] = {
    "industry": ("industry", list(Industry.values)),
    "tier": ("tier", list(ClientTier.values)),
    "status": ("status", list(ClientStatus.values)),
    "healthBand": ("outreach__health_band", list(HealthBand.values)),
    "services": ("", list(ServiceLine.values)),
}
SEGMENT_FIELDS = (*CHOICE_FIELDS, "size", "location")


def clean_rules(rules: Any) -> list[dict[str, Any]]:
    """Validate rules; every problem is a typed error naming the rule (`rules.<n>.field`)."""
    if not isinstance(rules, list):
        raise ActionError.single("INVALID", "Rules are a list.", "rules")
    if len(rules) > MAX_RULES:
        raise ActionError.single("INVALID", f"Use at most {MAX_RULES} rules.", "rules")
    cleaned: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, rule in enumerate(rules):
        where = f"rules.{index}"
        if not isinstance(rule, dict) or not isinstance(rule.get("field"), str):
            errors.append(FieldError("INVALID", "Each rule names a field.", where))
            continue
        name = rule["field"]
        values = rule.get("values") or []
        if name not in SEGMENT_FIELDS:
            errors.append(
                FieldError(
                    "UNKNOWN_FIELD",
                    f"Segments can't filter on '{name[:40]}'. Use one of: {', '.join(SEGMENT_FIELDS)}.",
                    f"{where}.field",
                )
            )
            continue
        if name == "size":
            low, high = rule.get("min"), rule.get("max")
            if (low is None and high is None) or any(
                v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 1_000_000)
                for v in (low, high)
            ):
                errors.append(
                    FieldError("INVALID", "Give a size range: whole numbers min and/or max.", where)
                )
                continue
            if low is not None and high is not None and low > high:
                errors.append(FieldError("INVALID", "The size's min is above its max.", where))
                continue
            cleaned.append({"field": name, "min": low, "max": high})
            continue
        if (
            not isinstance(values, list)
            or not values
            or len(values) > MAX_VALUES
            or not all(isinstance(v, str) and 0 < len(v) <= 64 and "\x00" not in v for v in values)
        ):
            errors.append(FieldError("INVALID", f"Give 1 to {MAX_VALUES} values.", f"{where}.values"))
            continue
        if name in CHOICE_FIELDS:
            allowed = CHOICE_FIELDS[name][1]
            values = [_snake(v) if name == "healthBand" else v for v in values]
            unknown = [v for v in values if v not in allowed]
            if unknown:
                errors.append(
                    FieldError(
                        "INVALID",
                        f"'{unknown[0][:40]}' is not a {name}: use {', '.join(allowed)}.",
                        f"{where}.values",
                    )
                )
                continue
        cleaned.append({"field": name, "values": sorted(set(values))})
    if errors:
        raise ActionError(errors)
    return cleaned


def _snake(value: str) -> str:
    return {"atRisk": "at_risk", "noData": "no_data"}.get(value, value)


def services_taken(values: list[str], *, today: date | None = None) -> QuerySet[ContractLine]:
    """Contract lines of `values`' service lines running on `today` (public, one subquery)."""
    today = today or timezone.localdate()
    return ContractLine.objects.filter(
        service_line__in=values,
        starts_on__lte=today,
        contract__starts_on__lte=today,
    ).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        Q(contract__ends_on__isnull=True) | Q(contract__ends_on__gte=today),
    )


def evaluate(rules: list[dict[str, Any]]) -> QuerySet[Client]:
    """The clients matching `rules` now (live clients only), one query."""
    clients = Client.objects.clients().filter(status__in=LIVE_CLIENT_STATUSES)
    for rule in rules:
        name = rule["field"]
        if name == "services":
            clients = clients.filter(pk__in=services_taken(rule["values"]).values("client_id"))
        elif name in CHOICE_FIELDS:
            column = CHOICE_FIELDS[name][0]
            if name == "healthBand" and HealthBand.NO_DATA in rule["values"]:
                clients = clients.filter(Q(**{f"{column}__in": rule["values"]}) | Q(outreach__isnull=True))
            else:
                clients = clients.filter(**{f"{column}__in": rule["values"]})
        elif name == "size":
            clients = clients.annotate(member_count=Count("memberships", distinct=True))
            if rule["min"] is not None:
                clients = clients.filter(member_count__gte=rule["min"])
            if rule["max"] is not None:
                clients = clients.filter(member_count__lte=rule["max"])
        elif name == "location":
            match = Q()
            for value in rule["values"]:
                match |= Q(timezone__istartswith=value) if value.endswith("/") else Q(timezone__iexact=value)
            clients = clients.filter(match)
    return clients.distinct().order_by("name")


def save_segment(*, actor: User, name: str, rules: Any, segment: Segment | None = None) -> Segment:
    require_role(actor, *OUTREACH_ROLES)
    name = _clean_text(name, "name", 120, required="Name the segment.")
    cleaned = clean_rules(rules)
    if Segment.objects.filter(name__iexact=name).exclude(pk=segment.pk if segment else 0).exists():
        raise ActionError.single("DUPLICATE", "A segment of that name exists.", "name")
    with transaction.atomic():
        if segment is None:
            segment = Segment.objects.create(name=name, rules=cleaned, created_by=actor)
        else:
            segment.name, segment.rules = name, cleaned
            segment.save(update_fields=["name", "rules"])
        record_audit("outreach.segment_saved", actor=actor, segment=segment.pk)
    return segment


def create_campaign(
    *, actor: User, name: str, segment: Segment, brief: str, due_on: date, now: datetime | None = None
) -> Campaign:
    """A campaign turns the segment's clients (now) into check-in tasks, each assigned to that
    client's account manager. An empty segment is refused (EMPTY_SEGMENT)."""
    require_role(actor, *OUTREACH_ROLES)
    now = now or timezone.now()
    name = _clean_text(name, "name", 120, required="Name the campaign.")
    brief = _clean_text(brief, "brief", 5_000)
    if due_on < timezone.localdate(now):
        raise ActionError.single("IN_THE_PAST", "A campaign can't be due in the past.", "dueOn")
    clients = list(evaluate(segment.rules).values_list("pk", "account_manager_id"))
    if not clients:
        raise ActionError.single("EMPTY_SEGMENT", f"No client is in '{segment.name}' now.", "segmentId")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name, brief=brief, segment=segment, due_on=due_on, created_by=actor, created_at=now
        )
        CampaignTask.objects.bulk_create(
            [
                CampaignTask(campaign=campaign, client_id=client_id, assignee_id=manager_id, updated_at=now)
                for client_id, manager_id in clients
            ],
            batch_size=1000,
        )
        record_audit("outreach.campaign_created", actor=actor, campaign=campaign.pk, clients=len(clients))
    return campaign


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    try:
        ensure_msp_role(user, *OUTREACH_ROLES)
    except Exception:
        return Campaign.objects.none()
    return Campaign.objects.all()


def tasks_visible_to(user: User) -> QuerySet[CampaignTask]:
    return CampaignTask.objects.filter(client__in=outreach_clients(user))


def update_campaign_task(task: CampaignTask, *, actor: User, status: str, response: str) -> CampaignTask:
    """The account manager records where the client is: contacted, responded, follow-up needed."""
    from services.outreach.actions import ensure_outreach_access

    ensure_outreach_access(actor, task.client)
    if status not in CampaignTaskStatus.values:
        raise ActionError.single("INVALID", "Choose a progress state.", "status")
    response = _clean_text(response, "response", 5_000)
    if status == CampaignTaskStatus.RESPONDED and not response and not task.response:
        raise ActionError.single("REQUIRED", "Write down what the client answered.", "response")
    with transaction.atomic():
        task.status = status
        if response:
            task.response = response
        task.updated_at = timezone.now()
        task.save(update_fields=["status", "response", "updated_at"])
        record_audit(
            "outreach.campaign_task_updated", actor=actor, client=task.client, task=task.pk, status=status
        )
    return task


def mark_contacted(task: CampaignTask, *, now: datetime) -> None:
    """A check-in was held for the task: it counts as contacted (never moves a task back)."""
    CampaignTask.objects.filter(pk=task.pk, status=CampaignTaskStatus.PENDING).update(
        status=CampaignTaskStatus.CONTACTED, updated_at=now
    )


def campaign_progress(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Tasks per state of each campaign, one query."""
    progress: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(CampaignTaskStatus.values, 0) for pk in campaign_ids
    }
    rows = (
        CampaignTask.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        progress[row["campaign_id"]][row["status"]] = row["n"]
    return progress
