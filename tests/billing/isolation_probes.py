"""Isolation probes of every billing root field (imported into tests/tenants/test_isolation.py's
PROBES): client A's people, a technician limited to A and anonymous visitors, on every host,
get nothing of client B's billing and change nothing of it; technicians see no money."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from billing import actions, runs
from billing.models import (
    BillingGrant,
    Contract,
    ContractLine,
    CreditNote,
    Invoice,
    Payment,
    RunItem,
    UsageSnapshot,
)
from tests.billing.conftest import add_line, make_contract

SECRET = "Bravo secret retainer"


def b_invoice(world: Any) -> Invoice:
    """An issued invoice of client B (and its run item and a seat snapshot)."""
    contract = make_contract(world.b, world.admin)
    add_line(contract, world.admin, "flat", "4321.00", description=SECRET)
    add_line(contract, world.admin, "per_seat", "10.00", description=SECRET + " seats")
    run = runs.start_run(date(2026, 4, 1), trigger="command", enqueue=False, client_ids=[world.b.pk])
    item = RunItem.objects.get(run=run)
    runs.draft_item(item.pk)
    actions.approve_run_item(item, actor=world.admin)
    return actions.issue_run_item(item, actor=world.admin, today=date(2026, 4, 1))


def b_draft(world: Any) -> RunItem:
    contract = make_contract(world.b, world.admin)
    add_line(contract, world.admin, "per_seat", "10.00", description=SECRET)
    run = runs.start_run(date(2026, 4, 1), trigger="command", enqueue=False, client_ids=[world.b.pk])
    item = RunItem.objects.get(run=run)
    runs.draft_item(item.pk)
    return item


def outsiders(world: Any, gql: Any) -> list[Any]:
    return [
        gql(world.a_lead, host=world.a),
        gql(world.a_lead, host="testserver"),
        gql(world.a_lead, host=world.b),
        gql(world.a_member, host=world.a),
        gql(world.a_member, host=world.b),
        gql(world.limited_technician, host="testserver"),
        gql(world.limited_technician, host=world.b),
        gql(world.technician, host="testserver"),  # reaches B, but sees no money
        gql(world.b_member, host=world.b),  # B's own member without a grant
        gql(None, host=world.b),
        gql(None, host="testserver"),
    ]


def nothing(result: dict[str, Any]) -> None:
    text = json.dumps(result.get("data"))
    for marker in (SECRET, "4321", "Bravo Legal", "INV-"):
        assert marker not in text, f"{marker!r} leaked: {text[:400]}"


def query_probe(
    query: str, *, setup: Callable[[Any], Any] = b_invoice, allowed: Callable[[Any], str] | None = None
) -> Callable:
    def probe(world: Any, gql: Any) -> None:
        made = setup(world)
        text = query.replace("ID", str(getattr(made, "pk", "")))
        if hasattr(made, "run_id"):
            text = text.replace("RUN", str(made.run_id))
        elif hasattr(made, "run_item_id"):
            text = text.replace("RUN", str(RunItem.objects.get(pk=made.run_item_id).run_id))
        for graphql in outsiders(world, gql):
            nothing(graphql.execute(text))
        # the probe can see a leak: an admin sees it
        assert SECRET in json.dumps(gql(world.admin).data(text)) or allowed is not None

    return probe


def _written(world: Any) -> tuple[int, ...]:
    return (
        Contract.objects.filter(client=world.b).count(),
        ContractLine.objects.filter(client=world.b).count(),
        Payment.objects.filter(client=world.b).count(),
        CreditNote.objects.filter(client=world.b).count(),
        BillingGrant.objects.filter(client=world.b).count(),
        Invoice.objects.filter(client=world.b).exclude(status="issued").count(),
        RunItem.objects.filter(client=world.b).exclude(status__in=["draft", "issued"]).count(),
        UsageSnapshot.objects.filter(run_item__client=world.b, adjusted=True).count(),
    )


def mutation_probe(mutation: str, *, setup: Callable[[Any], Any] = b_invoice) -> Callable:
    def probe(world: Any, gql: Any) -> None:
        made = setup(world)
        ids = {
            "INVOICE": getattr(made, "pk", 0) if isinstance(made, Invoice) else 0,
            "ITEM": made.pk if isinstance(made, RunItem) else getattr(made, "run_item_id", 0),
            "CONTRACT": Contract.objects.filter(client=world.b).values_list("pk", flat=True).first(),
            "LINE": ContractLine.objects.filter(client=world.b).values_list("pk", flat=True).first(),
            "SNAPSHOT": UsageSnapshot.objects.filter(run_item__client=world.b)
            .values_list("pk", flat=True)
            .first()
            or 0,
            "MEMBER": world.b_member.pk,
        }
        text = mutation
        for key, value in ids.items():
            text = text.replace(key, str(value))
        before = _written(world)
        for graphql in outsiders(world, gql) + [
            gql(world.account_manager),
            gql(world.account_manager, host=world.b),
        ]:
            result = graphql.execute(text)
            nothing(result)
            if result.get("errors"):
                continue
            payload = next(iter(result["data"].values()))
            assert payload["errors"], text
            assert payload["errors"][0]["code"] in {
                "PERMISSION_DENIED",
                "NOT_FOUND",
                "NOT_AUTHENTICATED",
                "OTP_REQUIRED",
            }, payload
        assert _written(world) == before

    return probe


BILLING_PROBES: dict[str, Callable] = {
    "billingProfile": query_probe(
        '{ billingProfile(clientSlug: "bravo") { clientName currency viewers { email } } }',
        allowed=lambda w: "",
    ),
    "contracts": query_probe('{ contracts(clientSlug: "bravo") { name lines { description unitPrice } } }'),
    "invoices": query_probe(
        '{ invoices(clientSlug: "bravo") { number total clientName } }', allowed=lambda w: ""
    ),
    "invoice": query_probe('{ invoice(id: "ID") { number total lines { description } } }'),
    "billingRuns": query_probe("{ billingRuns { id runOn progress { total } } }", allowed=lambda w: ""),
    "billingRun": query_probe(
        '{ billingRun(id: "RUN") { items { clientName snapshots { lineDescription } invoice { total } } } }',
        setup=b_draft,
    ),
    "blockHourBalance": query_probe(
        '{ blockHourBalance(clientSlug: "bravo") { description history { usedMinutes } } }',
        allowed=lambda w: "",
    ),
    "slaCredits": query_probe('{ slaCredits(clientSlug: "bravo") { why amount } }', allowed=lambda w: ""),
    "billingDashboard": query_probe(
        "{ billingDashboard { mrrByClient { clientName amount } arAgeing { amount } } }", allowed=lambda w: ""
    ),
    "saveBillingProfile": mutation_probe(
        'mutation { saveBillingProfile(clientSlug: "bravo", legalName: "Hijacked") { profile { legalName } errors { code } } }'
    ),
    "createContract": mutation_probe(
        'mutation { createContract(clientSlug: "bravo", input: {name: "Planted", startsOn: "2030-01-01"}) '
        "{ contract { id } errors { code } } }"
    ),
    "updateContract": mutation_probe(
        'mutation { updateContract(id: "CONTRACT", input: {name: "Renamed"}) { contract { name } errors { code } } }'
    ),
    "addContractLine": mutation_probe(
        'mutation { addContractLine(contractId: "CONTRACT", input: {pricingModel: FLAT, description: "x", '
        'unitPrice: "1", startsOn: "2030-01-01"}) { line { id } errors { code } } }'
    ),
    "changeContractLine": mutation_probe(
        'mutation { changeContractLine(id: "LINE", effectiveOn: "2030-01-01", input: {unitPrice: "1"}) '
        "{ line { id } errors { code } } }"
    ),
    "endContractLine": mutation_probe(
        'mutation { endContractLine(id: "LINE", endsOn: "2030-01-01") { ok errors { code } } }'
    ),
    "startBillingRun": mutation_probe(
        'mutation { startBillingRun(runOn: "2026-04-01") { run { id } errors { code } } }'
    ),
    "adjustUsage": mutation_probe(
        'mutation { adjustUsage(snapshotId: "SNAPSHOT", quantity: "0", reason: "x") { snapshot { id } errors { code } } }',
        setup=b_draft,
    ),
    "approveRunItem": mutation_probe(
        'mutation { approveRunItem(itemId: "ITEM") { item { status } errors { code } } }', setup=b_draft
    ),
    "redraftRunItem": mutation_probe(
        'mutation { redraftRunItem(itemId: "ITEM") { item { status } errors { code } } }', setup=b_draft
    ),
    "issueRunItem": mutation_probe(
        'mutation { issueRunItem(itemId: "ITEM") { invoice { number } errors { code } } }', setup=b_draft
    ),
    "voidInvoice": mutation_probe(
        'mutation { voidInvoice(invoiceId: "INVOICE", reason: "x") { invoice { status } errors { code } } }'
    ),
    "markInvoiceUncollectible": mutation_probe(
        'mutation { markInvoiceUncollectible(invoiceId: "INVOICE", reason: "x") { invoice { status } errors { code } } }'
    ),
    "createCreditNote": mutation_probe(
        'mutation { createCreditNote(invoiceId: "INVOICE", amount: "1", reason: "x") { creditNote { id } errors { code } } }'
    ),
    "refundInvoice": mutation_probe(
        'mutation { refundInvoice(invoiceId: "INVOICE", amount: "1", reason: "x") { creditNote { id } errors { code } } }'
    ),
    "recordPayment": mutation_probe(
        'mutation { recordPayment(invoiceId: "INVOICE", amount: "1") { payment { id } errors { code } } }'
    ),
    "grantBillingAccess": mutation_probe(
        'mutation { grantBillingAccess(clientSlug: "bravo", userId: "MEMBER") { profile { clientName } errors { code } } }'
    ),
    "revokeBillingAccess": mutation_probe(
        'mutation { revokeBillingAccess(clientSlug: "bravo", userId: "MEMBER") { profile { clientName } errors { code } } }'
    ),
}
