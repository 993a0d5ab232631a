"""The security API end to end: typed errors with nothing written, who sees what, constant
query counts of every list and page."""

from __future__ import annotations

import base64

import pytest
from django_tenants.utils import tenant_context

from services.security import actions, phishing_actions
from services.security.actions import NewIncident
from services.security.models import PhishingReport, SecurityIncident

from .messages import MULTIPART, html_only

# Whole requests, as the SPA sends them (request overhead included; update on purpose only).
INCIDENT_LIST = 9
INCIDENT_PAGE = 23
REPORT_LIST = 8
CAMPAIGN_PAGE = 9

CREATE = """mutation($input: CreateSecurityIncidentInput!) { createSecurityIncident(input: $input) {
  incident { number reference status severity kind slaClocks { name state dueAt targetMinutes }
             affectedUsers { fullName } affectedDevices { name } timeline { kind } }
  errors { field code message } } }"""


def _contact_id(world, user) -> str:
    from services.directory.models import Contact

    with tenant_context(world.a):
        return str(Contact.objects.get(user_id=user.pk).pk)


def test_staff_create_an_incident_with_affected_people_and_devices(world, gql):
    from services.infrastructure.models import Device

    with tenant_context(world.a):
        device = Device.objects.create(name="FS-01", device_type="server")
    result = gql(world.technician).data(
        CREATE,
        {
            "input": {
                "clientSlug": "alpha",
                "title": "Ransomware on FS-01",
                "kind": "MALWARE",
                "severity": "CRITICAL",
                "affectedContactIds": [_contact_id(world, world.a_member)],
                "affectedDeviceIds": [str(device.pk)],
            }
        },
    )["createSecurityIncident"]
    assert result["errors"] == []
    incident = result["incident"]
    assert (incident["reference"], incident["status"], incident["severity"]) == ("SEC-1", "NEW", "CRITICAL")
    assert [c["name"] for c in incident["slaClocks"]] == ["acknowledge", "contain", "resolve"]
    assert [c["targetMinutes"] for c in incident["slaClocks"]] == [15, 240, 1440]
    assert incident["affectedUsers"] == [{"fullName": "Alpha Health Member"}]
    assert incident["affectedDevices"] == [{"name": "FS-01"}]


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"title": "bad\x00title"}, "title", "INVALID"),
        ({"title": "x" * 201}, "title", "TOO_LONG"),
        ({"title": "   "}, "title", "REQUIRED"),
        ({"affectedContactIds": ["999999"]}, "affectedContactIds", "NOT_FOUND"),
        ({"affectedContactIds": ["Q29udGFjdDpub3Bl"]}, "affectedContactIds", "INVALID"),
        ({"affectedDeviceIds": ["424242"]}, "affectedDeviceIds", "NOT_FOUND"),
        ({"assigneeId": "999999"}, "assigneeId", "INVALID"),
    ],
)
def test_bad_input_is_a_typed_error_and_nothing_is_written(world, gql, change, field, code):
    result = gql(world.technician).data(
        CREATE,
        {"input": {"clientSlug": "alpha", "title": "Phish", "kind": "PHISHING", "severity": "LOW", **change}},
    )["createSecurityIncident"]
    assert result["incident"] is None
    assert (result["errors"][0]["field"], result["errors"][0]["code"]) == (field, code)
    with tenant_context(world.a):
        assert not SecurityIncident.objects.exists()


def test_a_contact_of_another_client_is_not_found(world, gql):
    from services.directory.models import Contact

    with tenant_context(world.b):
        foreign = [str(pk) for pk in Contact.objects.values_list("pk", flat=True)]
        Contact.objects.create(full_name="Only in B", email="onlyb@bravo.test")
        foreign.append(str(Contact.objects.get(email="onlyb@bravo.test").pk))
    result = gql(world.technician).data(
        CREATE,
        {
            "input": {
                "clientSlug": "alpha",
                "title": "x",
                "kind": "OTHER",
                "severity": "LOW",
                "affectedContactIds": foreign[-1:],
            }
        },
    )["createSecurityIncident"]
    assert result["errors"][0]["code"] == "NOT_FOUND"


