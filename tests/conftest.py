"""Suite-wide fixtures: a two-tenant world (clients A and B, users of every role),
created once per session on a real PostgreSQL, plus signed-in GraphQL clients.

Tests run inside a transaction that is rolled back (pytest-django's `db`), so the
world stays as it was built.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from services.catalog.defaults import ensure_default_catalog
from services.directory.actions import sync_member_contacts
from tenants import domain_cache
from tenants.actions import ensure_msp_tenant
from tenants.models import Client, ClientRole, ClientStatus, Membership, MspRole, StaffClientAccess, User
from tenants.provisioning import ensure_template_tenant, provision_client

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    msp: Client
    a: Client
    b: Client
    admin: User
    technician: User
    limited_technician: User  # allow-list: client A only
    account_manager: User
    a_lead: User
    a_member: User
    b_lead: User
    b_member: User
    devices: dict[int, TOTPDevice]

    def otp_code(self, user: User) -> str:
        device = self.devices[user.pk]
        return format(
            totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits), f"0{device.digits}d"
        )


def _staff(email: str, name: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, msp_role=role, **extra)


def _client(slug: str, name: str, industry: str, admin: User, account_manager: User) -> Client:
    client = provision_client(
        {
            "name": name,
            "slug": slug,
            "industry": industry,
            "tier": "standard",
            "it_lead_email": f"lead@{slug}.test",
            "it_lead_name": f"{name} Lead",
            "account_manager_id": account_manager.pk,
        },
        acting_user=admin,
    )
    Client.objects.filter(pk=client.pk).update(status=ClientStatus.ACTIVE)
    client.refresh_from_db()
    return client


def build_world() -> World:
    msp = ensure_msp_tenant()
    ensure_template_tenant()
    ensure_default_catalog()
    admin = _staff("admin@msp.test", "Ada Admin", MspRole.ADMIN, is_staff=True)
    technician = _staff("tech@msp.test", "Tom Tech", MspRole.TECHNICIAN)
    limited = _staff("limited@msp.test", "Lia Limited", MspRole.TECHNICIAN, limited_to_allowed_clients=True)
    account_manager = _staff("am@msp.test", "Amy Manager", MspRole.ACCOUNT_MANAGER)
    a = _client("alpha", "Alpha Health", "healthcare", admin, account_manager)
    b = _client("bravo", "Bravo Legal", "legal", admin, account_manager)
    StaffClientAccess.objects.create(user=limited, client=a)
    people = {}
    for client, key in ((a, "a"), (b, "b")):
        lead = User.objects.create_user(f"lead@{client.slug}.test", PASSWORD, full_name=f"{client.name} Lead")
        member = User.objects.create_user(
            f"member@{client.slug}.test", PASSWORD, full_name=f"{client.name} Member"
        )
        Membership.objects.create(user=lead, client=client, role=ClientRole.IT_LEAD)
        Membership.objects.create(user=member, client=client, role=ClientRole.MEMBER)
        client.invitations.all().delete()
        people[f"{key}_lead"], people[f"{key}_member"] = lead, member
        with schema_context(client.schema_name):
            sync_member_contacts(client)
    devices = {
        user.pk: TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        for user in (admin, technician, limited, account_manager)
    }
    return World(
        msp=msp,
        a=a,
        b=b,
        admin=admin,
        technician=technician,
        limited_technician=limited,
        account_manager=account_manager,
        devices=devices,
        **people,
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any, django_db_keepdb: bool) -> Iterator[None]:
    """The test database, also when no collected test asks for `db`.

    pytest-django creates it only for tests that use `db` (or a `django_db` mark); tests
    that work on the committed session world alone (a real Celery worker, overlapping
    sweeps) would otherwise run against the database DATABASE_URL names, which may be a
    developer's own."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.settings_dict["NAME"] == settings.DATABASES["default"]["TEST"]["NAME"]:
        yield
        return
    with django_db_blocker.unblock():
        # `aliases` is only tested for membership: the default database alone.
        created = setup_databases(
            verbosity=0, interactive=False, keepdb=django_db_keepdb, aliases={"default": connection}
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _remove_what_this_run_left_behind() -> Iterator[None]:
    """After the run: this run's cache keys, Celery queue and media folder (their names
    carry the run id, see msp_portal/settings_test.py); the test database is dropped by
    pytest-django."""
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import RedisError

    from msp_portal.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        cache_client = redis.Redis.from_url(str(settings.CACHES["default"]["LOCATION"]))
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        stale = list(cache_client.scan_iter(match=f"*:{prefix}:*", count=1000))
        if stale:
            cache_client.delete(*stale)
        with app.connection_for_write() as connection:
            broker = connection.default_channel.client
            # kombu's list for the queue, its priority sub-lists and its exchange bindings.
            keys = [
                queue,
                f"_kombu.binding.{queue}",
                f"_kombu.binding_permanent.{queue}",
                *broker.scan_iter(match=f"{queue}\x06\x16*"),
            ]
            broker.delete(*keys)
    except (RedisConnectionError, KombuOperationalError, OSError):
        pass  # no Redis now (e.g. engine tests run on their own): nothing of this run is there
    except RedisError as exc:
        warnings.warn(f"could not remove this test run's Redis keys: {exc}", stacklevel=1)


@pytest.fixture(scope="session")
def world_state(django_db_setup: Any, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture
def world(world_state: World, db: Any) -> World:
    return world_state


class GraphQLClient:
    """Posts GraphQL as the SPA does: JSON, session cookie, CSRF token, a chosen host."""

    def __init__(self, host: str = "testserver", enforce_csrf: bool = False):
        self.http = HttpClient(enforce_csrf_checks=enforce_csrf, HTTP_HOST=host)
        self.host = host
        # A running portal has the host's tenant cached after its first request: so do tests
        # (query counts are those of that steady state).
        domain_cache.warm(host)

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
        )
        assert response.status_code in (200, 400), response.content
        return json.loads(response.content)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        result = self.execute(query, variables)
        assert "errors" not in result, result.get("errors")
        return result["data"]


def client_host(client: Client) -> str:
    domain = client.get_primary_domain()
    assert domain is not None
    return domain.domain


@pytest.fixture
def gql(world: World) -> Any:
    """`gql(user=None, host=None, verified=True)` → a GraphQLClient signed in as `user`."""

    def make(
        user: User | None = None, *, host: str | Client = "testserver", verified: bool = True
    ) -> GraphQLClient:
        host_name = client_host(host) if isinstance(host, Client) else host
        graphql = GraphQLClient(host=host_name)
        if user is not None:
            graphql.http.force_login(user)
            device = world.devices.get(user.pk)
            if verified and device is not None:
                session = graphql.http.session
                session["otp_device_id"] = device.persistent_id
                session.save()
        return graphql

    return make


@pytest.fixture(autouse=True)
def _empty_tenant_cache() -> Iterator[None]:
    """Every test starts without cached host -> tenant lookups (tenants/domain_cache.py): a
    client a previous test created and rolled back must not be found from the cache."""
    domain_cache.forget_all()
    yield


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks queued through the outbox run in-process when their transaction commits (as a
    worker would run them), so a test can see their effects, e-mails included."""
    from msp_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def capture_task(monkeypatch: pytest.MonkeyPatch) -> Any:
    """`capture_task("tenants.provision_client")` -> a list that receives the outbox messages
    of that task as they are relayed, instead of publishing (or, eagerly, running) them.
    Other tasks are relayed as usual."""
    from core import outbox

    original = outbox.publish
    captured: dict[str, list[Any]] = {}

    def publish(message: Any, conn: Any) -> None:
        if message.task in captured:
            captured[message.task].append(message)
        else:
            original(message, conn)

    monkeypatch.setattr(outbox, "publish", publish)
    return lambda name: captured.setdefault(name, [])


@pytest.fixture(autouse=True)
def _public_schema_around_each_test() -> Iterator[None]:
    """Every test starts and ends on the public schema: a request to a client's host leaves
    the connection in that client's schema (as django-tenants does per request), which would
    otherwise leak into the next test."""
    from django.db import connection

    reset = getattr(connection, "set_schema_to_public", None)
    if reset is not None:
        reset()
    yield
    if reset is not None:
        reset()
