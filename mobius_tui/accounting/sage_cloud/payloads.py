"""Request bodies for Sage Accounting v3.1, built from target-neutral documents.

Which Sage record each document becomes:

* sales invoice → ``sales_invoices``; credit memo → ``sales_credit_notes``;
* procurement receipt and expense bill (a member's reimbursable expenses, owed to the member) →
  ``purchase_invoices`` from the vendor contact: the company owes the money until it pays it, which
  is what a supplier invoice records;
* a journal expense whose offset account is a Sage bank account (the company card) →
  ``other_payments`` out of that account: the money has already gone, there is nothing to owe.

Numbering follows the sheet's safe design: Sage gives each invoice its own number (from the
business's invoice settings, with the business-wide prefix); the Manage invoice number goes in
``reference``, where the duplicate guard and payment sync find it again.

Manage computes tax per document and level; Sage wants ``tax_rate_id`` and ``tax_amount`` per
line. The document's tax is spread over its taxable lines in proportion to their amounts, cent
rounding left to the last taxable line, so the lines add up to exactly what Manage charged.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mobius_tui.accounting.sage_cloud.reference import CloudReference
from datetime import timedelta

from mobius_tui.documents.model import (
    CustomerRecord,
    Document,
    DocumentKind,
    JournalEntry,
    Line,
    PurchaseDocument,
    SalesDocument,
    VendorRecord,
)

SALES_KINDS = frozenset({DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO})
PURCHASE_KINDS = frozenset({DocumentKind.AP_BILL, DocumentKind.ITEM_RECEIPT})
POSTED_KINDS = SALES_KINDS | PURCHASE_KINDS | {DocumentKind.JOURNAL_ENTRY}
_COLLECTION = {DocumentKind.SALES_INVOICE: "sales_invoices", DocumentKind.CREDIT_MEMO: "sales_credit_notes",
               DocumentKind.AP_BILL: "purchase_invoices", DocumentKind.ITEM_RECEIPT: "purchase_invoices",
               DocumentKind.JOURNAL_ENTRY: "other_payments"}
ZERO = Decimal("0")
CENT = Decimal("0.01")


def collection(doc: Document) -> str:
    return _COLLECTION[doc.kind]


def root(doc: Document) -> str:
    return collection(doc)[:-1]


def tax_levels(doc: SalesDocument | PurchaseDocument) -> list[str]:
    """The document's tax level xrefs, in level order (none: every line goes at the zero rate)."""
    return [t.tax_code_xref for t in sorted(doc.taxes, key=lambda t: t.level)]


def spread_tax(doc: SalesDocument | PurchaseDocument) -> list[Decimal]:
    """Tax per line, adding up to the document's tax exactly."""
    total = sum((t.amount for t in doc.taxes), ZERO)
    out = [ZERO] * len(doc.lines)
    if not total:
        return out
    taxed = [i for i, line in enumerate(doc.lines) if line.taxable and line.amount] or \
            [i for i, line in enumerate(doc.lines) if line.amount]
    if not taxed:
        return out
    base = sum((doc.lines[i].amount for i in taxed), ZERO)
    given = ZERO
    for i in taxed[:-1]:
        share = (total * doc.lines[i].amount / base).quantize(CENT, rounding=ROUND_HALF_UP) if base else ZERO
        out[i] = share
        given += share
    out[taxed[-1]] = total - given
    return out


def _price(line: Line) -> tuple[Decimal, Decimal]:
    """Quantity and unit price that give the line's amount exactly (else 1 × amount)."""
    if line.quantity and (line.quantity * line.unit_price).quantize(CENT, rounding=ROUND_HALF_UP) == line.amount:
        return line.quantity, line.unit_price
    return Decimal("1"), line.amount