def test_members_see_only_incidents_they_raised_or_are_affected_by(world, gql):
    with tenant_context(world.a):
        actions.create_incident(
            world.a, NewIncident(title="Company-wide", kind="other", severity="low"), actor=world.technician
        )
        actions.create_incident(
            world.a,
            NewIncident(
                title="Your account",
                kind="account_compromise",
                severity="high",
                affected_contact_ids=[int(_contact_id(world, world.a_member))],
            ),
            actor=world.technician,
        )
    query = "{ securityIncidents { title } }"
    member = gql(world.a_member, host=world.a).data(query)["securityIncidents"]
    lead = gql(world.a_lead, host=world.a).data(query)["securityIncidents"]
    assert [row["title"] for row in member] == ["Your account"]
    assert [row["title"] for row in lead] == ["Your account", "Company-wide"]
    assert gql(world.a_member, host=world.a).data("{ securityIncident(number: 1) { title } }") == {
        "securityIncident": None
    }


def test_internal_notes_are_staff_only(world, gql):
    with tenant_context(world.a):
        incident = actions.create_incident(
            world.a, NewIncident(title="x", kind="other", severity="low"), actor=world.a_lead
        )
        actions.add_note(
            world.a, incident.number, actor=world.technician, body="Attacker IP 198.51.100.7", internal=True
        )
        actions.add_note(world.a, incident.number, actor=world.technician, body="We are on it")
    query = "{ securityIncident(number: %d) { timeline { body isInternal } } }" % incident.number
    lead = gql(world.a_lead, host=world.a).data(query)["securityIncident"]["timeline"]
    assert [e["body"] for e in lead if e["body"]] == ["We are on it"]
    note = gql(world.a_lead, host=world.a).data(
        'mutation { addSecurityIncidentNote(number: %d, body: "psst", internal: true) { errors { code } } }'
        % incident.number
    )
    assert note["addSecurityIncidentNote"]["errors"][0]["code"] == "PERMISSION_DENIED"


def test_status_changes_through_the_api(world, gql):
    with tenant_context(world.a):
        incident = actions.create_incident(
            world.a, NewIncident(title="x", kind="other", severity="low"), actor=world.technician
        )
    mutation = (
        'mutation($s: SecurityIncidentStatus!) { changeSecurityIncidentStatus(number: %d, clientSlug: "alpha", status: $s, note: "done") { incident { status timeline { kind body } } errors { code } } }'
        % incident.number
    )
    tech = gql(world.technician)
    assert (
        tech.data(mutation, {"s": "CONTAINED"})["changeSecurityIncidentStatus"]["incident"]["status"]
        == "CONTAINED"
    )
    refused = tech.data(mutation, {"s": "NEW"})["changeSecurityIncidentStatus"]
    assert refused["errors"] == [{"code": "INVALID_TRANSITION"}]
    lead = gql(world.a_lead, host=world.a).data(
        mutation.replace(', clientSlug: "alpha"', ""), {"s": "RESOLVED"}
    )
    assert lead["changeSecurityIncidentStatus"]["errors"] == [{"code": "PERMISSION_DENIED"}]


REPORT = """mutation($input: ReportPhishingInput!) { reportPhishing(input: $input) {
  report { id subject status fromAddress authentication { spf dkim dmarc }
           links { defangedUrl host text textShowsOtherHost } attachments { filename sha256 sizeBytes } }
  errors { field code } } }"""


def test_a_member_reports_by_upload_and_sees_links_defanged_only(world, gql):
    result = gql(world.a_member, host=world.a).data(
        REPORT,
        {"input": {"file": {"filename": "phish.eml", "dataBase64": base64.b64encode(MULTIPART).decode()}}},
    )["reportPhishing"]
    assert result["errors"] == []
    report = result["report"]
    assert report["authentication"] == {"spf": "fail", "dkim": "none", "dmarc": "fail"}
    assert report["links"][1] == {
        "defangedUrl": "hxxps[://]evil[.]example/x?a=1&b=2",
        "host": "evil.example",
        "text": "https://bank.example/",
        "textShowsOtherHost": True,
    }
    assert "https://" not in str(report["links"]).replace("https://bank.example/", "")
    assert report["status"] == "NEW"


