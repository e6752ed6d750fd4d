"""Target-neutral accounting documents: what a run asks an accounting package to record.

Every package adapter reads these and nothing of Manage's wire format. Money and quantities are
``Decimal``. Each document keeps its :class:`Origin` (which Manage record it came from and which
GL entry ids it carries), so messages can name the record and the Manage batch can be built from
exactly what posted.

Signs: amounts on invoice, bill and receipt lines are positive for the normal document and the
kind (``CREDIT_MEMO``) says when it is a credit. Journal-style postings are signed: positive is a
debit, negative a credit. :meth:`Document.postings` gives every document as balanced postings,
which is how balance is checked and how totals are compared across packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")
CENT = Decimal("0.01")


class RecordKind(StrEnum):
    """The Manage record list a document comes from (and the batch flag it belongs to)."""

    INVOICE = "invoice"
    EXPENSE = "expense"
    PROCUREMENT = "procurement"


class DocumentKind(StrEnum):
    SALES_INVOICE = "sales_invoice"
    CREDIT_MEMO = "credit_memo"
    AP_BILL = "ap_bill"  # vendor invoice / voucher, e.g. a member's expense bill
    ITEM_RECEIPT = "item_receipt"  # purchase order received against a vendor
    JOURNAL_ENTRY = "journal_entry"
    INVENTORY_ADJUSTMENT = "inventory_adjustment"
    INVENTORY_TRANSFER = "inventory_transfer"


class InvoiceType(StrEnum):
    """Manage's invoice types (``billingType`` / ``invoiceType``)."""

    STANDARD = "Standard"
    AGREEMENT = "Agreement"
    MISCELLANEOUS = "Miscellaneous"
    DOWN_PAYMENT = "DownPayment"
    PROGRESS = "Progress"
    CREDIT_MEMO = "CreditMemo"


class ItemType(StrEnum):
    """Manage product type xrefs, as GLExport's ``itemTypeXref`` spells them."""

    INVENTORY_PART = "Inventory Part"
    NON_INVENTORY_PART = "Non-Inventory Part"
    OTHER_CHARGE = "Other Charge"
    SERVICE = "Service"


@dataclass(frozen=True)
class Origin:
    """Where a document came from in Manage."""

    record_kind: RecordKind
    record_id: str  # the GLExport id of the document (int ids as text)
    number: str  # what a person calls it: invoice number, PO / packing slip, expense reference
    gl_entry_ids: tuple[int, ...]  # the ids sent in processedRecordIds when it posts

    def label(self) -> str:
        return f"{self.record_kind.value} {self.number}"


@dataclass(frozen=True)
class Party:
    """A customer or vendor as the document refers to it (its id in the package)."""

    account: str  # Manage company accountNumber / vendor xref / member vendor number
    name: str = ""
    manage_id: int | None = None


@dataclass(frozen=True)
class ItemRef:
    code: str  # Manage catalog identifier == the package item number
    item_type: ItemType | str = ""
    description: str = ""
    cost_account: str = ""  # COGS
    inventory_account: str = ""
    location_xref: str = ""  # warehouse location xref → package site / location
    unit_of_measure: str = ""
    serial_numbers: str = ""

    @property
    def is_inventory(self) -> bool:
        return self.item_type == ItemType.INVENTORY_PART


@dataclass(frozen=True)
class TaxLevelAmount:
    """One level of a (possibly multi-level) tax on a document."""

    level: int
    tax_code_xref: str  # Manage level xref → package tax group / tax code
    agency_xref: str  # Manage level agency xref → package tax id / authority
    rate: Decimal  # fraction, e.g. Decimal("0.05")
    amount: Decimal
    taxable_amount: Decimal = ZERO
    account: str = ""  # the tax payable account Manage sends
    piggyback: bool = False  # tax on tax (PST on GST)


@dataclass(frozen=True)
class Line:
    """A line of an invoice, credit memo, bill or item receipt. Amount positive."""

    account: str
    amount: Decimal
    description: str = ""
    quantity: Decimal = Decimal("1")
    unit_price: Decimal = ZERO
    item: ItemRef | None = None
    cost: Decimal = ZERO  # extended cost of inventory sold (the COGS entry), outside the balance
    taxable: bool = False
    tax_code_xref: str = ""
    gl_type: str = ""  # Manage glTypeId of the source line (R, RP, RA, PF, ...)
    memo: str = ""


@dataclass(frozen=True)
class Posting:
    """A journal line: positive debit, negative credit."""

    account: str
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class MoveLine:
    """A line of an inventory adjustment or transfer."""

    item: ItemRef
    quantity: Decimal  # signed for adjustments (negative removes stock); positive for transfers
    value: Decimal  # extended cost moved, signed like quantity for adjustments
    description: str = ""
    from_location: str = ""  # transfers: source location xref
    to_location: str = ""  # transfers: destination location xref
    offset_account: str = ""  # adjustments: the adjustment (write-off) account; transfers: the
    # source side's account when Manage credits another account than item.inventory_account
    warehouse: str = ""  # adjustments: the Manage warehouse the stock moves in (item.location_xref is its xref)
    warehouse_rule: str = ""  # adjustments: why that warehouse, when Manage's export did not name it


@dataclass(frozen=True)
class Warehouse:
    """A Manage warehouse as a run needs it: its name (for messages) and its location xref."""

    name: str
    location_xref: str


