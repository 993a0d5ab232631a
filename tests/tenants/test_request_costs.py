"""The fixed costs of every request, cut without weakening anything: the host -> tenant
lookup is cached and forgotten when a domain or a client changes; the user and their
second-factor device are read in one query, fresh on every request, so a revoked device, a
deactivated user or a changed password is refused at once; `SET search_path` is sent only
when the path changes."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants import domain_cache
from tenants.lifecycle import change_client_status
from tenants.models import Client, Domain
from tests.conftest import client_host

VIEWER = "{ viewer { email otpVerified } }"
QUEUE = "{ queue(first: 1) { edges { node { number } } } }"


def _cached(host: str):
    tenant = domain_cache.cached_tenant(host)
    assert tenant is not None, f"{host} is not cached"
    return tenant


def _sql(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_host_lookup_is_cached_and_forgotten_when_the_domain_changes(world, gql):
    host = client_host(world.a)
    lead = gql(world.a_lead, host=world.a)
    with CaptureQueriesContext(connection) as warm:
        assert lead.data(VIEWER)["viewer"]["email"] == world.a_lead.email
    assert not any("tenants_domain" in sql for sql in _sql(warm))
    assert _cached(host).pk == world.a.pk

    renamed_host = f"renamed-{host}"  # under the same (allowed) suffix
    domain = Domain.objects.get(domain=host)
    domain.domain = renamed_host
    domain.save()
    assert domain_cache.cached_tenant(host) is None  # the old host is forgotten at once
    response = lead.http.post("/graphql/", data={"query": VIEWER}, content_type="application/json")
    assert response.status_code == 404  # no tenant has that host any more

    renamed = gql(world.a_lead, host=renamed_host)
    assert renamed.data(VIEWER)["viewer"]["email"] == world.a_lead.email
    assert _cached(renamed_host).pk == world.a.pk
    Domain.objects.filter(pk=domain.pk).get().delete()
    assert domain_cache.cached_tenant(renamed_host) is None


def test_a_status_change_is_not_hidden_by_the_cache(world, gql):
    host = client_host(world.a)
    gql(world.a_lead, host=world.a).data(VIEWER)
    assert _cached(host).status == "active"
    alpha = Client.objects.get(pk=world.a.pk)  # world's own object keeps its status
    with transaction.atomic():
        change_client_status(alpha, "suspended", actor=world.admin, reason="unpaid")
    assert domain_cache.cached_tenant(host) is None
    gql(world.a_lead, host=world.a).execute(VIEWER)
    assert _cached(host).status == "suspended"


def test_unknown_hosts_are_not_cached(world, gql):
    nobody = f"nobody-{client_host(world.a)}"  # allowed, but no client has it
    stranger = gql(world.a_lead, host=nobody)
    response = stranger.http.post("/graphql/", data={"query": VIEWER}, content_type="application/json")
    assert response.status_code == 404
    assert domain_cache.cached_tenant(nobody) is None


def test_user_and_device_are_one_query(world, gql):
    tech = gql(world.technician)
    tech.data(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        assert tech.data(VIEWER)["viewer"]["otpVerified"] is True
    device_reads = [sql for sql in _sql(queries) if "otp_totp_totpdevice" in sql]
    assert len(device_reads) == 1 and "tenants_user" in device_reads[0]
    assert not [sql for sql in _sql(queries) if 'FROM "tenants_user"' in sql]
    # The MSP host's path is set once per request (it was set for the domain lookup and again
    # for the tenant, the same path twice).
    assert len([sql for sql in _sql(queries) if sql.startswith("SET search_path")]) == 1


def _refused(client) -> None:
    answer = client.execute(QUEUE)
    assert answer.get("data") is None or answer["data"].get("queue") is None
    assert answer["errors"]


def test_a_revoked_device_is_refused_at_once(world, gql):
    tech = gql(world.technician)
    assert tech.data(VIEWER)["viewer"]["otpVerified"] is True
    device = world.devices[world.technician.pk]
    TOTPDevice.objects.filter(pk=device.pk).delete()
    assert tech.data(VIEWER)["viewer"]["otpVerified"] is False
    _refused(tech)


def test_an_unconfirmed_device_or_someone_elses_is_refused(world, gql):
    tech = gql(world.technician)
    device = world.devices[world.technician.pk]
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    _refused(tech)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    other = gql(world.admin)
    session = other.http.session
    session["otp_device_id"] = device.persistent_id  # the technician's device in the admin's session
    session.save()
    assert other.data(VIEWER)["viewer"]["otpVerified"] is False
    _refused(other)


def test_a_deactivated_user_or_a_changed_password_ends_the_session(world, gql):
    tech = gql(world.technician)
    assert tech.data(VIEWER)["viewer"]["email"] == world.technician.email
    type(world.technician).objects.filter(pk=world.technician.pk).update(is_active=False)
    assert tech.data(VIEWER)["viewer"] is None
    _refused(tech)

    admin = gql(world.admin)
    assert admin.data(VIEWER)["viewer"]["otpVerified"] is True
    fresh = type(world.admin).objects.get(pk=world.admin.pk)  # world's objects stay as they are
    fresh.set_password("a-completely-new-password")
    fresh.save()
    assert admin.data(VIEWER)["viewer"] is None
    _refused(admin)


def test_search_path_is_set_again_after_a_rollback(world):
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        Client.objects.count()
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        Client.objects.count()
    assert len([sql for sql in _sql(queries) if sql.startswith("SET search_path")]) <= 1
    try:
        with transaction.atomic():
            connection.set_tenant(world.a)  # type: ignore[attr-defined]
            Client.objects.count()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as after:
        Client.objects.count()
    # The rollback may have undone the SET: it is sent again before the next query.
    assert [sql for sql in _sql(after) if sql.startswith("SET search_path")]


def _client_lookups(queries: CaptureQueriesContext) -> int:
    return sum(
        1 for sql in _sql(queries) if 'FROM "tenants_client"' in sql and '"tenants_client"."slug"' in sql
    )


def test_a_query_looks_the_client_up_once_however_many_fields_name_it(world, gql):
    tech = gql(world.technician)
    page = """query {
      clientSla(clientSlug: "alpha") { explicit }
      assignableStaff(clientSlug: "alpha") { email }
      client(slug: "alpha") { name }
      other: client(slug: "bravo") { name }
    }"""
    with CaptureQueriesContext(connection) as queries:
        data = tech.data(page)
    assert data["client"]["name"] == world.a.name and data["other"]["name"] == world.b.name
    assert _client_lookups(queries) == 2  # alpha once, bravo once


def test_a_client_the_person_may_not_reach_is_refused_by_every_field(world, gql):
    # A refusal is never remembered as a client: each field that names it is refused.
    tech = gql(world.limited_technician)  # allow-list: alpha only
    result = tech.execute('query { client(slug: "bravo") { name } again: client(slug: "bravo") { name } }')
    assert result["data"] == {"client": None, "again": None}


def test_mutations_look_the_client_up_every_time(world, gql, rf):
    from tenants.request_scope import resolve_client

    request = rf.get("/graphql/")
    user = type(world.technician).objects.get(pk=world.technician.pk)
    user.is_verified = lambda: True  # as django-otp marks a verified session's user
    request.tenant, request.user = world.msp, user
    request.graphql_memo = None  # what the view sets for a mutation
    with CaptureQueriesContext(connection) as queries:
        assert resolve_client(request, "alpha").pk == world.a.pk
        assert resolve_client(request, "alpha").pk == world.a.pk
    assert _client_lookups(queries) == 2
    request.graphql_memo = {}  # a query
    with CaptureQueriesContext(connection) as queries:
        assert resolve_client(request, "alpha") is resolve_client(request, "alpha")
    assert _client_lookups(queries) == 1


def test_the_device_and_user_read_gives_what_the_orm_gives(world):
    from tenants.middleware import device_with_user

    device = world.devices[world.technician.pk]
    read = device_with_user(device.pk)
    orm = TOTPDevice.objects.select_related("user").get(pk=device.pk)
    assert read is not None and read.__dict__.keys() - {"_state"} == orm.__dict__.keys() - {"_state"}
    for name in orm.__dict__.keys() - {"_state"}:
        assert getattr(read, name) == getattr(orm, name), name
    with CaptureQueriesContext(connection) as queries:
        user = read.user  # loaded with it
    assert len(queries) == 0 and user.__dict__.keys() == orm.user.__dict__.keys()
    for name in orm.user.__dict__.keys() - {"_state"}:
        assert getattr(user, name) == getattr(orm.user, name), name
    assert device_with_user(10**9) is None
