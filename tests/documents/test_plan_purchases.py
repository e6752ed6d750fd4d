"""Item receipts: accounts per item type, freight, purchase taxes, document number option."""

from __future__ import annotations

from decimal import Decimal

from mobius_tui.documents.convert import PlanOptions, PurchaseNumberSource, plan_from_glexport
from mobius_tui.documents.model import DocumentKind, PurchaseDocument, RecordKind


def _receipts(plan) -> dict[str, PurchaseDocument]:
    return {d.po_number: d for d in plan.documents}


def test_item_receipt_lines_taxes_and_ids(export):
    plan = plan_from_glexport(export("purchases"))
    assert plan.issues == []
    doc = _receipts(plan)["PO-77"]
    assert doc.kind == DocumentKind.ITEM_RECEIPT
    # numbered by PO: the packing slip tells this receipt apart from the PO's other receipts
    assert (doc.number, doc.vendor_invoice_number, doc.payable_account) == ("PO-77-PS-1", "IM-55501", "2000")
    assert (doc.vendor.account, doc.vendor.name, doc.terms) == ("INGRAM", "Ingram Micro", "30")
    assert not doc.employee
    # inventory part → inventory account; other charge → its cost account; freight → freight account
    assert [(ln.account, ln.amount, ln.quantity, ln.unit_price, ln.gl_type) for ln in doc.lines] == [
        ("1300", Decimal("1800.00"), Decimal(2), Decimal(900), "RP"),
        ("5100", Decimal("12.50"), Decimal(50), Decimal("0.25"), "RP"),
        ("5900", Decimal("25.00"), Decimal(1), Decimal(25), "PF"),
    ]
    assert doc.freight == Decimal("25.00")
    assert doc.lines[2].item is None
    # product tax and freight tax of level 1 to the same account and agency add up
    assert [(t.level, t.amount, t.account, t.agency_xref, t.tax_code_xref, t.rate) for t in doc.taxes] == [
        (1, Decimal("238.88"), "1410", "HST", "ON", Decimal("0.13"))
    ]
    assert doc.total == Decimal("2076.38") and doc.imbalance() == 0
    assert doc.origin.record_kind == RecordKind.PROCUREMENT
    assert doc.origin.record_id == "PO #PO-77, Packing Slip: PS-1"
    assert doc.origin.gl_entry_ids == (8001, 8002, 8003, 8004, 8005)
    assert doc.origin.label() == "procurement PO PO-77, packing slip PS-1"


def test_service_item_receipt_debits_the_expense_account(export):
    doc = _receipts(plan_from_glexport(export("purchases")))["PO-78"]
    assert [(ln.account, ln.amount) for ln in doc.lines] == [("5400", Decimal("300.00"))]
    assert doc.origin.label() == "procurement PO PO-78"  # packing slip equal to the PO is not repeated


def test_vendor_invoice_number_option(export):
    options = PlanOptions(purchase_number_source=PurchaseNumberSource.VENDOR_INVOICE_NUMBER)
    plan = plan_from_glexport(export("purchases"), options)
    assert [d.number for d in plan.documents] == ["IM-55501"]
    assert _receipts(plan)["PO-77"].po_number == "PO-77"
    (issue,) = plan.issues
    assert issue.origin is not None and issue.origin.record_id == "PO #PO-78, Packing Slip: PO-78"
    assert issue.what == "has no vendor invoice number"


def test_each_receipt_of_one_po_is_a_document_of_its_own(export, raw):
    data = raw("purchases")
    second = data["purchaseTransactions"][1]
    second["documentNumber"] = "PO-77"
    second["id"] = "PO #PO-77, Packing Slip: PS-2"
    second["packingSlip"] = "PS-2"
    plan = plan_from_glexport(export(data))
    assert plan.issues == []
    assert [(d.number, d.po_number) for d in plan.documents] == [("PO-77-PS-1", "PO-77"), ("PO-77-PS-2", "PO-77")]
    # the same receipt exported again gets the same number (the duplicate guard knows it)
    assert [d.number for d in plan_from_glexport(export(data)).documents] == ["PO-77-PS-1", "PO-77-PS-2"]
    # a packing slip equal to the PO number, or blank: the PO number alone; one that already names the PO: itself
    for slip, number in (("PO-77", "PO-77"), ("", "PO-77"), ("PO-77/2", "PO-77/2")):
        second["packingSlip"] = slip
        assert plan_from_glexport(export(data)).documents[-1].number == number


def test_two_receipts_of_one_po_with_the_same_packing_slip_cannot_share_a_number(export, raw):
    data = raw("purchases")
    second = data["purchaseTransactions"][1]
    second["documentNumber"] = "PO-77"
    second["id"] = "PO #PO-77, Packing Slip: PS-1 (2)"
    second["packingSlip"] = "PS-1"
    plan = plan_from_glexport(export(data))
    assert [d.origin.record_id for d in plan.documents] == ["PO #PO-77, Packing Slip: PS-1"]
    (issue,) = plan.issues
    assert "already used by procurement PO PO-77, packing slip PS-1" in issue.what
    assert "its own packing slip" in issue.fix and "vendor invoice number" in issue.fix
    options = PlanOptions(purchase_number_source=PurchaseNumberSource.VENDOR_INVOICE_NUMBER)
    second["vendorInvoiceNumber"] = "DELL-9"
    assert plan_from_glexport(export(data), options).issues == []


def test_inventory_item_without_inventory_account_falls_back_to_the_line_account(export, raw):
    data = raw("purchases")
    del data["purchaseTransactions"][0]["purchaseDetail"][0]["inventoryAccountNumber"]
    doc = _receipts(plan_from_glexport(export(data)))["PO-77"]
    assert doc.lines[0].account == "4200"


def test_freight_line_without_account_is_an_issue(export, raw):
    data = raw("purchases")
    del data["purchaseTransactions"][0]["purchaseDetail"][2]["accountNumber"]
    plan = plan_from_glexport(export(data))
    assert [d.po_number for d in plan.documents] == ["PO-78"]
    (issue,) = plan.issues
    assert issue.what == "freight line has no GL account"
    assert "GL Accounts" in issue.fix


def test_vendor_without_vendor_xref_is_an_issue_even_with_an_account_number(export, raw):
    data = raw("purchases")
    del data["purchaseTransactions"][0]["vendorNumber"]  # vendorAccountNumber V-1001 is still there
    plan = plan_from_glexport(export(data))
    (issue,) = plan.issues
    assert issue.what == "vendor Ingram Micro has no vendor xref"
    assert "Vendor XRef" in issue.fix