def _lines(doc: SalesDocument | PurchaseDocument, ref: CloudReference) -> list[dict[str, Any]]:
    taxes = spread_tax(doc)
    levels = tax_levels(doc)
    rate, _ = ref.rate_for(levels) if levels else (None, [])
    lines = []
    for n, (line, tax) in enumerate(zip(doc.lines, taxes, strict=True), start=1):
        quantity, unit_price = _price(line)
        body: dict[str, Any] = {
            "description": (line.description or doc.description or f"Line {n}").strip() or f"Line {n}",
            "ledger_account_id": ref.account(line.account), "quantity": quantity, "unit_price": unit_price,
            "net_amount": line.amount, "tax_amount": tax,
        }
        line_rate = rate if tax or (line.taxable and rate) else ref.zero_rate
        if line_rate:
            body["tax_rate_id"] = line_rate
        code = line.item.code if line.item else ""
        if code in ref.products:
            body["product_id"] = ref.products[code]
        elif code in ref.services:
            body["service_id"] = ref.services[code]
        lines.append(body)
    return lines


def document_body(doc: SalesDocument, ref: CloudReference, contact_id: str) -> dict[str, Any]:
    lines = _lines(doc, ref)
    header: dict[str, Any] = {"contact_id": contact_id, "date": doc.date.isoformat(), "reference": doc.number,
                              "currency_id": doc.currency or ref.base_currency}
    if doc.due_date and doc.kind != DocumentKind.CREDIT_MEMO:
        header["due_date"] = doc.due_date.isoformat()
    notes = " ".join(x for x in (doc.description, f"PO {doc.po_number}" if doc.po_number else "") if x)
    if notes:
        header["notes"] = notes[:2000]
    header["invoice_lines" if doc.kind != DocumentKind.CREDIT_MEMO else "credit_note_lines"] = lines
    return {root(doc): header}


def purchase_body(doc: PurchaseDocument, ref: CloudReference, contact_id: str,
                  due_days: int | None) -> dict[str, Any]:
    """A purchase invoice: Manage's number in ``reference`` (the duplicate guard's key), the vendor's
    own invoice number in ``vendor_reference``. Sage wants a due date: Manage's, else the vendor's
    terms, else the business's supplier credit days."""
    due = doc.due_date or doc.date + timedelta(days=ref.vendor_credit_days if due_days is None else due_days)
    header: dict[str, Any] = {"contact_id": contact_id, "date": doc.date.isoformat(), "due_date": due.isoformat(),
                              "reference": doc.number, "vendor_reference": doc.vendor_invoice_number or doc.number,
                              "currency_id": doc.currency or ref.base_currency}
    notes = " ".join(x for x in (doc.description, f"PO {doc.po_number}" if doc.po_number else "") if x)
    if notes:
        header["notes"] = notes[:2000]
    header["invoice_lines"] = _lines(doc, ref)
    return {root(doc): header}


def expense_split(doc: JournalEntry) -> tuple[list, list]:
    """(debits, credits) of a journal expense: what was spent, and what paid for it."""
    postings = doc.postings()
    return [p for p in postings if p.amount > 0], [p for p in postings if p.amount < 0]


def other_payment_body(doc: JournalEntry, ref: CloudReference, bank_account_id: str) -> dict[str, Any]:
    """An expense paid from a bank account (Manage sends it gross, with no tax split: a zero rate)."""
    debits, _ = expense_split(doc)
    lines = []
    for posting in debits:
        line: dict[str, Any] = {"ledger_account_id": ref.account(posting.account),
                                "details": (posting.description or doc.description or doc.number)[:255],
                                "net_amount": posting.amount, "tax_amount": ZERO, "total_amount": posting.amount}
        if ref.zero_rate:
            line["tax_rate_id"] = ref.zero_rate
        lines.append(line)
    total = sum((p.amount for p in debits), ZERO)
    return {root(doc): {"transaction_type_id": "OTHER_PAYMENT", "date": doc.date.isoformat(), "reference": doc.number,
                        "bank_account_id": bank_account_id, "net_amount": total, "tax_amount": ZERO,
                        "total_amount": total, "payment_lines": lines}}


def contact_body(record: CustomerRecord | VendorRecord | None, fallback_name: str, account: str,
                 contact_type: str = "CUSTOMER", currency: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"name": record.name if record else fallback_name, "contact_type_ids": [contact_type],
                            "reference": account}
    if isinstance(record, CustomerRecord) and record.currency:
        body["currency_id"] = record.currency
    elif currency:
        body["currency_id"] = currency
    if record is not None and record.due_days is not None:
        body["credit_days"] = record.due_days
    return {"contact": body}
