"""Builds GLExport payloads from the dataset, following the "GLExport conventions" in
mobius_tui/manage/models.py exactly:

* transactions: header ``total`` = document total (negative for CREDIT MEMO), detail lines carry the
  opposite sign so ``total + sum(detail.total) == 0``; ``glEntryIds`` = the AR entry id.
  ``Detailed``: one detail line per invoice line (``id`` = that line's entry id) plus one "ST" line
  per tax level. ``Condensed``: one line per (GL type, account, COGS account, inventory account)
  whose ``id`` is a group id (``CONDENSED_BASE`` + the group's first entry id); batching a group id
  batches every entry of the group.
* expenses (journal) / expenseBills (when the setup's ``transferExpensesAsBillFlag`` is on, for
  reimbursable expenses: one bill per member and currency, ``detail[].id`` = [entry, offset entry]).
* purchaseTransactions, adjustmentTransactions, inventoryTransfers as the conventions describe;
  ``id`` of all three is the record's ``unpostedProductId``.
* customers / vendors: one entry per company (and member) the exported documents refer to.

``build(...) -> m.GLExport`` for Python callers; ``build_json(..., fragments) -> bytes`` is the same
export as the API sends it, assembled from each document's JSON cached in ``fragments`` (an export
of 10,000 invoices holds ~400,000 models; building them once per store is what makes it fast);
``iter_json`` gives the same bytes in pieces made as they are sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial

from pydantic import BaseModel

from mobius_tui.manage import models as m
from mobius_tui.sandbox.dataset import Dataset, Expense, Invoice, Procurement, TaxCode
from mobius_tui.sandbox.manage import wire as w
from mobius_tui.sandbox.manage.encoding import wire_json

CONDENSED_BASE = 900_000_000
ZERO = Decimal(0)


@dataclass
class ExportOptions:
    summarize_invoices: str = "Detailed"  # Detailed | Condensed (Default resolved by the caller)
    expenses_as_bills: bool = True
    condensed_expenses: bool = False
    include_cogs: bool = True


def condensed_key(line) -> tuple:  # noqa: ANN001 - InvoiceLine
    return (line.gl_type, line.account, line.cogs_account or "", line.inventory_account or "")


def condensed_groups(inv: Invoice) -> dict[int, list[int]]:
    """Group id -> entry ids of the invoice lines it summarises."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for ln in inv.lines:
        groups[condensed_key(ln)].append(ln.entry_id)
    return {CONDENSED_BASE + min(ids): ids for ids in groups.values()}


def _doc_type(inv: Invoice) -> str:
    return "CREDIT MEMO" if inv.is_credit else "INVOICE"


def _tax_rate_total(tc: TaxCode) -> Decimal:
    return sum((lvl.rate for lvl in tc.levels), ZERO)


@lru_cache(maxsize=64)
def _detail_tax_level(taxable: bool, level: int) -> m.GLExportTransactionDetailTaxLevel:
    return m.GLExportTransactionDetailTaxLevel(taxableFlag=taxable, taxLevel=level)  # shared: never mutate


