"""Root query fields of tenancy and identity: viewer, clients, client, provisioningJob, accountManagers."""

from __future__ import annotations

import uuid
from typing import Any

import graphene
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from graphene_django import DjangoConnectionField

from core.errors import ActionError
from core.graphql.errors import guard_query
from core.graphql.ids import decode_id
from core.graphql.types import enum_value
from tenants.access import (
    AccessDenied,
    clients_visible_to,
    ensure_may_reach_client_data,
    ensure_msp_role,
)
from tenants.actions import usable_invitation
from tenants.graphql.types import (
    ClientStatusEnum,
    ClientTierEnum,
    ClientType,
    IndustryEnum,
    InvitationPreview,
    ProvisioningJobType,
    StaffMember,
    Viewer,
)
from tenants.models import (
    Client,
    MspRole,
    ProvisioningJob,
    User,
)
from tenants.request_scope import is_msp_host, resolve_client

# ------------------------------------------------------------------------ queries


def filtered_clients(
    queryset: QuerySet[Client],
    *,
    search: str | None = None,
    industry: str | None = None,
    tier: str | None = None,
    status: str | None = None,
    account_manager_pk: int | None = None,
) -> QuerySet[Client]:
    if search:
        term = search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(slug__icontains=term))
    if industry:
        queryset = queryset.filter(industry=industry)
    if tier:
        queryset = queryset.filter(tier=tier)
    if status:
        queryset = queryset.filter(status=status)
    if account_manager_pk is not None:
        queryset = queryset.filter(account_manager_id=account_manager_pk)
    return queryset.order_by(Lower("name"), "pk")


class Query(graphene.ObjectType):
    viewer = graphene.Field(Viewer, description="The signed-in person; null when signed out.")
    clients = DjangoConnectionField(
        ClientType,
        required=True,
        search=graphene.String(),
        industry=IndustryEnum(),
        tier=ClientTierEnum(),
        status=ClientStatusEnum(),
        account_manager_id=graphene.ID(),
        description="MSP staff (second factor passed), on the MSP host: the clients they reach.",
    )
    client = graphene.Field(
        ClientType,
        slug=graphene.String(description="Required on the MSP host; optional on a client's portal host."),
        description="One client the person may reach; null when there is none.",
    )
    provisioning_job = graphene.Field(ProvisioningJobType, id=graphene.ID(required=True))
    invitation = graphene.Field(
        InvitationPreview,
        required=True,
        token=graphene.String(required=True),
        description="Anyone with an invitation link: can it be used, and for which company and name.",
    )
    account_managers = graphene.List(
        graphene.NonNull(StaffMember), required=True, description="Staff who can own client accounts."
    )

    def resolve_viewer(root: Any, info: Any) -> Viewer | None:
        return Viewer.for_request(info.context)

    def resolve_clients(
        root: Any,
        info: Any,
        search: str | None = None,
        industry: str | None = None,
        tier: str | None = None,
        status: str | None = None,
        account_manager_id: str | None = None,
        **_paging: Any,
    ) -> QuerySet[Client]:
        def body() -> QuerySet[Client]:
            user = ensure_msp_role(info.context.user)
            if not is_msp_host(info.context):
                raise AccessDenied("The client list is only available on the MSP host.")
            try:
                manager_pk = decode_id(account_manager_id, "StaffMember", "accountManagerId", required=False)
            except ActionError:
                return Client.objects.none()
            return filtered_clients(
                clients_visible_to(user),
                search=search,
                industry=enum_value(industry),
                tier=enum_value(tier),
                status=enum_value(status),
                account_manager_pk=manager_pk,
            )

        return guard_query(body)

    def resolve_client(root: Any, info: Any, slug: str | None = None) -> Client | None:
        def body() -> Client | None:
            ensure_may_reach_client_data(info.context.user)
            try:
                return resolve_client(info.context, slug)
            except AccessDenied as exc:
                if exc.code == "NOT_FOUND":
                    return None
                raise

        return guard_query(body)

    def resolve_provisioning_job(root: Any, info: Any, id: str) -> ProvisioningJobType | None:
        def body() -> ProvisioningJobType | None:
            ensure_msp_role(info.context.user, MspRole.ADMIN)
            job = (
                ProvisioningJob.objects.filter(pk=id).select_related("client").first()
                if _is_uuid(id)
                else None
            )
            return ProvisioningJobType.from_job(job) if job else None

        return guard_query(body)

    def resolve_invitation(root: Any, info: Any, token: str) -> InvitationPreview:
        # The token is 256 random bits; a usable one reveals only what its email already says.
        invitation = usable_invitation(token)
        if invitation is None:
            return InvitationPreview(usable=False)
        return InvitationPreview(
            usable=True, company_name=invitation.client.name, full_name=invitation.full_name or None
        )

    def resolve_account_managers(root: Any, info: Any) -> QuerySet[User]:
        def body() -> QuerySet[User]:
            ensure_msp_role(info.context.user)
            return User.objects.filter(
                msp_role__in=[MspRole.ACCOUNT_MANAGER, MspRole.ADMIN], is_active=True
            ).order_by("full_name")

        return guard_query(body)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
