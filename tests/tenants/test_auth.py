"""Sign-in: 2FA enforcement for staff, enrolment, lockout, session rotation, logout, CSRF."""

from __future__ import annotations

import json

from django.conf import settings
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, GraphQLClient

LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { nextStep errors { code message field } viewer { email } }
}"""
VIEWER = (
    "{ viewer { email mspRole otpRequired otpVerified otpEnrolled memberships { role client { slug } } } }"
)
CLIENTS = "{ clients(first: 10) { totalCount edges { node { slug } } } }"


def login(graphql: GraphQLClient, email: str, password: str = PASSWORD) -> dict:
    return graphql.data(LOGIN, {"email": email, "password": password})["login"]


def test_client_user_signs_in_with_a_rotated_session(world):
    graphql = GraphQLClient(host="alpha.localhost")
    graphql.http.get("/")  # an anonymous session exists before sign-in
    session = graphql.http.session
    session["planted"] = True
    session.save()
    planted_key = graphql.http.cookies[settings.SESSION_COOKIE_NAME].value

    result = login(graphql, "LEAD@alpha.test")
    assert result["errors"] == [] and result["nextStep"] == "SIGNED_IN"
    assert graphql.http.cookies[settings.SESSION_COOKIE_NAME].value != planted_key
    viewer = graphql.data(VIEWER)["viewer"]
    assert viewer["memberships"] == [{"role": "IT_LEAD", "client": {"slug": "alpha"}}]
    assert viewer["otpRequired"] is False


def test_wrong_password_is_a_typed_error(world):
    result = login(GraphQLClient(), "lead@alpha.test", "wrong-password")
    assert result["nextStep"] is None
    assert [e["code"] for e in result["errors"]] == ["INVALID_CREDENTIALS"]


def test_staff_without_authenticator_must_enrol_before_any_client_data(world):
    TOTPDevice.objects.filter(user=world.technician).delete()
    graphql = GraphQLClient()
    assert login(graphql, world.technician.email)["nextStep"] == "OTP_ENROL"

    blocked = graphql.execute(CLIENTS)
    assert blocked["errors"][0]["extensions"]["code"] == "OTP_REQUIRED"
    assert blocked["data"] is None
    assert (
        graphql.execute('{ client(slug: "alpha") { name } }')["errors"][0]["extensions"]["code"]
        == "OTP_REQUIRED"
    )
    assert graphql.data(VIEWER)["viewer"]["memberships"] == []

    enrolment = graphql.data(
        "mutation { startOtpEnrolment { secret otpauthUri qrCodeSvg errors { code } } }"
    )["startOtpEnrolment"]
    assert enrolment["otpauthUri"].startswith("otpauth://totp/") and enrolment["qrCodeSvg"].startswith("<svg")
    device = TOTPDevice.objects.get(user=world.technician, confirmed=False)
    wrong = graphql.data('mutation { confirmOtpEnrolment(token: "000000") { errors { code } } }')
    assert wrong["confirmOtpEnrolment"]["errors"][0]["code"] == "INVALID_TOKEN"
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a wrong code throttles the next attempt
    device.throttle_reset()
    code = format(totp(device.bin_key), "06d")
    confirmed = graphql.data(
        "mutation($t: String!) { confirmOtpEnrolment(token: $t) { backupCodes errors { code } viewer { otpVerified } } }",
        {"t": code},
    )["confirmOtpEnrolment"]
    assert confirmed["errors"] == [] and len(confirmed["backupCodes"]) == 10
    assert confirmed["viewer"]["otpVerified"] is True
    assert graphql.data(CLIENTS)["clients"]["totalCount"] == 2


def test_staff_with_authenticator_verifies_and_session_key_rotates(world):
    graphql = GraphQLClient()
    assert login(graphql, world.account_manager.email)["nextStep"] == "OTP_VERIFY"
    key_after_password = graphql.http.cookies[settings.SESSION_COOKIE_NAME].value
    bad = graphql.data('mutation { verifyOtp(token: "123456") { errors { code } } }')["verifyOtp"]
    assert bad["errors"][0]["code"] == "INVALID_TOKEN"
    world.devices[world.account_manager.pk].throttle_reset()  # a wrong code throttles the next try
    ok = graphql.data(
        "mutation($t: String!) { verifyOtp(token: $t) { errors { code } viewer { otpVerified } } }",
        {"t": world.otp_code(world.account_manager)},
    )["verifyOtp"]
    assert ok["errors"] == [] and ok["viewer"]["otpVerified"] is True
    assert graphql.http.cookies[settings.SESSION_COOKIE_NAME].value != key_after_password
    assert graphql.data(CLIENTS)["clients"]["totalCount"] == 2


def test_backup_code_works_once(world):
    graphql = GraphQLClient()
    login(graphql, world.admin.email)
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=world.admin, name="backup", confirmed=True)
    device.token_set.create(token="backup123")
    first = graphql.data('mutation { verifyOtp(token: "backup123") { errors { code } } }')["verifyOtp"]
    assert first["errors"] == []
    other = GraphQLClient()
    login(other, world.admin.email)
    again = other.data('mutation { verifyOtp(token: "backup123") { errors { code } } }')["verifyOtp"]
    assert again["errors"][0]["code"] == "INVALID_TOKEN"


def test_client_that_requires_2fa_applies_it_to_its_users(world):
    world.a.require_two_factor = True
    world.a.save(update_fields=["require_two_factor"])
    graphql = GraphQLClient(host="alpha.localhost")
    assert login(graphql, "member@alpha.test")["nextStep"] == "OTP_ENROL"
    assert graphql.execute("{ client { name } }")["errors"][0]["extensions"]["code"] == "OTP_REQUIRED"
    # Bravo does not require it, so its people are unaffected.
    assert login(GraphQLClient(host="bravo.localhost"), "member@bravo.test")["nextStep"] == "SIGNED_IN"


def test_repeated_failures_lock_out_user_and_ip_on_graphql(world):
    graphql = GraphQLClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(graphql, "lead@alpha.test", "nope")["errors"][0]["code"] == "INVALID_CREDENTIALS"
    # The attempt that reaches the limit is already told it is locked out.
    assert login(graphql, "lead@alpha.test", "nope")["errors"][0]["code"] == "LOCKED_OUT"
    locked = login(graphql, "lead@alpha.test", PASSWORD)
    assert [e["code"] for e in locked["errors"]] == ["LOCKED_OUT"]
    assert graphql.data(VIEWER)["viewer"] is None
    # Keyed on user *and* IP: the same person from another address, or another person here, still signs in.
    elsewhere = GraphQLClient()
    elsewhere.http.defaults["REMOTE_ADDR"] = "10.9.8.7"
    assert login(elsewhere, "lead@alpha.test")["nextStep"] == "SIGNED_IN"
    assert login(graphql, "lead@bravo.test")["nextStep"] == "SIGNED_IN"


def test_lockout_also_guards_the_admin_login(world):
    http = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        http.post("/admin/login/", {"username": world.admin.email, "password": "nope", "otp_token": "000000"})
    response = http.post(
        "/admin/login/",
        {"username": world.admin.email, "password": PASSWORD, "otp_token": world.otp_code(world.admin)},
    )
    assert response.status_code == 403
    # ... and the GraphQL path shares the same lockout record.
    assert login(GraphQLClient(), world.admin.email)["errors"][0]["code"] == "LOCKED_OUT"


def test_logout_ends_the_session(world):
    graphql = GraphQLClient(host="alpha.localhost")
    login(graphql, "lead@alpha.test")
    assert graphql.data("mutation { logout { ok } }")["logout"]["ok"] is True
    assert graphql.data(VIEWER)["viewer"] is None
    assert graphql.execute("{ client { name } }")["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_mutations_need_the_csrf_token(world):
    graphql = GraphQLClient(enforce_csrf=True)
    body = json.dumps({"query": LOGIN, "variables": {"email": "lead@alpha.test", "password": PASSWORD}})
    refused = graphql.http.post("/graphql/", data=body, content_type="application/json")
    assert refused.status_code == 403

    graphql.http.get("/login")  # the SPA page sets the CSRF cookie
    token = graphql.http.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = graphql.http.post(
        "/graphql/", data=body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert (
        accepted.status_code == 200
        and json.loads(accepted.content)["data"]["login"]["nextStep"] == "SIGNED_IN"
    )


def test_mutations_only_as_json_post(world):
    http = HttpClient()
    form = http.post("/graphql/", {"query": "mutation { logout { ok } }"})
    assert form.status_code == 415
    over_get = http.get("/graphql/", {"query": "mutation { logout { ok } }"}, HTTP_ACCEPT="application/json")
    assert over_get.status_code == 405


def test_introspection_is_refused_to_anyone_but_verified_staff(world, gql):
    query = "{ __schema { types { name } } }"
    anonymous = GraphQLClient().execute(query)
    assert anonymous["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    for person in (world.a_lead, world.a_member):
        assert gql(person).execute(query)["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert gql(world.admin, verified=False).execute(query)["errors"][0]["extensions"]["code"] == (
        "INTROSPECTION_DISABLED"
    )
    staff = gql(world.technician).execute(query)
    assert "errors" not in staff and staff["data"]["__schema"]["types"]


def test_depth_limit_rejects_deep_queries(world, gql):
    from django.test import override_settings

    query = "{ clients { edges { node { accountManager { fullName } } } } }"  # 5 levels
    with override_settings(GRAPHQL_MAX_DEPTH=4):
        refused = gql(world.admin).execute(query)
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "data" not in refused or refused["data"] is None
    assert "errors" not in gql(world.admin).execute(query)


def test_page_size_is_capped(world, gql):
    result = gql(world.admin).execute("{ clients(first: 500) { totalCount } }")
    assert result["errors"][0]["extensions"]["code"] == "PAGE_TOO_LARGE"
    assert "at most 100 items per page" in result["errors"][0]["message"]