def _transaction(ds: Dataset, inv: Invoice, opts: ExportOptions) -> m.GLExportTransaction:
    c = ds.company(inv.company_id)
    tc = ds.tax_code(inv.tax_code_id)
    term = ds.term(inv.terms_id)
    cur = w.currency_ref(ds, inv.currency)
    tc_ref = w.tax_code_ref(tc)
    doc_type = _doc_type(inv)
    date = w.iso(inv.date)
    details: list[m.GLExportTransactionDetail] = []
    if opts.summarize_invoices == "Condensed":
        groups: dict[tuple, list] = defaultdict(list)
        for ln in inv.lines:
            groups[condensed_key(ln)].append(ln)
        for key, lines in groups.items():
            gl_type, account, cogs, inventory = key
            total = sum((ln.amount for ln in lines), ZERO)
            cost = sum((ln.cost for ln in lines), ZERO)
            details.append(m.GLExportTransactionDetail(
                id=CONDENSED_BASE + min(ln.entry_id for ln in lines), documentDate=date, documentType=doc_type,
                accountNumber=account, glClass="", glTypeId=gl_type, invoiceSummaryOption="1",
                memo=ds.account(account).description, description=ds.account(account).description,
                quantity=Decimal(-1 if total >= 0 else 1), total=-total, currency=cur, productAccountNumber=account,
                taxCode=tc_ref, taxableFlag=any(ln.taxable for ln in lines),
                cost=cost if (opts.include_cogs and inventory) else None,
                costAccountNumber=cogs or None if opts.include_cogs and inventory else None,
                inventoryAccountNumber=inventory or None if opts.include_cogs else None,
            ))
    else:
        for ln in inv.lines:
            item = ds.item(ln.item_id) if ln.item_id else None
            wh = ds.warehouse(ln.warehouse_id) if ln.warehouse_id else None
            pt = ds.product_type(item.product_type_id) if item else None
            with_cogs = opts.include_cogs and item is not None and item.inventory_account is not None
            details.append(m.GLExportTransactionDetail(
                id=ln.entry_id, documentDate=date, documentType=doc_type, accountNumber=ln.account, glClass="",
                glTypeId=ln.gl_type, glItemId=item.gl_item_id if item else None, invoiceSummaryOption="0",
                cost=ln.cost if with_cogs else None, salesCode=item.identifier[:4] if item else None,
                memo=ln.description[:100], description=ln.description, quantity=-ln.quantity, total=-ln.amount,
                currency=cur, costAccountNumber=ln.cogs_account if with_cogs else None,
                inventoryAccountNumber=ln.inventory_account if with_cogs else None, productAccountNumber=ln.account,
                taxCode=tc_ref, taxableFlag=ln.taxable, item=w.item_ref(item) if item else None,
                itemTaxableFlag=item.taxable if item else None, itemPrice=ln.unit_price,
                itemCost=ln.unit_cost if item else None, itemDescription=item.description if item else None,
                salesDescription=ln.description, unitOfMeasure=w.uom_ref(ln.uom),
                serializedFlag=item.serialized if item else None, itemTypeXref=pt.item_type_xref if pt else None,
                inventoryXref=item.inventory_account if item else None, cogsXref=item.cogs_account if item else None,
                uomScheduleXref="DEFAULT" if item else None, priceLevelXref="DEFAULT" if item else None,
                locationXref=wh.location_xref if wh else None,
                taxLevels=[_detail_tax_level(ln.taxable, lvl.level) for lvl in tc.levels],
            ))
    for t in inv.taxes:
        details.append(m.GLExportTransactionDetail(
            id=t.entry_id, documentDate=date, documentType=doc_type, accountNumber=t.level.sales_account, glClass="",
            glTypeId="ST", memo="Sales Tax", description=f"Level {t.level.level} Sales Tax ({t.level.caption})",
            quantity=ZERO, total=-t.amount, currency=cur, taxCode=tc_ref,
            taxCodeXref=t.level.tax_code_xref, taxAgencyXref=t.level.agency_xref, taxNote="AUTOSTAX",
            taxRate=t.level.rate, taxRatePercent=t.level.rate * 100,
        ))
    taxes = {t.level.level: t for t in inv.taxes}
    lv1 = tc.levels[0]
    lv2 = tc.levels[1] if len(tc.levels) > 1 else None
    return m.GLExportTransaction(
        id=inv.unposted_id, glClass="", glTypeId="AR", documentDate=date, documentNumber=inv.number,
        documentType=doc_type, memo=inv.description, description="Accounts Receivable", company=w.company_ref(c),
        companyType=w.company_type_ref(c), companyAccountNumber=c.account_number, site=w.site_ref(c),
        billingTerms=w.terms_ref(ds, inv.terms_id), billingTermsXref=term.terms_xref, dueDays=term.due_days,
        dueDate=w.iso(inv.due_date), emailDeliveryFlag=True, printDeliveryFlag=False,
        agreementPrePaymentFlag=inv.type == "DownPayment", accountNumber=inv.ar_account, billingType=inv.type,
        glEntryIds=str(inv.header_entry_id), currency=cur, total=inv.total, salesRepId=inv.closed_by,
        taxable=not tc.exempt, taxableTotal=sum((ln.amount for ln in inv.lines if ln.taxable), ZERO),
        taxCode=tc_ref, taxGroupRate=_tax_rate_total(tc), piggyBackFlag=tc.piggyback,
        taxAccountNumber=lv1.sales_account, salesTax=inv.tax_total,
        stateTax=taxes[1].amount if 1 in taxes else ZERO, countyTax=taxes[2].amount if 2 in taxes else ZERO,
        cityTax=taxes[3].amount if 3 in taxes else ZERO,
        **{f"taxableAmount{n}": taxes[n].taxable_amount for n in range(1, 6) if n in taxes},
        taxAgencyXref=lv1.agency_xref, stateTaxXref=lv1.tax_code_xref, countyTaxXref=lv2.tax_code_xref if lv2 else None,
        taxId=c.tax_identifier, useAvalaraFlag=False, sendAvalaraTaxFlag=False, shipToCompany=w.company_ref(c),
        shipToCompanyAccountNumber=c.account_number, shipToCompanyType=w.company_type_ref(c),
        shipToTaxId=c.tax_identifier, shipSite=w.site_ref(c), detail=details,
        taxLevels=[m.GLExportTransactionTaxLevel(taxAmount=t.amount, taxableAmount=t.taxable_amount,
                                                 taxCodeXref=t.level.tax_code_xref, taxLevel=t.level.level)
                   for t in inv.taxes],
    )


