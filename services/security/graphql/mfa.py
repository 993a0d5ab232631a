"""GraphQL of MFA coverage: `mfaCoverage`, `idpAccounts`, `idpImport` and the IdP list import."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q
from graphene import relay
from graphene_django import DjangoObjectType

from core.errors import ActionError
from core.graphql.connections import InSchema, TenantConnectionField
from core.graphql.errors import error_type, guard_query
from core.graphql.imports import CsvImport, csv_import_mutations, import_id
from core.graphql.mutations import BaseMutation
from core.graphql.types import CountedConnection
from services.security import mfa
from services.security.mfa_models import IdpAccount, IdpAccountImport
from services.security.mfa_selectors import mfa_coverage, mfa_history, portal_accounts
from tenants.models import ClientRole
from tenants.request_scope import client_schema

MfaError = error_type(
    "MfaError",
    ["CLIENT_READ_ONLY", "TOO_LARGE", "HAS_ERRORS", "NOTHING_TO_DO", "INVALID_STATE"],
    "Why an identity-provider list import failed.",
)
PORTAL_ACCOUNTS_SHOWN = 200


class MfaHistoryPoint(graphene.ObjectType):
    day = graphene.Date(required=True)
    percent = graphene.Float(description="Null when the client had no active account.")
    total_accounts = graphene.Int(required=True)
    covered_accounts = graphene.Int(required=True)


class MfaPortalAccount(graphene.ObjectType):
    """A portal user of the client and whether they use an authenticator app."""

    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    is_it_lead = graphene.Boolean(required=True)
    has_mfa = graphene.Boolean(required=True)


class MfaCoverageType(graphene.ObjectType):
    """The client's MFA coverage: active accounts (portal logins and identity-provider
    accounts) with a second factor, now and per day."""

    class Meta:
        name = "MfaCoverage"

    percent = graphene.Float(description="Covered / active accounts, one decimal; null without accounts.")
    total_accounts = graphene.Int(required=True)
    covered_accounts = graphene.Int(required=True)
    uncovered_accounts = graphene.Int(required=True)
    portal_accounts = graphene.Int(required=True)
    portal_covered = graphene.Int(required=True)
    idp_accounts = graphene.Int(required=True)
    idp_covered = graphene.Int(required=True)
    last_import_at = graphene.DateTime(description="When the identity-provider list was last applied.")
    history = graphene.List(
        graphene.NonNull(MfaHistoryPoint),
        required=True,
        days=graphene.Int(description="1–366, default 30."),
        description="One point per day with a snapshot, oldest first.",
    )
    portal_users = graphene.List(
        graphene.NonNull(MfaPortalAccount),
        required=True,
        description=f"The client's portal users, those without MFA first (at most {PORTAL_ACCOUNTS_SHOWN}).",
    )

    def resolve_history(root: Any, info: Any, days: int | None = None) -> list[MfaHistoryPoint]:
        return [MfaHistoryPoint(**vars(p)) for p in mfa_history(root.client, days or 30)]

    def resolve_portal_users(root: Any, info: Any) -> list[MfaPortalAccount]:
        rows = portal_accounts(root.client).values(  # type: ignore[misc]
            "email", "full_name", "has_mfa", "memberships__role"
        )
        leads = {r["email"] for r in rows if r["memberships__role"] == ClientRole.IT_LEAD}
        seen: dict[str, MfaPortalAccount] = {}
        for row in rows:
            seen.setdefault(
                row["email"],
                MfaPortalAccount(
                    email=row["email"],
                    full_name=row["full_name"],
                    is_it_lead=row["email"] in leads,
                    has_mfa=row["has_mfa"],
                ),
            )
        return list(seen.values())[:PORTAL_ACCOUNTS_SHOWN]


class IdpAccountNode(DjangoObjectType):
    """An account of the client's identity provider, as last imported."""

    class Meta:
        model = IdpAccount
        name = "IdpAccount"
        interfaces = (relay.Node,)
        connection_class = CountedConnection
        fields = (
            "id",
            "login",
            "display_name",
            "mfa_enabled",
            "mfa_method",
            "account_enabled",
            "last_sign_in_at",
            "updated_at",
        )

    @classmethod
    def get_node(cls, info: Any, id: Any) -> IdpAccount | None:
        return None  # reached through `idpAccounts`, which authorises


