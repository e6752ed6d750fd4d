"""Documents → Web API bodies, and where each document goes in Sage 300.

Sales invoices and credit memos go to an A/R invoice batch, bills and item receipts to an A/P invoice
batch, journal entries to a G/L journal batch, inventory adjustments and transfers to I/C (or, when
Inventory Control is not available, to the G/L batch as the journal entry of their postings).

Property order matters to Sage (values are put to the view in body order), so the driver fields
(customer or vendor, document type, number) come first. Tax: the Manage tax code's first level xref
names the Sage tax group; each level's amount goes in the slot of the group that holds its agency.
Texts are cut to the lengths of the Sage fields.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from mobius_tui.accounting.sage300.reference import Sage300Reference
from mobius_tui.documents.model import (
    CustomerRecord,
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    JournalEntry,
    Line,
    MoveLine,
    PurchaseDocument,
    SalesDocument,
    TaxLevelAmount,
    VendorRecord,
)

DOCUMENT_NUMBER_MAX = 22  # AR/AP document number length in Sage 300
DESCRIPTION_MAX = 60
COMMENT_MAX = 250
SHORT_NAME_MAX = 10


class Target(StrEnum):
    AR = "AR"
    AP = "AP"
    GL = "GL"
    IC = "IC"


def target(doc: Document, inventory: bool) -> Target:
    if doc.kind in (DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO):
        return Target.AR
    if doc.kind in (DocumentKind.AP_BILL, DocumentKind.ITEM_RECEIPT):
        return Target.AP
    if doc.kind in (DocumentKind.INVENTORY_ADJUSTMENT, DocumentKind.INVENTORY_TRANSFER) and inventory:
        return Target.IC
    return Target.GL


def _text(value: str, limit: int = DESCRIPTION_MAX) -> str:
    return " ".join(value.split())[:limit]


def tax_group(doc: SalesDocument | PurchaseDocument) -> str:
    """The Sage tax group a document names: its first level's tax code xref, or for an invoice that
    charged no tax its tax code's level 1 xref (the exempt group, per seed 001); "" = the party's."""
    levels = sorted(doc.taxes, key=lambda t: t.level)
    return levels[0].tax_code_xref if levels else getattr(doc, "tax_code_xref", "")


def untaxed_slots(doc: SalesDocument | PurchaseDocument, line: Line, ref: Sage300Reference) -> dict[int, str]:
    """Slot → authority of the document's tax group that did not tax ``line`` in Manage: every
    authority for a line Manage marked non-taxable, else those Manage charged nothing."""
    slots = ref.authorities(tax_group(doc), tax_type(doc)) or ()
    charged = {t.agency_xref for t in doc.taxes if t.amount and t.agency_xref}
    return {slot: authority for slot, authority in enumerate(slots, start=1)
            if authority and not (line.taxable and authority in charged)}


def line_tax_classes(doc: SalesDocument | PurchaseDocument, line: Line, ref: Sage300Reference) -> dict[str, int]:
    """``TaxClassN`` of a line: the authority's exempt item class where Manage did not tax it, so
    Sage 300 taxes exactly what Manage taxed (other slots keep the item's default class)."""
    out: dict[str, int] = {}
    for slot, authority in untaxed_slots(doc, line, ref).items():
        exempt = ref.exempt_classes.get((authority, tax_type(doc)))
        if exempt is not None:
            out[f"TaxClass{slot}"] = exempt
    return out


def _line_classes(doc: SalesDocument | PurchaseDocument, ref: Sage300Reference) -> dict[bool, dict[str, int]]:
    """:func:`line_tax_classes` of the document's taxable and non-taxable lines: a line's classes
    depend on nothing else of it, so they are worked out once per kind, not once per line."""
    return {line.taxable: line_tax_classes(doc, line, ref) for line in {ln.taxable: ln for ln in doc.lines}.values()}


def tax_type(doc: Document) -> str:
    return "Sales" if isinstance(doc, SalesDocument) else "Purchase"


def _tax_fields(doc: SalesDocument | PurchaseDocument, ref: Sage300Reference) -> dict[str, Any]:
    group = tax_group(doc)
    if not group:
        return {}
    slots = ref.authorities(group, tax_type(doc)) or ()
    out: dict[str, Any] = {"TaxGroup": group}
    bases: dict[int, Decimal] = {}
    amounts: dict[int, Decimal] = {}
    for level in sorted(doc.taxes, key=lambda t: t.level):
        if not level.agency_xref or not level.amount:
            continue  # tax-exempt level: the group carries no authority for it
        slot = slots.index(level.agency_xref) + 1 if level.agency_xref in slots else level.level
        bases[slot] = bases.get(slot, Decimal(0)) + level.taxable_amount
        amounts[slot] = amounts.get(slot, Decimal(0)) + level.amount
    for slot in sorted(amounts):
        out[f"TaxBase{slot}"] = bases[slot]
        out[f"TaxAmount{slot}"] = amounts[slot]
    return out


def _document_fields(doc: SalesDocument | PurchaseDocument, ref: Sage300Reference) -> dict[str, Any]:
    """What A/R and A/P entries share after their driver fields: dates, terms, text, currency, tax."""
    body: dict[str, Any] = {}
    if doc.due_date:
        body["DueDate"] = doc.due_date.isoformat()
    if doc.terms:
        body["Terms"] = doc.terms
    body["InvoiceDescription"] = _text(doc.description or doc.origin.label())
    if doc.po_number:
        body["PONumber"] = _text(doc.po_number, DOCUMENT_NUMBER_MAX)
    if doc.currency:
        body["CurrencyCode"] = doc.currency
    body.update(_tax_fields(doc, ref))
    return body


def _account(number: str, ref: Sage300Reference) -> str:
    return ref.account(number) or number


def ar_invoice(doc: SalesDocument, ref: Sage300Reference) -> dict[str, Any]:
    body: dict[str, Any] = {
        "CustomerNumber": doc.customer.account,
        "DocumentType": "CreditNote" if doc.kind == DocumentKind.CREDIT_MEMO else "Invoice",
        "DocumentNumber": doc.number,
        "InvoiceType": "Summary",
        "DocumentDate": doc.date.isoformat(),
    }
    body.update(_document_fields(doc, ref))
    classes = _line_classes(doc, ref)
    body["InvoiceDetails"] = [
        {"RevenueAccount": _account(line.account, ref), "Description": _text(line.description),
         "ExtendedAmountWithTIP": line.amount, "Comments": _text(line.description, COMMENT_MAX),
         **classes[line.taxable], **cost_of_sale(line, ref)}
        for line in doc.lines
    ]
    body["UpdateOperation"] = "Insert"
    return body


def sells_stock(line: Line) -> bool:
    """A line selling an inventory part at a cost: its cost of sales must be booked (seed 001)."""
    return bool(line.item and line.item.is_inventory and line.cost)


def cost_of_sale(line: Line, ref: Sage300Reference) -> dict[str, Any]:
    """What A/R needs to book the cost of an inventory part sold (debit COGS, credit inventory):
    seed 001 leaves that entry to the package, and a summary line carries no cost unless sent.
    ``Cost`` is the line's extended cost, as Manage exports it (UNCONFIRMED: unit vs extended)."""
    if not sells_stock(line):
        return {}
    assert line.item is not None
    return {"Cost": line.cost, "InventoryAccount": _account(line.item.inventory_account, ref),
            "COGSAccount": _account(line.item.cost_account, ref)}


def ap_invoice(doc: PurchaseDocument, ref: Sage300Reference) -> dict[str, Any]:
    body: dict[str, Any] = {
        "VendorNumber": doc.vendor.account,
        "DocumentType": "Invoice",
        "DocumentNumber": doc.number,
        "DocumentDate": doc.date.isoformat(),
    }
    body.update(_document_fields(doc, ref))
    body["DocumentTotalIncludingTax"] = doc.document_total
    classes = _line_classes(doc, ref)
    body["InvoiceDetails"] = [
        {"GLAccount": _account(line.account, ref), "DistributedAmount": line.amount,
         "DistributionDescription": _text(line.description), **classes[line.taxable]}
        for line in doc.lines
    ]
    body["UpdateOperation"] = "Insert"
    return body


def journal_header(doc: Document, ref: Sage300Reference) -> dict[str, Any]:
    """A G/L journal entry; inventory documents become the journal of their own postings."""
    source = doc.source if isinstance(doc, JournalEntry) else doc.kind.value.replace("_", " ")
    description = _text(doc.description or f"{source} {doc.number}".strip())
    return {
        "SourceLedger": "GL",
        "SourceType": "JE",
        "DocumentDate": doc.date.isoformat(),
        "Description": description,
        "DocumentNumber": doc.number,
        "JournalDetails": [
            {"AccountNumber": _account(p.account, ref), "Amount": p.amount,
             "Description": _text(p.description or description), "Reference": _text(doc.number)}
            for p in doc.postings() if p.amount
        ],
        "UpdateOperation": "Insert",
    }


def adjustment_location(line: MoveLine) -> str:
    return line.from_location or line.to_location or line.item.location_xref


def ic_adjustment(doc: InventoryAdjustment, ref: Sage300Reference) -> dict[str, Any]:
    """An I/C adjustment. Each line carries Manage's adjustment account as its write-off account
    (UNCONFIRMED name: the detail view's WOFFACCT), so the G/L offset is the one Manage booked and
    not the item account set's default."""
    details = []
    for line in doc.lines:
        detail: dict[str, Any] = {
            "ItemNumber": line.item.code,
            "Location": adjustment_location(line),
            "TransactionType": "BothIncrease" if line.quantity >= 0 else "BothDecrease",
            "Quantity": abs(line.quantity),
        }
        if line.item.unit_of_measure:
            detail["UnitOfMeasure"] = line.item.unit_of_measure
        detail["CostAdjustment"] = abs(line.value)
        if line.offset_account:
            detail["AdjustmentWriteOffAccount"] = _account(line.offset_account, ref)
        detail["Comments"] = _text(line.description or doc.description, COMMENT_MAX)
        details.append(detail)
    return {"Description": _text(doc.description or f"Adjustment {doc.number}"), "AdjustmentDate": doc.date.isoformat(),
            "Reference": _text(doc.number), "AdjustmentDetails": details}


def ic_transfer(doc: InventoryTransfer) -> dict[str, Any]:
    details = []
    for line in doc.lines:
        detail: dict[str, Any] = {"ItemNumber": line.item.code, "FromLocation": line.from_location,
                                  "ToLocation": line.to_location, "QuantityRequested": line.quantity,
                                  "QuantityTransferred": line.quantity}
        if line.item.unit_of_measure:
            detail["UnitOfMeasure"] = line.item.unit_of_measure
        detail["Comments"] = _text(line.description or doc.description, COMMENT_MAX)
        details.append(detail)
    # "Transfer" (a direct transfer) is UNCONFIRMED against the enum: Sage's sample shows "TransitTransfer".
    return {"DocumentDate": doc.date.isoformat(), "Reference": _text(doc.number),
            "Description": _text(doc.description or f"Transfer {doc.number}"), "DocumentType": "Transfer",
            "TransferDetails": details}


def customer(record: CustomerRecord, group: str) -> dict[str, Any]:
    body: dict[str, Any] = {"CustomerNumber": record.account}
    if group:
        body["GroupCode"] = group
    body["CustomerName"] = _text(record.name)
    body["ShortName"] = _text(record.name, SHORT_NAME_MAX)
    if record.currency:
        body["CurrencyCode"] = record.currency
    if record.terms:
        body["Terms"] = record.terms
    levels: list[TaxLevelAmount] = sorted(record.tax_levels, key=lambda t: t.level)
    if levels and levels[0].tax_code_xref:
        body["TaxGroup"] = levels[0].tax_code_xref
    return body


def vendor_terms(record: VendorRecord, doc: PurchaseDocument) -> str:
    """Terms of a vendor the run creates: the document's terms xref, as Manage's vendor export gives
    only the terms' name, which is no Sage 300 terms code unless it happens to match one."""
    return doc.terms or record.terms


def vendor(record: VendorRecord, group: str, terms_field: str = "Terms", currency: str = "",
           terms: str = "") -> dict[str, Any]:
    """A new A/P vendor; ``terms_field`` is the name the server's metadata gives the terms ("" = none),
    ``currency`` and ``terms`` those of the document it is created for (Manage's vendor export names
    no currency and only the terms' name)."""
    body: dict[str, Any] = {"VendorNumber": record.account}
    if group:
        body["GroupCode"] = group
    body["VendorName"] = _text(record.name)
    body["ShortName"] = _text(record.name, SHORT_NAME_MAX)
    if currency:
        body["CurrencyCode"] = currency
    if (terms or record.terms) and terms_field:
        body[terms_field] = terms or record.terms
    return body