def _customer(ds: Dataset, company_id: int) -> m.GLExportCustomer:
    c = ds.company(company_id)
    tc = ds.tax_code(c.tax_code_id)
    term = ds.term(c.terms_id)
    levels = {lvl.level: lvl for lvl in tc.levels}
    fields: dict[str, object] = {}
    for n, prefix in enumerate(("state", "county", "city", "country", "composite"), start=1):
        if n in levels:
            fields[f"{prefix}TaxXref"] = levels[n].tax_code_xref
            fields[f"{prefix}TaxRate"] = levels[n].rate
            fields[f"{prefix}TaxAgencyXref"] = levels[n].agency_xref
    return m.GLExportCustomer(
        company=w.company_ref(c), companyType=w.company_type_ref(c), site=w.site_ref(c), accountNumber=c.account_number,
        billingTerms=w.terms_ref(ds, c.terms_id), billingTermsXref=term.terms_xref, dueDays=term.due_days,
        taxable=not tc.exempt, taxCode=w.tax_code_ref(tc), currency=w.currency_ref(ds, c.currency),
        taxGroupRate=_tax_rate_total(tc), taxAgencyXref=tc.levels[0].agency_xref,
        taxLevels=[m.GLExportCustomerTaxLevel(taxRate=lvl.rate, taxCodeXref=lvl.tax_code_xref,
                                              agencyXref=lvl.agency_xref, taxLevel=lvl.level) for lvl in tc.levels],
        **fields,
    )


def _expense(ds: Dataset, e: Expense) -> m.GLExportExpense:
    mb = ds.member(e.member_id)
    c = ds.company(e.company_id)
    date = w.iso(e.date)
    return m.GLExportExpense(
        id=e.entry_id, documentDate=date, documentType="EXPENSE", apAccountNumber=e.offset_account, apClass="",
        accountNumber=e.account, glClass="", glTypeId=e.gl_type, memo=e.description, description=e.expense_type,
        periodStartDate=date, periodEndDate=date, member=w.member_ref(mb), vendorNumber=mb.vendor_number,
        company=w.company_ref(c), companyAccountNumber=c.account_number, currency=w.currency_ref(ds, e.currency),
        total=e.amount,
        offset=m.GLExportExpenseOffset(id=e.offset_entry_id, documentDate=date, documentType="EXPENSE",
                                       accountNumber=e.offset_account, glTypeId="EO", glClass="", member=w.member_ref(mb),
                                       memo=e.description, description="Expense Offset", total=-e.amount),
    )


