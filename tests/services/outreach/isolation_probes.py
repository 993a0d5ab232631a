"""Isolation probes of outreach's root fields (used by tests/tenants/test_isolation.py).

Outsiders of client B: A's people on every host, the technician limited to A, anonymous
callers, every technician (outreach is account management's), and an account manager
whose book doesn't hold B. None of them sees or changes anything of B's outreach.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from services.outreach import actions, broadcasts
from services.outreach.models import (
    Broadcast,
    Campaign,
    CampaignTask,
    CheckIn,
    ClientOutreach,
    FollowUp,
    OutreachSettings,
    QbrReport,
    Segment,
    Suggestion,
)
from tenants.models import Client, MspRole, User
from tests.conftest import PASSWORD, GraphQLClient

SECRET = "Bravo secret outage"


def _other_manager() -> GraphQLClient:
    user = User.objects.create_user(
        "am-probe@msp.test", PASSWORD, full_name="Probe Manager", msp_role=MspRole.ACCOUNT_MANAGER
    )
    graphql = GraphQLClient()
    graphql.http.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="probe", confirmed=True)
    session = graphql.http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return graphql


def _outsiders(world, gql, *, book: bool = True) -> list[GraphQLClient]:
    """`book`: records of B's account manager's book (check-ins, health, follow-ups, campaign
    tasks), which another account manager doesn't see either. Segments, campaigns and
    broadcasts are the MSP's own, shared by its account managers (who reach every client)."""
    from tests.tenants.test_isolation import outsiders

    staff = [gql(world.technician), _other_manager()] if book else [gql(world.technician)]
    return [*outsiders(world, gql), gql(world.a_lead), *staff]


def _b_outreach(world) -> dict[str, object]:
    """B's outreach records, made through the actions by B's account manager."""
    checkin = actions.log_checkin(
        world.b,
        actor=world.account_manager,
        data=actions.NewCheckIn(kind="call", subject=SECRET, notes=SECRET, sentiment="negative"),
    )
    follow_up = actions.add_follow_up(
        world.b,
        actor=world.account_manager,
        data=actions.NewFollowUp(title=SECRET, due_on=timezone.localdate() + timedelta(days=2)),
    )
    segment = Segment.objects.create(name=SECRET, rules=[{"field": "industry", "values": ["legal"]}])
    campaign = Campaign.objects.create(name=SECRET, segment=segment, due_on=timezone.localdate())
    task = CampaignTask.objects.create(campaign=campaign, client=world.b, assignee=world.account_manager)
    broadcast = broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(
            kind="howto", title=SECRET, body=f"<p>{SECRET} vpn</p>", segment=segment
        ),
    )
    report = QbrReport.objects.create(
        client=world.b,
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        requested_by=world.admin,
    )
    ClientOutreach.objects.filter(client=world.b).update(
        health_score=12,
        health_explanation=[
            {
                "key": "sentiment",
                "label": "Sentiment",
                "source": "outreach",
                "rule": "r",
                "weight": 10,
                "hasData": True,
                "value": 0.0,
                "display": SECRET,
                "subscore": 0.0,
                "contribution": 12.0,
            }
        ],
    )
    return {
        "checkin": checkin.pk,
        "follow_up": follow_up.pk,
        "segment": segment.pk,
        "campaign": campaign.pk,
        "task": task.pk,
        "broadcast": broadcast.pk,
        "report": str(report.pk),
    }


def _state(world) -> object:
    return (
        list(CheckIn.objects.order_by("pk").values_list("client_id", "status", "notes", "sentiment")),
        list(FollowUp.objects.order_by("pk").values_list("client_id", "title", "done_at", "ticket_number")),
        list(
            ClientOutreach.objects.order_by("pk").values_list(
                "client_id", "cadence_override_days", "health_score"
            )
        ),
        list(Segment.objects.order_by("pk").values_list("name", "rules")),
        list(Campaign.objects.order_by("pk").values_list("name")),
        list(CampaignTask.objects.order_by("pk").values_list("status", "response")),
        list(Broadcast.objects.order_by("pk").values_list("title")),
        list(QbrReport.objects.order_by("pk").values_list("client_id", "status")),
        list(Suggestion.objects.values_list("pk")),
        Client.objects.get(pk=world.b.pk).account_manager_id,
        OutreachSettings.current().premium_cadence_days,
    )


