"""Billing at scale: the monthly run for 1,000 clients, PDF rendering, MRR and AR queries.

1. **Monthly run**: 1,000 clients with mixed contracts (flat for all; per seat, per device,
   block hours with rollover and one-off charges for some) are billed on the same day. The run
   is opened (`billing.runs.start_run`) and every (client, period) drafted in this process, one
   after another, as `manage.py run_billing` does; then every draft is approved and issued
   (gap-free numbers). Checked: exactly one invoice per client, and a second run of the same
   day adds no item and no invoice.
2. **PDF rendering**: invoices rendered per second (`billing.pdf.render_invoice`).
3. **MRR and AR ageing** at 1,000 clients × 24 months of issued invoices (23 earlier months
   bulk-inserted, with partial payments and overdue balances): p95 of the dashboard's three
   queries over 20 runs, and their query count at 1 month and at 24 months (constant).

Billing is public-schema data, so the clients are `Client` rows **without schemas** (creating
1,000 tenant schemas would take most of an hour and measures provisioning, not billing); their
usage readers find no schema and count no devices ("no device inventory yet": the contracted
number is billed), no time and no SLA outcomes — one `schema_exists` query each. The
service-desk reads themselves are exercised by the tests on real client schemas.

    .venv/bin/python -m benchmarks.billing_run                 # 1,000 clients
    .venv/bin/python -m benchmarks.billing_run --clients 200   # quicker

Exits non-zero when a check fails (and prints what it found).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)
from benchmarks.queue_latency import EXTRA_ENVIRONMENT

RUN_ON = date(2026, 12, 1)


def create_clients(count: int) -> list[int]:
    from billing.models import BillingProfile, Contract, ContractLine
    from tenants.models import Client

    clients = Client.objects.bulk_create(
        [
            Client(
                name=f"Bench client {i:04d}",
                slug=f"bench-{i:04d}",
                schema_name=f"bench_{i:04d}",
                kind="client",
                status="active",
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    currencies = ["USD", "EUR", "GBP", "JPY", "KWD"]
    BillingProfile.objects.bulk_create(
        [
            BillingProfile(client=c, currency=currencies[i % 5], billing_day=1, tax_rate=Decimal(i % 4 * 5))
            for i, c in enumerate(clients)
        ],
        batch_size=500,
    )
    contracts = Contract.objects.bulk_create(
        [Contract(client=c, name="Managed IT", starts_on=date(2024, 1, 1)) for c in clients], batch_size=500
    )
    lines = []
    for i, contract in enumerate(contracts):
        client_id = contract.client_id

        def line(
            model: str, price: str, contract: Contract = contract, client_id: int = client_id, **extra: object
        ) -> ContractLine:
            return ContractLine(
                contract=contract,
                client_id=client_id,
                pricing_model=model,
                description=f"{model.replace('_', ' ')} service",
                unit_price=Decimal(price),
                starts_on=extra.pop("starts_on", date(2024, 1, 1)),  # type: ignore[misc]
                **extra,  # type: ignore[arg-type]
            )

        lines.append(line("flat", "1500.00", service_line="infrastructure"))
        if i % 3 == 0:
            lines.append(line("per_seat", "35.50", quantity=Decimal(20 + i % 30), service_line="support"))
        if i % 4 == 0:
            lines.append(line("per_device", "12.00", quantity=Decimal(40 + i % 50), service_line="security"))
        if i % 3 == 1:
            lines.append(
                line(
                    "block_hours",
                    "900.00",
                    included_minutes=600,
                    overage_rate=Decimal(120),
                    rollover_periods=2,
                )
            )
        if i % 10 == 0:
            lines.append(line("one_off", "250.00", starts_on=date(2026, 11, 15), ends_on=date(2026, 11, 15)))
        if i % 7 == 0:  # a mid-period price change: two prorated lines
            lines.append(line("flat", "100.00", ends_on=date(2026, 11, 10), service_line="support"))
            lines.append(line("flat", "120.00", starts_on=date(2026, 11, 11), service_line="support"))
    ContractLine.objects.bulk_create(lines, batch_size=1000)
    return [c.pk for c in clients]


def monthly_run(client_ids: list[int]) -> dict[str, float | int]:
    from billing import actions
    from billing.models import Invoice, RunItem
    from billing.runs import draft_item_safely, start_run
    from tenants.models import User

    admin = User.objects.filter(msp_role="admin").first() or User.objects.create_user(
        "bench-admin@msp.test", "x" * 20, full_name="Bench Admin", msp_role="admin"
    )
    started = time.perf_counter()
    run = start_run(RUN_ON, trigger="command", enqueue=False, client_ids=client_ids)
    opened = time.perf_counter() - started
    item_ids = list(RunItem.objects.filter(run=run).values_list("pk", flat=True))
    for index, item_id in enumerate(item_ids, start=1):
        draft_item_safely(item_id)
        if index % 250 == 0:
            print(f"  drafted {index}/{len(item_ids)} ({time.perf_counter() - started:.1f} s)", flush=True)
    drafted = time.perf_counter() - started
    issue_started = time.perf_counter()
    for item in RunItem.objects.filter(run=run, status="draft"):
        actions.approve_run_item(item, actor=admin)
        actions.issue_run_item(item, actor=admin, today=RUN_ON)
    issued = time.perf_counter() - issue_started
    invoices = Invoice.objects.filter(client_id__in=client_ids, period_start=date(2026, 11, 1)).count()
    rerun = start_run(RUN_ON, trigger="command", enqueue=False, client_ids=client_ids)
    after = Invoice.objects.filter(client_id__in=client_ids).count()
    numbers = sorted(
        n for n in Invoice.objects.filter(number__isnull=False).values_list("number", flat=True) if n
    )
    return {
        "items": len(item_ids),
        "open_seconds": opened,
        "draft_seconds": drafted,
        "issue_seconds": issued,
        "invoices": invoices,
        "rerun_items": rerun.total_items,
        "invoices_after_rerun": after,
        "gap_free": int(numbers == list(range(numbers[0], numbers[0] + len(numbers)))) if numbers else 0,
    }


def pdf_rate(samples: int) -> float:
    from billing.models import Invoice
    from billing.pdf import render_invoice

    invoices = list(Invoice.objects.filter(number__isnull=False).prefetch_related("lines")[:samples])
    started = time.perf_counter()
    for invoice in invoices:
        assert render_invoice(invoice).startswith(b"%PDF-")
    return len(invoices) / (time.perf_counter() - started)


def history(client_ids: list[int], months: int) -> int:
    """Issued invoices for `months` earlier months per client, bulk-inserted (what the run
    would have produced), some paid, some partly, some overdue."""
    from billing.models import Invoice, InvoiceLine

    created = 0
    number = (Invoice.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    for back in range(1, months):
        year, month = 2026, 11 - back
        while month <= 0:
            month += 12
            year -= 1
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        invoices = []
        for i, client_id in enumerate(client_ids):
            total = Decimal("1500.00") + Decimal(i % 5 * 100)
            paid = total if (back > 2 or i % 3) else (total / 2).quantize(Decimal("0.01"))
            invoices.append(
                Invoice(
                    client_id=client_id,
                    number=number,
                    number_display=f"INV-{number:06d}",
                    status="paid" if paid == total else "partially_paid",
                    currency="USD",
                    period_start=start,
                    period_end=end,
                    issued_on=end,
                    due_on=end + timedelta(days=30),
                    subtotal=total,
                    total=total,
                    amount_paid=paid,
                )
            )
            number += 1
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        lines = []
        for invoice in invoices:
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    kind="charge",
                    service_line="infrastructure",
                    description="Flat",
                    quantity=1,
                    unit_price=Decimal(1500),
                    amount=Decimal(1500),
                )
            )
            if invoice.total > 1500:
                extra = invoice.total - 1500
                lines.append(
                    InvoiceLine(
                        invoice=invoice,
                        kind="charge",
                        service_line="support",
                        description="Seats",
                        quantity=1,
                        unit_price=extra,
                        amount=extra,
                    )
                )
        InvoiceLine.objects.bulk_create(lines, batch_size=2000)
        created += len(invoices)
    return created


def dashboard_timings(runs: int) -> tuple[list[float], int, list[float], list[float]]:
    """(MRR + AR ms, their queries, MRR alone ms, AR alone ms) per run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing import selectors

    today = RUN_ON
    timings, mrr_ms, ar_ms = [], [], []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            selectors.mrr_by_service_line(today, 24)
            selectors.mrr_by_client(today, 24)
            middle = time.perf_counter()
            selectors.ar_ageing(today)
            ended = time.perf_counter()
            timings.append((ended - started) * 1000)
            mrr_ms.append((middle - started) * 1000)
            ar_ms.append((ended - middle) * 1000)
        queries = len(captured)
    return timings, queries, mrr_ms, ar_ms


