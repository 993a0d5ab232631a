"""Billing through /graphql/: who sees money (the authorisation matrix), typed errors with
nothing written, query counts of every list, and the PDF download."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from billing import actions, runs
from billing.models import Contract, CreditNote, Invoice, Payment, Refund, RunItem
from tests.billing.conftest import add_line, make_contract
from tests.conftest import World

INVOICES = '{ invoices(clientSlug: "alpha") { number total status payUrl pdfUrl } }'


def issued(
    world: World, client: Any = None, price: str = "100.00", run_on: date = date(2026, 4, 1)
) -> Invoice:
    client = client or world.a
    if not Contract.objects.filter(client=client).exists():
        contract = make_contract(client, world.admin)
        add_line(contract, world.admin, "flat", price)
        add_line(contract, world.admin, "per_seat", "5.00")
    run = runs.start_run(run_on, trigger="command", enqueue=False, client_ids=[client.pk])
    item = RunItem.objects.get(run=run)
    runs.draft_item(item.pk)
    actions.approve_run_item(item, actor=world.admin)
    return actions.issue_run_item(item, actor=world.admin, today=run_on)


def code(result: dict[str, Any]) -> str | None:
    errors = result.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


def test_who_sees_money(world: World, gql: Any) -> None:
    issued(world)
    cases = [
        (gql(world.admin), None),
        (gql(world.account_manager), None),
        (gql(world.a_lead, host=world.a), None),
        (gql(world.technician), "PERMISSION_DENIED"),
        (gql(world.limited_technician), "PERMISSION_DENIED"),
        (gql(world.a_member, host=world.a), "PERMISSION_DENIED"),
        (gql(world.b_lead, host=world.b), "NOT_FOUND"),
        (gql(world.admin, verified=False), "OTP_REQUIRED"),
        (gql(None), "NOT_AUTHENTICATED"),
    ]
    for graphql, expected in cases:
        result = graphql.execute('{ invoices(clientSlug: "alpha") { number } }')
        assert code(result) == expected, (graphql.host, result)
        if expected is None:
            assert len(result["data"]["invoices"]) == 1
    actions.grant_billing_access(world.a, actor=world.a_lead, user_id=world.a_member.pk)
    assert len(gql(world.a_member, host=world.a).data(INVOICES)["invoices"]) == 1
    # the client's own host needs no slug; another slug there is not found
    assert len(gql(world.a_lead, host=world.a).data("{ invoices { number } }")["invoices"]) == 1
    assert (
        code(gql(world.a_lead, host=world.a).execute('{ invoices(clientSlug: "bravo") { number } }'))
        == "NOT_FOUND"
    )


def test_changes_are_the_admins(world: World, gql: Any) -> None:
    mutation = 'mutation { createContract(clientSlug: "alpha", input: {name: "X", startsOn: "2026-01-01"}) { contract { id } errors { code } } }'
    for user in (world.account_manager, world.technician):
        assert gql(user).data(mutation)["createContract"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert gql(world.a_lead, host=world.a).data(mutation)["createContract"]["errors"] == [
        {"code": "PERMISSION_DENIED"}
    ]
    assert not Contract.objects.filter(client=world.a).exists()
    assert gql(world.admin).data(mutation)["createContract"]["errors"] == []
    # the IT lead may grant billing to a member, a member may not
    grant = (
        'mutation { grantBillingAccess(userId: "%d") { profile { viewers { email seesBilling } } errors { code } } }'
        % world.a_member.pk
    )
    assert gql(world.a_member, host=world.a).data(grant)["grantBillingAccess"]["errors"] == [
        {"code": "PERMISSION_DENIED"}
    ]
    viewers = gql(world.a_lead, host=world.a).data(grant)["grantBillingAccess"]["profile"]["viewers"]
    assert {v["email"]: v["seesBilling"] for v in viewers} == {
        world.a_lead.email: True,
        world.a_member.email: True,
    }


def test_bad_input_is_typed_and_writes_nothing(world: World, gql: Any) -> None:
    admin = gql(world.admin)
    make_contract(world.a, world.admin, starts_on=date(2026, 1, 1))
    overlap = admin.data(
        'mutation { createContract(clientSlug: "alpha", input: {name: "Y", startsOn: "2026-06-01"}) { contract { id } errors { code field } } }'
    )["createContract"]
    assert overlap == {"contract": None, "errors": [{"code": "OVERLAPPING_CONTRACT", "field": "startsOn"}]}
    currency = admin.data(
        'mutation { saveBillingProfile(clientSlug: "alpha", currency: "XXX") { profile { currency } errors { code field } } }'
    )
    assert currency["saveBillingProfile"]["errors"] == [{"code": "UNKNOWN_CURRENCY", "field": "currency"}]
    contract_id = Contract.objects.get(client=world.a).pk
    for price, expected in [
        ("-1", "NEGATIVE"),
        ("12,50", "INVALID"),
        ("\u0000", "INVALID"),
        ("1" * 41, "TOO_LONG"),
    ]:
        result = admin.execute(
            'mutation($p: String!) { addContractLine(contractId: "%d", input: {pricingModel: FLAT, description: "x", unitPrice: $p}) { line { id } errors { code } } }'
            % contract_id,
            {"p": price},
        )
        assert result["data"]["addContractLine"]["errors"][0]["code"] in {expected, "INVALID"}, (
            price,
            result,
        )
    assert not Contract.objects.get(client=world.a).lines.exists()
    add_line(Contract.objects.get(client=world.a), world.admin, "flat", "100.00")
    invoice = issued(world)
    pay = admin.data(
        'mutation { recordPayment(invoiceId: "%d", amount: "1000000") { payment { id } errors { code field } } }'
        % invoice.pk
    )["recordPayment"]
    assert pay == {"payment": None, "errors": [{"code": "OVERPAYMENT", "field": "amount"}]}
    assert not Payment.objects.exists()
    credit = admin.data(
        'mutation { createCreditNote(invoiceId: "%d", amount: "1000000", reason: "x") { creditNote { id } errors { code } } }'
        % invoice.pk
    )["createCreditNote"]
    assert credit["errors"] == [{"code": "CREDIT_TOO_LARGE"}]
    for bad_id in ("abc", "-1", "99999999", "Q29udHJhY3Q6MQ=="):
        result = admin.data(
            'mutation { voidInvoice(invoiceId: "%s", reason: "x") { invoice { id } errors { code } } }'
            % bad_id
        )
        assert result["voidInvoice"]["errors"][0]["code"] in {"INVALID", "NOT_FOUND"}


def test_review_approve_issue_and_pay_through_the_api(world: World, gql: Any) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "per_seat", "30.00", quantity="5")
    runs_before = RunItem.objects.count()
    admin = gql(world.admin)
    run = runs.start_run(date(2026, 4, 1), trigger="manual", enqueue=False, client_ids=[world.a.pk])
    runs.draft_item(RunItem.objects.get(run=run).pk)
    page = admin.data(
        '{ billingRun(id: "%d") { progress { total draft done } items { id status snapshots { id liveCount contracted drift } invoice { total } } } }'
        % run.pk
    )["billingRun"]
    assert page["progress"] == {"total": 1, "draft": 1, "done": 1}
    item = page["items"][0]
    assert item["snapshots"][0]["drift"] == "-3" and item["invoice"]["total"] == "60.00"
    adjusted = admin.data(
        'mutation { adjustUsage(snapshotId: "%s", quantity: "5", reason: "Contract minimum") { item { status invoice { total } snapshots { billed adjustmentReason } } errors { code } } }'
        % item["snapshots"][0]["id"]
    )["adjustUsage"]
    assert adjusted["errors"] == [] and adjusted["item"]["invoice"]["total"] == "150.00"
    assert adjusted["item"]["snapshots"][0]["adjustmentReason"] == "Contract minimum"
    issue = (
        'mutation { issueRunItem(itemId: "%s") { invoice { number status } errors { code } } }' % item["id"]
    )
    assert admin.data(issue)["issueRunItem"]["errors"] == [{"code": "NOT_APPROVED"}]
    admin.data('mutation { approveRunItem(itemId: "%s") { errors { code } } }' % item["id"])
    invoice = admin.data(issue)["issueRunItem"]["invoice"]
    assert invoice["status"] == "ISSUED" and invoice["number"].startswith("INV-")
    invoice_id = Invoice.objects.get(number_display=invoice["number"]).pk
    paid = admin.data(
        'mutation { recordPayment(invoiceId: "%d", amount: "100", reference: "SEPA 42") { invoice { status balance } errors { code } } }'
        % invoice_id
    )["recordPayment"]
    assert paid["invoice"] == {"status": "PARTIALLY_PAID", "balance": "50.00"}
    lead_view = gql(world.a_lead, host=world.a).data(
        '{ invoice(id: "%d") { status lines { description quantity amount } payments { amount } payUrl } }'
        % invoice_id
    )
    assert (
        lead_view["invoice"]["payments"] == [{"amount": "100.00"}] and lead_view["invoice"]["payUrl"] is None
    )
    Invoice.objects.filter(pk=invoice_id).update(stripe_hosted_url="https://invoice.stripe.com/i/x")
    assert (
        gql(world.a_lead, host=world.a).data(INVOICES)["invoices"][0]["payUrl"]
        == "https://invoice.stripe.com/i/x"
    )
    assert RunItem.objects.count() == runs_before + 1


def test_clients_never_see_drafts(world: World, gql: Any) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "flat", "10.00")
    run = runs.start_run(date(2026, 4, 1), trigger="manual", enqueue=False, client_ids=[world.a.pk])
    runs.draft_item(RunItem.objects.get(run=run).pk)
    draft = Invoice.objects.get(client=world.a)
    lead = gql(world.a_lead, host=world.a)
    assert lead.data(INVOICES)["invoices"] == []
    assert lead.data('{ invoice(id: "%d") { total } }' % draft.pk)["invoice"] is None
    assert lead.http.get(f"/invoices/alpha/{draft.pk}.pdf").status_code == 404
    assert gql(world.admin).http.get(f"/invoices/alpha/{draft.pk}.pdf").status_code == 200


def test_pdf_download_is_authorised_like_attachments(world: World, gql: Any) -> None:
    invoice = issued(world)
    url = f"/invoices/alpha/{invoice.pk}.pdf"
    response = gql(world.a_lead, host=world.a).http.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    for graphql in (
        gql(world.a_member, host=world.a),
        gql(world.b_lead, host=world.b),
        gql(world.technician),
        gql(None),
        gql(world.a_lead, host=world.b),
    ):
        assert graphql.http.get(url).status_code == 404
    assert gql(world.b_lead, host=world.b).http.get(f"/invoices/bravo/{invoice.pk}.pdf").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('{ invoices(clientSlug: "alpha") { number total clientName payUrl } }', 6),
        ("{ invoices { number total clientName } }", 4),
        ('{ contracts(clientSlug: "alpha") { name lines { description } } }', 7),
        ("{ billingRuns { id progress { total draft } } }", 5),
        (
            "{ billingDashboard { mrrByClient { clientName amount } mrrByServiceLine { amount } arAgeing { amount } draftsToReview } }",
            7,
        ),
    ],
)
def test_lists_are_a_constant_number_of_queries(
    world: World, gql: Any, django_assert_num_queries: Any, query: str, expected: int
) -> None:
    admin = gql(world.admin)
    issued(world, run_on=date(2026, 4, 1))
    admin.data(query)  # warm the session
    with django_assert_num_queries(expected):
        admin.data(query)
    for month in (5, 6, 7):
        issued(world, run_on=date(2026, month, 1))
    issued(world, client=world.b, run_on=date(2026, 4, 1))
    with django_assert_num_queries(expected):
        admin.data(query)


def test_a_run_page_is_a_constant_number_of_queries(
    world: World, gql: Any, django_assert_num_queries: Any
) -> None:
    admin = gql(world.admin)
    for client in (world.a, world.b):
        contract = make_contract(client, world.admin)
        add_line(contract, world.admin, "per_seat", "5.00")
        add_line(contract, world.admin, "block_hours", "100", included_hours="1", overage_rate="10")
    one = runs.start_run(date(2026, 4, 1), trigger="manual", enqueue=False, client_ids=[world.a.pk])
    both = runs.start_run(date(2026, 5, 1), trigger="manual", enqueue=False)
    for item in RunItem.objects.all():
        runs.draft_item(item.pk)
    query = '{ billingRun(id: "%d") { progress { total } items { clientName snapshots { drift adjustedBy } invoice { total } } } }'
    admin.data(query % one.pk)
    with django_assert_num_queries(7):
        assert len(admin.data(query % one.pk)["billingRun"]["items"]) == 1
    with django_assert_num_queries(7):
        assert len(admin.data(query % both.pk)["billingRun"]["items"]) == 2


def test_refunds_through_the_api_admins_only_and_the_client_sees_its_own_credit(
    world: World, gql: Any
) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "flat", "200.00")
    run = runs.start_run(date(2026, 4, 1), trigger="manual", enqueue=False, client_ids=[world.a.pk])
    item = RunItem.objects.get(run=run)
    runs.draft_item(item.pk)
    actions.approve_run_item(item, actor=world.admin)
    invoice = actions.issue_run_item(item, actor=world.admin, today=date(2026, 4, 1))
    actions.record_payment(invoice, actor=world.admin, amount="200.00")
    refund = (
        'mutation { refundInvoice(invoiceId: "%d", amount: "%s", reason: "Outage", method: BANK_TRANSFER) '
        "{ creditNote { number total } invoice { status balance } errors { code field } } }"
    )
    for person in (gql(world.account_manager), gql(world.technician), gql(world.a_lead, host=world.a)):
        refused = person.execute(refund % (invoice.pk, "10"))
        assert refused["data"]["refundInvoice"]["errors"][0]["code"] in ("PERMISSION_DENIED", "NOT_FOUND")
    assert not Refund.objects.exists()
    admin = gql(world.admin)
    too_much = admin.data(refund % (invoice.pk, "100000"))["refundInvoice"]
    # The action's own code reaches the API (not mapped to INVALID) and nothing is written.
    assert too_much == {
        "creditNote": None,
        "invoice": None,
        "errors": [{"code": "REFUND_TOO_LARGE", "field": "amount"}],
    }
    assert not Refund.objects.exists() and not CreditNote.objects.exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("200.00")
    stripe_refund = admin.data(
        'mutation { refundInvoice(invoiceId: "%d", amount: "10", reason: "x", method: STRIPE) '
        "{ errors { code field } } }" % invoice.pk
    )["refundInvoice"]
    assert stripe_refund["errors"] == [{"code": "NOT_PAID_THROUGH_STRIPE", "field": "method"}]
    assert not Refund.objects.exists() and not CreditNote.objects.exists()
    done = admin.data(refund % (invoice.pk, "50"))["refundInvoice"]
    assert done["errors"] == [] and done["creditNote"]["total"] == "50.00"
    assert done["invoice"] == {"status": "PAID", "balance": "0.00"}
    lead_view = gql(world.a_lead, host=world.a).data(
        '{ invoice(id: "%d") { creditNotes { total reason } payments { amount } } }' % invoice.pk
    )["invoice"]
    assert lead_view["creditNotes"] == [{"total": "50.00", "reason": "Refund: Outage"}]
    # Another client's lead sees nothing of it.
    assert (
        gql(world.b_lead, host=world.b).data('{ invoice(id: "%d") { total } }' % invoice.pk)["invoice"]
        is None
    )
