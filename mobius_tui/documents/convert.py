"""GLExport → :class:`Plan`: the one place that turns Manage's accounting export into documents.

Reads the export as the "GLExport conventions" block of ``mobius_tui.manage.models`` describes
it (header totals positive, detail totals credit-signed; a credit memo's header negative).
Never raises for bad data: a record that cannot become a sound document becomes a
:class:`PlanIssue` naming the record, what is wrong and how to fix it, and stays out of
``plan.documents`` — so its GL entries stay unposted in Manage and nothing is half-posted.

Each document's ``origin.gl_entry_ids`` are exactly the ids that go into the batch's
``processedRecordIds`` when it posts:

* invoices / credit memos: ``glEntryIds`` ∪ ``detail[].id``
* journal expenses: ``id`` and ``offset.id``; expense bills: every ``detail[].id`` (arrays)
* item receipts: ``purchaseDetail[].id`` ∪ ``purchaseDetailTax[].id``
* adjustments / transfers: the UnpostedProcurement id(s) of the record's ``unpostedProductId``,
  which GLExport does not carry: the caller looks them up and passes them in
  :attr:`PlanOptions.procurement_entry_ids`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from mobius_tui.documents import numbers
from mobius_tui.documents.model import (
    ZERO,
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    InvoiceType,
    JournalEntry,
    Line,
    MoveLine,
    Origin,
    Party,
    Plan,
    PlanIssue,
    Posting,
    PurchaseDocument,
    RecordKind,
    SalesDocument,
    Warehouse,
)
from mobius_tui.documents.masters import currency_code, customer_record, item_ref, items_of, vendor_record
from mobius_tui.documents.numbers import PurchaseNumberSource
from mobius_tui.documents.taxes import (
    TaxLine,
    purchase_tax_line,
    purchase_taxes,
    sales_tax_line,
    sales_taxes,
)
from mobius_tui.documents.values import first, money, parse_date, quantity, signed_like, text, unit_price
from mobius_tui.manage.lean import is_record
from mobius_tui.manage.models import (
    GLExport,
    GLExportAdjustmentTransaction,
    GLExportAdjustmentTransactionDetail,
    GLExportCustomer,
    GLExportExpense,
    GLExportExpenseBill,
    GLExportInventoryTransfer,
    GLExportPurchaseTransaction,
    GLExportPurchaseTransactionDetail,
    GLExportTransaction,
    GLExportTransactionDetail,
    GLExportVendor,
)
from mobius_tui.manage.models import Warehouse as ManageWarehouse

__all__ = ["PlanOptions", "PurchaseNumberSource", "default_warehouse", "is_credit_memo", "plan_from_glexport",
           "record_id"]

TAX_GL_TYPE = "ST"
FREIGHT_GL_TYPE = "PF"
_ITEM_GL_TYPES = {"RP", "AP"}  # product lines on invoices (revenue – product / agreement product)

FIX_REEXPORT = "Export the batch again from Manage; if it persists, reopen and close the record in Manage."
FIX_GL_SETUP = (
    "Set the account in Manage (System > Setup Tables > GL Accounts), then reopen and close the record "
    "so it picks up the account, and run again."
)


@dataclass(frozen=True)
class PlanOptions:
    """What changes the plan besides the export itself.

    Whether expenses go as bills or as journal entries is not an option here: the export says
    it by the section it fills (``expenseBills`` or ``expenses``).
    """

    purchase_number_source: PurchaseNumberSource = PurchaseNumberSource.PO_NUMBER
    # unpostedProductId ("12-adjustment") → UnpostedProcurement id(s), for adjustments and transfers.
    procurement_entry_ids: Mapping[str, int | Sequence[int]] = field(default_factory=dict)
    strip_invoice_prefix: str = ""  # a prefix Manage adds to invoice numbers that the package must not get
    add_invoice_prefix: str = ""  # a prefix the package needs that Manage does not add
    # Zero-amount lines post nothing, and several packages refuse them, so they are dropped unless
    # they move stock (an item with a quantity) or this is set. Their GL entry ids stay with the document.
    keep_zero_lines: bool = False
    home_currency: str = ""  # ISO code; documents in it get currency "" (the company's own)
    # Manage's overall default warehouse: GLExport's adjustment lines name no warehouse, and an
    # adjustment entered in Manage without choosing one is made in that warehouse.
    default_warehouse: Warehouse | None = None


DEFAULT_WAREHOUSE_RULE = "Manage's export names no warehouse on adjustment lines, so they go to its default warehouse"


def default_warehouse(warehouses: Iterable[ManageWarehouse]) -> Warehouse | None:
    """The warehouse Manage flags as the overall default (active ones first); None when none is."""
    flagged = [w for w in warehouses if w.overallDefaultFlag]
    flagged.sort(key=lambda w: bool(w.inactiveFlag))
    if not flagged:
        return None
    return Warehouse(first(flagged[0].name, str(flagged[0].id or "")), text(flagged[0].locationXref))


def plan_from_glexport(export: GLExport, options: PlanOptions | None = None) -> Plan:
    """Every document, customer, vendor and item a run would post, with the problems found."""
    return _Converter(export, options or PlanOptions()).run()


# What the invoices of a plan do not depend on: only inventory records read them, and they are
# known only once the whole export is in (their ids are looked up in Manage).
_INVENTORY_OPTIONS = ("procurement_entry_ids", "default_warehouse")


class PlanReader:
    """``plan_from_glexport`` made while the GLExport is read: each invoice is converted as its
    record arrives (``record``, called by the reader of the response for each record, after the
    customers, which Manage sends first), the other records once the export is whole (``plan``).

    The result is that of ``plan_from_glexport`` on the same export: the invoices are converted
    first there too, with the same options (``options`` may differ from the final ones only in
    what inventory records read) and the same customers. When either is not so (customers sent
    after invoices, other options), the early invoices are dropped and the whole export converted
    at the end. ``start`` begins again (a response read anew after a failure)."""

    def __init__(self, options: PlanOptions) -> None:
        self.options = options
        self.start()

    def watch(self) -> Callable[[str, Any], None]:
        """``record``, from a fresh start: what a reader of the response is given each time it reads it."""
        self.start()
        return self.record

    def start(self) -> None:
        self._customers: list[Any] = []
        self._converter: _Converter | None = None
        self._known = 0  # customers in when the first invoice came: those the early invoices saw
        self._sold: list[Any] = []

    @property
    def early(self) -> int:
        """Invoices converted so far, as they arrived."""
        return len(self._sold)

    def record(self, section: str, record: Any) -> None:
        if section == "customers":
            self._customers.append(record)
        elif section == "transactions":
            if self._converter is None:
                self._converter = _Converter(None, self.options, self._customers)
                self._known = len(self._customers)
            self._converter.sales(len(self._sold), record)
            self._sold.append(record)

    def plan(self, export: GLExport, options: PlanOptions) -> Plan:
        early, known, done = self._converter, self._known, self._sold
        self.start()  # what it kept of the records is let go with the export
        same_options = replace(options, **{k: getattr(self.options, k) for k in _INVENTORY_OPTIONS}) == self.options
        sold = export.transactions or []
        if (early is None or not same_options or len(export.customers or []) != known
                or len(sold) < len(done) or any(a is not b for a, b in zip(sold, done, strict=False))):
            return plan_from_glexport(export, options)
        early.export, early.options = export, options
        return early.run(sold=len(done))


def record_id(
    record: GLExportTransaction
    | GLExportExpense
    | GLExportExpenseBill
    | GLExportPurchaseTransaction
    | GLExportAdjustmentTransaction
    | GLExportInventoryTransfer,
) -> str:
    """``Origin.record_id`` of the document made from ``record``: its GLExport id as text (the
    document number when Manage sent no id)."""
    if is_record(record, GLExportExpense, GLExportAdjustmentTransaction, GLExportInventoryTransfer):
        return text(record.id)
    return text(record.id) or text(record.documentNumber)


# --- per-record bookkeeping --------------------------------------------------------------------


class _Record:
    """Problems found while reading one Manage record."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.issues: list[PlanIssue] = []

    def problem(self, what: str, fix: str) -> None:
        self.issues.append(PlanIssue(self.origin, what, fix))

    @property
    def ok(self) -> bool:
        return not self.issues

    def entry_ids(self, ids: Sequence[int]) -> None:
        if not ids:
            self.problem("carries no GL entry ids, so Manage could not record it as posted", FIX_REEXPORT)

    def total(self, value: Decimal | None, what: str = "total") -> Decimal:
        amount = money(value)
        if amount is None:
            self.problem(f"has no {what}", FIX_REEXPORT)
        return amount or ZERO

    def account(self, value: str | None, what: str) -> str:
        account = text(value)
        if not account:
            self.problem(f"has no {what}", FIX_GL_SETUP)
        return account