@dataclass
class Document:
    """Fields every document has."""

    kind: DocumentKind
    origin: Origin
    number: str  # the document number to give it in the package
    date: date
    currency: str = ""  # ISO code; "" = the company's home currency
    description: str = ""
    memo: str = ""

    @property
    def key(self) -> str:
        """Stable identity of the document within a run and across reruns."""
        return f"{self.kind.value}:{self.number}"

    def postings(self) -> list[Posting]:
        raise NotImplementedError

    @property
    def total(self) -> Decimal:
        """The document's amount as a person reads it (always positive for the normal case)."""
        return sum((p.amount for p in self.postings() if p.amount > 0), ZERO)

    def imbalance(self) -> Decimal:
        return sum((p.amount for p in self.postings()), ZERO)


@dataclass
class SalesDocument(Document):
    """Sales invoice (any Manage invoice type) or credit memo."""

    customer: Party = field(default_factory=lambda: Party(""))
    invoice_type: InvoiceType = InvoiceType.STANDARD
    receivable_account: str = ""
    lines: list[Line] = field(default_factory=list)
    taxes: list[TaxLevelAmount] = field(default_factory=list)
    tax_code: str = ""  # Manage tax code identifier on the invoice
    # Level 1's tax code xref of that code (→ package tax group), also when it charged no tax: a
    # tax-exempt invoice names the exempt code's group so the package does not apply the customer's.
    tax_code_xref: str = ""
    terms: str = ""  # billing terms xref
    due_date: date | None = None
    due_days: int | None = None
    po_number: str = ""
    document_total: Decimal = ZERO  # the header total Manage sent (positive), for the balance check

    def postings(self) -> list[Posting]:
        sign = Decimal(-1) if self.kind == DocumentKind.CREDIT_MEMO else Decimal(1)
        out = [Posting(self.receivable_account, sign * self.document_total, "receivable")]
        out += [Posting(line.account, -sign * line.amount, line.description) for line in self.lines]
        out += [Posting(tax.account, -sign * tax.amount, f"tax level {tax.level}") for tax in self.taxes]
        return out

    @property
    def total(self) -> Decimal:
        return self.document_total


@dataclass
class PurchaseDocument(Document):
    """AP bill / voucher (expense bills) or item receipt (purchase orders received)."""

    vendor: Party = field(default_factory=lambda: Party(""))
    payable_account: str = ""
    lines: list[Line] = field(default_factory=list)
    taxes: list[TaxLevelAmount] = field(default_factory=list)
    tax_code: str = ""  # Manage tax code of the purchase order (→ package tax group)
    vendor_invoice_number: str = ""
    po_number: str = ""
    terms: str = ""
    due_date: date | None = None
    freight: Decimal = ZERO  # included in lines as a PF line; kept for packages with a freight field
    employee: bool = False  # vendor is a Manage member (never created in the package)
    document_total: Decimal = ZERO

    def postings(self) -> list[Posting]:
        out = [Posting(self.payable_account, -self.document_total, "payable")]
        out += [Posting(line.account, line.amount, line.description) for line in self.lines]
        out += [Posting(tax.account, tax.amount, f"tax level {tax.level}") for tax in self.taxes]
        return out

    @property
    def total(self) -> Decimal:
        return self.document_total


@dataclass
class JournalEntry(Document):
    postings_: list[Posting] = field(default_factory=list)
    source: str = ""  # e.g. "expense", "inventory adjustment" (when a package lacks inventory)

    def postings(self) -> list[Posting]:
        return list(self.postings_)


@dataclass
class InventoryAdjustment(Document):
    lines: list[MoveLine] = field(default_factory=list)

    def postings(self) -> list[Posting]:
        out: list[Posting] = []
        for line in self.lines:
            out.append(Posting(line.item.inventory_account, line.value, line.description))
            out.append(Posting(line.offset_account, -line.value, line.description))
        return out


@dataclass
class InventoryTransfer(Document):
    lines: list[MoveLine] = field(default_factory=list)

    def postings(self) -> list[Posting]:
        # Same account on both sides in most charts; the locations differ.
        out: list[Posting] = []
        for line in self.lines:
            source = line.offset_account or line.item.inventory_account
            out.append(Posting(line.item.inventory_account, line.value, f"to {line.to_location}"))
            out.append(Posting(source, -line.value, f"from {line.from_location}"))
        return out


@dataclass(frozen=True)
class CustomerRecord:
    """A customer the package may need to create (from GLExport ``customers``)."""

    account: str
    name: str
    terms: str = ""
    due_days: int | None = None
    tax_code: str = ""
    currency: str = ""
    taxable: bool = True
    tax_levels: tuple[TaxLevelAmount, ...] = ()


@dataclass(frozen=True)
class VendorRecord:
    """A vendor the package may need to create (from GLExport ``vendors``); members are never created."""

    account: str
    name: str
    is_member: bool = False
    terms: str = ""
    due_days: int | None = None
    tax_code: str = ""


@dataclass(frozen=True)
class ItemRecord:
    code: str
    description: str
    item_type: ItemType | str
    cost_account: str = ""
    inventory_account: str = ""
    revenue_account: str = ""


@dataclass
class PlanIssue:
    """A problem found while building the plan (before any package is asked), e.g. no balance."""

    origin: Origin | None
    what: str
    fix: str


@dataclass
class Plan:
    """Everything a run would post, in the order it would post it."""

    documents: list[Document] = field(default_factory=list)
    customers: list[CustomerRecord] = field(default_factory=list)
    vendors: list[VendorRecord] = field(default_factory=list)
    items: list[ItemRecord] = field(default_factory=list)
    issues: list[PlanIssue] = field(default_factory=list)

    def gl_entry_ids(self, documents: list[Document] | None = None) -> list[int]:
        seen: dict[int, None] = {}
        for doc in self.documents if documents is None else documents:
            for entry in doc.origin.gl_entry_ids:
                seen.setdefault(entry, None)
        return list(seen)

    def by_kind(self, kind: DocumentKind) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]