@pytest.mark.parametrize(
    "input_, field, code",
    [
        ({}, "source", "REQUIRED"),
        (
            {
                "source": "From: a@b.example\nSubject: x\n\nbody",
                "file": {"filename": "a.eml", "dataBase64": "QQ=="},
            },
            "source",
            "REQUIRED",
        ),
        ({"source": "From: a@b.example\x00\n\nx"}, "source", "INVALID"),
        ({"source": "just a body, no headers"}, "source", "NOT_A_MESSAGE"),
        ({"file": {"filename": "a.eml", "dataBase64": "not base64!"}}, "file", "INVALID"),
        ({"file": {"filename": "a.msg", "dataBase64": "QQ=="}}, "file", "UNSUPPORTED_TYPE"),
        (
            {
                "file": {
                    "filename": "a.eml",
                    "dataBase64": base64.b64encode(b"From: a@b.example\n\n\x00").decode(),
                }
            },
            "file",
            "INVALID",
        ),
    ],
)
def test_bad_reports_are_typed_errors_and_nothing_is_written(world, gql, input_, field, code):
    result = gql(world.a_member, host=world.a).data(REPORT, {"input": input_})["reportPhishing"]
    assert result["report"] is None
    assert (result["errors"][0]["field"], result["errors"][0]["code"]) == (field, code)
    with tenant_context(world.a):
        assert not PhishingReport.objects.exists()


def test_oversize_upload_is_too_large(world, gql, settings):
    settings.PHISHING_REPORT_MAX_BYTES = 1000
    result = gql(world.a_member, host=world.a).data(
        REPORT,
        {"input": {"file": {"filename": "big.eml", "dataBase64": base64.b64encode(MULTIPART).decode()}}},
    )["reportPhishing"]
    assert result["errors"] == [{"field": "file", "code": "TOO_LARGE"}]


def test_triage_through_the_api(world, gql):
    with tenant_context(world.a):
        report = phishing_actions.report_phishing(world.a, actor=world.a_member, raw=MULTIPART)
    mutation = """mutation($id: ID!) { triagePhishingCampaign(campaignId: $id, clientSlug: "alpha", verdict: INCIDENT, severity: HIGH) {
      campaign { status incidentNumber reports { reporterName } } errors { code } } }"""
    refused = gql(world.a_lead, host=world.a).data(
        mutation.replace(', clientSlug: "alpha"', ""), {"id": str(report.campaign_id)}
    )
    assert refused["triagePhishingCampaign"]["errors"][0]["code"] == "PERMISSION_DENIED"
    done = gql(world.technician).data(mutation, {"id": str(report.campaign_id)})["triagePhishingCampaign"]
    assert done["errors"] == [] and done["campaign"]["status"] == "INCIDENT"
    number = done["campaign"]["incidentNumber"]
    member = gql(world.a_member, host=world.a)
    # The reporter is affected, so sees the incident and the verdict on their report.
    assert member.data("{ securityIncident(number: %d) { kind } }" % number)["securityIncident"] == {
        "kind": "PHISHING"
    }
    assert member.data('{ phishingReport(id: "%d") { status incidentNumber } }' % report.pk)[
        "phishingReport"
    ] == {
        "status": "INCIDENT",
        "incidentNumber": number,
    }
    bad = gql(world.technician).data(mutation, {"id": "UGhpc2hpbmdSZXBvcnQ6MQ=="})["triagePhishingCampaign"]
    assert bad["errors"] == [{"code": "INVALID"}]