def _unique(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


def _invoice_type(value: str | None, credit: bool) -> InvoiceType:
    wanted = text(value).replace(" ", "").lower()
    for member in InvoiceType:
        if member.value.lower() == wanted:
            return member
    return InvoiceType.CREDIT_MEMO if credit else InvoiceType.STANDARD


def is_credit_memo(tx: GLExportTransaction) -> bool:
    doc_type = text(tx.documentType).upper().replace("_", " ")
    if doc_type == "CREDIT MEMO" or text(tx.billingType).lower() == "creditmemo":
        return True
    if doc_type or text(tx.billingType):
        return False
    return tx.total is not None and tx.total < 0


def _imbalance_text(doc: Document) -> str:
    debit = sum((p.amount for p in doc.postings() if p.amount > 0), ZERO)
    credit = -sum((p.amount for p in doc.postings() if p.amount < 0), ZERO)
    return f"debits {debit} and credits {credit} differ by {doc.imbalance()}"


# --- the converter -----------------------------------------------------------------------------


class _Converter:
    def __init__(self, export: GLExport | None, options: PlanOptions, customers: Iterable[Any] | None = None) -> None:
        """``export``: None while its records arrive (``PlanReader``), with its ``customers``."""
        self.export = export
        self.options = options
        self.plan = Plan()
        if customers is None:
            customers = export.customers if export is not None else None
        self.customers = {text(c.accountNumber): c for c in customers or [] if text(c.accountNumber)}
        self._keys: dict[str, Origin] = {}
        self._entry_owner: dict[int, Origin] = {}

    def sales(self, index: int, record: GLExportTransaction) -> None:
        """The invoice at ``index`` of the export's transactions, converted ahead of ``run``."""
        self._each([record], self._sales, "invoice", start=index)

    def run(self, sold: int = 0) -> Plan:
        """``sold``: the first transactions, converted already (``sales``)."""
        self._each((self.export.transactions or [])[sold:], self._sales, "invoice", start=sold)
        self._each(self.export.expenses, self._journal_expense, "expense")
        self._each(self.export.expenseBills, self._expense_bill, "expense bill")
        self._each(self.export.purchaseTransactions, self._item_receipt, "item receipt")
        self._each(self.export.adjustmentTransactions, self._adjustment, "inventory adjustment")
        self._each(_transfer_groups(self.export.inventoryTransfers or []), self._transfer, "inventory transfer")
        self._each(self.export.customers, self._customer, "customer")
        self._each(self.export.vendors, self._vendor, "vendor")
        self.plan.items = items_of(self.plan.documents)
        return self.plan

    def _each(self, records: Iterable[Any] | None, convert: Callable[[Any], None], label: str, start: int = 0) -> None:
        for index, record in enumerate(records or [], start):
            try:
                convert(record)
            except Exception as exc:  # a reader bug must not stop the other records
                head = record[0] if isinstance(record, list) and record else record
                name = first(getattr(head, "documentNumber", None), getattr(head, "id", None)) or f"#{index + 1}"
                self.plan.issues.append(
                    PlanIssue(
                        None,
                        f"{label} {name} could not be read ({type(exc).__name__}: {exc})",
                        "Save the full log and report it; the other records are not affected.",
                    )
                )

    def _accept(self, doc: Document, record: _Record) -> None:
        """Add ``doc`` to the plan, or its problems to the issues."""
        if record.ok and doc.imbalance() != 0:
            record.problem(
                f"does not balance: {_imbalance_text(doc)}",
                "Check the record's lines and tax in Manage (reopen it, correct it, close it again) and run again.",
            )
        if record.ok and doc.key in self._keys:
            record.problem(
                f"would get document number {doc.number}, already used by {self._keys[doc.key].label()} in this run",
                "Give each receipt of the purchase order its own packing slip in Manage, or number receipts by the "
                "vendor invoice number."
                if doc.kind == DocumentKind.ITEM_RECEIPT
                else "Post one of them in a later batch.",
            )
        if record.ok:
            for entry in doc.origin.gl_entry_ids:
                if entry in self._entry_owner:
                    record.problem(
                        f"GL entry {entry} is also part of {self._entry_owner[entry].label()}",
                        FIX_REEXPORT,
                    )
                    break
        if not record.ok:
            self.plan.issues.extend(record.issues)
            return
        self._keys[doc.key] = doc.origin
        for entry in doc.origin.gl_entry_ids:
            self._entry_owner[entry] = doc.origin
        self.plan.documents.append(doc)

    def _header(self, record: _Record, number: str, when: str | None, what: str) -> date:
        if not number:
            record.problem(
                f"has no {what}",
                "Fill it in on the record in Manage and run again.",
            )
        day = parse_date(when)
        if day is None:
            record.problem(
                f"has no valid date ({when!r})" if when else "has no date",
                FIX_REEXPORT,
            )
        return day or date.min

    # --- invoices and credit memos -------------------------------------------------------------

    def _sales(self, tx: GLExportTransaction) -> None:
        manage_number = text(tx.documentNumber)
        details = tx.detail or []
        ids: list[int] = []
        bad_ids = ""
        try:
            ids += numbers.parse_entry_ids(tx.glEntryIds)
        except ValueError as exc:
            bad_ids = str(exc)
        ids += [d.id for d in details if d.id is not None]
        origin = Origin(RecordKind.INVOICE, record_id(tx), manage_number or f"id {tx.id}", _unique(ids))
        record = _Record(origin)
        if bad_ids:
            record.problem(f"has unreadable glEntryIds {tx.glEntryIds!r}: {bad_ids}", FIX_REEXPORT)
        for d in details:
            if d.id is None:
                record.problem(f"detail line {text(d.description)!r} has no GL entry id", FIX_REEXPORT)
        record.entry_ids(ids)
        day = self._header(record, manage_number, tx.documentDate, "invoice number")

        credit = is_credit_memo(tx)
        sign = Decimal(-1) if credit else Decimal(1)
        header_total = record.total(tx.total)
        receivable = record.account(tx.accountNumber, "accounts receivable account")
        customer_account = text(tx.companyAccountNumber)
        company_name = first(tx.company.name, tx.company.identifier) if tx.company else ""
        if not customer_account:
            record.problem(
                f"customer {company_name or '(unnamed)'} has no account number",
                "Enter the Account on the company's Finance tab in Manage (Company > Finance) and run again.",
            )

        lines: list[Line] = []
        tax_lines: list[TaxLine] = []
        for d in details:
            total = money(d.total)
            if total is None:
                record.problem(f"detail line {d.id} ({text(d.description)!r}) has no total", FIX_REEXPORT)
                continue
            amount = -sign * total + ZERO  # + ZERO: no "-0.00"
            if text(d.glTypeId).upper() == TAX_GL_TYPE:
                line = sales_tax_line(d, len(tax_lines), tx, amount)
                if not line.account and amount != 0:
                    record.problem(f"tax line {d.id} ({text(d.description)!r}) has no tax payable account", FIX_GL_SETUP)
                tax_lines.append(line)
                continue
            line_ = self._sales_line(d, amount, sign, record)
            if line_ is not None:
                lines.append(line_)

        doc = SalesDocument(
            kind=DocumentKind.CREDIT_MEMO if credit else DocumentKind.SALES_INVOICE,
            origin=origin,
            number=numbers.sales_number(
                manage_number, self.options.strip_invoice_prefix, self.options.add_invoice_prefix
            ),
            date=day,
            currency=currency_code(tx.currency, self.options.home_currency),
            description=text(tx.description),
            memo=text(tx.memo),
            customer=Party(customer_account, company_name, tx.company.id if tx.company else None),
            invoice_type=_invoice_type(tx.billingType, credit),
            receivable_account=receivable,
            lines=lines,
            taxes=sales_taxes(tax_lines, tx, self.customers.get(customer_account)),
            tax_code=first(tx.taxCode.name if tx.taxCode else None),
            tax_code_xref=first(*(lvl.taxCodeXref for lvl in tx.taxLevels or [] if lvl.taxLevel == 1), tx.stateTaxXref),
            terms=first(tx.billingTermsXref, tx.billingTerms.name if tx.billingTerms else None),
            due_date=parse_date(tx.dueDate),
            due_days=tx.dueDays,
            po_number=first(getattr(tx, "customerPO", None), tx.purchaseOrder.name if tx.purchaseOrder else None),
            document_total=sign * header_total,
        )
        self._accept(doc, record)

    def _sales_line(self, d: GLExportTransactionDetail, amount: Decimal, sign: Decimal, record: _Record) -> Line | None:
        item = item_ref(
            code=first(d.item.identifier if d.item else None, d.glItemId if text(d.glTypeId).upper() in _ITEM_GL_TYPES else None),
            type_xref=d.itemTypeXref,
            description=first(d.itemDescription, d.salesDescription, d.description),
            cost_account=first(d.costAccountNumber, d.cogsXref),
            inventory_account=first(d.inventoryAccountNumber, d.inventoryXref),
            location=d.locationXref,
            uom=d.unitOfMeasure.name if d.unitOfMeasure else None,
            serials=d.serialNumbers,
        )
        qty = signed_like(quantity(d.quantity), amount)
        account = first(d.accountNumber, d.productAccountNumber)
        if amount == 0 and not self.options.keep_zero_lines and not (item and qty != 0 and account):
            return None  # posts nothing; its GL entry id still goes with the document
        if not account:
            if amount == 0:
                return None
            record.problem(f"line {d.id} ({text(d.description)!r}) has no GL account", FIX_GL_SETUP)
            return None
        taxable = bool(
            d.taxableFlag
            or d.taxable2Flag
            or d.taxable3Flag
            or d.taxable4Flag
            or d.taxable5Flag
            or any(lvl.taxableFlag for lvl in d.taxLevels or [])
        )
        return Line(
            account=account,
            amount=amount,
            description=first(d.description, d.itemDescription),
            quantity=qty,
            unit_price=unit_price(amount, qty, d.itemPrice),
            item=item,
            cost=abs(money(d.cost) or ZERO) if item else ZERO,
            taxable=taxable,
            tax_code_xref=text(d.taxCodeXref),
            gl_type=text(d.glTypeId).upper(),
            memo=text(d.memo),
        )

    # --- expenses ------------------------------------------------------------------------------

    def _journal_expense(self, e: GLExportExpense) -> None:
        member = first(e.member.identifier, e.member.name) if e.member else ""
        ids = [e.id] if e.id is not None else []
        if e.offset is not None and e.offset.id is not None:
            ids.append(e.offset.id)
        # Named by its number as posted ("E6001"), the name the package, the log and the reports share.
        number = numbers.expense_number(e.id)
        label = f"{number} ({member})" if member and number else number
        record = _Record(Origin(RecordKind.EXPENSE, record_id(e), label, _unique(ids)))
        if e.id is None:
            record.problem("has no GL entry id", FIX_REEXPORT)
        day = self._header(record, number, e.documentDate, "expense id")
        total = record.total(e.total)
        account = record.account(e.accountNumber, "expense account")
        offset_total = ZERO
        offset_account = ""
        if e.offset is None:
            record.problem("has no offset entry (the credit side of the expense)", FIX_REEXPORT)
        else:
            if e.offset.id is None:
                record.problem("offset entry has no GL entry id", FIX_REEXPORT)
            offset_total = record.total(e.offset.total, "offset total")
            offset_account = record.account(e.offset.accountNumber, "offset account (Expense Offset)")
        description = first(e.description, e.memo)
        who = first(e.member.name if e.member else None, member)
        doc = JournalEntry(
            kind=DocumentKind.JOURNAL_ENTRY,
            origin=record.origin,
            number=number,
            date=day,
            currency=currency_code(e.currency, self.options.home_currency),
            description=f"{who}: {description}" if who and description else who or description,
            memo=text(e.memo),
            postings_=[
                Posting(account, total, description),
                Posting(offset_account, offset_total, first(e.offset.description if e.offset else None, description)),
            ],
            source="expense",
        )
        self._accept(doc, record)

    def _expense_bill(self, bill: GLExportExpenseBill) -> None:
        number = text(bill.documentNumber)
        details = bill.detail or []
        ids = [i for d in details for i in (d.id or [])]
        record = _Record(Origin(RecordKind.EXPENSE, record_id(bill), number or f"id {bill.id}", _unique(ids)))
        day = self._header(record, number, bill.documentDate, "document number")
        for d in details:
            if not d.id:
                record.problem(f"expense line {text(d.memo)!r} carries no GL entry id", FIX_REEXPORT)
        record.entry_ids(ids)
        total = record.total(bill.total)
        payable = record.account(bill.apAccountNumber, "accounts payable account")
        member_name = first(bill.member.name, bill.member.identifier) if bill.member else ""
        vendor_number = text(bill.vendorNumber)
        if not vendor_number:
            record.problem(
                f"member {member_name or '(unnamed)'} has no vendor number",
                "Enter the Vendor Nbr on the member in Manage (System > Members) to match the vendor in the package.",
            )
        lines: list[Line] = []
        for d in details:
            line_total = money(d.total)
            if line_total is None:
                record.problem(f"expense line {d.id} ({text(d.memo)!r}) has no total", FIX_REEXPORT)
                continue
            amount = -line_total + ZERO
            account = text(d.accountNumber)
            if amount == 0 and not self.options.keep_zero_lines:
                continue
            if not account:
                record.problem(f"expense line {d.id} ({text(d.memo)!r}) has no GL account", FIX_GL_SETUP)
                continue
            lines.append(
                Line(
                    account=account,
                    amount=amount,
                    description=first(d.memo, d.expenseClass.name if d.expenseClass else None),
                    unit_price=amount,
                    gl_type=text(d.glTypeId).upper(),
                    memo=first(d.company.name if d.company else None),
                )
            )
        doc = PurchaseDocument(
            kind=DocumentKind.AP_BILL,
            origin=record.origin,
            number=number,
            date=day,
            currency=currency_code(bill.currency, self.options.home_currency),
            description=first(bill.memo, f"Expenses {member_name}".strip()),
            memo=text(bill.memo),
            vendor=Party(vendor_number, member_name, bill.member.id if bill.member else None),
            payable_account=payable,
            lines=lines,
            vendor_invoice_number=number,
            employee=True,
            document_total=total,
        )
        self._accept(doc, record)

    # --- purchases -----------------------------------------------------------------------------

    def _item_receipt(self, p: GLExportPurchaseTransaction) -> None:
        po = text(p.documentNumber)
        vendor_invoice = text(p.vendorInvoiceNumber)
        slip = text(p.packingSlip)
        details = p.purchaseDetail or []
        taxes_in = p.purchaseDetailTax or []
        ids = [d.id for d in details if d.id is not None] + [t.id for t in taxes_in if t.id is not None]
        label = f"PO {po or '?'}" + (f", packing slip {slip}" if slip and slip != po else "")
        record = _Record(Origin(RecordKind.PROCUREMENT, record_id(p), label, _unique(ids)))
        source = self.options.purchase_number_source
        number = numbers.purchase_number(po, vendor_invoice, source, slip)
        what = "vendor invoice number" if source == PurchaseNumberSource.VENDOR_INVOICE_NUMBER else "PO number"
        day = self._header(record, number, p.documentDate or p.purchaseDate, what)
        for d in details:
            if d.id is None:
                record.problem(f"line {d.lineNumber} ({text(d.description)!r}) has no GL entry id", FIX_REEXPORT)
        for t in taxes_in:
            if t.id is None:
                record.problem(f"tax line {text(t.memo)!r} has no GL entry id", FIX_REEXPORT)
        record.entry_ids(ids)
        total = record.total(p.total)
        payable = record.account(p.apAccountNumber, "accounts payable account")
        # The vendor xref is the mapping key; vendorAccountNumber is the company's own account
        # number, and falling back to it could post to the wrong supplier.
        vendor_account = text(p.vendorNumber)
        vendor_name = first(p.company.name, p.company.identifier) if p.company else ""
        if not vendor_account:
            record.problem(
                f"vendor {vendor_name or '(unnamed)'} has no vendor xref",
                "Enter the Vendor XRef on the vendor company's Finance tab in Manage and run again.",
            )

        lines: list[Line] = []
        freight = ZERO
        for d in details:
            line_total = money(d.total)
            if line_total is None:
                record.problem(f"line {d.lineNumber} ({text(d.description)!r}) has no total", FIX_REEXPORT)
                continue
            line = self._purchase_line(d, -line_total + ZERO, record)
            if line is None:
                continue
            if line.gl_type == FREIGHT_GL_TYPE:
                freight += line.amount
            lines.append(line)

        tax_lines: list[TaxLine] = []
        per_type: dict[str, int] = {}
        for t in taxes_in:
            tax_total = money(t.total)
            if tax_total is None:
                record.problem(f"tax line {t.id} ({text(t.memo)!r}) has no total", FIX_REEXPORT)
                continue
            gl_type = text(t.glTypeId).upper()
            position = per_type.get(gl_type, 0)
            per_type[gl_type] = position + 1
            line = purchase_tax_line(t, position, p, -tax_total + ZERO)
            if not line.account and line.amount != 0:
                record.problem(f"tax line {t.id} ({text(t.memo)!r}) has no GL account", FIX_GL_SETUP)
            tax_lines.append(line)

        doc = PurchaseDocument(
            kind=DocumentKind.ITEM_RECEIPT,
            origin=record.origin,
            number=number,
            date=day,
            currency=currency_code(p.currency, self.options.home_currency),
            description=first(p.description, p.memo),
            memo=text(p.memo),
            vendor=Party(vendor_account, vendor_name, p.company.id if p.company else None),
            payable_account=payable,
            lines=lines,
            taxes=purchase_taxes(tax_lines),
            tax_code=first(p.taxCode.name if p.taxCode else None, p.purchaseHeaderTaxGroup),
            vendor_invoice_number=vendor_invoice,
            po_number=po,
            terms=first(p.billingTermsXref, p.billingTerms.name if p.billingTerms else None),
            due_date=None,
            freight=freight,
            document_total=total,
        )
        self._accept(doc, record)

    def _purchase_line(self, d: GLExportPurchaseTransactionDetail, amount: Decimal, record: _Record) -> Line | None:
        gl_type = text(d.glTypeId).upper()
        item = None
        if gl_type != FREIGHT_GL_TYPE:
            item = item_ref(
                code=first(d.item.identifier if d.item else None, d.glItemId),
                type_xref=d.itemTypeXref,
                description=first(d.itemDescription, d.description),
                cost_account=first(d.costAccountNumber, d.cogsXref),
                inventory_account=first(d.inventoryAccountNumber, d.inventoryXref),
                location=d.locationXref,
                uom=d.unitOfMeasure.name if d.unitOfMeasure else None,
                serials=d.serialNumbers,
            )
        # Inventory parts are received into the inventory account, everything else into its cost
        # (COGS / expense) account; freight and unknown lines into the line's own account.
        if item is not None and item.is_inventory:
            account = first(item.inventory_account, d.accountNumber)
        elif item is not None:
            account = first(item.cost_account, d.accountNumber)
        else:
            account = text(d.accountNumber)
        qty = signed_like(quantity(d.quantity), amount)
        if amount == 0 and not self.options.keep_zero_lines and not (item and qty != 0 and account):
            return None
        if not account:
            if amount == 0:
                return None
            what = "freight line" if gl_type == FREIGHT_GL_TYPE else f"line {d.lineNumber} ({text(d.description)!r})"
            record.problem(f"{what} has no GL account", FIX_GL_SETUP)
            return None
        return Line(
            account=account,
            amount=amount,
            description=first(d.description, d.itemDescription, "Freight" if gl_type == FREIGHT_GL_TYPE else None),
            quantity=qty,
            unit_price=unit_price(amount, qty, d.itemCost),
            item=item,
            taxable=bool(d.taxable),
            tax_code_xref=first(d.taxCodeXref, d.purchaseHeaderTaxGroup),
            gl_type=gl_type,
            memo=text(d.memo),
        )

    # --- inventory -----------------------------------------------------------------------------

    def _procurement_ids(self, unposted_product_id: str, record_label: str) -> tuple[tuple[int, ...], str]:
        mapping = self.options.procurement_entry_ids
        found = mapping.get(unposted_product_id)
        if found is None:  # Manage matches unpostedProductId without regard to case
            wanted = unposted_product_id.lower()
            found = next((v for k, v in mapping.items() if k.lower() == wanted), None)
        if found is None:
            return (), (
                f"{record_label} {unposted_product_id!r} has no UnpostedProcurement id, so Manage could not "
                "record it as posted"
            )
        ids = (found,) if isinstance(found, int) else tuple(found)
        return _unique(ids), ""

    def _adjustment(self, a: GLExportAdjustmentTransaction) -> None:
        key = record_id(a)
        ids, missing = self._procurement_ids(key, "adjustment")
        about = first(a.adjustmentDescription, a.memo)
        record = _Record(Origin(RecordKind.PROCUREMENT, key, f"{key} ({about})" if about else key, ids))
        if missing:
            record.problem(missing, "Refresh the unposted procurement list and run again.")
        number = numbers.procurement_number(key)
        day = self._header(record, number, a.documentDate, "id")
        offset = text(a.accountNumber)
        lines: list[MoveLine] = []
        for d in a.adjustmentDetail or []:
            value = money(d.total)
            name = first(d.item.identifier if d.item else None, d.description)
            if value is None:
                record.problem(f"line {name!r} has no total", FIX_REEXPORT)
                continue
            qty = quantity(d.quantity, default=Decimal(0))
            if value != 0 and qty != 0 and (value > 0) != (qty > 0):
                record.problem(f"line {name!r} moves quantity {qty} but value {value}", FIX_REEXPORT)
                continue
            # An adjustment line names the item but not its type, catalog description or warehouse.
            warehouse, location, rule = self._adjustment_warehouse(d)
            item = item_ref(
                code=first(d.item.identifier if d.item else None),
                type_xref=None,
                cost_account=d.costAccountNumber,
                inventory_account=d.inventoryAccountNumber,
                location=location,
            )
            if item is None:
                record.problem(f"line {name!r} has no item", FIX_REEXPORT)
                continue
            line_offset = first(offset, d.accountNumber)
            if not item.inventory_account or not line_offset:
                missing_what = "inventory account" if not item.inventory_account else "adjustment account"
                record.problem(f"line {name!r} has no {missing_what}", FIX_GL_SETUP)
                continue
            lines.append(MoveLine(item, qty, value, first(d.description, d.memo), offset_account=line_offset,
                                  warehouse=warehouse, warehouse_rule=rule))
        if not lines and record.ok:
            record.problem("has no lines", FIX_REEXPORT)
        doc = InventoryAdjustment(
            kind=DocumentKind.INVENTORY_ADJUSTMENT,
            origin=record.origin,
            number=number,
            date=day,
            description=first(a.adjustmentDescription, a.memo),
            memo=text(a.memo),
            lines=lines,
        )
        self._accept(doc, record)

    def _adjustment_warehouse(self, d: GLExportAdjustmentTransactionDetail) -> tuple[str, str, str]:
        """(warehouse name, location xref, rule): the warehouse a line names, should a Manage
        version send one, else the default warehouse and the rule that chose it."""
        extra = getattr(d, "model_extra", None) or {}  # a run's compact records keep no unknown fields
        named = extra.get("warehouse") if isinstance(extra.get("warehouse"), dict) else {}
        location = text(extra.get("locationXref"))
        if location or named:
            return first(named.get("name"), location), location, ""
        default = self.options.default_warehouse
        if default is None:
            return "", "", DEFAULT_WAREHOUSE_RULE
        return default.name, default.location_xref, DEFAULT_WAREHOUSE_RULE

    def _transfer(self, group: list[GLExportInventoryTransfer]) -> None:
        head = group[0]
        key = record_id(head)
        ids, missing = self._procurement_ids(key, "transfer")
        record = _Record(Origin(RecordKind.PROCUREMENT, key, f"transfer {head.transferId or key}", ids))
        if missing:
            record.problem(missing, "Refresh the unposted procurement list and run again.")
        number = numbers.procurement_number(key)
        day = self._header(record, number, head.documentDate, "id")
        lines: list[MoveLine] = []
        for t in group:
            name = first(t.item.identifier if t.item else None, t.glItemId, t.description)
            value = money(t.total)
            if value is None:
                record.problem(f"line {name!r} has no total", FIX_REEXPORT)
                continue
            if value < 0:
                record.problem(f"line {name!r} moves a negative value {value}", FIX_REEXPORT)
                continue
            if t.offset is not None and money(t.offset.total) not in (None, -value):
                record.problem(
                    f"line {name!r} does not balance: {value} moved in, {money(t.offset.total)} out", FIX_REEXPORT
                )
                continue
            debit = first(t.accountNumber, t.inventoryAccountNumber)
            credit = first(t.offset.accountNumber if t.offset else None, debit)
            item = item_ref(
                code=first(t.item.identifier if t.item else None, t.glItemId),
                type_xref=t.itemTypeXref,
                description=first(t.itemDescription, t.salesDescription),
                cost_account=first(t.costAccountNumber, t.cogsXref),
                inventory_account=debit,
                uom=t.unitOfMeasure.name if t.unitOfMeasure else None,
                serials=t.serialNumbers,
            )
            if item is None:
                record.problem(f"line {name!r} has no item", FIX_REEXPORT)
                continue
            if not debit:
                record.problem(f"line {name!r} has no inventory account", FIX_GL_SETUP)
                continue
            source, target = text(t.transferFromLocationXref), text(t.transferToLocationXref)
            if not source or not target:
                record.problem(
                    f"line {name!r} has no {'source' if not source else 'destination'} warehouse location xref",
                    "Enter the Location Xref on the warehouse in Manage (Procurement > Warehouses) and run again.",
                )
                continue
            lines.append(
                MoveLine(
                    item,
                    abs(quantity(t.quantity)),
                    value,
                    first(t.description, t.memo),
                    from_location=source,
                    to_location=target,
                    offset_account="" if credit == debit else credit,
                )
            )
        doc = InventoryTransfer(
            kind=DocumentKind.INVENTORY_TRANSFER,
            origin=record.origin,
            number=number,
            date=day,
            currency=currency_code(head.currency, self.options.home_currency),
            description=first(head.description, head.memo),
            memo=text(head.memo),
            lines=lines,
        )
        self._accept(doc, record)

    # --- master records ------------------------------------------------------------------------

    def _customer(self, c: GLExportCustomer) -> None:
        record = customer_record(c, self.options.home_currency)
        if record and all(existing.account != record.account for existing in self.plan.customers):
            self.plan.customers.append(record)

    def _vendor(self, v: GLExportVendor) -> None:
        record = vendor_record(v)
        if record and all(existing.account != record.account for existing in self.plan.vendors):
            self.plan.vendors.append(record)


def _transfer_groups(transfers: list[GLExportInventoryTransfer]) -> list[list[GLExportInventoryTransfer]]:
    """Transfer lines of one Manage transfer share its ``unpostedProductId``: one document each."""
    groups: dict[str, list[GLExportInventoryTransfer]] = {}
    for index, t in enumerate(transfers):
        groups.setdefault(text(t.id) or f"#{index}", []).append(t)
    return list(groups.values())
