"""Target-neutral plans built straight from the shared dataset, for the Sage 300 tests.

The service builds plans from a GLExport; these tests need the same documents without Manage in the
loop, so this maps the dataset's books to documents the way the GLExport conventions describe them.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from mobius_tui.documents.model import (
    CustomerRecord,
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRef,
    JournalEntry,
    Line,
    MoveLine,
    Origin,
    Party,
    Plan,
    Posting,
    PurchaseDocument,
    RecordKind,
    SalesDocument,
    TaxLevelAmount,
    VendorRecord,
)
from mobius_tui.sandbox.dataset import Dataset, Expense, Invoice, Procurement, TaxLine


def _taxes(taxes: tuple[TaxLine, ...], purchase: bool = False) -> list[TaxLevelAmount]:
    return [TaxLevelAmount(t.level.level, t.level.tax_code_xref, t.level.agency_xref, t.level.rate, abs(t.amount),
                           abs(t.taxable_amount), t.level.purchase_account if purchase else t.level.sales_account)
            for t in taxes]


def sales_document(ds: Dataset, inv: Invoice) -> SalesDocument:
    company = ds.company(inv.company_id)
    sign = -1 if inv.is_credit else 1
    return SalesDocument(
        kind=DocumentKind.CREDIT_MEMO if inv.is_credit else DocumentKind.SALES_INVOICE,
        origin=Origin(RecordKind.INVOICE, str(inv.id), inv.number, inv.entry_ids),
        number=inv.number, date=inv.date, currency=inv.currency, description=inv.description,
        customer=Party(company.account_number or "", company.name, company.id),
        receivable_account=inv.ar_account,
        lines=[Line(ln.account, ln.amount * sign, ln.description, abs(ln.quantity), ln.unit_price, taxable=ln.taxable)
               for ln in inv.lines],
        taxes=_taxes(inv.taxes), tax_code=ds.tax_code(inv.tax_code_id).identifier,
        terms=ds.term(inv.terms_id).terms_xref, due_date=inv.due_date, document_total=abs(inv.total),
    )


def expense_document(ds: Dataset, exp: Expense) -> Document:
    member = ds.member(exp.member_id)
    origin = Origin(RecordKind.EXPENSE, str(exp.id), str(exp.id), exp.entry_ids)
    if exp.classification != "Reimbursable":
        return JournalEntry(kind=DocumentKind.JOURNAL_ENTRY, origin=origin, number=f"EXP{exp.id}", date=exp.date,
                            description=exp.description, source="expense",
                            postings_=[Posting(exp.account, exp.amount, exp.expense_type),
                                       Posting(exp.offset_account, -exp.amount, exp.expense_type)])
    return PurchaseDocument(
        kind=DocumentKind.AP_BILL, origin=origin, number=f"EXP{exp.id}", date=exp.date, description=exp.description,
        vendor=Party(member.vendor_number or "", member.name, member.id), payable_account=exp.offset_account,
        lines=[Line(exp.account, exp.amount, exp.expense_type)], employee=True, document_total=exp.amount)


def procurement_document(ds: Dataset, proc: Procurement) -> Document:
    origin = Origin(RecordKind.PROCUREMENT, proc.unposted_product_id, proc.po_number or str(proc.id), proc.entry_ids)
    if proc.type == "Purchase":
        vendor = ds.company(proc.vendor_company_id or 0)
        lines = [Line(ln.account, ln.amount, ln.description, ln.quantity, ln.unit_cost, gl_type=ln.gl_type)
                 for ln in proc.lines]
        if proc.freight:
            lines.append(Line(proc.freight_account, proc.freight, "Freight", gl_type="PF"))
        return PurchaseDocument(
            kind=DocumentKind.ITEM_RECEIPT, origin=origin, number=proc.vendor_invoice_number or proc.po_number,
            date=proc.date, description=proc.description, vendor=Party(vendor.vendor_identifier or "", vendor.name),
            payable_account=proc.ap_account, lines=lines, taxes=_taxes(proc.taxes, purchase=True),
            vendor_invoice_number=proc.vendor_invoice_number or "", po_number=proc.po_number,
            terms=ds.term(proc.terms_id or 1).terms_xref, freight=proc.freight, document_total=proc.total)
    if proc.type == "Adjustment":
        wh = ds.warehouse(proc.lines[0].warehouse_id)
        moves = []
        for ln in proc.lines:
            item = ds.item(ln.item_id)
            moves.append(MoveLine(ItemRef(item.identifier, "Inventory Part", item.description,
                                          inventory_account=ln.account, location_xref=wh.location_xref,
                                          unit_of_measure=item.uom),
                                  ln.quantity, ln.amount, ln.description, from_location=wh.location_xref,
                                  offset_account=proc.adjustment_account))
        return InventoryAdjustment(kind=DocumentKind.INVENTORY_ADJUSTMENT, origin=origin, number=f"ADJ{proc.id}",
                                   date=proc.date, description=proc.description, lines=moves)
    item = ds.item(proc.item_id or 0)
    src, dst = ds.warehouse(proc.from_warehouse_id or 0), ds.warehouse(proc.to_warehouse_id or 0)
    return InventoryTransfer(
        kind=DocumentKind.INVENTORY_TRANSFER, origin=origin, number=f"TRF{proc.id}", date=proc.date,
        description=proc.description,
        lines=[MoveLine(ItemRef(item.identifier, "Inventory Part", item.description,
                                inventory_account=item.inventory_account or "", unit_of_measure=item.uom),
                        proc.quantity, proc.total, proc.description, from_location=src.location_xref,
                        to_location=dst.location_xref)])


def build_plan(ds: Dataset, invoices: bool = True, expenses: bool = True, procurement: bool = True) -> Plan:
    docs: list[Document] = []
    if invoices:
        docs += [sales_document(ds, inv) for inv in ds.invoices]
    if expenses:
        docs += [expense_document(ds, exp) for exp in ds.expenses if exp.classification != "Personal"]
    if procurement:
        docs += [procurement_document(ds, p) for p in ds.procurements]
    customers = [CustomerRecord(c.account_number or "", c.name, ds.terms[c.terms_id - 1].terms_xref,
                                currency=c.currency,
                                tax_levels=tuple(TaxLevelAmount(lv.level, lv.tax_code_xref, lv.agency_xref, lv.rate,
                                                                Decimal(0))
                                                 for lv in ds.tax_code(c.tax_code_id).levels))
                 for c in ds.companies if c.is_customer]
    vendors = [VendorRecord(c.vendor_identifier or "", c.name, terms=ds.terms[c.terms_id - 1].terms_xref)
               for c in ds.companies if c.is_vendor]
    vendors += [VendorRecord(m.vendor_number or "", m.name, is_member=True) for m in ds.members if m.license_class == "F"]
    return Plan(documents=docs, customers=customers, vendors=vendors)


def only(plan: Plan, *kinds: DocumentKind, limit: int | None = None) -> Plan:
    docs = [d for d in plan.documents if d.kind in kinds]
    return replace(plan, documents=docs[:limit] if limit else docs)


def without(plan: Plan, numbers: set[str]) -> Plan:
    """The plan minus documents whose number is listed (e.g. the deliberately broken ones)."""
    return replace(plan, documents=[d for d in plan.documents if d.number not in numbers])
