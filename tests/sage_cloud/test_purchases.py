"""Procurement receipts and expenses on Sage Business Cloud, on plans the real converter built from the
Manage sandbox's GLExport, checked and posted against the Sage sandbox over HTTP: receipts and expense
bills as purchase invoices, card-paid expenses as other payments, the rest refused per document."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal


from mobius_tui.accounting.base import PostStatus, Severity
from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.check import NO_PURCHASE_INVOICES
from mobius_tui.accounting.sage_cloud.payloads import spread_tax
from mobius_tui.documents.model import DocumentKind, JournalEntry, Plan, PurchaseDocument
from mobius_tui.sandbox.sage_cloud import create_sandbox
from mobius_tui.sandbox.sage_cloud.seed import CARD_ACCOUNT, guid, nominal_code

from .plans import adapter_values, post_all

PURCHASES = (DocumentKind.AP_BILL, DocumentKind.ITEM_RECEIPT, DocumentKind.JOURNAL_ENTRY)


def purchases_only(plan: Plan) -> Plan:
    return replace(plan, documents=[d for d in plan.documents if d.kind in PURCHASES])


def clean(plan: Plan, problems) -> Plan:  # noqa: ANN001
    """The plan without the documents the check stopped (what a user would select next)."""
    stopped = {p.document for p in problems if p.blocking}
    return replace(plan, documents=[d for d in plan.documents if d.origin not in stopped])


def by_number(plan: Plan, kind: DocumentKind) -> dict[str, object]:
    return {d.number: d for d in plan.documents if d.kind == kind}


async def test_the_check_refuses_per_document_what_sage_cannot_carry_and_says_why(sandbox, full_plan):
    plan = purchases_only(full_plan)
    async with SageCloud(adapter_values(sandbox)) as package:
        ref = await package.reference()
        problems = package.check(plan, ref)
    blocking = {p.document.record_id: p for p in problems if p.blocking}
    assert not [p for p in problems if not p.blocking]  # every vendor is in Sage: nothing to create
    journals = [d for d in plan.documents if isinstance(d, JournalEntry)]
    owed = {d.origin.record_id for d in journals if any(p.account == "2150-00" for p in d.postings())}
    assert owed and all("offset account 2150-00 is not a bank account" in blocking[r].cause for r in owed)
    assert all("Transfer expenses as bills" in blocking[r].fix for r in owed)
    card_paid = {d.origin.record_id for d in journals} - owed
    assert card_paid and not card_paid & set(blocking)  # these go as other payments
    bills = by_number(plan, DocumentKind.AP_BILL)
    usd_bill = next(d for d in bills.values() if d.currency == "USD")
    assert "is in CAD, the document in USD" in blocking[usd_bill.origin.record_id].cause
    training = next(d for d in bills.values() if any(line.account == "6400-20" for line in d.lines))
    assert "GL account 6400-20 has no Sage ledger account" in blocking[training.origin.record_id].cause
    receipts = by_number(plan, DocumentKind.ITEM_RECEIPT)
    assert receipts and not {d.origin.record_id for d in receipts.values()} & set(blocking)
    assert set(blocking) == owed | {usd_bill.origin.record_id, training.origin.record_id}

    async with SageCloud(adapter_values(sandbox, sage_plan="start")) as package:
        start = package.check(plan, await package.reference())
    refused = {p.document.record_id for p in start if p.cause == NO_PURCHASE_INVOICES}
    assert refused == {d.origin.record_id for d in plan.documents if isinstance(d, PurchaseDocument)}
    assert card_paid and not card_paid & {p.document.record_id for p in start}  # other payments are on Start


async def test_receipts_bills_and_card_expenses_post_with_manage_amounts_once(sandbox, full_plan):
    plan = purchases_only(full_plan)
    async with SageCloud(adapter_values(sandbox)) as package:
        ref = await package.reference()
        plan = clean(plan, package.check(plan, ref))
        assert not (await package.existing(plan.documents)).found
        results = await post_all(package, plan)
        assert {r.status for r in results.values()} == {PostStatus.POSTED}
        again = await package.existing(plan.documents)
    assert set(again.found) == {d.key for d in plan.documents}
    books = sandbox.business
    accounts = {a["id"]: a["nominal_code"] for a in books.table("ledger_accounts").values()}
    contacts = books.table("contacts")
    invoices = {r["reference"]: r for r in books.table("purchase_invoices").values()}
    payments = {r["reference"]: r for r in books.table("other_payments").values()}
    purchases = [d for d in plan.documents if isinstance(d, PurchaseDocument)]
    assert sorted(invoices) == sorted(d.number for d in purchases)
    for doc in purchases:
        record = invoices[doc.number]
        assert record["total_amount"] == doc.document_total, doc.number
        assert record["tax_amount"] == sum((t.amount for t in doc.taxes), Decimal(0)), doc.number
        assert [accounts[ln["ledger_account"]["id"]] for ln in record["invoice_lines"]] == \
            [nominal_code(ln.account) for ln in doc.lines]
        assert [ln["tax_amount"] for ln in record["invoice_lines"]] == spread_tax(doc)
        supplier = contacts[record["contact"]["id"]]
        assert supplier["reference"] == doc.vendor.account and {"id": "VENDOR", "displayed_as": "Supplier"} in \
            supplier["contact_types"]
        assert record["vendor_reference"] == (doc.vendor_invoice_number or doc.number)
        assert record["due_date"] > record["date"]
    expenses = [d for d in plan.documents if isinstance(d, JournalEntry)]
    assert sorted(payments) == sorted(d.number for d in expenses)
    for doc in expenses:
        record = payments[doc.number]
        spent = next(p for p in doc.postings() if p.amount > 0)
        assert record["total_amount"] == spent.amount and record["transaction_type"]["id"] == "OTHER_PAYMENT"
        assert record["bank_account"]["id"] == guid(books.id, "bank", CARD_ACCOUNT)
        assert [accounts[ln["ledger_account"]["id"]] for ln in record["payment_lines"]] == [nominal_code(spent.account)]
    kinds = Counter(d.kind for d in plan.documents)
    assert kinds[DocumentKind.ITEM_RECEIPT] and kinds[DocumentKind.AP_BILL] and kinds[DocumentKind.JOURNAL_ENTRY]


async def test_a_vendor_near_miss_is_reported_and_an_unknown_company_vendor_is_created_once(dataset, full_plan):
    plan = replace(full_plan, documents=[d for d in full_plan.documents if d.kind == DocumentKind.ITEM_RECEIPT])
    with create_sandbox(dataset) as sb:
        contacts = sb.business.table("contacts")
        typed = contacts[guid(sb.business.id, "vendor", "PUROLATOR")]
        typed.update(reference=None, name="PUROLATOR INC", displayed_as="PUROLATOR INC")  # keyed in by hand
        del contacts[guid(sb.business.id, "vendor", "SYNNEX")]  # never set up in Sage
        async with SageCloud(adapter_values(sb)) as package:
            ref = await package.reference()
            problems = package.check(plan, ref)
            near = [p for p in problems if p.blocking]
            assert {p.document.number for p in near} == {d.origin.number for d in plan.documents
                                                        if d.vendor.account == "PUROLATOR"}
            assert all("set the reference of Sage supplier 'PUROLATOR INC' to PUROLATOR" in p.fix for p in near)
            notices = {p.cause for p in problems if p.severity == Severity.NOTICE}
            assert notices == {"Vendor Synnex Canada Ltd. (SYNNEX) will be created in Sage as a supplier"}
            before = len(contacts)
            results = await post_all(package, clean(plan, problems))
            assert {r.status for r in results.values()} == {PostStatus.POSTED}
            assert len(contacts) == before + 1  # one supplier for every SYNNEX receipt
            made = [c for c in contacts.values() if c["reference"] == "SYNNEX"]
            assert len(made) == 1 and made[0]["contact_types"][0]["id"] == "VENDOR"
            synnex = [r for r in sb.business.table("purchase_invoices").values() if r["contact"]["id"] == made[0]["id"]]
            assert len(synnex) == sum(1 for d in plan.documents if d.vendor.account == "SYNNEX") > 1


async def test_lost_answers_on_purchase_invoices_and_other_payments_never_post_twice(sandbox, full_plan):
    plan = purchases_only(full_plan)
    async with SageCloud(adapter_values(sandbox, concurrency=1)) as package:
        ref = await package.reference()
        plan = clean(plan, package.check(plan, ref))
        sandbox.faults.only("POST", "/v3.1/purchase_invoices")
        sandbox.faults.drop_after_commit_next = 2  # stored, answer lost: the search on the reference finds it
        results = await post_all(package, replace(plan, documents=[d for d in plan.documents
                                                                   if isinstance(d, PurchaseDocument)]))
        sandbox.faults.clear()
        sandbox.faults.only("POST", "/v3.1/other_payments")
        sandbox.faults.drop_after_commit_next = 1  # no search on other payments: found by their day
        sandbox.faults.error_next = 1  # 503: looked up, not there, sent again
        results |= await post_all(package, replace(plan, documents=[d for d in plan.documents
                                                                    if isinstance(d, JournalEntry)]))
    sandbox.faults.clear()
    assert Counter(k for k, *_ in sandbox.faults.injected) == {"drop_after_commit": 3, "error": 1}
    assert {r.status for r in results.values()} == {PostStatus.POSTED} and len(results) == len(plan.documents)
    posted = [r["reference"] for t in ("purchase_invoices", "other_payments")
              for r in sandbox.business.table(t).values()]
    assert sorted(posted) == sorted(d.number for d in plan.documents)
