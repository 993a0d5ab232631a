from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from services.directory.models import Contact
from tenants.models import Client, MspRole, User
from tests.conftest import PASSWORD, GraphQLClient, client_host


@pytest.fixture
def staff_gql() -> Any:
    """`staff_gql(user, host=...)`: a signed-in session with the second factor passed, for
    staff made by the test (the world's staff have their devices already)."""

    def make(user: User, host: str | Client = "testserver") -> GraphQLClient:
        graphql = GraphQLClient(host=client_host(host) if isinstance(host, Client) else host)
        graphql.http.force_login(user)
        device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = graphql.http.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return graphql

    return make


@pytest.fixture
def other_manager(world: Any) -> User:
    """An account manager whose book holds neither A nor B."""
    return User.objects.create_user(
        "am2@msp.test", PASSWORD, full_name="Otto Other", msp_role=MspRole.ACCOUNT_MANAGER
    )


@pytest.fixture
def a_contact(world: Any) -> Contact:
    """The IT lead's contact in client A (synced from the membership)."""
    with tenant_context(world.a):
        return Contact.objects.get(user_id=world.a_lead.pk)


@pytest.fixture
def b_contact(world: Any) -> Contact:
    with tenant_context(world.b):
        return Contact.objects.get(user_id=world.b_lead.pk)
