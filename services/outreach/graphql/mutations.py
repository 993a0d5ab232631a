"""Mutations of outreach: parse → authorise → one action → typed errors (BaseMutation)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene

from core.errors import ActionError
from core.graphql.ids import decode_id, decode_ids
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value
from services.outreach import actions, campaigns
from services.outreach import broadcasts as broadcast_actions
from services.outreach import qbr as qbr_actions
from services.outreach.actions import OUTREACH_ROLES, client_for_outreach, outreach_clients
from services.outreach.graphql.types import (
    BroadcastKindEnum,
    BroadcastType,
    CampaignProgress,
    CampaignTaskStatusEnum,
    CampaignTaskType,
    CampaignType,
    CheckInKindEnum,
    CheckInType,
    FollowUpType,
    OutreachError,
    QbrReportType,
    SegmentType,
    SentimentEnum,
    SuggestionOutcomeEnum,
    SuggestionType,
    gid,
)
from services.outreach.models import (
    CampaignTask,
    CheckIn,
    FollowUp,
    Segment,
)
from tenants.access import ensure_msp_role
from tenants.graphql.types import ClientRoleEnum
from tenants.models import User
from tenants.request_scope import resolve_client


class OutreachMutation(BaseMutation):
    class Meta:
        abstract = True

    default_error_type = OutreachError
    max_lengths: ClassVar[dict[str, int]] = {
        "clientSlug": 63,
        "subject": 200,
        "title": 200,
        "name": 120,
        "location": 200,
        "detail": 5_000,
        "brief": 5_000,
        "response": 5_000,
        "notes": 20_000,
        "body": broadcast_actions.MAX_BODY,
    }


def _checkin(user: User, raw_id: str) -> CheckIn:
    pk = decode_id(raw_id, "CheckIn", "checkInId") or 0
    found = (
        CheckIn.objects.select_related("client", "owner")
        .filter(pk=pk, client__in=outreach_clients(user))
        .first()
    )
    if found is None:
        raise ActionError.single("NOT_FOUND", "There is no such check-in in your book.", "checkInId")
    return found


def _follow_up(user: User, raw_id: str) -> FollowUp:
    pk = decode_id(raw_id, "FollowUp", "followUpId") or 0
    found = (
        FollowUp.objects.select_related("client", "owner", "checkin")
        .filter(pk=pk, client__in=outreach_clients(user))
        .first()
    )
    if found is None:
        raise ActionError.single("NOT_FOUND", "There is no such follow-up in your book.", "followUpId")
    return found


class FollowUpInput(graphene.InputObjectType):
    title = graphene.String(required=True)
    due_on = graphene.Date(required=True)
    owner_id = graphene.ID(description="Default: you.")
    detail = graphene.String()


def _follow_ups(items: list[Any] | None) -> list[actions.NewFollowUp]:
    return [
        actions.NewFollowUp(
            title=item.title,
            due_on=item.due_on,
            owner_id=decode_id(item.owner_id, "StaffMember", f"followUps.{i}.ownerId", required=False),
            detail=item.detail or "",
        )
        for i, item in enumerate(items or [])
    ]


class AssignAccountManager(OutreachMutation):
    """MSP admins: make someone the client's account manager (or nobody)."""

    class Arguments:
        client_slug = graphene.String(required=True)
        account_manager_id = graphene.ID()

    client_slug = graphene.String()

    @classmethod
    def perform(cls, info: Any, client_slug: str, account_manager_id: str | None = None) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        client = client_for_outreach(user, client_slug)
        pk = decode_id(account_manager_id, "StaffMember", "accountManagerId", required=False)
        manager = User.objects.filter(pk=pk).first() if pk else None
        if pk and manager is None:
            raise ActionError.single("NOT_FOUND", "There is no such staff member.", "accountManagerId")
        actions.assign_account_manager(client, actor=user, manager=manager)
        return cls.success(client_slug=client.slug)


class SetCheckInCadence(OutreachMutation):
    """The account manager: check in with this client every `days` days (null: the tier's)."""

    class Arguments:
        client_slug = graphene.String(required=True)
        days = graphene.Int()

    cadence_days = graphene.Int()
    cadence_override_days = graphene.Int()
    next_due_on = graphene.Date()

    @classmethod
    def perform(cls, info: Any, client_slug: str, days: int | None = None) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        client = client_for_outreach(user, client_slug)
        profile = actions.set_cadence(client, actor=user, days=days)
        from services.outreach.models import OutreachSettings
        from services.outreach.signals import cadence_days

        return cls.success(
            cadence_days=cadence_days(client, profile, OutreachSettings.current()),
            cadence_override_days=profile.cadence_override_days,
            next_due_on=profile.next_due_on,
        )


