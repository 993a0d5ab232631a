"""Mutations of security: one per use case, each calling one action in the client's schema."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import graphene

from core.errors import ActionError
from core.graphql.ids import decode_id, decode_ids
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value, idempotency_key_argument
from core.idempotency import IDEMPOTENCY_KEY_MAX
from services.security import actions, phishing_actions
from services.security.graphql.types import (
    IncidentKindEnum,
    IncidentStatusEnum,
    PhishingCampaignType,
    PhishingReportType,
    PhishingVerdictEnum,
    SecurityError,
    SecurityIncidentType,
    SecurityResponsePolicyType,
    SeverityEnum,
    load_campaign_view,
    load_incident_view,
    policy_view,
    report_rows,
)
from services.security.models import PhishingCampaign, PhishingReport
from services.security.policy import response_policy
from services.support.graphql.mutations import ClientRecordMutation, record_arguments
from tenants.models import Client, User
from tenants.request_scope import client_schema

TITLE_MAX = actions.MAX_TITLE
BODY_MAX = actions.MAX_BODY


def source_max() -> int:
    return phishing_actions.max_message_bytes()


class SecurityIncidentPayload(graphene.ObjectType):
    incident = graphene.Field(SecurityIncidentType, description="The incident as you may see it now.")
    errors = graphene.List(graphene.NonNull(SecurityError), required=True)


class IncidentMutation(ClientRecordMutation):
    """A change to one incident: `act(client, user, **data)` in its schema, answered with it."""

    class Meta:
        abstract = True

    default_error_type = SecurityError
    Output = SecurityIncidentPayload
    max_lengths: ClassVar[dict[str, int]] = {
        "clientSlug": 63,
        "title": TITLE_MAX,
        "description": BODY_MAX,
        "body": BODY_MAX,
        "note": BODY_MAX,
        "idempotencyKey": IDEMPOTENCY_KEY_MAX,
    }

    record_field = "incident"
    load_view = staticmethod(load_incident_view)


incident_arguments = record_arguments


class CreateSecurityIncidentInput(graphene.InputObjectType):
    client_slug = graphene.String()
    title = graphene.String(required=True)
    description = graphene.String()
    kind = IncidentKindEnum(required=True)
    severity = SeverityEnum(required=True)
    affected_contact_ids = graphene.List(graphene.NonNull(graphene.ID), description="Contacts affected.")
    affected_device_ids = graphene.List(graphene.NonNull(graphene.ID), description="Devices affected.")
    assignee_id = graphene.ID(description="Staff only: a StaffMember id.")
    idempotency_key = idempotency_key_argument()


class CreateSecurityIncident(IncidentMutation):
    """Staff or the client's IT lead: open a security incident; its three clocks start."""

    class Arguments:
        input = CreateSecurityIncidentInput(required=True)

    @classmethod
    def perform(cls, info: Any, *args: Any, **data: Any) -> Any:
        return super().perform(info, client_slug=data["input"].client_slug, input=data["input"])

    @classmethod
    def act(cls, client: Client, user: User, input: Any) -> Any:  # type: ignore[override]
        data = actions.NewIncident(
            title=input.title or "",
            description=input.description or "",
            kind=enum_value(input.kind),
            severity=enum_value(input.severity),
            affected_contact_ids=decode_ids(
                input.affected_contact_ids, "Contact", "affectedContactIds", limit=200
            ),
            affected_device_ids=decode_ids(
                input.affected_device_ids, "Device", "affectedDeviceIds", limit=200
            ),
            assignee_id=decode_id(input.assignee_id, "StaffMember", "assigneeId", required=False),
        )
        return actions.create_incident(client, data, actor=user, idempotency_key=input.idempotency_key)


class ChangeSecurityIncidentStatus(IncidentMutation):
    """Staff: acknowledge, contain, resolve, close or reopen (to acknowledged), with a note."""

    Arguments = incident_arguments(status=IncidentStatusEnum(required=True), note=graphene.String())

    @classmethod
    def act(cls, client: Client, user: User, number: int, status: Any, note: str | None = None) -> Any:  # type: ignore[override]
        return actions.change_status(client, number, actor=user, status=enum_value(status), note=note or "")


class ChangeSecurityIncidentSeverity(IncidentMutation):
    """Staff: re-assess the severity (time already used survives)."""

    Arguments = incident_arguments(severity=SeverityEnum(required=True))

    @classmethod
    def act(cls, client: Client, user: User, number: int, severity: Any) -> Any:  # type: ignore[override]
        return actions.change_severity(client, number, actor=user, severity=enum_value(severity))


