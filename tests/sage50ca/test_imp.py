"""The Import Transactions (.IMP) file: the layout of reference/sage50ca.md §4.1, field for field, for
the documents of a Manage sandbox export the format can carry, and a reason for each it cannot."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from mobius_tui.accounting.sage50ca.imp import import_file, publish, save, why_not
from mobius_tui.accounting.sage50ca.reference import Sage50Reference
from mobius_tui.documents.model import DocumentKind, Plan, PurchaseDocument, SalesDocument


@pytest.fixture(scope="module")
def ref(shared_reference: Sage50Reference) -> Sage50Reference:
    return shared_reference


def sections(text: str) -> list[tuple[str, list[list[str]]]]:
    """(tag, parsed CSV rows) per tag pair, in order."""
    out, tag, rows = [], "", []
    for line in text.split("\r\n"):
        opening = re.fullmatch(r"<(\w+)>", line)
        if opening and not tag:
            tag, rows = opening.group(1), []
        elif line == f"</{tag}>":
            out.append((tag, rows))
            tag = ""
        elif tag:
            rows.append(next(csv.reader([line])))
    return out


def test_layout_of_every_carried_document(plan: Plan, ref: Sage50Reference) -> None:
    made = import_file(plan.documents, plan.customers, plan.vendors, ref)
    assert made.text.startswith('<Version>\r\n"12001","1"\r\n</Version>\r\n')
    parts = sections(made.text)
    transactions = [(tag, rows) for tag, rows in parts if tag in ("SalInvoice", "PurInvoice")]
    assert len(transactions) == len(made.carried) > 0
    for (tag, rows), doc in zip(transactions, made.carried):
        party, options, *details = rows
        assert len(party) == 13 and party[1] == "0"
        assert len(options) == (8 if tag == "SalInvoice" else 10)
        assert int(options[0]) == len(details)  # the declared number of detail lines
        assert re.fullmatch(r"\d\d-\d\d-\d{4}", options[3]) and len(options[2]) <= 20
        taxes = Decimal(0)
        for detail in details:
            assert (len(detail) - 4) % 5 == 0 and len(detail[0]) <= 52
            assert re.fullmatch(r"-?\d+\.\d{4}", detail[1]) and re.fullmatch(r"-?\d+\.\d{2}", detail[3])
            taxes += sum((Decimal(detail[i]) for i in range(8, len(detail), 5)), Decimal(0))
        assert taxes == sum((t.amount for t in doc.taxes), Decimal(0))  # Manage's tax, to the cent
        total = Decimal(options[6] if tag == "SalInvoice" else options[5])
        assert total == doc.total


def test_what_the_format_cannot_carry_is_named(plan: Plan, ref: Sage50Reference) -> None:
    made = import_file(plan.documents, plan.customers, plan.vendors, ref)
    reasons = {doc.kind: why for doc, why in made.not_carried}
    assert "no general journal" in reasons[DocumentKind.JOURNAL_ENTRY]
    assert "no general journal or inventory journal" in reasons[DocumentKind.INVENTORY_ADJUSTMENT]
    assert "without a product has no GL account" in reasons[DocumentKind.SALES_INVOICE]
    usd = next(d for d in plan.documents if isinstance(d, PurchaseDocument) and d.currency == "USD")
    assert why_not(usd, ref) == "the Import Transactions format takes the home currency only (USD)"
    assert len(made.carried) + len(made.not_carried) == len(plan.documents)


def test_product_only_credit_memo_and_new_customer(plan: Plan, ref: Sage50Reference) -> None:
    invoice = next(d for d in plan.documents if isinstance(d, SalesDocument) and not d.currency
                   and any(ln.item for ln in d.lines))
    lines = [ln for ln in invoice.lines if ln.item]
    credit = replace(invoice, kind=DocumentKind.CREDIT_MEMO, number="CM-IMP-1", lines=lines, taxes=[],
                     customer=replace(invoice.customer, name="Brand New Client Inc."),
                     document_total=sum((ln.amount for ln in lines), Decimal(0)))
    customers = [*plan.customers, replace(plan.customers[0], name="Brand New Client Inc.")]
    made = import_file([credit], customers, plan.vendors, ref)
    parts = dict(sections(made.text))
    assert parts["customers"] == [["Brand New Client Inc.", "0", *[""] * 11]]
    _, options, *details = parts["SalInvoice"]
    assert options[2] == "CM-IMP-1" and Decimal(options[6]) == -credit.total
    assert all(Decimal(d[1]) < 0 and Decimal(d[3]) < 0 for d in details)


def test_vendor_invoice_number_module_puts_the_po_in_order_no(plan: Plan, ref: Sage50Reference) -> None:
    receipt = next(d for d in plan.by_kind(DocumentKind.ITEM_RECEIPT) if d.vendor_invoice_number and not why_not(d, ref))
    _, options, *_ = dict(sections(import_file([receipt], [], [], ref, vendor_invoice_module=True).text))["PurInvoice"]
    assert (options[1], options[2]) == (receipt.po_number, receipt.vendor_invoice_number)


def test_products_must_be_in_sage_with_manage_account_and_no_freight(plan: Plan, ref: Sage50Reference) -> None:
    carried = [d for d in plan.by_kind(DocumentKind.ITEM_RECEIPT) if not why_not(d, ref, "-")]
    receipt = carried[0]
    line = next(ln for ln in receipt.lines if ln.item)
    code = line.item.code.upper()
    unknown = replace(receipt, lines=[replace(ln, item=replace(ln.item, code="NOT-IN-SAGE")) if ln is line else ln
                                      for ln in receipt.lines])
    assert why_not(unknown, ref, "-") == ("the product is not in Sage 50, and the Import Transactions format "
                                          "cannot create products (NOT-IN-SAGE)")
    elsewhere = replace(receipt, lines=[replace(ln, account="1999") if ln is line else ln for ln in receipt.lines])
    assert why_not(elsewhere, ref, "-").startswith(
        f"Sage 50 would post the line to the product's own account, not to Manage's account ({code}: Manage 1999")
    freighted = [d for d in plan.by_kind(DocumentKind.ITEM_RECEIPT) if "freight" in why_not(d, ref, "-")]
    assert freighted and all(isinstance(d, PurchaseDocument) and d.freight for d in freighted)


def test_each_file_is_new_and_never_overwritten(tmp_path) -> None:
    when = datetime(2025, 6, 30, 12, 0, 0)
    first = save(tmp_path, "one\r\n", when)
    second = save(tmp_path, "two\r\n", when)  # while the first still has its .part name
    assert (first.name, second.name) == ("sage50-import-20250630-120000.IMP", "sage50-import-20250630-120000-2.IMP")
    assert {p.name for p in tmp_path.iterdir()} == {f"{first.name}.part", f"{second.name}.part"}
    publish(first)
    publish(second)
    assert first.read_bytes() == b"one\r\n" and second.read_bytes() == b"two\r\n"
    assert save(tmp_path, "three\r\n", when).name == "sage50-import-20250630-120000-3.IMP"
