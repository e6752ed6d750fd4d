"""Request bodies for Sage Accounting v3.1, built from target-neutral documents.

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
from mobius_tui.documents.model import CustomerRecord, DocumentKind, Line, SalesDocument

SALES_KINDS = frozenset({DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO})
ZERO = Decimal("0")
CENT = Decimal("0.01")


def collection(doc: SalesDocument) -> str:
    return "sales_credit_notes" if doc.kind == DocumentKind.CREDIT_MEMO else "sales_invoices"


def root(doc: SalesDocument) -> str:
    return "sales_credit_note" if doc.kind == DocumentKind.CREDIT_MEMO else "sales_invoice"


def tax_levels(doc: SalesDocument) -> list[str]:
    """The document's tax level xrefs, in level order (none: every line goes at the zero rate)."""
    return [t.tax_code_xref for t in sorted(doc.taxes, key=lambda t: t.level)]


def spread_tax(doc: SalesDocument) -> list[Decimal]:
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


def document_body(doc: SalesDocument, ref: CloudReference, contact_id: str) -> dict[str, Any]:
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
    header: dict[str, Any] = {"contact_id": contact_id, "date": doc.date.isoformat(), "reference": doc.number,
                              "currency_id": doc.currency or ref.base_currency}
    if doc.due_date and doc.kind != DocumentKind.CREDIT_MEMO:
        header["due_date"] = doc.due_date.isoformat()
    notes = " ".join(x for x in (doc.description, f"PO {doc.po_number}" if doc.po_number else "") if x)
    if notes:
        header["notes"] = notes[:2000]
    header["invoice_lines" if doc.kind != DocumentKind.CREDIT_MEMO else "credit_note_lines"] = lines
    return {root(doc): header}


def contact_body(record: CustomerRecord, fallback_name: str, account: str) -> dict[str, Any]:
    body: dict[str, Any] = {"name": record.name if record else fallback_name, "contact_type_ids": ["CUSTOMER"],
                            "reference": account}
    if record is not None and record.currency:
        body["currency_id"] = record.currency
    if record is not None and record.due_days is not None:
        body["credit_days"] = record.due_days
    return {"contact": body}
