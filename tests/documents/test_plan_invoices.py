"""Invoices and credit memos: lines, items, taxes (PST on GST), signs, numbers, origin ids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mobius_tui.documents.convert import PlanOptions, plan_from_glexport
from mobius_tui.documents.model import DocumentKind, InvoiceType, ItemType, RecordKind, SalesDocument


def _doc(plan, number: str) -> SalesDocument:
    found = [d for d in plan.documents if d.origin.number == number]
    assert len(found) == 1, [d.origin.number for d in plan.documents]
    return found[0]


def test_every_invoice_type_becomes_a_balanced_sales_document(export):
    plan = plan_from_glexport(export("invoices"))
    assert plan.issues == []
    kinds = {d.origin.number: (d.kind, d.invoice_type) for d in plan.documents}
    assert kinds == {
        "INV1001": (DocumentKind.SALES_INVOICE, InvoiceType.STANDARD),
        "CM1002": (DocumentKind.CREDIT_MEMO, InvoiceType.CREDIT_MEMO),
        "INV1003": (DocumentKind.SALES_INVOICE, InvoiceType.AGREEMENT),
        "INV1004": (DocumentKind.SALES_INVOICE, InvoiceType.DOWN_PAYMENT),
        "INV1005": (DocumentKind.SALES_INVOICE, InvoiceType.PROGRESS),
        "INV1006": (DocumentKind.SALES_INVOICE, InvoiceType.MISCELLANEOUS),
    }
    for doc in plan.documents:
        assert doc.imbalance() == 0, doc.number


def test_standard_invoice_header_lines_and_float_noise(export):
    doc = _doc(plan_from_glexport(export("invoices")), "INV1001")
    # 1848.0000000001 on the wire: money is cents.
    assert doc.document_total == Decimal("1848.00")
    assert doc.total == Decimal("1848.00")
    assert doc.date == date(2025, 4, 25)
    assert doc.due_date == date(2025, 5, 25)
    assert (doc.terms, doc.due_days, doc.tax_code) == ("30", 30, "PE")
    assert doc.receivable_account == "1200"
    assert doc.customer.account == "ACME01"
    assert doc.customer.name == "Acme Île-du-Prince Ltée"
    assert doc.currency == "CAD"
    # Revenue positive, the discount (a debit detail line) negative; the zero line without an
    # item is dropped, the zero line with an item is kept (it moves an item).
    assert [(ln.account, ln.amount, ln.quantity, ln.gl_type) for ln in doc.lines] == [
        ("4100", Decimal("450.00"), Decimal(3), "R"),
        ("4200", Decimal("1200.00"), Decimal(1), "RP"),
        ("4200", Decimal("0.00"), Decimal(1), "RP"),
        ("4900", Decimal("-50.00"), Decimal(-1), "SD"),
    ]
    assert str(doc.lines[2].amount) == "0.00"  # never "-0.00"
    assert doc.lines[0].unit_price == Decimal(150)
    assert doc.lines[0].taxable and doc.lines[0].tax_code_xref == "PE"
    assert doc.lines[3].unit_price == Decimal(50)


def test_inventory_line_carries_item_type_and_cost_accounts(export):
    doc = _doc(plan_from_glexport(export("invoices")), "INV1001")
    laptop = doc.lines[1]
    assert laptop.item is not None
    assert laptop.item.code == "LAPTOP-14"
    assert laptop.item.item_type == ItemType.INVENTORY_PART and laptop.item.is_inventory
    assert (laptop.item.cost_account, laptop.item.inventory_account) == ("5000", "1300")
    assert (laptop.item.location_xref, laptop.item.unit_of_measure, laptop.item.serial_numbers) == ("1", "Each", "SN1")
    assert laptop.cost == Decimal("900.00")  # the COGS entry, outside the balance
    assert laptop.unit_price == Decimal(1200)
    service = doc.lines[2]
    assert service.item is not None and service.item.item_type == ItemType.SERVICE and not service.item.is_inventory
    assert doc.lines[0].item is None  # time has no item


def test_product_line_without_item_reference_uses_gl_item_id(export):
    doc = _doc(plan_from_glexport(export("invoices")), "INV1006")
    assert doc.lines[0].item is not None
    assert (doc.lines[0].item.code, doc.lines[0].item.item_type) == ("PATCH10", ItemType.OTHER_CHARGE)


def test_multi_level_tax_with_pst_on_gst(export):
    doc = _doc(plan_from_glexport(export("invoices")), "INV1001")
    assert [(t.level, t.agency_xref, t.tax_code_xref, t.rate, t.amount, t.taxable_amount, t.account, t.piggyback)
            for t in doc.taxes] == [
        (1, "GST", "PE", Decimal("0.05"), Decimal("80.00"), Decimal("1600.00"), "2310", False),
        # the second ST line sends only a percent; the xref comes from the header's taxLevels
        (2, "PST", "PE", Decimal("0.1"), Decimal("168.00"), Decimal("1680.00"), "2320", True),
    ]
    assert sum(t.amount for t in doc.taxes) + sum(ln.amount for ln in doc.lines) == doc.document_total


def test_zero_tax_level_is_kept_with_its_account(export):
    doc = _doc(plan_from_glexport(export("invoices")), "INV1006")
    assert [(t.level, t.amount, t.account, t.rate) for t in doc.taxes] == [(1, Decimal("0.00"), "2330", Decimal("0.2"))]
    # No agency on the line: the customer's level 1 agency is used.
    assert doc.taxes[0].agency_xref == "HST"


def test_credit_memo_amounts_are_positive_and_postings_reverse(export):
    doc = _doc(plan_from_glexport(export("invoices")), "CM1002")
    assert doc.kind == DocumentKind.CREDIT_MEMO
    assert doc.document_total == Decimal("113.00")
    assert [(ln.amount, ln.quantity, ln.unit_price) for ln in doc.lines] == [(Decimal("100.00"), Decimal(2), Decimal(50))]
    assert [(t.amount, t.taxable_amount, t.account) for t in doc.taxes] == [
        (Decimal("13.00"), Decimal("100.00"), "2330")
    ]
    postings = {p.account: p.amount for p in doc.postings()}
    assert postings == {"1200": Decimal("-113.00"), "4100": Decimal("100.00"), "2330": Decimal("13.00")}


def test_progress_invoice_keeps_the_applied_down_payment_as_a_negative_line(export):
    doc = _doc(plan_from_glexport(export("invoices")), "INV1005")
    assert [(ln.account, ln.amount) for ln in doc.lines] == [("4100", Decimal("2500.00")), ("2400", Decimal("-1000.00"))]
    assert doc.total == Decimal("1500.00")


def test_origin_ids_are_gl_entry_ids_plus_every_detail_id(export):
    plan = plan_from_glexport(export("invoices"))
    ids = {d.origin.number: d.origin.gl_entry_ids for d in plan.documents}
    # dropped zero lines (5005) still belong to their document
    assert ids["INV1001"] == (5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008)
    assert ids["CM1002"] == (5101, 5102, 5103)
    assert ids["INV1003"] == (5201, 5202, 5203)  # "5201, 5202": spaces tolerated
    assert all(d.origin.record_kind == RecordKind.INVOICE for d in plan.documents)
    assert _doc(plan, "INV1001").origin.record_id == "900"


def test_keep_zero_lines_option_keeps_every_zero_line(export):
    doc = _doc(plan_from_glexport(export("invoices"), PlanOptions(keep_zero_lines=True)), "INV1001")
    assert [ln.description for ln in doc.lines if ln.amount == 0] == ["Setup (no charge)", "Travel (no charge)"]
    assert doc.imbalance() == 0


def test_home_currency_becomes_blank(export):
    plan = plan_from_glexport(export("invoices"), PlanOptions(home_currency="cad"))
    assert _doc(plan, "INV1001").currency == ""
    assert _doc(plan, "INV1003").currency == "USD"


def test_invoice_prefix_stripped_or_added_but_origin_keeps_manage_number(export, raw):
    data = raw("invoices")
    data["transactions"][0]["documentNumber"] = "CW-1001"
    plan = plan_from_glexport(export(data), PlanOptions(strip_invoice_prefix="CW-"))
    assert _doc(plan, "CW-1001").number == "1001"
    plan = plan_from_glexport(export("invoices"), PlanOptions(add_invoice_prefix="CW"))
    assert _doc(plan, "INV1001").number == "CWINV1001"
    assert _doc(plan, "INV1001").key == "sales_invoice:CWINV1001"


def test_credit_memo_recognised_by_billing_type_or_by_sign_when_document_type_missing(export, raw):
    data = raw("invoices")
    cm = data["transactions"][1]
    cm["documentType"] = "INVOICE"  # billingType still says CreditMemo
    assert _doc(plan_from_glexport(export(data)), "CM1002").kind == DocumentKind.CREDIT_MEMO
    del cm["documentType"]
    del cm["billingType"]
    doc = _doc(plan_from_glexport(export(data)), "CM1002")
    assert (doc.kind, doc.invoice_type, doc.total) == (DocumentKind.CREDIT_MEMO, InvoiceType.CREDIT_MEMO, Decimal("113.00"))


def test_tax_level_from_detail_tax_levels_or_position(export, raw):
    data = raw("invoices")
    first, second = data["transactions"][0]["detail"][5:7]
    for d in (first, second):
        d["description"] = "Sales Tax"
    second["taxLevels"] = [{"taxableFlag": True, "taxLevel": 2}]
    doc = _doc(plan_from_glexport(export(data)), "INV1001")
    assert [(t.level, t.account) for t in doc.taxes] == [(1, "2310"), (2, "2320")]
    del second["taxLevels"]
    doc = _doc(plan_from_glexport(export(data)), "INV1001")
    assert [(t.level, t.account) for t in doc.taxes] == [(1, "2310"), (2, "2320")]


def test_tax_lines_of_one_level_and_account_add_up(export, raw):
    data = raw("invoices")
    detail = data["transactions"][0]["detail"]
    level1 = detail[5]
    level1["total"] = -30
    detail.insert(6, {**level1, "id": 5099, "total": -50})
    data["transactions"][0]["glEntryIds"] = "5001"
    doc = _doc(plan_from_glexport(export(data)), "INV1001")
    assert [(t.level, t.amount) for t in doc.taxes] == [(1, Decimal("80.00")), (2, Decimal("168.00"))]
    assert 5099 in doc.origin.gl_entry_ids


def test_tax_account_falls_back_to_header_tax_account(export, raw):
    data = raw("invoices")
    del data["transactions"][0]["detail"][5]["accountNumber"]
    doc = _doc(plan_from_glexport(export(data)), "INV1001")
    assert doc.taxes[0].account == "2300"