def _bill_groups(expenses: list[Expense]) -> dict[tuple[int, str], list[Expense]]:
    """One expense bill per member and currency."""
    by_member: dict[tuple[int, str], list[Expense]] = defaultdict(list)
    for e in expenses:
        by_member[(e.member_id, e.currency)].append(e)
    return by_member


def _expense_bill(ds: Dataset, member_id: int, currency: str, items: list[Expense],
                  condensed: bool) -> m.GLExportExpenseBill:
    mb = ds.member(member_id)
    cur = w.currency_ref(ds, currency)
    last = max(e.date for e in items)
    details: list[m.GLExportExpenseBillDetail] = []
    if condensed:
        groups: dict[tuple, list[Expense]] = defaultdict(list)
        for e in items:
            groups[(e.account, e.gl_type, e.billable)].append(e)
        for (account, gl_type, billable), grp in groups.items():
            details.append(m.GLExportExpenseBillDetail(
                id=[i for e in grp for i in e.entry_ids], documentDate=w.iso(max(e.date for e in grp)),
                glTypeId=gl_type, memo=ds.account(account).description, accountNumber=account,
                expenseClass=m.ClassificationReference(id=1, name="Reimbursable"), currency=cur,
                total=-sum((e.amount for e in grp), ZERO), billable=billable, reimbursable=True,
                companyAdvance=False,
            ))
    else:
        for e in sorted(items, key=lambda e: e.id):
            details.append(m.GLExportExpenseBillDetail(
                id=list(e.entry_ids), documentDate=w.iso(e.date), glTypeId=e.gl_type, memo=e.description,
                company=w.company_ref(ds.company(e.company_id)), accountNumber=e.account,
                expenseClass=m.ClassificationReference(id=1, name=e.classification), currency=cur,
                total=-e.amount, billable=e.billable, reimbursable=True, companyAdvance=False,
            ))
    first = min(items, key=lambda e: e.id)
    return m.GLExportExpenseBill(
        id=first.id, documentDate=w.iso(last), documentType="EXPENSE BILL",
        documentNumber=f"EXP-{mb.identifier}-{last:%Y%m%d}"[:20], memo=f"Expenses of {mb.name}", glClass="",
        apAccountNumber=first.offset_account, member=w.member_ref(mb), vendorNumber=mb.vendor_number, currency=cur,
        total=sum((e.amount for e in items), ZERO), detail=details,
    )