def _no_secret(result: object) -> None:
    text = json.dumps(result)
    assert SECRET not in text and "Bravo Legal" not in text, text[:400]


def query_probe(query: str, *, book: bool = True) -> Callable:
    def probe(world, gql):
        ids = _b_outreach(world)
        text = query.format(**ids)
        for graphql in _outsiders(world, gql, book=book):
            _no_secret(graphql.execute(text))
        # The probe can see a leak: B's account manager does see B.
        if "clientSlug" in query or "outreachBoard" in query:
            assert SECRET in json.dumps(gql(world.account_manager).execute(text)) or "qbr" in query.lower()

    return probe


def mutation_probe(mutation: str, *, book: bool = True) -> Callable:
    def probe(world, gql):
        ids = _b_outreach(world)
        before = _state(world)
        text = mutation.format(**ids)
        for graphql in _outsiders(world, gql, book=book):
            result = graphql.execute(text)
            _no_secret(result)
            payload = next(iter((result.get("data") or {}).values()), None)
            assert payload is None or payload["errors"], result
        assert _state(world) == before

    return probe


def _suggest_probe(world, gql):
    """A's people get no suggestion of a broadcast addressed to B only."""
    _b_outreach(world)
    for graphql in (gql(world.a_lead, host=world.a), gql(world.a_member, host=world.a)):
        result = graphql.execute(
            'mutation { suggestBroadcasts(title: "vpn") { suggestions { broadcasts { title } } } }'
        )
        _no_secret(result)
    from tests.tenants.test_isolation import outsiders

    for graphql in outsiders(world, gql):  # staff who reach B may look up B's suggestions
        _no_secret(
            graphql.execute(
                'mutation { suggestBroadcasts(clientSlug: "bravo", title: "vpn") '
                "{ suggestions { broadcasts { title } } errors { code } } }"
            )
        )
    assert not Suggestion.objects.filter(client=world.b).exists()


def _outcome_probe(world, gql):
    ids = _b_outreach(world)
    suggestion, _ = broadcasts.suggest(world.b, world.b_member, "vpn")
    assert suggestion is not None
    for graphql in _outsiders(world, gql):
        graphql.execute(
            'mutation { recordSuggestionOutcome(suggestionId: "%s", outcome: SOLVED, broadcastId: "%s") { ok } }'
            % (suggestion.pk, ids["broadcast"])
        )
    suggestion.refresh_from_db()
    assert suggestion.outcome == "shown"


def _campaigns_probe(world, gql):
    """Campaign names are the MSP's; the tasks (client, response) are the book's."""
    _b_outreach(world)
    CampaignTask.objects.update(response=SECRET + " response")
    query = "{ campaigns { tasks { clientName response } } }"
    for graphql in _outsiders(world, gql):
        result = graphql.execute(query)
        assert "response" not in json.dumps((result.get("data") or {}).get("campaigns") or "")
        assert "Bravo Legal" not in json.dumps(result)
    assert SECRET in json.dumps(gql(world.account_manager).data(query))
    for graphql in _outsiders(world, gql, book=False):
        _no_secret(graphql.execute("{ campaigns { name } }"))


