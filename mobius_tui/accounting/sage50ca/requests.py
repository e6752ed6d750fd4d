"""What the bridge is asked to do for each document: the JSON requests, and how each document is known
in the company database afterwards (journal module, source, customer or vendor)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mobius_tui.accounting.sage50ca.accounts import account_digits
from mobius_tui.accounting.sage50ca.reference import Sage50Reference
from mobius_tui.documents.model import (
    Document,
    DocumentKind,
    ItemRecord,
    ItemRef,
    Line,
    PurchaseDocument,
    SalesDocument,
)

GENERAL, PAYABLES, RECEIVABLES = 0, 1, 2  # tJourEnt.nModule
COMMENT_MAX = 39  # the general journal's comment [UNCONFIRMED: 39 to 75 by release]


@dataclass(frozen=True)
class Identity:
    module: int
    source: str
    party: str = ""  # customer or vendor name (Sage keys them by name)


def purchase_number(doc: PurchaseDocument, vendor_invoice_module: bool) -> str:
    """Seed 000: an item receipt is invoiced under its PO number, or with the vendor invoice number
    module under the vendor's invoice number (the PO number then goes to Order No.). The plan's number
    already is the PO-based one, told apart per receipt when a PO is received more than once."""
    if doc.kind == DocumentKind.ITEM_RECEIPT and vendor_invoice_module:
        return doc.vendor_invoice_number or doc.number
    return doc.number


def identity(doc: Document, vendor_invoice_module: bool) -> Identity:
    if isinstance(doc, SalesDocument):
        return Identity(RECEIVABLES, doc.number, doc.customer.name)
    if isinstance(doc, PurchaseDocument):
        return Identity(PAYABLES, purchase_number(doc, vendor_invoice_module), doc.vendor.name)
    return Identity(GENERAL, doc.number)


def _text(value: Decimal) -> str:
    return format(value, "f")


class Requests:
    """Builds bridge requests against one run's reference and login."""

    def __init__(self, ref: Sage50Reference, delimiter: str, vendor_invoice_module: bool) -> None:
        self.ref = ref
        self.delimiter = delimiter
        self.vendor_invoice_module = vendor_invoice_module

    def account(self, manage_account: str) -> str:
        return account_digits(manage_account, self.delimiter)

    def _rate(self, doc: Document) -> str:
        currency = doc.currency or self.ref.home_currency
        if currency == self.ref.home_currency:
            return ""
        rate = self.ref.rate(currency, doc.date)
        return _text(rate) if rate is not None else ""

    def _location(self, lines: list[Line]) -> str:
        for line in lines:
            if line.item and line.item.is_inventory and line.item.location_xref.strip().isdigit():
                n = int(line.item.location_xref)
                if 1 <= n <= len(self.ref.locations):
                    return self.ref.locations[n - 1]
        return ""

    def document(self, doc: Document) -> dict[str, Any]:
        if isinstance(doc, SalesDocument):
            return self._invoice(doc, "sales", doc.customer.name, doc.number,
                                 -1 if doc.kind == DocumentKind.CREDIT_MEMO else 1)
        if isinstance(doc, PurchaseDocument):
            request = self._invoice(doc, "purchase", doc.vendor.name,
                                    purchase_number(doc, self.vendor_invoice_module), 1)
            if doc.kind == DocumentKind.ITEM_RECEIPT and self.vendor_invoice_module:
                request.update(order=doc.po_number, received=True)
            return request
        lines = []
        for posting in doc.postings():
            if posting.amount == 0:
                continue
            side = "debit" if posting.amount > 0 else "credit"
            lines.append({"account": self.account(posting.account), side: _text(abs(posting.amount)),
                          "comment": posting.description[:COMMENT_MAX]})
        currency = doc.currency if doc.currency and doc.currency != self.ref.home_currency else ""
        return {"op": "journal", "source": doc.number, "comment": (doc.description or doc.memo)[:COMMENT_MAX],
                "date": f"{doc.date:%Y-%m-%d}", "currency": currency, "rate": self._rate(doc) if currency else "",
                "lines": lines}

    def _invoice(self, doc: SalesDocument | PurchaseDocument, op: str, party: str, number: str,
                 sign: int) -> dict[str, Any]:
        taxed = any(t.amount for t in doc.taxes)
        lines = []
        for line in doc.lines:
            entry: dict[str, Any] = {"description": (line.description or line.memo)[:80],
                                     "amount": _text(sign * line.amount), "account": self.account(line.account)}
            if line.item and line.item.code:
                entry.update(item=line.item.code.upper(), quantity=_text(sign * line.quantity),
                             price=_text(line.unit_price))
            if taxed and (line.taxable or isinstance(doc, PurchaseDocument)):
                entry["tax_code"] = doc.tax_code
            lines.append(entry)
        taxes: dict[str, Decimal] = {}
        for tax in doc.taxes:
            taxes[tax.agency_xref] = taxes.get(tax.agency_xref, Decimal(0)) + tax.amount
        return {"op": op, "party": party, "number": number, "date": f"{doc.date:%Y-%m-%d}", "rate": self._rate(doc),
                "location": self._location(doc.lines), "lines": lines,
                "taxes": [{"name": name, "amount": _text(sign * amount)} for name, amount in taxes.items() if amount]}

    def item(self, code: str, item: ItemRef | None, record: ItemRecord | None, revenue: str,
             price: Decimal) -> dict[str, Any]:
        """An item to create (seed 000: inventory parts are inventory items, every other type a service)."""
        kind = (record.item_type if record else item.item_type if item else "")
        service = str(kind).replace(" ", "").lower() != "inventorypart"
        cost = (record.cost_account if record else "") or (item.cost_account if item else "")
        asset = (record.inventory_account if record else "") or (item.inventory_account if item else "")
        name = (record.description if record else "") or (item.description if item else "") or code
        return {"op": "item", "number": code.upper(), "name": name[:52], "service": service,
                "unit": (item.unit_of_measure if item else "") or "Each", "price": _text(price),
                "asset": "" if service else self.account(asset), "revenue": self.account(revenue),
                "expense": self.account(cost)}