class WeightInput(graphene.InputObjectType):
    key = graphene.String(required=True)
    weight = graphene.Int(required=True)


class ThresholdInput(graphene.InputObjectType):
    key = graphene.String(required=True)
    value = graphene.Float(required=True)


class OutreachSettingsInput(graphene.InputObjectType):
    premium_cadence_days = graphene.Int()
    standard_cadence_days = graphene.Int()
    essential_cadence_days = graphene.Int()
    weights = graphene.List(graphene.NonNull(WeightInput))
    thresholds = graphene.List(graphene.NonNull(ThresholdInput))
    reminder_days_before = graphene.Int()


class UpdateOutreachSettings(OutreachMutation):
    """MSP admins: cadence per tier, health weights and thresholds (validated, all or nothing)."""

    class Arguments:
        input = OutreachSettingsInput(required=True)

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        if len(input.weights or []) > 20 or len(input.thresholds or []) > 20:
            raise ActionError.single("TOO_MANY", "Send at most 20 weights and thresholds.", "weights")
        cadence = {
            tier: value
            for tier, value in (
                ("premium", input.premium_cadence_days),
                ("standard", input.standard_cadence_days),
                ("essential", input.essential_cadence_days),
            )
            if value is not None
        }
        actions.update_settings(
            actor=info.context.user,
            change=actions.SettingsChange(
                cadence_days=cadence,
                weights={w.key: w.weight for w in input.weights or []},
                thresholds={t.key: t.value for t in input.thresholds or []},
                reminder_days_before=input.reminder_days_before,
            ),
        )
        return cls.success(ok=True)


class LogCheckInInput(graphene.InputObjectType):
    client_slug = graphene.String(required=True)
    kind = CheckInKindEnum(required=True)
    subject = graphene.String(required=True)
    notes = graphene.String()
    sentiment = SentimentEnum()
    contact_ids = graphene.List(graphene.NonNull(graphene.ID))
    held_at = graphene.DateTime(description="When it was held (default now). Leave out when planning.")
    scheduled_for = graphene.DateTime(description="Plan it for this time instead.")
    duration_minutes = graphene.Int()
    location = graphene.String()
    invite_contact_ids = graphene.List(
        graphene.NonNull(graphene.ID),
        description="Planned meetings and QBRs: send these contacts an .ics invitation.",
    )
    follow_ups = graphene.List(graphene.NonNull(FollowUpInput))
    campaign_task_id = graphene.ID()