class AssignSecurityIncident(IncidentMutation):
    """Staff: give the incident to a technician who reaches the client (omit to unassign)."""

    Arguments = incident_arguments(assignee_id=graphene.ID())

    @classmethod
    def act(cls, client: Client, user: User, number: int, assignee_id: str | None = None) -> Any:  # type: ignore[override]
        pk = decode_id(assignee_id, "StaffMember", "assigneeId", required=False)
        return actions.assign_incident(client, number, actor=user, assignee_id=pk)


class AddSecurityIncidentNote(IncidentMutation):
    """A note on the timeline (internal notes: staff only)."""

    Arguments = incident_arguments(body=graphene.String(required=True), internal=graphene.Boolean())

    @classmethod
    def act(cls, client: Client, user: User, number: int, body: str, internal: bool | None = False) -> Any:  # type: ignore[override]
        return actions.add_note(client, number, actor=user, body=body, internal=bool(internal))


class SetSecurityIncidentAffected(IncidentMutation):
    """Staff: the people and devices affected (replaces both lists)."""

    Arguments = incident_arguments(
        contact_ids=graphene.List(graphene.NonNull(graphene.ID), required=True),
        device_ids=graphene.List(graphene.NonNull(graphene.ID), required=True),
    )

    @classmethod
    def act(cls, client: Client, user: User, number: int, contact_ids: Any, device_ids: Any) -> Any:  # type: ignore[override]
        return actions.set_affected(
            client,
            number,
            actor=user,
            contact_ids=decode_ids(contact_ids, "Contact", "contactIds", limit=200),
            device_ids=decode_ids(device_ids, "Device", "deviceIds", limit=200),
        )


# ------------------------------------------------------------------------- phishing


class EmlFileInput(graphene.InputObjectType):
    filename = graphene.String(required=True)
    data_base64 = graphene.String(required=True)


class ReportPhishingInput(graphene.InputObjectType):
    client_slug = graphene.String()
    source = graphene.String(description="The message's full source (headers and body), pasted.")
    file = graphene.Field(EmlFileInput, description="Or the message saved as an .eml file.")
    comment = graphene.String()
    reporter_contact_id = graphene.ID(description="Staff only: the contact who received the message.")
    idempotency_key = idempotency_key_argument()


class PhishingReportPayload(graphene.ObjectType):
    report = graphene.Field(PhishingReportType)
    errors = graphene.List(graphene.NonNull(SecurityError), required=True)


class ReportPhishing(BaseMutation):
    """A client user reports a suspicious message: paste its source or upload the .eml.
    It is parsed (never rendered) and grouped with other reports of the same campaign."""

    class Arguments:
        input = ReportPhishingInput(required=True)

    class Meta:
        error_type = SecurityError

    Output = PhishingReportPayload
    max_lengths: ClassVar[dict[str, int]] = {
        "clientSlug": 63,
        "comment": phishing_actions.MAX_COMMENT,
        "file.filename": 255,
        "idempotencyKey": IDEMPOTENCY_KEY_MAX,
        # The edge lets through what the action's byte limit could accept; the action refuses
        # larger messages with TOO_LARGE (a clearer answer than TOO_LONG).
        "source": 5 * 5_000_000,
        "file.dataBase64": math.ceil(5 * 5_000_000 * 4 / 3) + 4,
    }

    @classmethod
    def perform(cls, info: Any, *args: Any, input: Any) -> Any:
        source, upload = input.source, input.file
        if bool(source) == bool(upload):
            raise ActionError.single(
                "REQUIRED", "Paste the message source or upload the .eml file (one of them).", "source"
            )
        if upload is not None:
            name = (upload.filename or "").strip().lower()
            if not name.endswith((".eml", ".txt")):
                # Outlook's .msg is a binary container, not a message: ask for the .eml.
                raise ActionError.single(
                    "UNSUPPORTED_TYPE",
                    "Upload the message as an .eml file (in Outlook: File → Save as → .eml) "
                    "or paste its source.",
                    "file",
                )
            raw, field = phishing_actions.decode_upload(upload.data_base64), "file"
        else:
            raw, field = source.encode("utf-8", errors="surrogateescape"), "source"
        with client_schema(info.context, input.client_slug) as client:
            report = phishing_actions.report_phishing(
                client,
                actor=info.context.user,
                raw=raw,
                comment=input.comment or "",
                reporter_contact_id=decode_id(
                    input.reporter_contact_id, "Contact", "reporterContactId", required=False
                ),
                field=field,
                idempotency_key=input.idempotency_key,
            )
            return cls.success(report=report_rows(PhishingReport.objects.filter(pk=report.pk)).get())


class PhishingCampaignPayload(graphene.ObjectType):
    campaign = graphene.Field(PhishingCampaignType)
    errors = graphene.List(graphene.NonNull(SecurityError), required=True)