def test_response_targets_through_the_api(world, gql):
    mutation = """mutation($t: [SecurityResponseTargetInput!]!) { saveSecurityResponseTargets(clientSlug: "alpha", targets: $t) {
      policy { isDefault targets { severity acknowledgeMinutes isDefault } } errors { field code } } }"""
    saved = gql(world.admin).data(
        mutation, {"t": [{"severity": "LOW", "acknowledgeMinutes": 30, "aroundTheClock": False}]}
    )
    low = saved["saveSecurityResponseTargets"]["policy"]["targets"][3]
    assert low == {"severity": "LOW", "acknowledgeMinutes": 30, "isDefault": False}
    zero = gql(world.admin).data(
        mutation, {"t": [{"severity": "LOW", "acknowledgeMinutes": 0, "aroundTheClock": False}]}
    )
    assert zero["saveSecurityResponseTargets"]["errors"] == [
        {"field": "targets.0.acknowledge_minutes", "code": "INVALID"}
    ]
    lead = gql(world.a_lead, host=world.a).data(
        "{ securityResponsePolicy { calendarName targets { severity } } }"
    )
    assert lead["securityResponsePolicy"]["calendarName"] == "UK business hours"
    member = gql(world.a_member, host=world.a).execute("{ securityResponsePolicy { calendarName } }")
    assert member["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


# ------------------------------------------------------------------------ query counts


def _incidents(world, how_many: int) -> list[int]:
    contact = int(_contact_id(world, world.a_member))
    with tenant_context(world.a):
        numbers = []
        for i in range(how_many):
            incident = actions.create_incident(
                world.a,
                NewIncident(title=f"I{i}", kind="other", severity="high", affected_contact_ids=[contact]),
                actor=world.technician,
                policy=None,
            )
            actions.assign_incident(
                world.a, incident.number, actor=world.technician, assignee_id=world.technician.pk
            )
            numbers.append(incident.number)
        return numbers


def test_incident_list_is_constant(world, gql, django_assert_num_queries):
    tech = gql(world.technician)
    query = '{ securityIncidents(clientSlug: "alpha") { number title severity status assignee { fullName } nextDeadlineAt breachState affectedUserCount } }'
    _incidents(world, 2)
    with django_assert_num_queries(INCIDENT_LIST):
        assert len(tech.data(query)["securityIncidents"]) == 2
    _incidents(world, 5)
    with django_assert_num_queries(INCIDENT_LIST):
        assert len(tech.data(query)["securityIncidents"]) == 7


def test_incident_page_is_constant(world, gql, django_assert_num_queries):
    (number,) = _incidents(world, 1)
    tech = gql(world.technician)
    query = """query($n: Int!) { securityIncident(number: $n, clientSlug: "alpha") {
      title assignee { fullName } affectedUsers { fullName } affectedDevices { name } campaigns { subject }
      slaClocks { name state dueAt explainSteps } timeline { kind body actorName } } }"""
    with django_assert_num_queries(INCIDENT_PAGE):
        few = tech.data(query, {"n": number})["securityIncident"]["timeline"]
    with tenant_context(world.a):
        for i in range(5):
            actions.add_note(world.a, number, actor=world.a_lead, body=f"n{i}")
        actions.change_status(world.a, number, actor=world.technician, status="contained")
    with django_assert_num_queries(INCIDENT_PAGE):
        many = tech.data(query, {"n": number})["securityIncident"]["timeline"]
    assert len(many) == len(few) + 6


def test_phishing_lists_are_constant(world, gql, django_assert_num_queries):
    tech = gql(world.technician)
    reports = '{ phishingReports(clientSlug: "alpha") { subject reporterName status incidentNumber links { defangedUrl } attachments { sha256 } } }'
    campaign_query = 'query($id: ID!) { phishingCampaign(id: $id, clientSlug: "alpha") { subject reports { subject reporterName links { host } attachments { filename } } } }'
    with tenant_context(world.a):
        first = phishing_actions.report_phishing(world.a, actor=world.a_member, raw=MULTIPART)
        phishing_actions.report_phishing(world.a, actor=world.a_lead, raw=html_only())
    with django_assert_num_queries(REPORT_LIST):
        assert len(tech.data(reports)["phishingReports"]) == 2
    with django_assert_num_queries(CAMPAIGN_PAGE):
        assert (
            len(tech.data(campaign_query, {"id": str(first.campaign_id)})["phishingCampaign"]["reports"]) == 1
        )
    with tenant_context(world.a):
        for user in (world.a_lead, world.a_member, world.a_lead):
            phishing_actions.report_phishing(world.a, actor=user, raw=MULTIPART)
        phishing_actions.report_phishing(
            world.a,
            actor=world.a_member,
            raw=html_only("Other", sender="z@z.example", href="https://z.example/1"),
        )
    with django_assert_num_queries(REPORT_LIST):
        assert len(tech.data(reports)["phishingReports"]) == 6
    with django_assert_num_queries(CAMPAIGN_PAGE):
        assert (
            len(tech.data(campaign_query, {"id": str(first.campaign_id)})["phishingCampaign"]["reports"]) == 4
        )