def _purchase(ds: Dataset, p: Procurement) -> m.GLExportPurchaseTransaction:
    vendor = ds.company(p.vendor_company_id or 0)
    tc = ds.tax_code(p.tax_code_id or 0)
    term = ds.term(p.terms_id or 1)
    cur = w.currency_ref(ds, p.currency)
    date = w.iso(p.date)
    vendor_account = f"ACCT-{vendor.id}"
    lines: list[m.GLExportPurchaseTransactionDetail] = []
    for ln in p.lines:
        item = ds.item(ln.item_id)
        wh = ds.warehouse(ln.warehouse_id)
        lines.append(m.GLExportPurchaseTransactionDetail(
            id=ln.entry_id, documentDate=date, glClass="", glTypeId=ln.gl_type, glItemId=item.gl_item_id,
            salesCode=item.identifier[:4], description=ln.description, cost=ln.unit_cost, memo=ln.description,
            vendorNumber=vendor.vendor_identifier, accountNumber=ln.account, costAccountNumber=item.cogs_account,
            inventoryAccountNumber=item.inventory_account, vendorAccountNumber=vendor_account, item=w.item_ref(item),
            itemDescription=item.description, salesDescription=ln.description, taxable=ln.taxable,
            itemPrice=item.price, itemCost=ln.unit_cost, unitOfMeasure=w.uom_ref(item.uom),
            quantity=-ln.quantity, total=-ln.amount, currency=cur, serializedFlag=item.serialized,
            dropShippedFlag=False, lineNumber=ln.line_number, warehouseSite=m.SiteReference(id=wh.id, name=wh.name),
            itemTypeXref=ds.product_type(item.product_type_id).item_type_xref, inventoryXref=item.inventory_account,
            cogsXref=item.cogs_account, uomScheduleXref="DEFAULT", priceLevelXref="DEFAULT",
            locationXref=wh.location_xref, taxCode=w.tax_code_ref(tc), purchaseHeaderTaxGroup=tc.identifier,
            taxCodeXref=tc.levels[0].tax_code_xref, taxRate=_tax_rate_total(tc),
            taxAgencyXref=tc.levels[0].agency_xref,
        ))
    if p.freight and p.freight_entry_id is not None:
        lines.append(m.GLExportPurchaseTransactionDetail(
            id=p.freight_entry_id, documentDate=date, glClass="", glTypeId="PF", description="Freight",
            memo="Freight", vendorNumber=vendor.vendor_identifier, accountNumber=p.freight_account,
            vendorAccountNumber=vendor_account, taxable=True, quantity=Decimal(-1), total=-p.freight, currency=cur,
            lineNumber=len(p.lines) + 1, cost=p.freight,
        ))
    tax_lines = [
        m.GLExportPurchaseTransactionDetailTax(
            id=t.entry_id, documentDate=date, accountNumber=t.level.purchase_account, glClass="", glTypeId="PT",
            memo=f"Level {t.level.level} Purchase Tax ({t.level.caption})", vendorNumber=vendor.vendor_identifier,
            vendorAccountNumber=vendor_account, taxableFlag=True, quantity=ZERO, total=-t.amount, currency=cur,
            lineNumber=n, taxCode=w.tax_code_ref(tc), taxRate=t.level.rate, taxRatePercent=t.level.rate * 100,
            taxAgencyXref=t.level.agency_xref, taxNote="AUTOSTAX", purchaseHeaderTaxGroup=tc.identifier,
        )
        for n, t in enumerate(p.taxes, start=1)
    ]
    return m.GLExportPurchaseTransaction(
        id=p.unposted_product_id, documentDate=date, documentNumber=p.po_number, description=p.description,
        memo=f"PO #{p.po_number}", apAccountNumber=p.ap_account, purchaseDate=date, company=w.company_ref(vendor),
        companyType=w.company_type_ref(vendor), site=w.site_ref(vendor), purchaseClass="", freightAmount=p.freight,
        packingSlip=p.packing_slip or p.po_number, dropshipFlag=False, currency=cur, total=p.total,
        billingTerms=w.terms_ref(ds, term.id), billingTermsXref=term.terms_xref, dueDays=term.due_days,
        vendorNumber=vendor.vendor_identifier, vendorAccountNumber=vendor_account,
        vendorInvoiceDate=w.iso(p.vendor_invoice_date), vendorInvoiceNumber=p.vendor_invoice_number,
        taxAgencyXref=tc.levels[0].agency_xref, stateTaxXref=tc.levels[0].tax_code_xref,
        countyTaxXref=tc.levels[1].tax_code_xref if len(tc.levels) > 1 else None, taxCode=w.tax_code_ref(tc),
        taxGroupRate=_tax_rate_total(tc), useAvalaraTaxFlag=False, purchaseHeaderTaxGroup=tc.identifier,
        purchaseHeaderTaxableFlag=not tc.exempt, purchaseHeaderFreightTaxableFlag=bool(p.freight),
        taxLevels=[m.GLExportPurchaseTransactionTaxLevel(taxCodeXref=lvl.tax_code_xref, taxLevel=lvl.level)
                   for lvl in tc.levels],
        purchaseDetail=lines, purchaseDetailTax=tax_lines,
    )


