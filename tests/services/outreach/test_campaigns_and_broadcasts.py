"""Segments, campaigns, broadcasts (safe HTML, each recipient once), suggestions and
deflection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from services.outreach import broadcasts
from services.outreach.models import (
    Broadcast,
    BroadcastDelivery,
    Campaign,
    CampaignTask,
    Segment,
    Suggestion,
)
from services.outreach.tasks import publish_due_broadcasts_task
from tenants.models import Client, ClientRole, Membership

SAVE = """
mutation($input: SaveSegmentInput!) {
  saveSegment(input: $input) { segment { id name rules { field values min max } } clientCount errors { field code } }
}
"""


def _segment(gql, world, rules, name="Healthcare"):
    return gql(world.account_manager).data(SAVE, {"input": {"name": name, "rules": rules}})["saveSegment"]


def test_a_segment_is_saved_and_evaluated_live(world, gql):
    payload = _segment(gql, world, [{"field": "industry", "values": ["healthcare"]}])
    assert payload["errors"] == [] and payload["clientCount"] == 1
    segment_id = payload["segment"]["id"]
    query = "query($id: ID!) { segmentClients(segmentId: $id) { slug } }"
    assert gql(world.account_manager).data(query, {"id": segment_id})["segmentClients"] == [{"slug": "alpha"}]
    Client.objects.filter(pk=world.b.pk).update(industry="healthcare")
    assert len(gql(world.account_manager).data(query, {"id": segment_id})["segmentClients"]) == 2


@pytest.mark.parametrize(
    ("rules", "field", "code"),
    [
        ([{"field": "revenue", "values": ["big"]}], "rules.0.field", "UNKNOWN_FIELD"),
        ([{"field": "industry", "values": ["space"]}], "rules.0.values", "INVALID"),
        ([{"field": "industry", "values": []}], "rules.0.values", "INVALID"),
        ([{"field": "size", "min": 10, "max": 2}], "rules.0", "INVALID"),
        ([{"field": "services", "values": ["backup"]}], "rules.0.values", "INVALID"),
    ],
)
def test_bad_segment_rules_are_typed_errors(world, gql, rules, field, code):
    payload = _segment(gql, world, rules)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert not Segment.objects.exists()


def test_services_taken_are_the_service_lines_of_running_contract_lines(world):
    """Services come from billing's public contract lines (never a loop over client schemas):
    only lines running today, of a contract running today, count."""
    from datetime import timedelta
    from decimal import Decimal

    from billing.models import Contract, ContractLine
    from services.outreach.campaigns import clean_rules, evaluate

    today = timezone.localdate()
    current = Contract.objects.create(client=world.a, name="Managed", starts_on=today - timedelta(days=90))
    ContractLine.objects.create(
        contract=current,
        client=world.a,
        pricing_model="flat",
        service_line="security",
        description="EDR",
        unit_price=Decimal(10),
        starts_on=today - timedelta(days=30),
    )
    ContractLine.objects.create(
        contract=current,
        client=world.a,
        pricing_model="flat",
        service_line="infrastructure",
        description="Backup (ended)",
        unit_price=Decimal(10),
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=1),
    )
    ended = Contract.objects.create(
        client=world.b, name="Old", starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=100)
    )
    ContractLine.objects.create(
        contract=ended,
        client=world.b,
        pricing_model="flat",
        service_line="security",
        description="EDR",
        unit_price=Decimal(10),
        starts_on=today - timedelta(days=400),
    )

    def slugs(values):
        return list(
            evaluate(clean_rules([{"field": "services", "values": values}])).values_list("slug", flat=True)
        )

    assert slugs(["security"]) == ["alpha"]  # B's line belongs to a contract that has ended
    assert slugs(["infrastructure"]) == []  # A's backup line ended yesterday
    assert slugs(["security", "infrastructure"]) == ["alpha"]
    assert clean_rules([{"field": "services", "values": ["security", "security"]}]) == [
        {"field": "services", "values": ["security"]}
    ]


def test_size_tier_location_and_health_band_rules(world):
    from services.outreach.campaigns import clean_rules, evaluate

    Client.objects.filter(pk=world.a.pk).update(timezone="Europe/London", tier="premium")
    rules = clean_rules(
        [
            {"field": "location", "values": ["Europe/"]},
            {"field": "tier", "values": ["premium"]},
            {"field": "size", "min": 2},
            {"field": "healthBand", "values": ["noData"]},
        ]
    )
    assert list(evaluate(rules).values_list("slug", flat=True)) == ["alpha"]
    assert not evaluate(clean_rules([{"field": "size", "min": 3}])).exists()


CAMPAIGN = """
mutation($input: CreateCampaignInput!) {
  createCampaign(input: $input) { campaign { id progress { total pending } } errors { field code } }
}
"""


def test_a_campaign_turns_a_segment_into_tasks_for_each_account_manager(world, gql):
    segment_id = _segment(gql, world, [{"field": "status", "values": ["active"]}], name="All")["segment"][
        "id"
    ]
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    payload = gql(world.admin).data(
        CAMPAIGN, {"input": {"name": "Remote-work readiness", "segmentId": segment_id, "dueOn": due}}
    )["createCampaign"]
    assert payload["errors"] == [] and payload["campaign"]["progress"] == {"total": 2, "pending": 2}
    tasks = CampaignTask.objects.order_by("client__slug")
    assert [t.assignee_id for t in tasks] == [world.account_manager.pk] * 2
    # Progress: a check-in for the task marks it contacted; the AM records the response.
    from services.outreach import actions

    actions.log_checkin(
        world.a,
        actor=world.account_manager,
        data=actions.NewCheckIn(kind="call", subject="Readiness", campaign_task_id=tasks[0].pk),
    )
    update = """mutation($input: UpdateCampaignTaskInput!) {
      updateCampaignTask(input: $input) { task { status response } errors { field code } } }"""
    graphql = gql(world.account_manager)
    refused = graphql.data(update, {"input": {"taskId": str(tasks[1].pk), "status": "RESPONDED"}})
    assert refused["updateCampaignTask"]["errors"] == [{"field": "response", "code": "REQUIRED"}]
    done = graphql.data(
        update, {"input": {"taskId": str(tasks[1].pk), "status": "RESPONDED", "response": "All on VPN"}}
    )["updateCampaignTask"]
    assert done["task"] == {"status": "RESPONDED", "response": "All on VPN"}
    listed = graphql.data(
        "{ campaigns { name progress { contacted responded } tasks { clientSlug status } } }"
    )
    assert listed["campaigns"][0]["progress"] == {"contacted": 1, "responded": 1}


def test_a_campaign_of_an_empty_segment_or_in_the_past_is_refused(world, gql):
    segment_id = _segment(gql, world, [{"field": "industry", "values": ["retail"]}], name="Retail")[
        "segment"
    ]["id"]
    due = (timezone.localdate() + timedelta(days=1)).isoformat()
    payload = gql(world.admin).data(CAMPAIGN, {"input": {"name": "X", "segmentId": segment_id, "dueOn": due}})
    assert payload["createCampaign"]["errors"] == [{"field": "segmentId", "code": "EMPTY_SEGMENT"}]
    past = gql(world.admin).data(
        CAMPAIGN, {"input": {"name": "X", "segmentId": segment_id, "dueOn": "2020-01-01"}}
    )
    assert past["createCampaign"]["errors"][0]["code"] == "IN_THE_PAST"
    assert not Campaign.objects.exists()


BROADCAST = """
mutation($input: CreateBroadcastInput!) {
  createBroadcast(input: $input) { broadcast { id bodyHtml audienceSize publishedAt } errors { field code } }
}
"""


def test_broadcast_html_is_sanitised(world, gql):
    body = (
        '<p onclick="steal()">Reset your <strong>VPN</strong> password</p>'
        "<script>alert(document.cookie)</script>"
        '<a href="javascript:alert(1)">x</a><a href="https://help.example/vpn">guide</a><img src=x onerror=alert(1)>'
    )
    payload = gql(world.account_manager).data(
        BROADCAST, {"input": {"kind": "HOWTO", "title": "VPN password reset", "body": body}}
    )["createBroadcast"]
    assert payload["errors"] == []
    html = payload["broadcast"]["bodyHtml"]
    for unsafe in ("script", "alert", "onclick", "onerror", "javascript:", "<img"):
        assert unsafe not in html
    assert "<strong>VPN</strong>" in html and 'href="https://help.example/vpn"' in html
    assert 'rel="noopener noreferrer"' in html
    assert payload["broadcast"]["audienceSize"] == 2


def test_only_script_is_no_broadcast(world, gql):
    payload = gql(world.account_manager).data(
        BROADCAST, {"input": {"kind": "ANNOUNCEMENT", "title": "x", "body": "<script>alert(1)</script>"}}
    )["createBroadcast"]
    assert payload["errors"] == [{"field": "body", "code": "REQUIRED"}]
    assert not Broadcast.objects.exists()


def test_a_broadcast_to_an_empty_segment_is_refused(world, gql):
    segment = Segment.objects.create(name="Retail", rules=[{"field": "industry", "values": ["retail"]}])
    payload = gql(world.account_manager).data(
        BROADCAST,
        {
            "input": {
                "kind": "ANNOUNCEMENT",
                "title": "Sale",
                "body": "<p>Hi</p>",
                "segmentId": str(segment.pk),
            }
        },
    )["createBroadcast"]
    assert payload["errors"] == [{"field": "segmentId", "code": "EMPTY_SEGMENT"}]
    assert not Broadcast.objects.exists()


def test_a_broadcast_is_emailed_to_chosen_roles_each_recipient_once(
    world, gql, eager_tasks, django_capture_on_commit_callbacks
):
    # The IT lead of A is also a member of B: one e-mail, not two.
    Membership.objects.create(user=world.a_lead, client=world.b, role=ClientRole.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        payload = gql(world.account_manager).data(
            BROADCAST,
            {
                "input": {
                    "kind": "ANNOUNCEMENT",
                    "title": "Maintenance Saturday",
                    "body": "<p>Mail is down 2–4 am.</p>",
                    "emailRoles": ["IT_LEAD", "MEMBER"],
                }
            },
        )["createBroadcast"]
    assert payload["errors"] == []
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        [world.a_lead.email, world.a_member.email, world.b_lead.email, world.b_member.email]
    )
    assert BroadcastDelivery.objects.count() == 4
    broadcasts.send_broadcast_emails()
    assert len(mail.outbox) == 4
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert "<p>Mail is down" in str(message.alternatives[0][0])


def test_a_scheduled_broadcast_is_published_by_beat(world, gql):
    later = timezone.now() + timedelta(hours=1)
    gql(world.account_manager).data(
        BROADCAST,
        {
            "input": {
                "kind": "ANNOUNCEMENT",
                "title": "Soon",
                "body": "<p>x</p>",
                "publishAt": later.isoformat(),
            }
        },
    )
    broadcast = Broadcast.objects.get()
    assert broadcast.published_at is None and not broadcast.audience.exists()
    assert publish_due_broadcasts_task.apply().get() == 0
    Broadcast.objects.update(publish_at=timezone.now() - timedelta(seconds=1))
    assert publish_due_broadcasts_task.apply().get() == 1
    assert broadcast.audience.count() == 2
    assert publish_due_broadcasts_task.apply().get() == 0


def test_client_users_see_broadcasts_addressed_to_them_only(world, gql):
    b_only = Segment.objects.create(name="Legal", rules=[{"field": "industry", "values": ["legal"]}])
    broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(
            kind="announcement", title="Bravo secret outage", body="<p>x</p>", segment=b_only
        ),
    )
    broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(kind="announcement", title="For all", body="<p>y</p>"),
    )
    seen = gql(world.a_lead, host=world.a).data(
        "{ broadcasts { title segmentName deflection { suggested } } }"
    )
    assert seen["broadcasts"] == [{"title": "For all", "segmentName": None, "deflection": None}]
    assert [b.title for b in broadcasts.broadcasts_for(world.a, world.a_lead)] == ["For all"]
    assert list(broadcasts.broadcasts_for(world.b, world.a_lead)) == []


SUGGEST = """
mutation($title: String!) {
  suggestBroadcasts(title: $title) { suggestions { suggestionId broadcasts { id title } } errors { code } }
}
"""
OUTCOME = """
mutation($id: ID!, $outcome: SuggestionOutcome!, $b: ID) {
  recordSuggestionOutcome(suggestionId: $id, outcome: $outcome, broadcastId: $b) { ok errors { field code } }
}
"""


def test_suggestions_by_full_text_search_and_deflection_per_broadcast(world, gql):
    vpn = broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(
            kind="howto",
            title="Resetting your VPN password",
            body="<p>Open the VPN client, choose reset.</p>",
        ),
    )
    broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(kind="howto", title="Printer drivers", body="<p>Install drivers.</p>"),
    )
    graphql = gql(world.a_member, host=world.a)
    first = graphql.data(SUGGEST, {"title": "Can't connect to VPN"})["suggestBroadcasts"]["suggestions"]
    assert [b["title"] for b in first["broadcasts"]] == ["Resetting your VPN password"]
    solved = graphql.data(
        OUTCOME, {"id": first["suggestionId"], "outcome": "SOLVED", "b": first["broadcasts"][0]["id"]}
    )["recordSuggestionOutcome"]
    assert solved == {"ok": True, "errors": []}
    second = graphql.data(SUGGEST, {"title": "vpn resets"})["suggestBroadcasts"]["suggestions"]
    graphql.data(OUTCOME, {"id": second["suggestionId"], "outcome": "ABANDONED"})
    third = graphql.data(SUGGEST, {"title": "VPN broken again"})["suggestBroadcasts"]["suggestions"]
    graphql.data(OUTCOME, {"id": third["suggestionId"], "outcome": "SUBMITTED"})
    # Recorded once: a different answer afterwards is refused.
    again = graphql.data(OUTCOME, {"id": third["suggestionId"], "outcome": "SOLVED", "b": str(vpn.pk)})
    assert again["recordSuggestionOutcome"]["errors"][0]["code"] == "INVALID_STATE"
    # Someone else's suggestion id opens nothing.
    other = gql(world.a_lead, host=world.a).data(
        OUTCOME, {"id": first["suggestionId"], "outcome": "ABANDONED"}
    )
    assert other["recordSuggestionOutcome"]["errors"][0]["code"] == "NOT_FOUND"
    stats = broadcasts.deflection([vpn.pk])[vpn.pk]
    assert (stats.shown, stats.solved, stats.abandoned, stats.submitted, stats.rate) == (3, 1, 1, 1, 0.667)
    staff = gql(world.account_manager).data("{ broadcasts { title deflection { suggested solved rate } } }")
    assert {
        "title": "Resetting your VPN password",
        "deflection": {"suggested": 3, "solved": 1, "rate": 0.667},
    } in staff["broadcasts"]
    nothing = graphql.data(SUGGEST, {"title": "!!!"})["suggestBroadcasts"]["suggestions"]
    assert nothing == {"suggestionId": None, "broadcasts": []}
    assert Suggestion.objects.count() == 3