class LogCheckIn(OutreachMutation):
    """Account managers: record a check-in held, or plan one (and invite contacts)."""

    class Arguments:
        input = LogCheckInInput(required=True)

    check_in = graphene.Field(CheckInType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        client = client_for_outreach(user, input.client_slug)
        checkin = actions.log_checkin(
            client,
            actor=user,
            data=actions.NewCheckIn(
                kind=enum_value(input.kind),
                subject=input.subject,
                notes=input.notes or "",
                sentiment=enum_value(input.sentiment) or "",
                contact_ids=decode_ids(
                    input.contact_ids, "Contact", "contactIds", limit=actions.MAX_CONTACTS
                ),
                held_at=input.held_at,
                scheduled_for=input.scheduled_for,
                duration_minutes=30 if input.duration_minutes is None else input.duration_minutes,
                location=input.location or "",
                invite_contact_ids=decode_ids(
                    input.invite_contact_ids, "Contact", "inviteContactIds", limit=actions.MAX_CONTACTS
                ),
                follow_ups=_follow_ups(input.follow_ups),
                campaign_task_id=decode_id(
                    input.campaign_task_id, "CampaignTask", "campaignTaskId", required=False
                ),
            ),
        )
        checkin = CheckIn.objects.select_related("owner").get(pk=checkin.pk)
        return cls.success(check_in=CheckInType.from_row(checkin))


class CompleteCheckInInput(graphene.InputObjectType):
    check_in_id = graphene.ID(required=True)
    notes = graphene.String()
    sentiment = SentimentEnum()
    contact_ids = graphene.List(graphene.NonNull(graphene.ID))
    follow_ups = graphene.List(graphene.NonNull(FollowUpInput))


class CompleteCheckIn(OutreachMutation):
    """A planned check-in was held: notes, who was there, sentiment, follow-ups."""

    class Arguments:
        input = CompleteCheckInInput(required=True)

    check_in = graphene.Field(CheckInType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        checkin = actions.complete_checkin(
            _checkin(user, input.check_in_id),
            actor=user,
            notes=input.notes or "",
            sentiment=enum_value(input.sentiment) or "",
            contact_ids=decode_ids(input.contact_ids, "Contact", "contactIds", limit=actions.MAX_CONTACTS),
            follow_ups=_follow_ups(input.follow_ups),
        )
        checkin = CheckIn.objects.select_related("owner").get(pk=checkin.pk)
        return cls.success(check_in=CheckInType.from_row(checkin))


class CancelCheckIn(OutreachMutation):
    """Cancel a planned check-in (invitations not yet sent are not sent)."""

    class Arguments:
        check_in_id = graphene.ID(required=True)

    check_in = graphene.Field(CheckInType)

    @classmethod
    def perform(cls, info: Any, check_in_id: str) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        checkin = actions.cancel_checkin(_checkin(user, check_in_id), actor=user)
        checkin = CheckIn.objects.select_related("owner").get(pk=checkin.pk)
        return cls.success(check_in=CheckInType.from_row(checkin))


class AddFollowUpInput(graphene.InputObjectType):
    client_slug = graphene.String(required=True)
    title = graphene.String(required=True)
    due_on = graphene.Date(required=True)
    owner_id = graphene.ID()
    detail = graphene.String()
    check_in_id = graphene.ID()


class AddFollowUp(OutreachMutation):
    """Something agreed with the client: an owner and a due date (today or later)."""

    class Arguments:
        input = AddFollowUpInput(required=True)

    follow_up = graphene.Field(FollowUpType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        client = client_for_outreach(user, input.client_slug)
        checkin = None
        if input.check_in_id:
            checkin = _checkin(user, input.check_in_id)
            if checkin.client_id != client.pk:
                raise ActionError.single("NOT_FOUND", "That check-in is of another client.", "checkInId")
        follow_up = actions.add_follow_up(
            client,
            actor=user,
            checkin=checkin,
            data=actions.NewFollowUp(
                title=input.title,
                due_on=input.due_on,
                owner_id=decode_id(input.owner_id, "StaffMember", "ownerId", required=False),
                detail=input.detail or "",
            ),
        )
        follow_up = FollowUp.objects.select_related("client", "owner").get(pk=follow_up.pk)
        return cls.success(follow_up=FollowUpType.from_row(follow_up))


class CompleteFollowUp(OutreachMutation):
    """Mark a follow-up done (or not done again)."""

    class Arguments:
        follow_up_id = graphene.ID(required=True)
        done = graphene.Boolean(default_value=True)

    follow_up = graphene.Field(FollowUpType)

    @classmethod
    def perform(cls, info: Any, follow_up_id: str, done: bool = True) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        follow_up = actions.complete_follow_up(_follow_up(user, follow_up_id), actor=user, done=done)
        follow_up = FollowUp.objects.select_related("client", "owner").get(pk=follow_up.pk)
        return cls.success(follow_up=FollowUpType.from_row(follow_up))


class CreateTicketFromFollowUp(OutreachMutation):
    """Turn a follow-up into a service-desk ticket in one step (it keeps the ticket number)."""

    class Arguments:
        follow_up_id = graphene.ID(required=True)
        requester_contact_id = graphene.ID(description="Default: the first contact of its check-in.")

    follow_up = graphene.Field(FollowUpType)

    @classmethod
    def perform(cls, info: Any, follow_up_id: str, requester_contact_id: str | None = None) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        follow_up = actions.follow_up_to_ticket(
            _follow_up(user, follow_up_id),
            actor=user,
            requester_contact_id=decode_id(
                requester_contact_id, "Contact", "requesterContactId", required=False
            ),
        )
        follow_up = FollowUp.objects.select_related("client", "owner").get(pk=follow_up.pk)
        return cls.success(follow_up=FollowUpType.from_row(follow_up))


class SegmentRuleInput(graphene.InputObjectType):
    field = graphene.String(required=True)
    values = graphene.List(graphene.NonNull(graphene.String))
    min = graphene.Int()
    max = graphene.Int()


class SaveSegmentInput(graphene.InputObjectType):
    id = graphene.ID(description="Change this segment; leave out to create one.")
    name = graphene.String(required=True)
    rules = graphene.List(graphene.NonNull(SegmentRuleInput), required=True)


class SaveSegment(OutreachMutation):
    """Admins and account managers: save a segment (rules validated; unknown field refused)."""

    class Arguments:
        input = SaveSegmentInput(required=True)

    segment = graphene.Field(SegmentType)
    client_count = graphene.Int()

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        existing = None
        if input.id:
            existing = Segment.objects.filter(pk=decode_id(input.id, "Segment", "id") or 0).first()
            if existing is None:
                raise ActionError.single("NOT_FOUND", "There is no such segment.", "id")
        rules = []
        for rule in input.rules:
            item: dict[str, Any] = {"field": rule.field}
            if rule.values is not None:
                item["values"] = list(rule.values)
            if rule.min is not None:
                item["min"] = rule.min
            if rule.max is not None:
                item["max"] = rule.max
            rules.append(item)
        segment = campaigns.save_segment(actor=user, name=input.name, rules=rules, segment=existing)
        return cls.success(
            segment=SegmentType.from_row(segment), client_count=campaigns.evaluate(segment.rules).count()
        )


class CreateCampaignInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    segment_id = graphene.ID(required=True)
    brief = graphene.String()
    due_on = graphene.Date(required=True)


class CreateCampaign(OutreachMutation):
    """Turn a segment into check-in tasks, one per client, for each client's account manager."""

    class Arguments:
        input = CreateCampaignInput(required=True)

    campaign = graphene.Field(CampaignType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        segment = Segment.objects.filter(pk=decode_id(input.segment_id, "Segment", "segmentId") or 0).first()
        if segment is None:
            raise ActionError.single("NOT_FOUND", "There is no such segment.", "segmentId")
        campaign = campaigns.create_campaign(
            actor=user, name=input.name, segment=segment, brief=input.brief or "", due_on=input.due_on
        )
        total = campaign.tasks.count()
        return cls.success(
            campaign=CampaignType(
                id=gid("Campaign", campaign.pk),
                name=campaign.name,
                brief=campaign.brief,
                segment_name=segment.name,
                due_on=campaign.due_on,
                progress=CampaignProgress(
                    total=total, pending=total, contacted=0, responded=0, follow_up_needed=0
                ),
                tasks=[],
            )
        )


class UpdateCampaignTaskInput(graphene.InputObjectType):
    task_id = graphene.ID(required=True)
    status = CampaignTaskStatusEnum(required=True)
    response = graphene.String()


class UpdateCampaignTask(OutreachMutation):
    """The account manager records a client's progress in a campaign and its response."""

    class Arguments:
        input = UpdateCampaignTaskInput(required=True)

    task = graphene.Field(CampaignTaskType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        pk = decode_id(input.task_id, "CampaignTask", "taskId") or 0
        task = (
            CampaignTask.objects.select_related("client", "assignee")
            .filter(pk=pk, client__in=outreach_clients(user))
            .first()
        )
        if task is None:
            raise ActionError.single("NOT_FOUND", "There is no such campaign task in your book.", "taskId")
        task = campaigns.update_campaign_task(
            task, actor=user, status=enum_value(input.status), response=input.response or ""
        )
        return cls.success(
            task=CampaignTaskType(
                id=gid("CampaignTask", task.pk),
                client_slug=task.client.slug,
                client_name=task.client.name,
                assignee=task.assignee,
                status=enum_value(task.status),
                response=task.response,
            )
        )


class CreateBroadcastInput(graphene.InputObjectType):
    kind = BroadcastKindEnum(required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True, description="Rich text (HTML); sanitised before it is stored.")
    segment_id = graphene.ID(description="Leave out for every client.")
    email_roles = graphene.List(graphene.NonNull(ClientRoleEnum), description="E-mail these roles too.")
    publish_at = graphene.DateTime(description="Leave out to publish now.")


class CreateBroadcast(OutreachMutation):
    """Admins and account managers: a how-to or announcement to every client or a segment."""

    class Arguments:
        input = CreateBroadcastInput(required=True)

    broadcast = graphene.Field(BroadcastType)

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        segment = None
        if input.segment_id:
            segment = Segment.objects.filter(
                pk=decode_id(input.segment_id, "Segment", "segmentId") or 0
            ).first()
            if segment is None:
                raise ActionError.single("NOT_FOUND", "There is no such segment.", "segmentId")
        broadcast = broadcast_actions.create_broadcast(
            actor=user,
            data=broadcast_actions.NewBroadcast(
                kind=enum_value(input.kind),
                title=input.title,
                body=input.body,
                segment=segment,
                email_roles=tuple(enum_value(r) for r in input.email_roles or []),
                publish_at=input.publish_at,
            ),
        )
        return cls.success(
            broadcast=BroadcastType.from_row(broadcast, staff=True, audience=broadcast.audience.count())
        )


class SuggestBroadcasts(OutreachMutation):
    """A client user typing a new request's title: matching broadcasts and how-tos."""

    class Arguments:
        client_slug = graphene.String()
        title = graphene.String(required=True)

    suggestions = graphene.Field(SuggestionType)

    @classmethod
    def perform(cls, info: Any, title: str, client_slug: str | None = None) -> Any:
        client = resolve_client(info.context, client_slug)
        suggestion, found = broadcast_actions.suggest(client, info.context.user, title)
        return cls.success(
            suggestions=SuggestionType(
                suggestion_id=str(suggestion.pk) if suggestion else None,
                broadcasts=[BroadcastType.from_row(b, staff=False) for b in found],
            )
        )


class RecordSuggestionOutcome(OutreachMutation):
    """What happened after the suggestions: solved (by which), abandoned, submitted anyway."""

    class Arguments:
        suggestion_id = graphene.ID(required=True)
        outcome = SuggestionOutcomeEnum(required=True)
        broadcast_id = graphene.ID()

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info: Any, suggestion_id: str, outcome: Any, broadcast_id: str | None = None) -> Any:
        import uuid

        try:
            key = uuid.UUID(suggestion_id)
        except ValueError:
            raise ActionError.single(
                "NOT_FOUND", "There is no such suggestion of yours.", "suggestionId"
            ) from None
        broadcast_actions.record_outcome(
            key,
            user=info.context.user,
            outcome=enum_value(outcome),
            broadcast_id=decode_id(broadcast_id, "Broadcast", "broadcastId", required=False),
        )
        return cls.success(ok=True)


class RequestQbr(OutreachMutation):
    """The account manager: build the client's QBR pack (default: the last full quarter)."""

    class Arguments:
        client_slug = graphene.String(required=True)
        period_start = graphene.Date()
        period_end = graphene.Date()

    report = graphene.Field(QbrReportType)

    @classmethod
    def perform(cls, info: Any, client_slug: str, period_start: Any = None, period_end: Any = None) -> Any:
        user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
        client = client_for_outreach(user, client_slug)
        report = qbr_actions.request_qbr(client, actor=user, period_start=period_start, period_end=period_end)
        return cls.success(report=QbrReportType.from_row(report))


class OutreachMutations(graphene.ObjectType):
    assign_account_manager = AssignAccountManager.Field(required=True)
    set_check_in_cadence = SetCheckInCadence.Field(required=True)
    update_outreach_settings = UpdateOutreachSettings.Field(required=True)
    log_check_in = LogCheckIn.Field(required=True)
    complete_check_in = CompleteCheckIn.Field(required=True)
    cancel_check_in = CancelCheckIn.Field(required=True)
    add_follow_up = AddFollowUp.Field(required=True)
    complete_follow_up = CompleteFollowUp.Field(required=True)
    create_ticket_from_follow_up = CreateTicketFromFollowUp.Field(required=True)
    save_segment = SaveSegment.Field(required=True)
    create_campaign = CreateCampaign.Field(required=True)
    update_campaign_task = UpdateCampaignTask.Field(required=True)
    create_broadcast = CreateBroadcast.Field(required=True)
    suggest_broadcasts = SuggestBroadcasts.Field(required=True)
    record_suggestion_outcome = RecordSuggestionOutcome.Field(required=True)
    request_qbr = RequestQbr.Field(required=True)