OUTREACH_PROBES: dict[str, Callable] = {
    "outreachBoard": query_probe(
        "{{ outreachBoard {{ clients {{ name slug }} followUps {{ title clientSlug }} }} }}"
    ),
    "clientOutreach": query_probe(
        '{{ clientOutreach(clientSlug: "bravo") {{ name health {{ score signals {{ display }} }} '
        "checkIns {{ subject notes }} openFollowUps {{ title }} services {{ summary items {{ label }} }} "
        "invoices {{ summary items {{ label detail }} }} }} }}"
    ),
    "outreachSettings": query_probe("{{ outreachSettings {{ reminderDaysBefore }} }}"),
    "segments": query_probe("{{ segments {{ name }} }}", book=False),
    "segmentClients": query_probe('{{ segmentClients(segmentId: "{segment}") {{ name slug }} }}', book=False),
    "campaigns": _campaigns_probe,
    "broadcasts": query_probe("{{ broadcasts {{ title bodyHtml }} }}", book=False),
    "qbrReports": query_probe('{{ qbrReports(clientSlug: "bravo") {{ id status }} }}'),
    "qbrReport": query_probe('{{ qbrReport(id: "{report}") {{ id status }} }}'),
    "assignAccountManager": mutation_probe(
        'mutation {{ assignAccountManager(clientSlug: "bravo") {{ clientSlug errors {{ code }} }} }}'
    ),
    "setCheckInCadence": mutation_probe(
        'mutation {{ setCheckInCadence(clientSlug: "bravo", days: 5) {{ cadenceDays errors {{ code }} }} }}'
    ),
    "updateOutreachSettings": mutation_probe(
        "mutation {{ updateOutreachSettings(input: {{ premiumCadenceDays: 3 }}) {{ ok errors {{ code }} }} }}"
    ),
    "logCheckIn": mutation_probe(
        'mutation {{ logCheckIn(input: {{ clientSlug: "bravo", kind: CALL, subject: "x" }}) '
        "{{ checkIn {{ subject }} errors {{ code }} }} }}"
    ),
    "completeCheckIn": mutation_probe(
        'mutation {{ completeCheckIn(input: {{ checkInId: "{checkin}", notes: "x" }}) '
        "{{ checkIn {{ notes }} errors {{ code }} }} }}"
    ),
    "cancelCheckIn": mutation_probe(
        'mutation {{ cancelCheckIn(checkInId: "{checkin}") {{ checkIn {{ notes }} errors {{ code }} }} }}'
    ),
    "addFollowUp": mutation_probe(
        'mutation {{ addFollowUp(input: {{ clientSlug: "bravo", title: "x", dueOn: "2099-01-01" }}) '
        "{{ followUp {{ title }} errors {{ code }} }} }}"
    ),
    "completeFollowUp": mutation_probe(
        'mutation {{ completeFollowUp(followUpId: "{follow_up}") {{ followUp {{ title }} errors {{ code }} }} }}'
    ),
    "createTicketFromFollowUp": mutation_probe(
        'mutation {{ createTicketFromFollowUp(followUpId: "{follow_up}", requesterContactId: "1") '
        "{{ followUp {{ title }} errors {{ code }} }} }}"
    ),
    "saveSegment": mutation_probe(
        'mutation {{ saveSegment(input: {{ id: "{segment}", name: "x", rules: [] }}) '
        "{{ segment {{ name }} errors {{ code }} }} }}",
        book=False,
    ),
    "createCampaign": mutation_probe(
        'mutation {{ createCampaign(input: {{ name: "x", segmentId: "{segment}", dueOn: "2099-01-01" }}) '
        "{{ campaign {{ name }} errors {{ code }} }} }}",
        book=False,
    ),
    "updateCampaignTask": mutation_probe(
        'mutation {{ updateCampaignTask(input: {{ taskId: "{task}", status: RESPONDED, response: "x" }}) '
        "{{ task {{ response }} errors {{ code }} }} }}"
    ),
    "createBroadcast": mutation_probe(
        'mutation {{ createBroadcast(input: {{ kind: HOWTO, title: "x", body: "<p>x</p>" }}) '
        "{{ broadcast {{ title }} errors {{ code }} }} }}",
        book=False,
    ),
    "suggestBroadcasts": _suggest_probe,
    "recordSuggestionOutcome": _outcome_probe,
    "requestQbr": mutation_probe(
        'mutation {{ requestQbr(clientSlug: "bravo") {{ report {{ id }} errors {{ code }} }} }}'
    ),
}
