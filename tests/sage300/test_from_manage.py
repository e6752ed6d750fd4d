"""Posting rules on plans the converter built from the Manage sandbox's GLExport, checked and posted
against the Sage 300 sandbox over HTTP (issue 14's books items for Sage 300)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.accounting.sage300.check import check_plan
from mobius_tui.documents.model import DocumentKind, InventoryAdjustment, Plan, SalesDocument, Warehouse
from mobius_tui.sandbox.manage.harness import ManageSandbox, running_manage_sandbox
from mobius_tui.sandbox.sage300 import Sage300Sandbox, create_sandbox

from .conftest import TODAY, post_all
from .from_manage import manage_plan, only, options, pick


@pytest.fixture(scope="module")
def manage() -> Iterator[ManageSandbox]:
    with running_manage_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def plan(manage: ManageSandbox) -> Plan:
    return manage_plan(manage)


@pytest.fixture
def sage(manage: ManageSandbox) -> Iterator[Sage300Sandbox]:
    with create_sandbox(manage.store.dataset, today=lambda: TODAY, include_missing=True) as sb:
        yield sb


async def _check(sage: Sage300Sandbox, plan: Plan) -> list:
    async with Sage300(sage.settings) as package:
        return check_plan(plan, await package.reference())


# --- item 1: inventory adjustments ------------------------------------------------------------

async def test_adjustments_from_manage_pass_the_check_and_post_at_the_default_warehouse(
        plan: Plan, sage: Sage300Sandbox, manage: ManageSandbox) -> None:
    adjustments = only(plan, DocumentKind.INVENTORY_ADJUSTMENT)
    assert adjustments.documents
    problems = await _check(sage, adjustments)
    assert [p.message() for p in problems if p.blocking] == []
    async with Sage300(sage.settings) as package:
        results = await post_all(package, adjustments)
    assert all(r.posted for r in results.values()), results
    rows = [body for _, body in sage.books.store.scan("ICAdjustments")]
    expected = {p.unposted_product_id: p.adjustment_account for p in manage.store.dataset.procurements
                if p.type == "Adjustment"}
    assert len(rows) == len(adjustments.documents)
    main = next(w for w in manage.store.dataset.warehouses if w.id == 1)
    for row in rows:
        doc = next(d for d in adjustments.documents if d.number == row["Reference"])
        for detail in row["AdjustmentDetails"]:
            assert detail["Location"] == main.location_xref
            # Manage's adjustment (write-off) account, not the item account set's default
            assert detail["AdjustmentWriteOffAccount"] == expected[doc.origin.record_id]


async def test_a_default_warehouse_without_location_xref_is_named_with_the_rule(
        manage: ManageSandbox, sage: Sage300Sandbox) -> None:
    plan = manage_plan(manage, replace(options(manage), default_warehouse=Warehouse("Main Warehouse", "")),
                       invoices=False, expenses=False)
    adjustment = next(d for d in plan.documents if isinstance(d, InventoryAdjustment))
    problems = [p for p in await _check(sage, pick(plan, adjustment)) if p.blocking]
    assert problems and all(p.cause == "Warehouse Main Warehouse has no location xref" for p in problems)
    assert "no warehouse on adjustment lines, so they go to its default warehouse" in problems[0].message()


async def test_no_default_warehouse_in_manage_is_reported(manage: ManageSandbox, sage: Sage300Sandbox) -> None:
    plan = manage_plan(manage, replace(options(manage), default_warehouse=None), invoices=False, expenses=False)
    adjustment = next(d for d in plan.documents if isinstance(d, InventoryAdjustment))
    causes = {p.cause for p in await _check(sage, pick(plan, adjustment)) if p.blocking}
    assert causes == {"No Manage warehouse is flagged as the default"}


# --- item 9: near misses ------------------------------------------------------------------------

async def test_a_new_customer_whose_name_sage_holds_under_another_number_is_reported(
        manage: ManageSandbox, plan: Plan) -> None:
    missing = next(m for m in manage.store.dataset.missing_mappings if m.kind == "customer")
    with create_sandbox(manage.store.dataset, today=lambda: TODAY) as sage:
        sage.books.store.put("ARCustomers", "ZEBRE", {"CustomerNumber": "ZEBRE", "CustomerName": "ZÈBRE NUMÉRIQUE senc",
                                                      "CurrencyCode": "CAD", "Status": "Active"})
        docs = [d for d in plan.documents if d.number in missing.documents]
        assert docs
        found = await _check(sage, pick(plan, *docs))
    near = [p for p in found if "nearly the same name" in p.cause]
    assert {p.document.number for p in near} == set(missing.documents)
    assert all(p.blocking for p in near)
    assert "customer ZEBRE (ZÈBRE NUMÉRIQUE senc)" in near[0].fix and "to ZEBRE" in near[0].fix
    assert not any("will be created" in p.cause for p in found)  # no duplicate created silently


async def test_a_vendor_kept_under_another_number_and_a_near_name_is_reported(
        plan: Plan, sage: Sage300Sandbox) -> None:
    sage.books.store.delete("APVendors", "SYNNEX")
    sage.books.store.put("APVendors", "SYN001", {"VendorNumber": "SYN001", "VendorName": "SYNNEX CANADA LIMITED",
                                                 "CurrencyCode": "CAD", "Status": "Active"})
    receipts = [d for d in plan.documents if d.kind == DocumentKind.ITEM_RECEIPT and d.vendor.account == "SYNNEX"]
    assert receipts
    found = [p for p in await _check(sage, pick(plan, *receipts)) if p.blocking]
    assert found and all(p.cause == "Vendor SYNNEX (Synnex Canada Ltd.) is not in Sage 300, which has a vendor of "
                         "nearly the same name" for p in found)
    assert "vendor SYN001 (SYNNEX CANADA LIMITED)" in found[0].fix and "Vendor XRef" in found[0].fix


# --- item 5: currency of every document against its party's ---------------------------------------

async def test_a_bill_in_another_currency_than_its_vendor_fails_the_check(plan: Plan, sage: Sage300Sandbox) -> None:
    receipt = next(d for d in plan.documents if d.kind == DocumentKind.ITEM_RECEIPT and d.vendor.account == "INGRAM")
    vendor = sage.books.store.get("APVendors", "INGRAM")
    assert vendor and receipt.currency in ("", "CAD")
    sage.books.store.put("APVendors", "INGRAM", {**vendor, "CurrencyCode": "USD"})
    found = [p for p in await _check(sage, pick(plan, receipt)) if p.blocking]
    assert [p.cause for p in found] == ["Vendor INGRAM is kept in USD in Sage 300"]
    async with Sage300(sage.settings) as package:  # what the check spares the user: Sage refuses it
        results = await post_all(package, pick(plan, receipt))
    assert not results[receipt.key].posted and "not the currency of vendor INGRAM" in results[receipt.key].error


# --- item 3: tax as Manage charged it ------------------------------------------------------------

def _entry(sage: Sage300Sandbox, number: str) -> dict:
    found = sage.books.store.child_with_doc("ARInvoiceBatches", number)
    assert found is not None, number
    return found[1]


async def test_a_tax_exempt_invoice_names_the_exempt_group_not_the_customers(plan: Plan, sage: Sage300Sandbox) -> None:
    doc = next(d for d in plan.documents if isinstance(d, SalesDocument) and d.tax_code == "EXEMPT")
    customer = sage.books.store.get("ARCustomers", doc.customer.account)
    assert customer is not None
    # A customer taxed by default whose Manage invoice was made tax-exempt.
    sage.books.store.put("ARCustomers", doc.customer.account, {**customer, "TaxGroup": "HST-ON"})
    assert [p.message() for p in await _check(sage, pick(plan, doc)) if p.blocking] == []
    async with Sage300(sage.settings) as package:
        results = await post_all(package, pick(plan, doc))
    assert results[doc.key].posted, results
    entry = _entry(sage, doc.number)
    assert entry["TaxGroup"] == "EXEMPT" and not entry.get("TaxAuthority1")
    assert Decimal(str(entry["TaxTotal"])) == 0
    assert Decimal(str(entry["DocumentTotalIncludingTax"])) == doc.document_total


async def test_lines_manage_did_not_tax_are_sent_non_taxable(plan: Plan, sage: Sage300Sandbox) -> None:
    mixed = [d for d in plan.documents if isinstance(d, SalesDocument) and d.taxes
             and any(t.amount for t in d.taxes) and {line.taxable for line in d.lines} == {True, False}]
    assert mixed
    async with Sage300(sage.settings) as package:
        results = await post_all(package, pick(plan, *mixed))
    assert all(r.posted for r in results.values()), results
    for doc in mixed:
        entry = _entry(sage, doc.number)
        for level in doc.taxes:
            slot = next(i for i in range(1, 6) if entry.get(f"TaxAuthority{i}") == level.agency_xref)
            # Sage's base per authority is what Manage taxed (tax on tax aside: that base holds level 1's tax)
            if not level.piggyback:
                assert Decimal(str(entry[f"TaxBase{slot}"])) == level.taxable_amount, (doc.number, level)
            assert Decimal(str(entry[f"TaxAmount{slot}"])) == level.amount
        untaxed = [line for line, sent in zip(doc.lines, entry["InvoiceDetails"], strict=True) if not line.taxable]
        assert untaxed
        assert Decimal(str(entry["DocumentTotalIncludingTax"])) == doc.document_total


# --- item 4: cost of sales of inventory sold --------------------------------------------------------

def _stock_sales(plan: Plan) -> list[SalesDocument]:
    return [d for d in plan.documents if isinstance(d, SalesDocument) and d.kind == DocumentKind.SALES_INVOICE
            and any(line.item and line.item.is_inventory and line.cost for line in d.lines)]


async def test_inventory_sold_carries_its_cost_and_accounts_to_ar(plan: Plan, sage: Sage300Sandbox) -> None:
    docs = _stock_sales(plan)
    assert docs
    async with Sage300(sage.settings) as package:
        results = await post_all(package, pick(plan, *docs))
    assert all(r.posted for r in results.values()), results
    for doc in docs:
        entry = _entry(sage, doc.number)
        for line, sent in zip(doc.lines, entry["InvoiceDetails"], strict=True):
            if line.item and line.item.is_inventory and line.cost:
                assert Decimal(str(sent["Cost"])) == line.cost
                assert (sent["COGSAccount"], sent["InventoryAccount"]) == (line.item.cost_account,
                                                                           line.item.inventory_account)
            else:
                assert "Cost" not in sent


async def test_a_missing_cost_of_sales_account_fails_the_check(plan: Plan, sage: Sage300Sandbox) -> None:
    doc = _stock_sales(plan)[0]
    line = next(ln for ln in doc.lines if ln.item and ln.item.is_inventory and ln.cost)
    assert line.item is not None
    sage.books.store.delete("GLAccounts", line.item.cost_account.replace("-", ""))
    causes = {p.cause for p in await _check(sage, pick(plan, doc)) if p.blocking}
    assert f"GL account {line.item.cost_account} does not exist in Sage 300" in causes


async def test_a_vendor_the_run_creates_is_kept_in_its_bills_currency(plan: Plan, sage: Sage300Sandbox) -> None:
    receipts = [d for d in plan.documents if d.kind == DocumentKind.ITEM_RECEIPT and d.vendor.account == "DANDH"]
    assert receipts and {d.currency for d in receipts} == {"USD"}
    sage.books.store.delete("APVendors", "DANDH")
    assert [p.message() for p in await _check(sage, pick(plan, *receipts)) if p.blocking] == []
    async with Sage300(sage.settings) as package:
        results = await post_all(package, pick(plan, *receipts))
    assert all(r.posted for r in results.values()), results
    created = sage.books.store.get("APVendors", "DANDH")
    assert created is not None and created["CurrencyCode"] == "USD"
    # A second bill in another currency could not go to the vendor the first one creates.
    cad = replace(receipts[0], number="PO-CAD", currency="CAD")
    sage.books.store.delete("APVendors", "DANDH")
    causes = [p.cause for p in await _check(sage, pick(plan, receipts[0], cad)) if p.blocking]
    assert causes == ["Vendor DANDH would be created in USD in Sage 300"]
    # Without the bill's terms xref the vendor would get Manage's terms name, which Sage 300 lacks.
    record = next(v for v in plan.vendors if v.account == "DANDH")
    no_xref = replace(receipts[0], terms="")
    causes = [p.cause for p in await _check(sage, pick(plan, no_xref)) if p.blocking]
    assert causes == [f"Vendor DANDH would be created with terms {record.terms}, which Sage 300 A/P does not have"]
