"""A receipt deleted in Sage lowers what payment sync brings back (``deleted_since``), on invoices the real
converter built from the Manage sandbox's GLExport and posted to the Sage sandbox over HTTP; and through the
command line, the Manage payment follows it down."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.documents.model import DocumentKind
from mobius_tui.sandbox.sage_cloud import create_sandbox

from .e2e import PROFILE, cloud_env
from .plans import adapter_values, manage_plans, post_all, sales_only
from .test_cli_e2e import EXPORT

CENT = Decimal("0.01")


async def test_a_deleted_receipt_is_taken_off_what_sync_reports(dataset):
    with manage_plans() as full, create_sandbox(dataset) as sandbox:
        plan = sales_only(full)
        first, second = [d for d in plan.documents if d.kind == DocumentKind.SALES_INVOICE][:2]
        async with SageCloud(adapter_values(sandbox)) as package:
            await post_all(package, plan)
            half = (first.document_total / 2).quantize(CENT)
            quarter = (first.document_total / 4).quantize(CENT)
            sandbox.receive_payment(first.number, half, date(2025, 7, 2))
            taken_back = sandbox.receive_payment(first.number, quarter, date(2025, 7, 3))
            whole = sandbox.receive_payment(second.number, second.document_total, date(2025, 7, 3))
            before = {p.document_number: p for p in await package.payments_since(date(2025, 7, 1))}
            assert before[first.number].paid == half + quarter and before[second.number].fully_paid
            sandbox.business.delete_payment(taken_back["id"])  # the bookkeeper deletes two receipts in Sage
            sandbox.business.delete_payment(whole["id"])
            after = {p.document_number: p for p in await package.payments_since(date(2025, 7, 1))}
    part = after[first.number]
    assert (part.paid, part.balance, part.date_paid_in_full, part.last_payment_date) == (
        half, first.document_total - half, None, date(2025, 7, 2))
    unpaid = after[second.number]
    assert (unpaid.paid, unpaid.balance, unpaid.date_paid_in_full) == (0, second.document_total, None)


def test_sync_lowers_the_manage_payment_after_a_receipt_is_deleted(manage_sandbox, app_dirs, file_keyring):
    with create_sandbox(manage_sandbox.store.dataset) as sage:
        cloud = cloud_env(manage_sandbox, sage)
        assert cloud.run([*EXPORT, "--batch-number", "SC-REV"]).returncode == 0
        invoice = next(i for i in manage_sandbox.store.dataset.invoices if not i.is_credit and not i.paid)
        half = (invoice.total / 2).quantize(CENT)
        today = date.today()
        sage.receive_payment(invoice.number, half, today - timedelta(days=1))
        extra = sage.receive_payment(invoice.number, (invoice.total / 4).quantize(CENT), today)

        def sync() -> dict:
            run = cloud.run(["sync-payments", "--profile", PROFILE, "--start", "past-week", "--json"])
            assert run.returncode == 0, run.stdout + run.stderr
            report = [json.loads(line) for line in run.stdout.splitlines()][-1]
            return {r["manage_number"]: r["action"] for r in report["results"]}

        assert sync()[invoice.number] == "created"
        assert manage_sandbox.store.paid(invoice.id) == half + (invoice.total / 4).quantize(CENT)
        sage.business.delete_payment(extra["id"])
        assert sync()[invoice.number] == "updated"
        assert manage_sandbox.store.paid(invoice.id) == half
        assert sync()[invoice.number] == "unchanged"