def _adjustment(ds: Dataset, p: Procurement) -> m.GLExportAdjustmentTransaction:
    date = w.iso(p.date)
    return m.GLExportAdjustmentTransaction(
        id=p.unposted_product_id, documentType="ADJUSTMENT", documentDate=date, glTypeID="IA",
        accountNumber=p.adjustment_account, memo=p.description, glClass="", adjustmentDescription=p.description,
        adjustmentDetail=[
            m.GLExportAdjustmentTransactionDetail(
                glClass="", description=ln.description, memo=p.description, item=w.item_ref(ds.item(ln.item_id)),
                quantity=int(ln.quantity), total=ln.amount, cost=ln.unit_cost,
                costAccountNumber=ds.item(ln.item_id).cogs_account, inventoryAccountNumber=ln.account,
                accountNumber=p.adjustment_account, productAccountNumber=ds.item(ln.item_id).revenue_account,
            )
            for ln in p.lines
        ],
    )


def _transfer(ds: Dataset, p: Procurement) -> m.GLExportInventoryTransfer:
    item = ds.item(p.item_id or 0)
    src = ds.warehouse(p.from_warehouse_id or 0)
    dst = ds.warehouse(p.to_warehouse_id or 0)
    date = w.iso(p.date)
    total = p.total
    return m.GLExportInventoryTransfer(
        id=p.unposted_product_id, documentType="TRANSFER", documentDate=date, accountNumber=dst.inventory_account,
        glClass="", glTypeId="IT", description=p.description, salesCode=item.identifier[:4], memo=p.description,
        costAccountNumber=item.cogs_account, inventoryAccountNumber=item.inventory_account, transferId=p.transfer_id,
        item=w.item_ref(item), glItemId=item.gl_item_id, salesDescription=item.description,
        itemDescription=item.description, currency=w.currency_ref(ds, p.currency), itemPrice=item.price,
        taxable=item.taxable, unitOfMeasure=w.uom_ref(item.uom), quantity=p.quantity,
        cost=p.unit_cost, total=total, serializedFlag=item.serialized, warehouse=w.warehouse_ref(dst),
        transferFromLocationXref=src.location_xref, transferToLocationXref=dst.location_xref,
        locationXref=dst.location_xref, priceLevelXref="DEFAULT", uomScheduleXref="DEFAULT",
        itemTypeXref=ds.product_type(item.product_type_id).item_type_xref, inventoryXref=item.inventory_account,
        cogsXref=item.cogs_account,
        offset=m.GLExportInventoryTransferOffset(id=p.id, documentType="TRANSFER", documentDate=date,
                                                 accountNumber=src.inventory_account, glClass="", total=-total,
                                                 memo=p.description, description=f"Transfer out of {src.name}",
                                                 glTypeId="IT"),
    )


Section = list[tuple[Hashable, Callable[[], BaseModel]]]  # (fragment cache key or None, builder)


def _sections(ds: Dataset, invoices: list[Invoice], expenses: list[Expense], procurements: list[Procurement],
              opts: ExportOptions) -> dict[str, Section]:
    """Every GLExport list, as builders of its items, keyed by the cacheable part of each item."""
    bill_expenses = [e for e in expenses if opts.expenses_as_bills and e.classification == "Reimbursable"]
    bill_ids = {e.id for e in bill_expenses}
    journal_expenses = [e for e in expenses if e.id not in bill_ids]
    vendors: Section = []
    for company_id in sorted({p.vendor_company_id for p in procurements if p.type == "Purchase"} - {None}):
        vendors.append((("vendor", company_id), partial(_vendor, ds, company_id)))
    for member_id in sorted({e.member_id for e in expenses}):
        vendors.append((("member", member_id), partial(_member_vendor, ds, member_id)))
    invoice_opts = (opts.summarize_invoices, opts.include_cogs)
    return {
        "vendors": vendors,
        "customers": [(("customer", cid), partial(_customer, ds, cid))
                      for cid in sorted({inv.company_id for inv in invoices})],
        "transactions": [(("transaction", inv.id, *invoice_opts), partial(_transaction, ds, inv, opts))
                         for inv in invoices],
        "expenses": [(("expense", e.id), partial(_expense, ds, e)) for e in journal_expenses],
        # a bill summarises the member's expenses in this export: built every time
        "expenseBills": [(None, partial(_expense_bill, ds, member_id, currency, items, opts.condensed_expenses))
                         for (member_id, currency), items in _bill_groups(bill_expenses).items()],
        "purchaseTransactions": [(("purchase", p.id), partial(_purchase, ds, p))
                                 for p in procurements if p.type == "Purchase"],
        "adjustmentTransactions": [(("adjustment", p.id), partial(_adjustment, ds, p))
                                   for p in procurements if p.type == "Adjustment"],
        "inventoryTransfers": [(("transfer", p.id), partial(_transfer, ds, p))
                               for p in procurements if p.type == "Transfer"],
    }


