"""Isolation probes of every security root field (imported into tests/tenants/test_isolation.py):
a client-A user, a staff member limited to A, and anonymous people get nothing of client B's
incidents, phishing reports, campaigns or response targets, and change nothing of them."""

from __future__ import annotations

import json
from collections.abc import Callable

from django_tenants.utils import tenant_context

SECRET = "Bravo secret"


def _b_data(world) -> dict[str, int]:
    """An incident, a phishing report (and its campaign) of client B."""
    from services.security.actions import NewIncident, create_incident
    from services.security.phishing_actions import report_phishing

    with tenant_context(world.b):
        incident = create_incident(
            world.b,
            NewIncident(title=f"{SECRET} breach", kind="malware", severity="critical", description=SECRET),
            actor=world.b_lead,
        )
        raw = f"From: x@lure.example\r\nSubject: {SECRET} lure\r\n\r\nhttps://lure.example/a/b".encode()
        report = report_phishing(world.b, actor=world.b_member, raw=raw)
        return {"incident": incident.number, "report": report.pk, "campaign": report.campaign_id}


def _outsiders(world, gql) -> list:
    from tests.tenants.test_isolation import outsiders

    return [*outsiders(world, gql), gql(world.a_lead, host="testserver")]


def _no_secret(result: dict) -> None:
    """Nothing of B: its data, its name, its people (a refusal may repeat the slug asked for)."""
    text = json.dumps(result)
    for marker in (SECRET, "Bravo Legal", "lead@bravo.test", "member@bravo.test", "client_bravo"):
        assert marker not in text, text[:400]


def _query_probe(template: str, staff_sees: str | None = None) -> Callable:
    def probe(world, gql):
        ids = _b_data(world)
        for graphql in _outsiders(world, gql):
            for slug in ('clientSlug: "bravo"', 'clientSlug: "alpha"', ""):
                _no_secret(graphql.execute(template.format(slug=slug, **ids)))
        if staff_sees:
            # The probe can see a leak: B's data is there for staff who reach B.
            assert SECRET in json.dumps(
                gql(world.technician).data(template.format(slug='clientSlug: "bravo"', **ids))
            )

    return probe


def _unchanged(world, ids: dict[str, int]) -> None:
    from services.security.models import (
        IncidentActivity,
        PhishingCampaign,
        PhishingReport,
        SecurityIncident,
        SecurityResponseTarget,
    )

    with tenant_context(world.b):
        incident = SecurityIncident.objects.get(number=ids["incident"])
        assert (incident.status, incident.severity, incident.assignee_id) == ("new", "critical", None)
        assert IncidentActivity.objects.filter(incident=incident).count() == 1
        assert not incident.affected_users.exists()
        assert PhishingReport.objects.count() == 1
        assert PhishingCampaign.objects.get(pk=ids["campaign"]).status == "new"
        assert not SecurityResponseTarget.objects.exists()


def _mutation_probe(template: str) -> Callable:
    def probe(world, gql):
        ids = _b_data(world)
        for graphql in _outsiders(world, gql):
            for slug in ('clientSlug: "bravo"', ""):
                result = graphql.execute(template.format(slug=slug, **ids))
                _no_secret(result)
                if "bravo" in slug:
                    payload = next(iter((result.get("data") or {}).values()), None)
                    assert payload is None or payload["errors"], result
        # Whatever they did in their own client, B is as it was.
        _unchanged(world, ids)

    return probe


RAW = "From: a@x.example\\r\\nSubject: hello\\r\\n\\r\\nbody"

SECURITY_PROBES: dict[str, Callable] = {
    "securityIncidents": _query_probe(
        "{{ securityIncidents({slug}) {{ title reference }} }}", staff_sees="yes"
    ),
    "securityIncident": _query_probe(
        "{{ securityIncident(number: {incident}, {slug}) {{ title description timeline {{ body }} }} }}",
        staff_sees="yes",
    ),
    "phishingReports": _query_probe(
        "{{ phishingReports({slug}) {{ subject textExcerpt }} }}", staff_sees="yes"
    ),
    "phishingReport": _query_probe(
        '{{ phishingReport(id: "{report}", {slug}) {{ subject links {{ defangedUrl }} }} }}', staff_sees="yes"
    ),
    "phishingCampaigns": _query_probe("{{ phishingCampaigns({slug}) {{ subject }} }}", staff_sees="yes"),
    "phishingCampaign": _query_probe(
        '{{ phishingCampaign(id: "{campaign}", {slug}) {{ subject reports {{ subject }} }} }}',
        staff_sees="yes",
    ),
    "securityResponsePolicy": _query_probe(
        "{{ securityResponsePolicy({slug}) {{ calendarName targets {{ severity acknowledgeMinutes }} }} }}"
    ),
    "securityDeviceChoices": _query_probe("{{ securityDeviceChoices({slug}) {{ id name }} }}"),
    "createSecurityIncident": _mutation_probe(
        'mutation {{ createSecurityIncident(input: {{ {slug} title: "x", kind: OTHER, severity: LOW }}) '
        "{{ incident {{ title }} errors {{ code }} }} }}"
    ),
    "changeSecurityIncidentStatus": _mutation_probe(
        "mutation {{ changeSecurityIncidentStatus(number: {incident}, {slug} status: ACKNOWLEDGED) "
        "{{ incident {{ title }} errors {{ code }} }} }}"
    ),
    "changeSecurityIncidentSeverity": _mutation_probe(
        "mutation {{ changeSecurityIncidentSeverity(number: {incident}, {slug} severity: LOW) "
        "{{ incident {{ title }} errors {{ code }} }} }}"
    ),
    "assignSecurityIncident": _mutation_probe(
        "mutation {{ assignSecurityIncident(number: {incident}, {slug}) {{ incident {{ title }} errors {{ code }} }} }}"
    ),
    "addSecurityIncidentNote": _mutation_probe(
        'mutation {{ addSecurityIncidentNote(number: {incident}, {slug} body: "hi") '
        "{{ incident {{ title }} errors {{ code }} }} }}"
    ),
    "setSecurityIncidentAffected": _mutation_probe(
        'mutation {{ setSecurityIncidentAffected(number: {incident}, {slug} contactIds: ["1"], deviceIds: []) '
        "{{ incident {{ title }} errors {{ code }} }} }}"
    ),
    "reportPhishing": _mutation_probe(
        'mutation {{ reportPhishing(input: {{ {slug} source: "' + RAW + '" }}) '
        "{{ report {{ subject }} errors {{ code }} }} }}"
    ),
    "triagePhishingCampaign": _mutation_probe(
        'mutation {{ triagePhishingCampaign(campaignId: "{campaign}", {slug} verdict: SAFE) '
        "{{ campaign {{ subject }} errors {{ code }} }} }}"
    ),
    "saveSecurityResponseTargets": _mutation_probe(
        "mutation {{ saveSecurityResponseTargets({slug} targets: [{{severity: LOW, acknowledgeMinutes: 5, "
        "aroundTheClock: true}}]) {{ policy {{ calendarName }} errors {{ code }} }} }}"
    ),
    "resetSecurityResponseTargets": _mutation_probe(
        "mutation {{ resetSecurityResponseTargets({slug}) {{ policy {{ calendarName }} errors {{ code }} }} }}"
    ),
}
