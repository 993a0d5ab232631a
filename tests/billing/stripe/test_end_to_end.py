"""From billing's own actions to Stripe and back: issuing pushes after the commit (outbox,
eager worker), the client's IT lead sees only its own Pay link, the payment webhook settles
the ledger, and a manual settlement or a void follows at Stripe."""

from __future__ import annotations

from typing import Any

from billing import actions
from billing.models import Invoice, InvoiceStatus, PaymentMethod
from tests.billing.stripe.conftest import WEBHOOK_SECRET, LocalStripe, ledger_invoice, post_event
from tests.conftest import World


def issue(world: World, client: Any, capture: Any, **kwargs: Any) -> Invoice:
    draft = ledger_invoice(client, status=InvoiceStatus.DRAFT, **kwargs)
    with capture(execute=True):
        return actions.issue_invoice(draft, actor=world.admin)


def test_issue_pushes_after_commit_and_each_client_sees_only_its_pay_link(
    stripe_settings: LocalStripe,
    world: World,
    gql: Any,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    client: Any,
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    alpha = issue(world, world.a, django_capture_on_commit_callbacks)
    bravo = issue(world, world.b, django_capture_on_commit_callbacks)
    alpha.refresh_from_db()
    bravo.refresh_from_db()
    assert alpha.stripe_hosted_url and bravo.stripe_hosted_url
    assert alpha.stripe_hosted_url != bravo.stripe_hosted_url

    lead_a = gql(world.a_lead, host=world.a)
    rows = lead_a.data("{ invoices { number payUrl } }")["invoices"]
    assert [row["payUrl"] for row in rows] == [alpha.stripe_hosted_url]
    leak = lead_a.execute('{ invoices(clientSlug: "bravo") { payUrl } }')
    assert bravo.stripe_hosted_url not in str(leak)
    assert lead_a.execute('{ invoice(id: "%s") { payUrl } }' % bravo.pk).get("data") in (
        None,
        {"invoice": None},
    )
    assert bravo.stripe_hosted_url not in str(
        gql(world.a_lead, host=world.b).execute("{ invoices { payUrl } }")
    )
    # A member without a billing grant sees no money, so no link either.
    assert alpha.stripe_hosted_url not in str(
        gql(world.a_member, host=world.a).execute("{ invoices { payUrl } }")
    )

    # The client pays on Stripe's page; Stripe's events come back through the webhook.
    dashboard = stripe_settings.client()
    dashboard.v1.invoices.pay(alpha.stripe_invoice_id, {"paid_out_of_band": True})
    for event in dashboard.v1.events.list({"limit": 100}).data:
        if event.to_dict()["data"]["object"].get("id") == alpha.stripe_invoice_id:
            assert post_event(client, event.to_dict()).status_code == 200
    alpha.refresh_from_db()
    assert alpha.status == InvoiceStatus.PAID
    assert alpha.payments.get().method == PaymentMethod.STRIPE  # type: ignore[attr-defined]
    # Paid: the portal offers no Pay button any more.
    assert lead_a.data("{ invoices { payUrl } }")["invoices"] == [{"payUrl": None}]


def test_manual_payment_and_void_follow_at_stripe(
    stripe_settings: LocalStripe,
    world: World,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settled = issue(world, world.a, django_capture_on_commit_callbacks)
    voided = issue(world, world.a, django_capture_on_commit_callbacks)
    settled.refresh_from_db()
    voided.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_payment(
            settled,
            actor=world.admin,
            amount=str(settled.total.quantize(settled.total.__class__("0.01"))),
            reference="Bank transfer 42",
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.void_invoice(voided, actor=world.admin, reason="Issued to the wrong client")
    dashboard = stripe_settings.client()
    assert dashboard.v1.invoices.retrieve(settled.stripe_invoice_id).status == "paid"
    assert dashboard.v1.invoices.retrieve(voided.stripe_invoice_id).status == "void"


def test_offline_issue_queues_nothing_for_stripe(
    settings: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from core.models import OutboxMessage

    settings.STRIPE_API_KEY = ""
    invoice = issue(world, world.a, django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.stripe_invoice_id == ""
    assert not OutboxMessage.objects.filter(task__startswith="billing.stripe").exists()