def _vendor(ds: Dataset, company_id: int) -> m.GLExportVendor:
    v = ds.company(company_id)
    term = ds.term(v.terms_id)
    return m.GLExportVendor(
        vendor=w.company_ref(v), vendorNumber=v.vendor_identifier, company=w.company_ref(v),
        accountNumber=f"ACCT-{v.id}", billingTerms=w.terms_ref(ds, term.id), dueDays=term.due_days,
        site=w.site_ref(v), taxCode=w.tax_code_ref(ds.tax_code(v.tax_code_id)),
    )


def _member_vendor(ds: Dataset, member_id: int) -> m.GLExportVendor:
    mb = ds.member(member_id)
    return m.GLExportVendor(member=w.member_ref(mb), vendorNumber=mb.vendor_number)


def build(ds: Dataset, invoices: list[Invoice], expenses: list[Expense], procurements: list[Procurement],
          opts: ExportOptions) -> m.GLExport:
    sections = _sections(ds, invoices, expenses, procurements, opts)
    return m.GLExport(
        exportSettings={},  # untyped and undocumented in 2025.1
        **{name: [make() for _, make in items] for name, items in sections.items()},
    )


def build_json(ds: Dataset, invoices: list[Invoice], expenses: list[Expense], procurements: list[Procurement],
               opts: ExportOptions, fragments: dict[Hashable, bytes]) -> bytes:
    """``encoding.dumps(build(...))``, assembled from per-document JSON kept in ``fragments``.

    A document's GLExport entry depends only on the generated books and the export options in its
    key, so ``fragments`` may live as long as the dataset does."""
    return b"".join(iter_json(ds, invoices, expenses, procurements, opts, fragments))


PIECE = 1 << 16  # bytes of JSON per piece a server sends while it makes the rest


def iter_json(ds: Dataset, invoices: list[Invoice], expenses: list[Expense], procurements: list[Procurement],
              opts: ExportOptions, fragments: dict[Hashable, bytes]) -> Iterator[bytes]:
    """``build_json``'s bytes in pieces of about ``PIECE`` bytes, each made when it is asked for:
    a server sends the first records while it makes the others, as a large server does."""
    sections = _sections(ds, invoices, expenses, procurements, opts)
    out = [b"{"]
    size = 0
    opened = False
    for name in m.GLExport.model_fields:  # the model's field order is the wire order
        items = sections.get(name)
        if not items:
            continue  # empty lists (and exportSettings, an empty object) are omitted on the wire
        out.append(b',"%s":[' % name.encode() if opened else b'"%s":[' % name.encode())
        opened = True
        for n, (key, make) in enumerate(items):
            text = fragments.get(key) if key is not None else None
            if text is None:
                text = wire_json(make())
                if key is not None:
                    fragments[key] = text
            if n:
                out.append(b",")
            out.append(text)
            size += len(text)
            if size >= PIECE:
                yield b"".join(out)
                out, size = [], 0
        out.append(b"]")
    out.append(b"}")
    yield b"".join(out)