def live_mrr_timings(runs: int) -> list[float]:
    """The aggregate over every charge line that the dashboard ran before the running totals."""
    from billing import mrr

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        mrr.live_by_service_line()
        mrr.live_by_client()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--pdfs", type=int, default=200)
    add_database_arguments(parser, "msp_bench_billing")
    args = parser.parse_args(argv)
    problems: list[str] = []
    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (_url, machine):
        from django.db import connection

        connection.set_schema_to_public()  # type: ignore[attr-defined]
        print(f"Creating {args.clients} clients with mixed contracts…", flush=True)
        client_ids = create_clients(args.clients)
        print("Monthly run…", flush=True)
        result = monthly_run(client_ids)
        if result["invoices"] != args.clients:
            problems.append(f"{result['invoices']} invoices for {args.clients} clients")
        if result["rerun_items"] or result["invoices_after_rerun"] != result["invoices"]:
            problems.append("the re-run added something")
        if not result["gap_free"]:
            problems.append("invoice numbers have a gap")
        if float(result["draft_seconds"]) > 60:
            problems.append(f"drafting took {result['draft_seconds']:.1f} s (> 60 s)")
        print("PDF rendering…", flush=True)
        rate = pdf_rate(args.pdfs)
        from billing import mrr
        from billing.models import MrrMonth

        if mrr.live_by_service_line() != [
            (r.month, r.service_line, r.currency, r.total, r.lines)
            for r in MrrMonth.objects.order_by("month", "service_line", "currency")
        ]:
            problems.append("the MRR running totals kept by issuing differ from the lines")
        few_timings, few_queries, few_mrr, _few_ar = dashboard_timings(5)
        print(f"Adding {args.months - 1} earlier months of invoices…", flush=True)
        added = history(client_ids, args.months)
        # Bulk-inserted history bypasses issuing: the running totals are rebuilt, as after a restore.
        rebuild_started = time.perf_counter()
        mrr.rebuild()
        rebuild_seconds = time.perf_counter() - rebuild_started
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE billing_invoice; ANALYZE billing_invoiceline; "
                "ANALYZE billing_mrrmonth; ANALYZE billing_clientmrrmonth;"
            )
        cpu_started = time.process_time()
        timings, queries, mrr_ms, ar_ms = dashboard_timings(20)
        dashboard_cpu = (time.process_time() - cpu_started) / 20 * 1000
        live_ms = live_mrr_timings(5)
        if queries != few_queries:
            problems.append(f"dashboard queries grew from {few_queries} to {queries}")
        added_by_rerun = int(result["invoices_after_rerun"]) - int(result["invoices"])
        print()
        print_table(["", ""], [*machine, ("load average (1/5/15 min)", load_average())])
        print()
        print_table(
            ["measure", "value"],
            [
                ("clients billed", result["items"]),
                ("open the run (items + outbox), s", f"{result['open_seconds']:.2f}"),
                ("draft every client (count, snapshot, price), s", f"{result['draft_seconds']:.1f}"),
                ("approve + issue every draft, s", f"{result['issue_seconds']:.1f}"),
                ("invoices after the run", result["invoices"]),
                (
                    "items / invoices added by a re-run",
                    f"{result['rerun_items']} / {added_by_rerun}",
                ),
                ("invoice numbers gap-free", "yes" if result["gap_free"] else "NO"),
                ("PDF rendering, invoices/s", f"{rate:.0f}"),
                ("invoices in the database (MRR/AR)", added + int(result["invoices"])),
                ("MRR + AR queries (1 month → 24 months)", f"{few_queries} → {queries}"),
                ("MRR + AR p95, ms (1 month)", f"{percentile(few_timings, 0.95):.0f}"),
                (f"MRR + AR p95, ms ({args.months} months)", f"{percentile(timings, 0.95):.0f}"),
                ("MRR alone (running totals) p95, ms (1 month)", f"{percentile(few_mrr, 0.95):.1f}"),
                (
                    f"MRR alone (running totals) p95, ms ({args.months} months)",
                    f"{percentile(mrr_ms, 0.95):.1f}",
                ),
                (f"AR ageing alone p95, ms ({args.months} months)", f"{percentile(ar_ms, 0.95):.0f}"),
                ("MRR + AR CPU per dashboard, ms", f"{dashboard_cpu:.1f}"),
                (
                    f"MRR from the lines (the old aggregate) p95, ms ({args.months} months)",
                    f"{percentile(live_ms, 0.95):.0f}",
                ),
                ("rebuild_mrr after the bulk load, s", f"{rebuild_seconds:.2f}"),
            ],
        )
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