class TriagePhishingCampaign(BaseMutation):
    """Staff: handle a campaign as a security incident (new, or an existing one) or mark it safe.
    Every reporter is told."""

    class Arguments:
        client_slug = graphene.String()
        campaign_id = graphene.ID(required=True)
        verdict = PhishingVerdictEnum(required=True)
        note = graphene.String()
        severity = SeverityEnum(description="For a new incident (default medium).")
        title = graphene.String(description="For a new incident (default: 'Phishing: <subject>').")
        incident_number = graphene.Int(description="Add the reports to this existing incident instead.")

    class Meta:
        error_type = SecurityError

    Output = PhishingCampaignPayload
    max_lengths: ClassVar[dict[str, int]] = {"clientSlug": 63, "note": BODY_MAX, "title": TITLE_MAX}

    @classmethod
    def perform(
        cls,
        info: Any,
        *args: Any,
        campaign_id: str,
        verdict: Any,
        client_slug: str | None = None,
        note: str | None = None,
        severity: Any = None,
        title: str | None = None,
        incident_number: int | None = None,
    ) -> Any:
        pk = decode_id(campaign_id, "PhishingCampaign", "campaignId")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            campaign = phishing_actions.triage_campaign(
                client,
                pk,
                phishing_actions.Triage(
                    verdict=enum_value(verdict),
                    note=note or "",
                    severity=enum_value(severity) or "medium",
                    title=title or "",
                    incident_number=incident_number,
                ),
                actor=info.context.user,
            )
            return cls.success(
                campaign=load_campaign_view(
                    PhishingCampaign.objects.select_related("incident").get(pk=campaign.pk)
                )
            )


# ------------------------------------------------------------------- response policy


class SecurityResponseTargetInput(graphene.InputObjectType):
    severity = SeverityEnum(required=True)
    acknowledge_minutes = graphene.Int(description="Empty: no target (never 0).")
    contain_minutes = graphene.Int()
    resolve_minutes = graphene.Int()
    around_the_clock = graphene.Boolean(required=True)


class SecurityResponsePolicyPayload(graphene.ObjectType):
    policy = graphene.Field(SecurityResponsePolicyType)
    errors = graphene.List(graphene.NonNull(SecurityError), required=True)


class SaveSecurityResponseTargets(BaseMutation):
    """MSP admins and account managers: the client's own targets for the severities given
    (the others keep theirs); running clocks of open incidents follow at once."""

    class Arguments:
        client_slug = graphene.String()
        targets = graphene.List(graphene.NonNull(SecurityResponseTargetInput), required=True)

    class Meta:
        error_type = SecurityError

    Output = SecurityResponsePolicyPayload
    max_lengths: ClassVar[dict[str, int]] = {"clientSlug": 63}

    @classmethod
    def perform(cls, info: Any, *args: Any, targets: Any, client_slug: str | None = None) -> Any:
        if len(targets) > 4:
            raise ActionError.single("TOO_MANY", "Give each of the four severities at most once.", "targets")
        with client_schema(info.context, client_slug) as client:
            actions.save_response_targets(
                client,
                [
                    actions.TargetInput(
                        severity=enum_value(t.severity),
                        acknowledge_minutes=t.acknowledge_minutes,
                        contain_minutes=t.contain_minutes,
                        resolve_minutes=t.resolve_minutes,
                        around_the_clock=bool(t.around_the_clock),
                    )
                    for t in targets
                ],
                actor=info.context.user,
            )
            return cls.success(policy=policy_view(response_policy(client)))


class ResetSecurityResponseTargets(BaseMutation):
    """MSP admins and account managers: back to the MSP's default targets."""

    class Arguments:
        client_slug = graphene.String()

    class Meta:
        error_type = SecurityError

    Output = SecurityResponsePolicyPayload
    max_lengths: ClassVar[dict[str, int]] = {"clientSlug": 63}

    @classmethod
    def perform(cls, info: Any, *args: Any, client_slug: str | None = None) -> Any:
        with client_schema(info.context, client_slug) as client:
            actions.reset_response_targets(client, actor=info.context.user)
            return cls.success(policy=policy_view(response_policy(client)))


class SecurityMutation(graphene.ObjectType):
    create_security_incident = CreateSecurityIncident.Field(required=True)
    change_security_incident_status = ChangeSecurityIncidentStatus.Field(required=True)
    change_security_incident_severity = ChangeSecurityIncidentSeverity.Field(required=True)
    assign_security_incident = AssignSecurityIncident.Field(required=True)
    add_security_incident_note = AddSecurityIncidentNote.Field(required=True)
    set_security_incident_affected = SetSecurityIncidentAffected.Field(required=True)
    report_phishing = ReportPhishing.Field(required=True)
    triage_phishing_campaign = TriagePhishingCampaign.Field(required=True)
    save_security_response_targets = SaveSecurityResponseTargets.Field(required=True)
    reset_security_response_targets = ResetSecurityResponseTargets.Field(required=True)