class MfaQuery(graphene.ObjectType):
    mfa_coverage = graphene.Field(
        MfaCoverageType,
        required=True,
        client_slug=graphene.String(),
        description="Staff and the client's IT leads: its MFA coverage KPI and history.",
    )
    idp_accounts = TenantConnectionField(
        IdpAccountNode,
        required=True,
        client_slug=graphene.String(),
        mfa_enabled=graphene.Boolean(),
        include_disabled=graphene.Boolean(),
        search=graphene.String(),
        description="Staff and IT leads: the identity provider's accounts, those without MFA first.",
    )
    idp_import = graphene.Field(
        CsvImport,
        client_slug=graphene.String(),
        id=graphene.ID(required=True),
        description="Staff and IT leads: an uploaded identity-provider list; null if unknown.",
    )

    def resolve_mfa_coverage(root: Any, info: Any, client_slug: str | None = None) -> Any:
        def body() -> Any:
            with client_schema(info.context, client_slug) as client:
                mfa.ensure_may_manage_mfa(info.context.user, client)
                coverage = mfa_coverage(client)
            result = MfaCoverageType(**vars(coverage), uncovered_accounts=coverage.uncovered_accounts)
            result.client = client
            return result

        return guard_query(body)

    def resolve_idp_accounts(
        root: Any, info: Any, client_slug: str | None = None, **filters: Any
    ) -> InSchema:
        def body() -> InSchema:
            with client_schema(info.context, client_slug) as client:
                mfa.ensure_may_manage_mfa(info.context.user, client)
                rows = IdpAccount.objects.all()
                if not filters.get("include_disabled"):
                    rows = rows.filter(account_enabled=True)
                if filters.get("mfa_enabled") is not None:
                    rows = rows.filter(mfa_enabled=filters["mfa_enabled"])
                if filters.get("search"):
                    term = filters["search"].strip()[:100]
                    rows = rows.filter(Q(login__icontains=term) | Q(display_name__icontains=term))
                return InSchema(rows.order_by("mfa_enabled", "-account_enabled", "login"))

        return guard_query(body)

    def resolve_idp_import(root: Any, info: Any, id: str, client_slug: str | None = None) -> CsvImport | None:
        def body() -> CsvImport | None:
            with client_schema(info.context, client_slug) as client:
                mfa.ensure_may_manage_mfa(info.context.user, client)
                try:
                    key = import_id(id, "id")
                except ActionError:
                    return None
                job = IdpAccountImport.objects.filter(pk=key).first()
                return CsvImport.from_job(job) if job else None

        return guard_query(body)


class MfaMutationBase(BaseMutation):
    default_error_type = MfaError

    class Meta:
        abstract = True


PreviewIdpImport, ApplyIdpImport, DiscardIdpImport = csv_import_mutations(
    MfaMutationBase,
    name="IdpImport",
    payload_field="idp_import",
    preview=mfa.preview_idp_import,
    apply=mfa.apply_idp_import,
    discard=mfa.discard_idp_import,
    client_schema=client_schema,
    docs=(
        "Staff and IT leads: upload the identity provider's account list (CSV, base64) and\n"
        "get its preview; nothing else is written.",
        "Staff and IT leads: apply a previewed list without errors (in the background).",
        "Staff and IT leads: drop a preview that will not be applied.",
    ),
)


class MfaMutation(graphene.ObjectType):
    preview_idp_import = PreviewIdpImport.Field(required=True)
    apply_idp_import = ApplyIdpImport.Field(required=True)
    discard_idp_import = DiscardIdpImport.Field(required=True)


__all__ = ["MfaMutation", "MfaQuery"]
