"""Seed 000's mapping rules on a plan built from a Manage sandbox GLExport through the real converter,
against the reference read over ODBC from the MariaDB sandbox. Rules about Sage's own setup change a
copy of the reference (check() is pure over it)."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import replace
from datetime import date

import pytest

from mobius_tui.accounting.base import Problem
from mobius_tui.accounting.sage50ca.check import check
from mobius_tui.accounting.sage50ca.reference import Account, Sage50Reference, Tax
from mobius_tui.documents.model import DocumentKind, Plan, PurchaseDocument, SalesDocument


@pytest.fixture
def ref(shared_reference: Sage50Reference) -> Sage50Reference:
    return copy.deepcopy(shared_reference)


def first(plan: Plan, kind: DocumentKind, **where):
    return next(d for d in plan.documents if d.kind == kind and all(getattr(d, k) == v for k, v in where.items()))


def invoice_with(plan: Plan, code: str) -> SalesDocument:
    return next(d for d in plan.documents if isinstance(d, SalesDocument) and d.tax_code == code
                and any(t.amount for t in d.taxes) and d.kind == DocumentKind.SALES_INVOICE)


def errors(plan: Plan, ref: Sage50Reference, *docs, delimiter: str = "-", module: bool = False) -> list[Problem]:
    found = check(replace(plan, documents=list(docs)), ref, delimiter, module)
    return [p for p in found if p.blocking]


def one(plan: Plan, ref: Sage50Reference, *docs, **kw) -> Problem:
    found = errors(plan, ref, *docs, **kw)
    assert len(found) == 1, [p.message() for p in found]
    return found[0]


def test_reference_is_read_over_odbc(shared_reference: Sage50Reference, dataset) -> None:
    assert shared_reference.account_length == 6 and shared_reference.home_currency == "CAD"
    assert shared_reference.locations == ["Main Warehouse", "Montréal Depot"]
    assert set(shared_reference.tax_codes) == {"ON", "BC", "PE", "QC", "TX"}
    assert shared_reference.taxes["CRA-GST"].charged_by == {"PE-TAX", "RQ-TVQ"}
    assert shared_reference.accounts[51001000].account_class == 41  # COGS - Hardware
    assert shared_reference.items["LAPTOP-14"].service is False and shared_reference.items["ONBOARD"].service is True
    assert shared_reference.rate("USD", date(2025, 5, 20)) == shared_reference.rates["USD"][1][1]
    assert len(shared_reference.customers) == len(dataset.accounting_seed().customers)


def test_the_sandbox_plan_has_exactly_the_dataset_gaps(plan: Plan, ref: Sage50Reference) -> None:
    found = check(plan, ref, "-")
    blocking = {(p.document.number if p.document else "", p.cause) for p in found if p.blocking}
    assert blocking == {
        ("EXP-kpatel-20250625", "GL account 640020 does not exist in Sage 50"),  # 6400-20, deliberately missing
        ("EXP-agarcia-20250410", "Vendor 'Ana García' is kept in CAD in Sage 50"),  # a member's USD expenses
    }
    notices = sorted(p.cause for p in found if not p.blocking)
    assert "Customer 'Zèbre Numérique S.E.N.C.' will be created in Sage 50" in notices
    assert "Product LEGACY-KIT will be created in Sage 50 as a service item" in notices
    assert notices.count("Sage 50 has no journal for an inventory adjustment") == len(
        plan.by_kind(DocumentKind.INVENTORY_ADJUSTMENT))
    assert all(p.fix for p in found)
    # Member expense bills credit Manage's reimbursement account; Sage 50 credits its linked payables.
    linked = {p.document.number for p in found if p.cause == "Sage 50 posts CAD payables to its linked account "
              "210000, not to Manage's 215000"}
    assert linked == {d.number for d in plan.by_kind(DocumentKind.AP_BILL)
                      if d.payable_account == "2150-00" and not d.currency}


def test_delimiter_rule(plan: Plan, ref: Sage50Reference) -> None:
    doc = first(plan, DocumentKind.SALES_INVOICE, number="INV10003")
    found = errors(plan, ref, doc, delimiter=":")
    assert found and all("delimited with '-' but the Sage 50 login expects ':'" in p.cause for p in found)
    colon = replace(doc, receivable_account="1200:00", lines=[replace(ln, account=ln.account.replace("-", ":"))
                                                              for ln in doc.lines],
                    taxes=[replace(t, account=t.account.replace("-", ":")) for t in doc.taxes])
    assert errors(plan, ref, colon, delimiter=":") == []


def test_account_numbers_are_numeric_and_as_long_as_the_company_says(plan: Plan, ref: Sage50Reference) -> None:
    doc = first(plan, DocumentKind.SALES_INVOICE, number="INV10003")
    bad = replace(doc, lines=[replace(doc.lines[0], account="41A0-10"), *doc.lines[1:]])
    assert "is not numeric" in one(plan, ref, bad).cause
    ref.account_length = 4
    found = errors(plan, ref, doc)
    assert found and all("has 6 digits; the Sage 50 company uses 4-digit accounts" in p.cause for p in found)


def test_heading_and_inactive_accounts_are_refused(plan: Plan, ref: Sage50Reference) -> None:
    doc = first(plan, DocumentKind.SALES_INVOICE, number="INV10003")
    ref.accounts[41001000] = replace(ref.accounts[41001000], func="H")
    ref.accounts[12000000] = replace(ref.accounts[12000000], inactive=True)
    causes = {p.cause for p in errors(plan, ref, doc)}
    assert causes == {"GL account 410010 is a heading or total, not a postable account in Sage 50",
                      "GL account 120000 is inactive in Sage 50"}


def test_two_character_tax_codes(plan: Plan, ref: Sage50Reference) -> None:
    doc = invoice_with(plan, "ON")
    assert "not a two-character Sage 50 tax code" in one(plan, ref, replace(doc, tax_code="HST")).cause
    del ref.tax_codes["ON"]
    assert one(plan, ref, doc).cause == "Tax code ON does not exist in Sage 50"


def test_exempt_invoices_need_no_tax_code(plan: Plan, ref: Sage50Reference) -> None:
    exempt = next(d for d in plan.documents if isinstance(d, SalesDocument) and d.tax_code == "EXEMPT")
    assert errors(plan, ref, exempt) == []


def test_multi_level_taxes_match_sage_taxes_rates_and_accounts(plan: Plan, ref: Sage50Reference) -> None:
    doc = invoice_with(plan, "BC")
    assert errors(plan, ref, doc) == []
    ref.tax_codes["BC"]["BC-MOF"] = ref.tax_codes["BC"]["BC-MOF"] + 1
    ref.taxes["CRA-GST"] = replace(ref.taxes["CRA-GST"], sales_account=22150000)
    causes = sorted(p.cause for p in errors(plan, ref, doc))
    assert causes == ["Sage 50 tax 'CRA-GST' tracks tax charged on sales in account 221500, Manage posts it to 220000",
                      "Sage 50 tax code BC charges 8% BC-MOF, Manage 7%"]
    del ref.taxes["BC-MOF"]
    assert any(p.cause == "Tax 'BC-MOF' does not exist in Sage 50" for p in errors(plan, ref, doc))


def test_pst_charged_on_gst_needs_gst_taxable_by_pst(plan: Plan, ref: Sage50Reference) -> None:
    doc = invoice_with(plan, "PE")
    assert any(t.piggyback for t in doc.taxes) and errors(plan, ref, doc) == []
    ref.taxes["CRA-GST"] = Tax(**{**ref.taxes["CRA-GST"].__dict__, "charged_by": frozenset({"RQ-TVQ"})})
    assert one(plan, ref, doc).cause == "Sage 50 tax 'CRA-GST' is not taxable by 'PE-TAX' (PST on GST)"


def test_new_inventory_items_need_a_cogs_class_and_services_an_expense_class(plan: Plan, ref: Sage50Reference) -> None:
    doc = next(d for d in plan.documents if isinstance(d, SalesDocument)
               and any(ln.item and ln.item.is_inventory for ln in d.lines)
               and any(ln.item and not ln.item.is_inventory and ln.item.cost_account for ln in d.lines))
    inventory = next(ln.item for ln in doc.lines if ln.item and ln.item.is_inventory)
    service = next(ln.item for ln in doc.lines if ln.item and not ln.item.is_inventory and ln.item.cost_account)
    del ref.items[inventory.code.upper()], ref.items[service.code.upper()]
    notices = [p.cause for p in check(replace(plan, documents=[doc]), ref, "-") if not p.blocking]
    assert f"Product {inventory.code} will be created in Sage 50 as an inventory item" in notices
    assert f"Product {service.code} will be created in Sage 50 as a service item" in notices
    # Swap the classes: the COGS account becomes an operating expense, the expense account COGS.
    for acct, cls in ((inventory.cost_account, 42), (service.cost_account, 41)):
        lid = int(acct.replace("-", "").ljust(8, "0"))
        ref.accounts[lid] = Account(**{**ref.accounts[lid].__dict__, "account_class": cls})
    causes = {p.cause for p in errors(plan, ref, doc)}
    assert any(c.startswith(f"Product {inventory.code} would be a Sage 50 inventory item, which needs a Cost of "
                            "Goods Sold class account") for c in causes)
    assert any(c.startswith(f"Product {service.code} would be a Sage 50 service item, which needs a Expense class")
               for c in causes)


def test_product_numbers_are_matched_uppercased(plan: Plan, ref: Sage50Reference) -> None:
    doc = next(d for d in plan.documents if isinstance(d, SalesDocument) and any(ln.item for ln in d.lines))
    lower = replace(doc, lines=[replace(ln, item=replace(ln.item, code=ln.item.code.lower())) if ln.item else ln
                                for ln in doc.lines])
    assert check(replace(plan, documents=[lower]), ref, "-") == []


def test_vendor_invoice_number_module(plan: Plan, ref: Sage50Reference) -> None:
    without = next(d for d in plan.by_kind(DocumentKind.ITEM_RECEIPT) if not d.vendor_invoice_number
                   and not errors(plan, ref, d))
    assert one(plan, ref, without, module=True).cause == "Item receipt has no vendor invoice number"
    ref.purchase_orders = False
    with_number = next(d for d in plan.by_kind(DocumentKind.ITEM_RECEIPT) if d.vendor_invoice_number
                       and not errors(plan, ref, d))
    assert one(plan, ref, with_number, module=True).cause == "Sage 50 orders for suppliers are turned off"


def test_locations_by_position(plan: Plan, ref: Sage50Reference) -> None:
    receipt = next(d for d in plan.by_kind(DocumentKind.ITEM_RECEIPT) if isinstance(d, PurchaseDocument)
                   and any(ln.item and ln.item.is_inventory for ln in d.lines) and not errors(plan, ref, d))
    ref.locations = ref.locations[:1]
    uses_second = any(ln.item and ln.item.is_inventory and ln.item.location_xref == "2" for ln in receipt.lines)
    moved = replace(receipt, lines=[replace(ln, item=replace(ln.item, location_xref="2")) if ln.item else ln
                                    for ln in receipt.lines])
    found = errors(plan, ref, moved)
    assert found and all(p.cause == "Warehouse location xref 2 has no Sage 50 location" for p in found)
    assert "Main Warehouse" in found[0].fix and (uses_second or moved is not receipt)


def test_customers_vendors_and_members(plan: Plan, ref: Sage50Reference) -> None:
    zebre = next(d for d in plan.documents if isinstance(d, SalesDocument) and d.customer.name.startswith("Zèbre"))
    assert one(replace(plan, customers=[]), ref, zebre).cause == \
        "Customer 'Zèbre Numérique S.E.N.C.' does not exist in Sage 50"
    bill = next(d for d in plan.by_kind(DocumentKind.AP_BILL) if not errors(plan, ref, d))
    del ref.vendors[bill.vendor.name]
    p = one(plan, ref, bill)
    assert p.cause.endswith("for a Manage member does not exist in Sage 50") and "never created" in p.fix


def test_customers_and_vendors_are_checked_alike_each_in_its_own_words(plan: Plan, ref: Sage50Reference) -> None:
    invoice = next(d for d in plan.by_kind(DocumentKind.SALES_INVOICE)
                   if isinstance(d, SalesDocument) and d.customer.name in ref.customers and not errors(plan, ref, d))
    receipt = next(d for d in plan.documents if isinstance(d, PurchaseDocument) and not d.employee
                   and d.vendor.name in ref.vendors and not errors(plan, ref, d))
    customer, vendor = invoice.customer.name, receipt.vendor.name
    ref.customers[customer] = replace(ref.customers[customer], inactive=True)
    ref.vendors[vendor] = replace(ref.vendors[vendor], inactive=True)
    assert [(p.cause, p.fix) for p in errors(plan, ref, invoice, receipt)] == [
        (f"Customer '{customer}' is inactive in Sage 50",
         "Make the customer active in Sage 50 (Receivables > Customers)."),
        (f"Vendor '{vendor}' is inactive in Sage 50", "Make the vendor active in Sage 50 (Payables > Vendors).")]
    del ref.vendors[vendor]
    assert one(replace(plan, vendors=[]), ref, receipt).cause == f"Vendor '{vendor}' does not exist in Sage 50"
    record = next(v for v in plan.vendors if v.name == vendor)
    created = [p.cause for p in check(replace(plan, vendors=[record], documents=[receipt, receipt]), ref, "-", False)
               if not p.blocking and p.cause.startswith("Vendor")]
    assert created == [f"Vendor '{vendor}' will be created in Sage 50"]  # said once, however many documents need it
    long_name = "N" * 53
    assert one(plan, ref, replace(invoice, customer=replace(invoice.customer, name=long_name))).fix == \
        "Shorten the company name in Manage."


def test_dates_outside_what_sage_accepts(plan: Plan, ref: Sage50Reference) -> None:
    doc = first(plan, DocumentKind.SALES_INVOICE, number="INV10003")
    assert one(plan, ref, replace(doc, date=date(2024, 12, 31))).cause.startswith("Dated before Sage 50's fiscal year")
    ref.allow_future = False
    assert one(plan, ref, replace(doc, date=date(2025, 7, 2))).cause.startswith("Dated after the Sage 50 session date")


def test_foreign_currency_needs_a_rate(plan: Plan, ref: Sage50Reference) -> None:
    usd = next(d for d in plan.documents if isinstance(d, SalesDocument) and d.currency == "USD"
               and not errors(plan, ref, d))
    ref.rates["USD"] = [(date(2025, 12, 1), ref.rates["USD"][0][1])]
    assert one(plan, ref, usd).cause.startswith("Sage 50 has no USD exchange rate on or before")
    cad_customer = next(d for d in plan.documents if isinstance(d, SalesDocument) and not d.currency
                        and not errors(plan, ref, d))
    causes = {p.cause for p in errors(plan, ref, replace(cad_customer, currency="EUR"))}
    assert causes == {f"Customer '{cad_customer.customer.name}' is kept in CAD in Sage 50",
                      "Currency EUR is not set up in Sage 50"}


def test_every_problem_at_once(plan: Plan, ref: Sage50Reference) -> None:
    docs = [first(plan, DocumentKind.SALES_INVOICE, number="INV10003"), invoice_with(plan, "BC")]
    ref.account_length = 4
    del ref.tax_codes["BC"]
    found = errors(plan, ref, *docs)
    assert {p.document.number for p in found} == {d.number for d in docs}
    assert "Tax code BC does not exist in Sage 50" in {p.cause for p in found}
    assert sum("4-digit" in p.cause for p in found) >= 4


def test_check_is_pure(plan: Plan, shared_reference: Sage50Reference) -> None:
    before = copy.deepcopy(shared_reference)
    asyncio.run(asyncio.to_thread(check, plan, shared_reference, "-"))
    assert shared_reference == before
