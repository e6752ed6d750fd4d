"""Documents built directly (not through Manage) against the sandbox company's master data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from mobius_tui.documents.model import (
    CustomerRecord,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRef,
    ItemType,
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

DAY = date(2025, 5, 14)
CUSTOMER = "C00102"  # O'Brien, Smith & Partners (Ontario, HST)
BC_CUSTOMER = "C00103"  # Pacific Rim Imports (BC): GST + PST
VENDOR = "INGRAM"
MEMBER_VENDOR = "EMP002"
LAPTOP = ItemRef("LAPTOP-14", ItemType.INVENTORY_PART, "Business laptop", cost_account="5100-10",
                 inventory_account="1300-00", location_xref="1", unit_of_measure="Each")
M365 = ItemRef("M365-BP", ItemType.NON_INVENTORY_PART, "Microsoft 365", cost_account="5200-10",
               unit_of_measure="Month")
_ids = iter(range(900000, 999999))


def origin(kind: RecordKind, number: str, n: int = 2, record_id: str = "") -> Origin:
    return Origin(kind, record_id or number, number, tuple(next(_ids) for _ in range(n)))


def hst(base: D) -> TaxLevelAmount:
    return TaxLevelAmount(1, "ON", "CRA-HST", D("0.13"), (base * D("0.13")).quantize(D("0.01")), base, "2200-00")


def invoice(number: str = "INV20001", customer: str = CUSTOMER, *, credit: bool = False, lines: list[Line] | None = None,
            taxes: list[TaxLevelAmount] | None = None, tax_code: str = "ON", terms: str = "30", day: date = DAY,
            currency: str = "", receivable: str = "1200-00") -> SalesDocument:
    lines = lines if lines is not None else [
        Line("4100-10", D("450.00"), "Remote support", D("3"), D("150.00"), taxable=True, gl_type="R"),
        Line("4200-10", D("1649.00"), "Laptop", D("1"), D("1649.00"), item=LAPTOP, cost=D("1212.50"), taxable=True),
        Line("4200-20", D("57.60"), "M365", D("2"), D("28.80"), item=M365, taxable=True),
    ]
    base = sum((ln.amount for ln in lines if ln.taxable), D(0))
    taxes = taxes if taxes is not None else [hst(base)]
    total = sum((ln.amount for ln in lines), D(0)) + sum((t.amount for t in taxes), D(0))
    kind = DocumentKind.CREDIT_MEMO if credit else DocumentKind.SALES_INVOICE
    return SalesDocument(kind, origin(RecordKind.INVOICE, number), number, day, currency=currency,
                         description=f"Invoice {number}", customer=Party(customer, "Customer"),
                         receivable_account=receivable, lines=lines, taxes=taxes, tax_code=tax_code if taxes else "",
                         terms=terms, document_total=total)


def receipt(number: str = "PO30001", vendor: str = VENDOR, vendor_invoice: str = "VI-777") -> PurchaseDocument:
    lines = [Line("1300-00", D("2425.00"), "Laptops", D("2"), D("1212.50"), item=LAPTOP),
             Line("5200-10", D("48.96"), "M365 seats", D("2"), D("24.48"), item=M365),
             Line("5300-00", D("24.50"), "Freight", gl_type="PF")]
    tax = TaxLevelAmount(1, "ON", "CRA-HST", D("0.13"), D("324.74"), D("2498.46"), "1250-00")
    total = sum((ln.amount for ln in lines), D(0)) + tax.amount
    return PurchaseDocument(DocumentKind.ITEM_RECEIPT, origin(RecordKind.PROCUREMENT, number, 4), number, DAY,
                            description=f"Receipt of {number}", vendor=Party(vendor, "Ingram Micro Canada"),
                            payable_account="2100-00", lines=lines, taxes=[tax], vendor_invoice_number=vendor_invoice,
                            po_number=number, terms="30", document_total=total)


def expense_bill(number: str = "700101", vendor: str = MEMBER_VENDOR, amount: D = D("212.40")) -> PurchaseDocument:
    return PurchaseDocument(DocumentKind.AP_BILL, origin(RecordKind.EXPENSE, number, record_id="700101"), number, DAY,
                            description="Hotel — client visit", vendor=Party(vendor, "Michael Chen"),
                            payable_account="2150-00", lines=[Line("6100-20", amount, "Hotel")], employee=True,
                            document_total=amount)


def journal(number: str = "700201", amount: D = D("86.25"), account: str = "6200-20") -> JournalEntry:
    return JournalEntry(DocumentKind.JOURNAL_ENTRY, origin(RecordKind.EXPENSE, number), number, DAY,
                        description="Meals", postings_=[Posting(account, amount, "Meals"),
                                                        Posting("2150-00", -amount, "Owed to member")],
                        source="expense")


def adjustment(number: str = "ADJ-5001") -> InventoryAdjustment:
    return InventoryAdjustment(DocumentKind.INVENTORY_ADJUSTMENT, origin(RecordKind.PROCUREMENT, number, 1), number, DAY,
                               description="Cycle count", lines=[
                                   MoveLine(LAPTOP, D("-2"), D("-2425.00"), "Damaged", offset_account="5400-00"),
                                   MoveLine(ItemRef("MON-27", ItemType.INVENTORY_PART, inventory_account="1300-00",
                                                    location_xref="1", unit_of_measure="Each"),
                                            D("3"), D("903.45"), "Found", offset_account="5400-00")])


def transfer(number: str = "TRF-8001") -> InventoryTransfer:
    return InventoryTransfer(DocumentKind.INVENTORY_TRANSFER, origin(RecordKind.PROCUREMENT, number, 1), number, DAY,
                             description="Restock Montréal", lines=[
                                 MoveLine(LAPTOP, D("4"), D("4850.00"), "Laptops", from_location="1",
                                          to_location="2")])


def plan(*documents, customers=(), vendors=()) -> Plan:
    return Plan(documents=list(documents), customers=list(customers), vendors=list(vendors))


def new_customer(account: str = "C09999", name: str = "Brand New Client Inc.") -> CustomerRecord:
    return CustomerRecord(account, name, terms="30", tax_code="ON", currency="CAD")


def new_vendor(account: str = "NEWVEND", name: str = "New Supplier Ltd.") -> VendorRecord:
    return VendorRecord(account, name, terms="30")
