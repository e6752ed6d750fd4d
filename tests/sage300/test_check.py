"""Seed 001's check rules against a reference read over HTTP from the sandbox: each rule broken once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.sage300.check import check_plan
from mobius_tui.accounting.sage300.reference import Sage300Reference
from mobius_tui.documents.model import (
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    MoveLine,
    Party,
    Plan,
    PurchaseDocument,
    SalesDocument,
    TaxLevelAmount,
    VendorRecord,
)
from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.sage300 import create_sandbox

from .conftest import load


def first(plan: Plan, kind: DocumentKind, **where: object):  # noqa: ANN201
    return next(d for d in plan.documents if d.kind == kind and all(
        getattr(d, k) == v for k, v in where.items()))


def problems(plan: Plan, ref: Sage300Reference, *docs) -> list[Problem]:  # noqa: ANN001
    return check_plan(replace(plan, documents=list(docs)), ref)


def only_error(found: list[Problem]) -> Problem:
    errors = [p for p in found if p.blocking]
    assert len(errors) == 1, [p.message() for p in found]
    return errors[0]


def test_dataset_plan_reports_exactly_the_missing_mappings(full_plan: Plan, reference: Sage300Reference,
                                                           dataset: Dataset) -> None:
    found = check_plan(full_plan, reference)
    errors = {(p.document.number if p.document else "", p.cause) for p in found if p.blocking}
    assert errors == {
        ("700004", "GL account 6400-20 does not exist in Sage 300"),
        ("700005", "Member 'Noé Sans-Numéro' has no vendor number"),
        ("PO20011", "Vendor company 'Bürokratie GmbH (no vendor id)' has no vendor xref"),
    }
    customer = next(m for m in dataset.missing_mappings if m.kind == "customer")
    notices = [p for p in found if not p.blocking]
    assert [p.cause for p in notices] == [f"Customer {customer.key} (Zèbre Numérique S.E.N.C.) will be created in Sage 300"]
    assert all(p.fix for p in found)


def test_missing_customer_not_in_plan_is_an_error(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = first(full_plan, DocumentKind.SALES_INVOICE, number="INV10008")
    p = only_error(problems(replace(full_plan, customers=[]), reference, doc))
    assert p.cause.startswith("Customer C00107") and "A/R Customers" in p.fix and p.document == doc.origin


def test_customer_without_account_and_in_other_currency(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = first(full_plan, DocumentKind.SALES_INVOICE, number="INV10001")
    p = only_error(problems(full_plan, reference, replace(doc, customer=Party("", "Nameless Inc."))))
    assert p.cause == "Company 'Nameless Inc.' has no account number" and "Company Finance" in p.fix
    p = only_error(problems(full_plan, reference, replace(doc, currency="USD")))
    assert "is kept in CAD" in p.cause and p.detail == "document in USD"


def test_member_vendor_must_exist(full_plan: Plan, reference: Sage300Reference) -> None:
    bill = next(d for d in full_plan.documents if isinstance(d, PurchaseDocument) and d.employee and d.vendor.account)
    p = only_error(problems(full_plan, reference, replace(bill, vendor=Party("EMP999", "Ghost Member"))))
    assert p.cause == "Vendor EMP999 for member 'Ghost Member' does not exist in Sage 300"
    assert "never created" in p.fix


def test_company_vendor_missing_is_created_only_when_the_plan_has_it(full_plan: Plan, reference: Sage300Reference) -> None:
    receipt = first(full_plan, DocumentKind.ITEM_RECEIPT)
    moved = replace(receipt, vendor=Party("NEWVEND", "New Vendor Ltd."))
    p = only_error(problems(full_plan, reference, moved))
    assert p.cause == "Vendor NEWVEND (New Vendor Ltd.) does not exist in Sage 300" and "Vendor XRef" in p.fix
    with_vendor = replace(full_plan, vendors=[VendorRecord("NEWVEND", "New Vendor Ltd.")])
    found = problems(with_vendor, reference, moved)
    assert [(p.severity, p.cause) for p in found] == [
        (Severity.NOTICE, "Vendor NEWVEND (New Vendor Ltd.) will be created in Sage 300")]


def test_gl_account_must_exist(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = first(full_plan, DocumentKind.SALES_INVOICE, number="INV10001")
    lines = [replace(doc.lines[0], account="4999-99"), *doc.lines[1:]]
    p = only_error(problems(full_plan, reference, replace(doc, lines=lines)))
    assert p.cause == "GL account 4999-99 does not exist in Sage 300" and "G/L Accounts" in p.fix


def _taxed(full_plan: Plan, code: str) -> SalesDocument:
    return next(d for d in full_plan.documents if isinstance(d, SalesDocument) and d.tax_code == code and d.taxes)


def test_tax_code_maps_to_group_and_levels_to_authorities(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = _taxed(full_plan, "BC")  # GST + PST-BC
    gst, pst = sorted(doc.taxes, key=lambda t: t.level)
    p = only_error(problems(full_plan, reference, replace(doc, taxes=[replace(gst, tax_code_xref="NOGROUP"), pst])))
    assert p.cause == "Tax group NOGROUP (sales) does not exist in Sage 300" and "Tax Code XRef" in p.fix
    p = only_error(problems(full_plan, reference, replace(doc, taxes=[gst, replace(pst, agency_xref="NO-AGENCY")])))
    assert p.cause == "Tax authority NO-AGENCY does not exist in Sage 300" and "Agency XRef of level 2" in p.fix
    p = only_error(problems(full_plan, reference, replace(doc, taxes=[gst, replace(pst, agency_xref="RQ-TVQ")])))
    assert p.cause == "Tax authority RQ-TVQ is not in tax group GST (sales)"
    p = only_error(problems(full_plan, reference, replace(doc, taxes=[gst, replace(pst, agency_xref="")])))
    assert p.cause == "Level 2 of tax code BC has no Agency XRef"


def test_tax_exempt_code_needs_a_group_without_authorities(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = replace(_taxed(full_plan, "ON"), tax_code="EXEMPT")
    exempt = TaxLevelAmount(1, "EXEMPT", "", Decimal(0), Decimal(0), doc.document_total)
    base = doc.document_total - sum((t.amount for t in doc.taxes), Decimal(0))
    ok = replace(doc, taxes=[exempt], document_total=base)
    assert problems(full_plan, reference, ok) == []
    # A group with authorities is fine while each has an exempt item class for the untaxed lines...
    mapped = replace(ok, taxes=[replace(exempt, tax_code_xref="HST-ON")])
    assert problems(full_plan, reference, mapped) == []
    # ...and otherwise Sage 300 would tax what Manage did not.
    p = only_error(problems(full_plan, replace(reference, exempt_classes={}), mapped))
    assert p.cause == ("Tax group HST-ON (sales) would tax lines Manage did not tax: authority CRA-HST has no "
                       "exempt item class")
    assert "Tax Code XRef to a tax group without authorities" in p.fix


def test_terms_must_exist(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = first(full_plan, DocumentKind.SALES_INVOICE, number="INV10001")
    assert only_error(problems(full_plan, reference, replace(doc, terms="NET99"))).cause == (
        "Terms code NET99 does not exist in Sage 300 A/R")


def test_inventory_items_and_locations_must_exist(full_plan: Plan, reference: Sage300Reference) -> None:
    adjustment: InventoryAdjustment = first(full_plan, DocumentKind.INVENTORY_ADJUSTMENT)
    line = adjustment.lines[0]
    gone = replace(line, item=replace(line.item, code="LEGACY-KIT"))
    p = only_error(problems(full_plan, reference, replace(adjustment, lines=[gone])))
    assert p.cause == "Item LEGACY-KIT does not exist in Sage 300 Inventory Control" and "Product Catalog" in p.fix
    transfer: InventoryTransfer = first(full_plan, DocumentKind.INVENTORY_TRANSFER)
    moved: MoveLine = replace(transfer.lines[0], to_location="9")
    p = only_error(problems(full_plan, reference, replace(transfer, lines=[moved])))
    assert p.cause == "I/C location 9 does not exist in Sage 300" and "Location XRef" in p.fix


def test_imbalance_and_document_number_length(full_plan: Plan, reference: Sage300Reference) -> None:
    doc = first(full_plan, DocumentKind.SALES_INVOICE, number="INV10001")
    p = only_error(problems(full_plan, reference, replace(doc, document_total=doc.document_total + Decimal("0.01"))))
    assert p.cause == "Document does not balance" and p.detail == "off by 0.01"
    p = only_error(problems(full_plan, reference, replace(doc, number="INV" + "9" * 22)))
    assert "longer than Sage 300's 22 characters" in p.cause


def test_without_inventory_control_adjustments_become_journal_entries(full_plan: Plan, dataset: Dataset) -> None:
    with create_sandbox(dataset, modules=("GL", "AR", "AP", "TX")) as sb:
        ref = asyncio.run(load(sb.settings))
    assert not ref.inventory
    docs = [first(full_plan, DocumentKind.INVENTORY_ADJUSTMENT), first(full_plan, DocumentKind.INVENTORY_TRANSFER)]
    found = problems(full_plan, ref, *docs)
    assert [p.severity for p in found] == [Severity.NOTICE, Severity.NOTICE]
    assert found[0].cause == ("Inventory Control is not activated; inventory adjustments will be posted as G/L journal "
                              "entries")


def test_modules_the_documents_need(full_plan: Plan, dataset: Dataset) -> None:
    with create_sandbox(dataset, modules=("GL", "AP", "TX"), rights={"WEBAPI": frozenset({"GL", "AR", "TX"})}) as sb:
        ref = asyncio.run(load(sb.settings))
    assert ref.unavailable == {"AR": "not activated", "AP": "no Web API right", "IC": "not activated"}
    invoice = first(full_plan, DocumentKind.SALES_INVOICE, number="INV10001")
    p = only_error(problems(full_plan, ref, invoice))
    assert p.cause == "Accounts Receivable is not activated in this Sage 300 company"
    bill = first(full_plan, DocumentKind.AP_BILL)
    p = only_error(problems(full_plan, ref, bill))
    assert p.cause == "Sage 300 user WEBAPI may not use Accounts Payable through the Web API"
    assert "Security Groups" in p.fix and "Invoice Batch Entry" in p.fix
