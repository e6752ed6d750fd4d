"""Check, post, duplicate guard and payment sync of the Sage Business Cloud package, on plans the real
converter built from the Manage sandbox's GLExport, against the Sage sandbox over HTTP."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal


from mobius_tui.accounting.base import PostStatus, Severity
from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.payloads import spread_tax
from mobius_tui.documents.model import DocumentKind, Plan, SalesDocument
from mobius_tui.sandbox.sage_cloud import create_sandbox
from mobius_tui.sandbox.sage_cloud.seed import nominal_code

from .plans import adapter_values, post_all, sales_only


def sales(plan: Plan) -> list[SalesDocument]:
    return [d for d in plan.documents if isinstance(d, SalesDocument)]


async def test_the_check_creates_only_the_unknown_customer(sandbox, full_plan):
    async with SageCloud(adapter_values(sandbox)) as package:
        ref = await package.reference()
        problems = package.check(sales_only(full_plan), ref)
    assert not [p for p in problems if p.blocking]
    missing = next(m for m in sandbox.dataset.missing_mappings if m.kind == "customer")
    notices = {p.cause for p in problems if p.severity == Severity.NOTICE}
    assert notices == {f"Customer {next(c.name for c in full_plan.customers if c.account == missing.key)} "
                       f"({missing.key}) will be created in Sage"}


async def test_a_near_miss_is_reported_with_the_fix_instead_of_a_duplicate(dataset, full_plan):
    with create_sandbox(dataset, near_misses=True) as sb:
        async with SageCloud(adapter_values(sb)) as package:
            ref = await package.reference()
            problems = [p for p in package.check(sales_only(full_plan), ref) if p.blocking]
            missing = next(m for m in dataset.missing_mappings if m.kind == "customer")
            typed = next(c["name"] for c in sb.business.table("contacts").values() if not c["reference"])
            assert problems and {p.document.number for p in problems} == set(missing.documents)
            assert all(f"set the reference of Sage contact '{typed}' to {missing.key}" in p.fix for p in problems)
    # Only those documents are stopped; every other invoice still checks clean.
    others = {d.origin for d in sales_only(full_plan).documents} - {p.document for p in problems}
    assert others and all(d.customer.account != missing.key for d in sales(full_plan) if d.origin in others)


async def test_every_sales_document_posts_with_manage_amounts_accounts_and_taxes(sandbox, full_plan):
    plan = sales_only(full_plan)
    async with SageCloud(adapter_values(sandbox)) as package:
        assert not (await package.existing(plan.documents)).found
        results = await post_all(package, plan)
        assert {r.status for r in results.values()} == {PostStatus.POSTED}
        again = await package.existing(plan.documents)
    assert set(again.found) == {d.key for d in plan.documents}
    books = sandbox.business
    accounts = {a["id"]: a["nominal_code"] for a in books.table("ledger_accounts").values()}
    for doc in sales(plan):
        table = "sales_credit_notes" if doc.kind == DocumentKind.CREDIT_MEMO else "sales_invoices"
        record = sandbox.invoice(doc.number, table)
        assert results[doc.key].reference == record["displayed_as"]
        assert record["total_amount"] == doc.document_total, doc.number
        assert record["tax_amount"] == sum((t.amount for t in doc.taxes), Decimal(0)), doc.number
        lines = record["invoice_lines" if table == "sales_invoices" else "credit_note_lines"]
        assert [accounts[ln["ledger_account"]["id"]] for ln in lines] == [nominal_code(ln.account) for ln in doc.lines]
        assert [ln["tax_amount"] for ln in lines] == spread_tax(doc)
        assert record["date"] == doc.date.isoformat()
    kinds = Counter(d.kind for d in plan.documents)
    assert len(books.table("sales_invoices")) == kinds[DocumentKind.SALES_INVOICE]
    assert len(books.table("sales_credit_notes")) == kinds[DocumentKind.CREDIT_MEMO]
    assert {r["invoice_number"][:3] for r in books.table("sales_invoices").values()} == {"SI-"}
    missing = next(m for m in sandbox.dataset.missing_mappings if m.kind == "customer")
    created = [c for c in books.table("contacts").values() if c["reference"] == missing.key]
    assert len(created) == 1
    # Catalogue items the business has are referenced on their lines; other lines stay plain.
    lines = [ln for r in books.table("sales_invoices").values() for ln in r["invoice_lines"]]
    assert any(ln["product"] for ln in lines) and any(ln["service"] for ln in lines)
    assert any(not ln["product"] and not ln["service"] for ln in lines)


async def test_lost_answers_throttling_and_outages_never_post_twice(sandbox, full_plan):
    plan = sales_only(full_plan)
    plan.documents = plan.documents[:12]
    sandbox.faults.only("POST", "/v3.1/sales_")
    sandbox.faults.drop_after_commit_next = 2  # stored, answer lost: found by the look-up
    sandbox.faults.throttle_next = 2  # 429: sent again after the wait
    async with SageCloud(adapter_values(sandbox, concurrency=1)) as package:
        results = await post_all(package, plan)
        sandbox.faults.clear()
        sandbox.faults.only("POST", "/v3.1/sales_")
        sandbox.faults.error_next = 1  # 503 on a write: looked up, not there, sent again
        more = dict(results)
        other = sales_only(full_plan)
        other.documents = other.documents[12:14]
        more.update(await post_all(package, other))
    sandbox.faults.clear()
    kinds = Counter(k for k, *_ in sandbox.faults.injected)
    assert kinds == {"drop_after_commit": 2, "throttle": 2, "error": 1}
    assert all(r.posted for r in more.values()) and len(more) == 14
    references = [r["reference"] for t in ("sales_invoices", "sales_credit_notes")
                  for r in sandbox.business.table(t).values()]
    assert sorted(references) == sorted(d.number for d in plan.documents + other.documents)


async def test_a_refused_invoice_fails_with_its_field_and_the_others_post(sandbox, full_plan):
    plan = sales_only(full_plan)
    victim = sales(plan)[3]
    sandbox.business.refusals[victim.number] = ("invoice_lines.tax_rate_id", "is not valid for this date")
    async with SageCloud(adapter_values(sandbox)) as package:
        results = await post_all(package, plan)
    failed = {k: r.error for k, r in results.items() if not r.posted}
    assert failed == {victim.key: "Sage refused it: is not valid for this date (field invoice_lines.tax_rate_id)"}


async def test_payment_sync_reads_partial_and_full_payments_through_the_payments(sandbox, full_plan):
    plan = sales_only(full_plan)
    invoices = [d for d in sales(plan) if d.kind == DocumentKind.SALES_INVOICE][:3]
    credit = next(d for d in sales(plan) if d.kind == DocumentKind.CREDIT_MEMO)
    async with SageCloud(adapter_values(sandbox)) as package:
        await post_all(package, plan)
        assert await package.payments_since(date(2025, 7, 1)) == []
        half = (invoices[0].document_total / 2).quantize(Decimal("0.01"))
        sandbox.receive_payment(invoices[0].number, half, date(2025, 7, 2))
        sandbox.receive_payment(invoices[1].number, invoices[1].document_total, date(2025, 7, 3))
        same_customer = next(d for d in sales(plan) if d.kind == DocumentKind.SALES_INVOICE
                             and d.customer.account == credit.customer.account and d.document_total >= credit.document_total)
        sandbox.allocate_credit(credit.number, same_customer.number, credit.document_total, date(2025, 7, 4))
        first = {p.document_number: p for p in await package.payments_since(date(2025, 7, 1))}
        second = {p.document_number: p for p in await package.payments_since(date(2025, 7, 1))}
    assert first == second
    part = first[invoices[0].number]
    assert (part.paid, part.balance, part.date_paid_in_full, part.last_payment_date) == (
        half, invoices[0].document_total - half, None, date(2025, 7, 2))
    full = first[invoices[1].number]
    assert full.fully_paid and full.date_paid_in_full == date(2025, 7, 3) and full.currency
    assert first[same_customer.number].paid >= credit.document_total
    assert credit.number not in first


async def test_the_business_wide_invoice_prefix_is_an_option(sandbox, full_plan):
    plan = sales_only(full_plan)
    plan.documents = [d for d in plan.documents if d.kind == DocumentKind.SALES_INVOICE][:2]
    async with SageCloud(adapter_values(sandbox, invoice_prefix="MSP-")) as package:
        ref = await package.reference()
        assert not package.check(plan, ref)
        results = [r async for r in package.post(plan, plan.documents, ref)]
    assert {r.reference for r in results} == {"MSP-1", "MSP-2"}
    assert sandbox.business.invoice_settings["sales_invoice_number_prefix"] == "MSP-"
    async with SageCloud(adapter_values(sandbox, invoice_prefix="TOOLONG")) as package:
        problems = package.check(plan, await package.reference())
    assert [p.cause for p in problems] == ["Invoice prefix 'TOOLONG' is longer than the 6 characters Sage allows"]
