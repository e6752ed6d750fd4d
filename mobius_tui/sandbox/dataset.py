"""Deterministic books of a managed-service provider, for the sandboxes and the tests.

``generate(seed=7, invoices=60) -> Dataset`` returns plain frozen dataclasses with ``Decimal``
money. The same ``(seed, invoices)`` always gives the same books; 10,000 invoices take a
second or two. What it holds:

* ``locations``, ``departments``, ``currencies`` (CAD home currency, USD), ``accounts`` (a chart
  of two-segment accounts such as ``"4100-10"``: natural account + class segment),
  ``tax_codes`` (Ontario HST, BC GST+PST, PEI-style PST charged on the GST-inclusive amount
  (``piggyback=True``), Quebec GST+QST, a tax-exempt code and a single-level Texas sales tax),
  ``terms`` (with ``terms_xref``), ``product_types`` (the four type xrefs), ``items``,
  ``warehouses`` (two, with ``location_xref`` "1" and "2"), ``companies`` (customers with
  ``account_number``; vendors with ``vendor_identifier``, a few deliberately without),
  ``members`` (employees with ``vendor_number``, two API members).
* Closed documents, each owning the GL entry ids the accounting interface batches:
  ``invoices`` (Standard, Agreement, Miscellaneous, DownPayment, CreditMemo, Progress; CAD and
  USD; lines in the document's sign, tax per level, ``header_entry_id`` for the AR line),
  ``expenses`` (``entry_id`` debit + ``offset_entry_id`` credit), ``procurements``
  (Purchase with and without a vendor invoice number, Adjustment, Transfer).
  Edge cases are always present: a zero-amount line, a 6,000-character description, names with
  accents and punctuation.
* ``accounting_seed(include_missing=False) -> AccountingSeed``: the target-neutral master data an
  accounting package needs to accept every document (chart, customers = company account numbers,
  vendors = company vendor identifiers + member vendor numbers, tax xrefs with agency xrefs and
  rates, terms xrefs, items, warehouse location xrefs, currencies). By default it leaves out the
  entries listed in ``missing_mappings``, so a package sandbox seeded from it reproduces the
  "everything mapped except these" situation the mapping check must report.
* ``missing_mappings``: ``MissingMapping(kind, key, where, documents)`` — which mapping is
  deliberately absent, where it is fixed in Manage, and which document numbers it breaks.
  ``kind`` is one of ``customer``, ``vendor``, ``account``, ``item``; ``in_manage=True`` means
  the value is missing in Manage itself (e.g. an empty ``vendorIdentifier``) rather than only in
  the package.

Money is rounded half-up to cents; a document's lines and taxes always balance with its total.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Documents are dated in the quarter before this day, so thruDate filters are reproducible.
ANCHOR_DATE = date(2025, 6, 30)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- reference data ------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    id: int
    name: str
    payroll_xref: str


@dataclass(frozen=True)
class Department:
    id: int
    identifier: str
    name: str


@dataclass(frozen=True)
class Currency:
    id: int
    code: str
    name: str
    symbol: str


@dataclass(frozen=True)
class Account:
    number: str  # segments joined with "-", e.g. "4100-10"
    description: str
    gl_type: str  # Manage GL type code of the mapping that uses it (AR, RP, ST, ...)
    account_class: str  # asset | liability | revenue | expense | cogs

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.number.split("-"))


@dataclass(frozen=True)
class TaxLevel:
    level: int  # 1..6
    caption: str
    rate: Decimal  # fraction, 0.05 = 5 %
    tax_code_xref: str
    agency_xref: str
    sales_account: str  # tax collected on invoices
    purchase_account: str  # tax paid on purchases (recoverable)


@dataclass(frozen=True)
class TaxCode:
    id: int
    identifier: str
    description: str
    country: str
    levels: tuple[TaxLevel, ...]
    piggyback: bool = False  # level 2 is charged on the amount including level 1 tax
    exempt: bool = False

    def taxes(self, base: Decimal) -> list[tuple[TaxLevel, Decimal, Decimal]]:
        """(level, taxable amount, tax) per level, rounded per level to the cent."""
        out: list[tuple[TaxLevel, Decimal, Decimal]] = []
        first_tax = ZERO
        for lvl in self.levels:
            taxable = base + first_tax if (self.piggyback and lvl.level == 2) else base
            tax = money(taxable * lvl.rate)
            if lvl.level == 1:
                first_tax = tax
            out.append((lvl, taxable, tax))
        return out


@dataclass(frozen=True)
class BillingTerm:
    id: int
    name: str
    due_days: int
    terms_xref: str


@dataclass(frozen=True)
class ProductType:
    id: int
    name: str
    type_xref: str  # InventoryPart | NonInventoryPart | OtherCharge | Service
    item_type_xref: str  # display form used in GLExport: "Inventory Part", ...


@dataclass(frozen=True)
class Item:
    id: int
    identifier: str
    description: str
    product_type_id: int
    product_class: str
    price: Decimal
    cost: Decimal
    taxable: bool
    revenue_account: str
    cogs_account: str
    inventory_account: str | None  # only inventory parts carry stock
    uom: str
    serialized: bool = False
    gl_item_id: str = ""


@dataclass(frozen=True)
class Warehouse:
    id: int
    name: str
    location_id: int
    location_xref: str
    inventory_account: str


@dataclass(frozen=True)
class Company:
    id: int
    identifier: str
    name: str
    account_number: str | None
    vendor_identifier: str | None
    is_customer: bool
    is_vendor: bool
    tax_code_id: int
    terms_id: int
    currency: str
    country: str
    city: str
    state: str
    site_id: int
    site_name: str = "Main"
    tax_identifier: str | None = None


@dataclass(frozen=True)
class Member:
    id: int
    identifier: str
    first_name: str
    last_name: str
    license_class: str  # F full, A API member
    vendor_number: str | None
    location_id: int
    department_id: int
    accounting_role: bool = True

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# --- documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    entry_id: int
    kind: str  # service | product | agreement | expense | discount | downpayment | progress
    description: str
    quantity: Decimal  # in the document's sign (negative on credit memos)
    unit_price: Decimal
    amount: Decimal  # quantity * unit_price, rounded; document sign
    account: str
    gl_type: str
    taxable: bool
    item_id: int | None = None
    warehouse_id: int | None = None
    unit_cost: Decimal = ZERO
    cost: Decimal = ZERO  # extended cost (COGS), document sign
    cogs_account: str | None = None
    inventory_account: str | None = None
    uom: str = "Each"


@dataclass(frozen=True)
class TaxLine:
    entry_id: int
    level: TaxLevel
    taxable_amount: Decimal
    amount: Decimal  # document sign


@dataclass(frozen=True)
class Invoice:
    id: int  # /finance/invoices id == UnpostedInvoice.billingLogId
    unposted_id: int  # UnpostedInvoice.id
    number: str
    type: str
    company_id: int
    location_id: int
    department_id: int
    date: date
    due_date: date
    terms_id: int
    currency: str
    tax_code_id: int
    ar_account: str
    header_entry_id: int
    lines: tuple[InvoiceLine, ...]
    taxes: tuple[TaxLine, ...]
    description: str
    closed_by: str
    paid: Decimal = ZERO  # payments already applied in Manage
    credits: Decimal = ZERO

    @property
    def subtotal(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def tax_total(self) -> Decimal:
        return sum((t.amount for t in self.taxes), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total

    @property
    def entry_ids(self) -> tuple[int, ...]:
        return (self.header_entry_id, *(ln.entry_id for ln in self.lines), *(t.entry_id for t in self.taxes))

    @property
    def is_credit(self) -> bool:
        return self.type == "CreditMemo"


@dataclass(frozen=True)
class Expense:
    id: int  # UnpostedExpense.id
    detail_id: int  # expenseDetailId
    entry_id: int
    offset_entry_id: int
    member_id: int
    company_id: int
    location_id: int
    department_id: int
    date: date
    expense_type: str
    classification: str  # Reimbursable | NonReimbursable | Personal
    payment_method: str
    amount: Decimal
    billable: bool
    account: str
    gl_type: str  # EE (charged to a customer) | EI (internal)
    offset_account: str
    currency: str
    description: str
    tax_code_id: int
    tax_amount: Decimal = ZERO  # included in amount; informational (taxable levels)

    @property
    def entry_ids(self) -> tuple[int, ...]:
        return (self.entry_id, self.offset_entry_id)


@dataclass(frozen=True)
class ProcurementLine:
    entry_id: int
    line_number: int
    item_id: int
    description: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal
    account: str  # inventory (inventory parts) or COGS/expense account
    gl_type: str
    warehouse_id: int
    taxable: bool = True


@dataclass(frozen=True)
class Procurement:
    id: int  # UnpostedProcurement.id (entry id of adjustments and transfers)
    type: str  # Purchase | Adjustment | Transfer
    unposted_product_id: str
    date: date
    location_id: int
    department_id: int
    currency: str
    description: str
    # Purchase
    po_number: str = ""
    packing_slip: str = ""  # "" = the PO number (a PO received once)
    vendor_company_id: int | None = None
    vendor_invoice_number: str | None = None
    vendor_invoice_date: date | None = None
    terms_id: int | None = None
    tax_code_id: int | None = None
    ap_account: str = ""
    lines: tuple[ProcurementLine, ...] = ()
    freight: Decimal = ZERO
    freight_entry_id: int | None = None
    freight_account: str = ""
    taxes: tuple[TaxLine, ...] = ()
    # Adjustment (lines reuse ProcurementLine; quantity signed) and Transfer
    adjustment_account: str = ""
    item_id: int | None = None
    quantity: Decimal = ZERO
    unit_cost: Decimal = ZERO
    from_warehouse_id: int | None = None
    to_warehouse_id: int | None = None
    transfer_id: int | None = None

    @property
    def total(self) -> Decimal:
        if self.type == "Purchase":
            return sum((ln.amount for ln in self.lines), ZERO) + self.freight + sum((t.amount for t in self.taxes), ZERO)
        if self.type == "Adjustment":
            return sum((ln.amount for ln in self.lines), ZERO)
        return money(self.quantity * self.unit_cost)

    @property
    def tax_total(self) -> Decimal:
        return sum((t.amount for t in self.taxes), ZERO)

    @property
    def entry_ids(self) -> tuple[int, ...]:
        if self.type != "Purchase":
            return (self.id,)
        ids = [ln.entry_id for ln in self.lines] + [t.entry_id for t in self.taxes]
        if self.freight_entry_id is not None:
            ids.append(self.freight_entry_id)
        return tuple(ids)


# --- what an accounting package must hold ---------------------------------------------


@dataclass(frozen=True)
class SeedCustomer:
    account_number: str
    name: str
    currency: str
    terms_xref: str
    tax_code: str


@dataclass(frozen=True)
class SeedVendor:
    vendor_number: str
    name: str
    currency: str
    terms_xref: str
    source: str  # "company" | "member"


@dataclass(frozen=True)
class SeedTax:
    tax_code_xref: str
    agency_xref: str
    rate: Decimal
    level: int
    caption: str
    tax_code: str  # Manage tax code identifier this level belongs to
    charged_on_previous_levels: bool  # PST on GST
    sales_account: str
    purchase_account: str


@dataclass(frozen=True)
class SeedItem:
    identifier: str
    description: str
    type_xref: str
    price: Decimal
    cost: Decimal
    revenue_account: str
    cogs_account: str
    inventory_account: str | None


@dataclass(frozen=True)
class SeedLocation:
    location_xref: str
    name: str


@dataclass(frozen=True)
class AccountingSeed:
    accounts: tuple[Account, ...]
    customers: tuple[SeedCustomer, ...]
    vendors: tuple[SeedVendor, ...]
    taxes: tuple[SeedTax, ...]
    terms: tuple[BillingTerm, ...]
    items: tuple[SeedItem, ...]
    locations: tuple[SeedLocation, ...]
    currencies: tuple[Currency, ...]


@dataclass(frozen=True)
class MissingMapping:
    kind: str  # customer | vendor | account | item
    key: str  # the value the package lacks (or the Manage record's name when in_manage)
    where: str  # where to fix it
    in_manage: bool
    documents: tuple[str, ...] = ()  # document numbers it breaks


@dataclass
class Dataset:
    seed: int
    size: int
    locations: list[Location]
    departments: list[Department]
    currencies: list[Currency]
    accounts: list[Account]
    tax_codes: list[TaxCode]
    terms: list[BillingTerm]
    product_types: list[ProductType]
    items: list[Item]
    warehouses: list[Warehouse]
    companies: list[Company]
    members: list[Member]
    invoices: list[Invoice]
    expenses: list[Expense]
    procurements: list[Procurement]
    missing_mappings: list[MissingMapping]
    _index: dict[str, dict] = field(default_factory=dict, repr=False)

    def _by_id(self, name: str, key: str = "id") -> dict:
        if name not in self._index:
            self._index[name] = {getattr(r, key): r for r in getattr(self, name)}
        return self._index[name]

    def company(self, id: int) -> Company:
        return self._by_id("companies")[id]

    def member(self, id: int) -> Member:
        return self._by_id("members")[id]

    def item(self, id: int) -> Item:
        return self._by_id("items")[id]

    def tax_code(self, id: int) -> TaxCode:
        return self._by_id("tax_codes")[id]

    def term(self, id: int) -> BillingTerm:
        return self._by_id("terms")[id]

    def product_type(self, id: int) -> ProductType:
        return self._by_id("product_types")[id]

    def warehouse(self, id: int) -> Warehouse:
        return self._by_id("warehouses")[id]

    def location(self, id: int) -> Location:
        return self._by_id("locations")[id]

    def department(self, id: int) -> Department:
        return self._by_id("departments")[id]

    def currency(self, code: str) -> Currency:
        return self._by_id("currencies", "code")[code]

    def account(self, number: str) -> Account:
        return self._by_id("accounts", "number")[number]

    def accounting_seed(self, include_missing: bool = False) -> AccountingSeed:
        missing = {(m.kind, m.key) for m in self.missing_mappings} if not include_missing else set()
        customers = tuple(
            SeedCustomer(c.account_number, c.name, c.currency, self.term(c.terms_id).terms_xref,
                         self.tax_code(c.tax_code_id).identifier)
            for c in self.companies
            if c.is_customer and c.account_number and ("customer", c.account_number) not in missing
        )
        vendors = [
            SeedVendor(c.vendor_identifier, c.name, c.currency, self.term(c.terms_id).terms_xref, "company")
            for c in self.companies
            if c.is_vendor and c.vendor_identifier and ("vendor", c.vendor_identifier) not in missing
        ]
        vendors += [
            SeedVendor(m.vendor_number, m.name, "CAD", self.terms[0].terms_xref, "member")
            for m in self.members
            if m.vendor_number and ("vendor", m.vendor_number) not in missing
        ]
        taxes = tuple(
            SeedTax(lvl.tax_code_xref, lvl.agency_xref, lvl.rate, lvl.level, lvl.caption, tc.identifier,
                    tc.piggyback and lvl.level == 2, lvl.sales_account, lvl.purchase_account)
            for tc in self.tax_codes
            for lvl in tc.levels
        )
        items = tuple(
            SeedItem(i.identifier, i.description, self.product_type(i.product_type_id).type_xref, i.price, i.cost,
                     i.revenue_account, i.cogs_account, i.inventory_account)
            for i in self.items
            if ("item", i.identifier) not in missing
        )
        return AccountingSeed(
            accounts=tuple(a for a in self.accounts if ("account", a.number) not in missing),
            customers=customers,
            vendors=tuple(vendors),
            taxes=taxes,
            terms=tuple(self.terms),
            items=items,
            locations=tuple(SeedLocation(w.location_xref, w.name) for w in self.warehouses),
            currencies=tuple(self.currencies),
        )


# --- generation ----------------------------------------------------------------------

_LOCATIONS = [Location(1, "Toronto", "TOR"), Location(2, "Montréal", "MTL"), Location(3, "Dallas", "DAL")]
_DEPARTMENTS = [Department(1, "MS", "Managed Services"), Department(2, "PS", "Professional Services"),
                Department(3, "ADM", "Administration")]
_CURRENCIES = [Currency(1, "CAD", "Canadian Dollar", "$"), Currency(2, "USD", "US Dollar", "US$")]

_ACCOUNTS = [
    Account("1200-00", "Accounts Receivable", "AR", "asset"),
    Account("1210-00", "Accounts Receivable - USD", "AR", "asset"),
    Account("1250-00", "GST/HST Recoverable", "PT", "asset"),
    Account("1255-00", "QST Recoverable", "PT", "asset"),
    Account("1300-00", "Inventory - Hardware", "IT", "asset"),
    Account("1310-00", "Inventory - Software", "IT", "asset"),
    Account("2100-00", "Accounts Payable", "P", "liability"),
    Account("2110-00", "Accounts Payable - USD", "P", "liability"),
    Account("2150-00", "Employee Reimbursements Payable", "EO", "liability"),
    Account("2160-00", "Corporate Card Clearing", "EO", "liability"),
    Account("2200-00", "GST/HST Payable", "ST", "liability"),
    Account("2210-00", "PST Payable", "ST", "liability"),
    Account("2215-00", "QST Payable", "ST", "liability"),
    Account("2220-00", "US Sales Tax Payable", "ST", "liability"),
    Account("2400-00", "Deferred Revenue - Down Payments", "RD", "liability"),
    Account("4100-10", "Revenue - Managed Services", "R", "revenue"),
    Account("4100-20", "Revenue - Project Services", "R", "revenue"),
    Account("4200-10", "Revenue - Hardware", "RP", "revenue"),
    Account("4200-20", "Revenue - Software & Licences", "RP", "revenue"),
    Account("4300-10", "Revenue - Agreements", "RA", "revenue"),
    Account("4400-10", "Revenue - Expense Recovery", "RE", "revenue"),
    Account("4900-10", "Sales Discounts", "SD", "revenue"),
    Account("5100-10", "COGS - Hardware", "RP", "cogs"),
    Account("5200-10", "Cost of Sales - Services", "RP", "expense"),
    Account("5300-00", "Freight In", "PF", "expense"),
    Account("5400-00", "Inventory Adjustments", "IA", "expense"),
    Account("6100-10", "Travel - Billable", "EE", "expense"),
    Account("6100-20", "Travel - Internal", "EI", "expense"),
    Account("6200-20", "Meals & Entertainment", "EI", "expense"),
    Account("6300-20", "Mileage", "EI", "expense"),
    Account("6400-20", "Training & Conferences", "EI", "expense"),  # deliberately absent in the package
]


def _tax_codes() -> list[TaxCode]:
    gst = lambda xref="GST": TaxLevel(1, "GST", Decimal("0.05"), xref, "CRA-GST", "2200-00", "1250-00")  # noqa: E731
    return [
        TaxCode(1, "ON", "Ontario HST 13%", "Canada",
                (TaxLevel(1, "HST", Decimal("0.13"), "HST-ON", "CRA-HST", "2200-00", "1250-00"),)),
        TaxCode(2, "BC", "British Columbia GST + PST", "Canada",
                (gst(), TaxLevel(2, "PST", Decimal("0.07"), "PST-BC", "BC-MOF", "2210-00", "5200-10"))),
        TaxCode(3, "PE", "PST on GST (10% on GST-incl.)", "Canada",
                (gst(), TaxLevel(2, "PST", Decimal("0.10"), "PST-PE", "PE-TAX", "2210-00", "5200-10")),
                piggyback=True),
        TaxCode(4, "QC", "Québec TPS/TVQ", "Canada",
                (gst("TPS"), TaxLevel(2, "TVQ", Decimal("0.09975"), "TVQ", "RQ-TVQ", "2215-00", "1255-00")),
                piggyback=True),
        TaxCode(5, "EXEMPT", "Tax exempt", "Canada",
                (TaxLevel(1, "Exempt", Decimal("0"), "EXEMPT", "NONE", "2200-00", "1250-00"),), exempt=True),
        TaxCode(6, "TX", "Texas sales tax 8.25%", "United States",
                (TaxLevel(1, "Sales tax", Decimal("0.0825"), "TX-STATE", "TX-COMPT", "2220-00", "5200-10"),)),
    ]


# Terms xrefs are short numeric codes: Dynamics SL terms ids are at most 2 characters.
_TERMS = [BillingTerm(1, "Net 30", 30, "30"), BillingTerm(2, "Net 15", 15, "15"),
          BillingTerm(3, "Due on receipt", 0, "01"), BillingTerm(4, "2% 10, Net 30", 30, "10")]

_PRODUCT_TYPES = [ProductType(1, "Hardware", "InventoryPart", "Inventory Part"),
                  ProductType(2, "Software Licence", "NonInventoryPart", "Non-Inventory Part"),
                  ProductType(3, "Shipping & Fees", "OtherCharge", "Other Charge"),
                  ProductType(4, "Fixed Cost Service", "Service", "Service")]

# identifier, description, type id, price, cost, taxable, serialized
_ITEM_SPECS = [
    ("LAPTOP-14", "Business laptop 14\"", 1, "1649.00", "1212.50", True, True),
    ("DOCK-USBC", "USB-C docking station", 1, "289.99", "178.40", True, False),
    ("MON-27", "27\" monitor, QHD", 1, "429.00", "301.15", True, False),
    ("FW-SMB", "Firewall appliance (SMB)", 1, "1899.00", "1320.00", True, True),
    ("SW-24P", "Switch, 24-port PoE", 1, "739.00", "498.75", True, True),
    ("UPS-1500", "UPS 1500 VA", 1, "615.25", "402.10", True, False),
    ("CABLE-C6", "Cat6 patch cable, 2 m", 1, "7.49", "1.93", True, False),
    ("M365-BP", "Microsoft 365 Business Premium (monthly)", 2, "28.80", "24.48", True, False),
    ("AV-EDR", "Endpoint detection & response seat", 2, "9.75", "5.10", True, False),
    ("BKP-TB", "Cloud backup, per TB", 2, "119.00", "61.00", True, False),
    ("DNS-FLT", "DNS filtering seat", 2, "2.50", "0.95", True, False),
    ("SHIP", "Shipping & handling", 3, "35.00", "35.00", False, False),
    ("RECYCLE", "Environmental handling fee", 3, "4.75", "4.75", True, False),
    ("REMOTE-BKP", "Remote backups (fixed cost)", 4, "149.00", "52.00", True, False),
    ("ONBOARD", "Onboarding package — fixed fee", 4, "950.00", "310.00", True, False),
    # Only ever on one invoice: the item the accounting package deliberately lacks.
    ("LEGACY-KIT", "Legacy kit (discontinued)", 3, "60.00", "60.00", True, False),
]


def _items() -> list[Item]:
    out = []
    for n, (ident, desc, ptype, price, cost, taxable, serial) in enumerate(_ITEM_SPECS, start=1):
        inv = ptype == 1
        out.append(Item(
            id=n, identifier=ident, description=desc, product_type_id=ptype,
            product_class={1: "Inventory", 2: "NonInventory", 3: "NonInventory", 4: "Service"}[ptype],
            price=Decimal(price), cost=Decimal(cost), taxable=taxable,
            revenue_account="4200-10" if ptype in (1, 3) else "4200-20",
            cogs_account="5100-10" if inv else "5200-10",
            inventory_account=("1300-00" if ident != "M365-BP" else "1310-00") if inv else None,
            uom="Each" if ptype != 2 else "Month", serialized=serial, gl_item_id=ident,
        ))
    return out


_WAREHOUSES = [Warehouse(1, "Main Warehouse", 1, "1", "1300-00"), Warehouse(2, "Montréal Depot", 2, "2", "1300-00")]

_COMPANY_WORDS = ["Northwind", "Maple", "Lakeshore", "Boréal", "Granite", "Pinecrest", "Harbour", "Summit",
                  "Riverside", "Prairie", "Cedar", "Aurora", "Beacon", "Evergreen", "Falcon", "Keystone"]
_COMPANY_TAILS = ["Dental", "Logistics", "Law LLP", "Manufacturing", "Clinic", "Realty", "Accounting",
                  "Foods", "Engineering", "Construction", "Media", "Insurance"]
# (name, tax code, currency, city, state, country)
_FIXED_CUSTOMERS = [
    ("Café Étoile & Fils, Ltée", 4, "CAD", "Montréal", "QC", "Canada"),
    ("O'Brien, Smith & Partners", 1, "CAD", "Toronto", "ON", "Canada"),
    ("Pacific Rim Imports (BC) Inc.", 2, "CAD", "Vancouver", "BC", "Canada"),
    ("Island Harvest Co-op", 3, "CAD", "Charlottetown", "PE", "Canada"),
    ("First Nations Health Authority", 5, "CAD", "Ottawa", "ON", "Canada"),
    ("Lone Star Logistics, LLC", 6, "USD", "Dallas", "TX", "United States"),
    ("Zèbre Numérique S.E.N.C.", 4, "CAD", "Québec", "QC", "Canada"),  # deliberately unmapped customer
]
_VENDORS = [
    ("Ingram Micro Canada", "INGRAM", "CAD", 1), ("Synnex Canada Ltd.", "SYNNEX", "CAD", 1),
    ("D&H Distributing", "DANDH", "USD", 6), ("Pax8 Canada", "PAX8", "CAD", 1),
    ("Purolator Inc.", "PUROLATOR", "CAD", 1),
    ("Bürokratie GmbH (no vendor id)", None, "CAD", 1),  # deliberately missing vendorIdentifier
]
_MEMBERS = [
    ("jtremblay", "Julie", "Tremblay", 2), ("mchen", "Michael", "Chen", 1), ("agarcia", "Ana", "García", 3),
    ("pobrien", "Patrick", "O'Brien", 1), ("sleblanc", "Sébastien", "LeBlanc", 2), ("kpatel", "Kiran", "Patel", 1),
    ("nomapping", "Noé", "Sans-Numéro", 1),  # deliberately without vendor number
]
LONG_DESCRIPTION = (
    "Quarterly infrastructure refresh — "
    + "replaced aging switches, re-cabled the server room, updated firmware and documented every port; " * 70
)[:6000]

_INVOICE_TYPES = ["Standard"] * 8 + ["Agreement"] * 4 + ["Miscellaneous", "DownPayment", "CreditMemo", "Progress"]
_EXPENSE_TYPES = [("Airfare", "6100-10", "6100-20"), ("Hotel", "6100-10", "6100-20"),
                  ("Meals", "6100-10", "6200-20"), ("Mileage", "6100-10", "6300-20"),
                  ("Parking", "6100-10", "6100-20")]


def _second_receipt(procurements: list[Procurement], unmapped_vendor_id: int) -> None:
    """Make a later receipt of the first PO's vendor a second receipt on that PO (its own packing slip,
    as Manage sends each receipt of a PO as a purchase transaction of its own). Renumbered in place,
    so no other record, count or amount of the dataset changes."""
    purchases = [p for p in procurements if p.type == "Purchase" and p.vendor_company_id != unmapped_vendor_id]
    if not purchases:
        return
    first = purchases[0]
    second = next((p for p in purchases[1:] if p.vendor_company_id == first.vendor_company_id), None)
    if second is None:
        return
    slip = f"PS{second.id % 1000:03d}"
    procurements[procurements.index(second)] = replace(
        second, po_number=first.po_number, packing_slip=slip,
        unposted_product_id=f"{second.id}-{first.po_number}-purchase",
        description=second.description.replace(second.po_number, f"{first.po_number} (packing slip {slip})"))


class _Ids:
    """Shared counter for GL entry ids and UnpostedProcurement ids, so they never collide."""

    def __init__(self, start: int) -> None:
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next


def generate(seed: int = 7, invoices: int = 60) -> Dataset:
    rng = random.Random(seed)
    ids = _Ids(100000)
    tax_codes = _tax_codes()
    items = _items()
    inventory_items = [i for i in items if i.inventory_account]
    other_items = [i for i in items[:-1] if not i.inventory_account]

    # Companies: a fixed set of edge cases, then generated customers scaled with the size.
    companies: list[Company] = []
    cid = 100
    for n, (name, tax, cur, city, state, country) in enumerate(_FIXED_CUSTOMERS, start=1):
        cid += 1
        companies.append(Company(cid, f"FIX{n:02d}", name, f"C{cid:05d}", None, True, False, tax,
                                 1 + (n % len(_TERMS)), cur, country, city, state, cid * 10,
                                 tax_identifier=f"{rng.randint(100000000, 999999999)}RT0001" if country == "Canada" else None))
    n_generated = max(8, min(400, invoices // 12))
    for n in range(n_generated):
        cid += 1
        us = rng.random() < 0.2
        name = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_TAILS)} {n + 1}"
        tax = 6 if us else rng.choice([1, 1, 1, 2, 3, 4])
        prov = {1: ("Toronto", "ON"), 2: ("Victoria", "BC"), 3: ("Summerside", "PE"), 4: ("Laval", "QC"),
                6: ("Austin", "TX")}[tax]
        companies.append(Company(cid, f"CUST{n + 1:04d}", name, f"C{cid:05d}", None, True, False, tax,
                                 rng.choice(_TERMS).id, "USD" if us else "CAD",
                                 "United States" if us else "Canada", prov[0], prov[1], cid * 10))
    vendors: list[Company] = []
    for name, vid, cur, tax in _VENDORS:
        cid += 1
        vendors.append(Company(cid, f"V{cid}", name, None, vid, False, True, tax, 1, cur,
                               "United States" if cur == "USD" else "Canada", "Toronto", "ON", cid * 10))
    companies += vendors
    customers = [c for c in companies if c.is_customer]
    unmapped_customer = customers[len(_FIXED_CUSTOMERS) - 1]
    mapped_customers = [c for c in customers if c is not unmapped_customer]
    mapped_vendors = [v for v in vendors if v.vendor_identifier]

    members = [Member(n, ident, first, last, "F", None if ident == "nomapping" else f"EMP{n:03d}", loc,
                      1 + n % 2) for n, (ident, first, last, loc) in enumerate(_MEMBERS, start=1)]
    members += [Member(50, "mobius-api", "Mobius", "Integration", "A", None, 1, 3, True),
                Member(51, "readonly-api", "Read-Only", "Integration", "A", None, 1, 3, False)]
    employees = [m for m in members if m.license_class == "F"]
    mapped_employees = [m for m in employees if m.vendor_number]

    def invoice_lines(kind: str, company: Company, sign: int, when: date) -> list[InvoiceLine]:
        lines: list[InvoiceLine] = []

        def add(kind_: str, desc: str, qty: Decimal, price: Decimal, account: str, gl: str, taxable: bool,
                item: Item | None = None, wh: Warehouse | None = None) -> None:
            qty = qty * sign
            amount = money(qty * price)
            cost = money(qty * item.cost) if item else ZERO
            lines.append(InvoiceLine(
                entry_id=ids(), kind=kind_, description=desc, quantity=qty, unit_price=price, amount=amount,
                account=account, gl_type=gl, taxable=taxable, item_id=item.id if item else None,
                warehouse_id=wh.id if wh else None, unit_cost=item.cost if item else ZERO, cost=cost,
                cogs_account=item.cogs_account if item else None,
                inventory_account=item.inventory_account if item else None,
                uom=item.uom if item else "Hour",
            ))

        def add_item(item: Item) -> None:
            wh = rng.choice(_WAREHOUSES) if item.inventory_account else None
            qty = Decimal(rng.randint(1, 12))
            add("product", item.description, qty, item.price, item.revenue_account, "RP", item.taxable, item, wh)

        if kind == "Agreement":
            add("agreement", f"Managed services agreement — {when:%B %Y}", Decimal(1),
                money(rng.choice([1450, 2890, 3975, 6200]) + Decimal(rng.randint(0, 99)) / 100), "4300-10", "RA", True)
            for _ in range(rng.randint(0, 2)):
                item = rng.choice([i for i in other_items if i.product_type_id == 2])
                add("product", item.description, Decimal(rng.randint(5, 60)), item.price, item.revenue_account,
                    "RP", item.taxable, item)
        elif kind == "DownPayment":
            add("downpayment", "Down payment on hardware refresh project", Decimal(1),
                money(rng.choice([2500, 5000, 7500])), "2400-00", "RD", True)
        elif kind == "Progress":
            add("progress", f"Progress billing — milestone {rng.randint(1, 4)}", Decimal(1),
                money(Decimal(rng.randint(1500, 12000))), "4100-20", "R", True)
        elif kind == "Miscellaneous":
            add("service", "After-hours emergency call-out", Decimal(rng.choice(["1.5", "2", "3.25"])),
                Decimal("225.00"), "4100-10", "R", True)
            add("expense", "Mileage and parking recovered", Decimal(1), money(Decimal(rng.randint(20, 180))),
                "4400-10", "RE", False)
        else:  # Standard and CreditMemo
            add("service", "Remote and on-site support", Decimal(rng.choice(["0.5", "1", "2.25", "4", "7.75"])),
                Decimal(rng.choice(["145.00", "165.00", "185.00"])), "4100-10", "R", True)
            for _ in range(rng.randint(1, 3)):
                add_item(rng.choice(inventory_items if rng.random() < 0.5 else other_items))
            if rng.random() < 0.15:  # never more than a tenth of the lines, so totals keep their sign
                gross = abs(sum((ln.amount for ln in lines), ZERO))
                add("discount", "Loyalty discount", Decimal(1),
                    -min(money(Decimal(rng.randint(25, 150))), money(gross / 10)), "4900-10", "SD", True)
        return lines

    inv_list: list[Invoice] = []
    for n in range(invoices):
        kind = _INVOICE_TYPES[n % len(_INVOICE_TYPES)] if n >= 6 else (
            ["Standard", "Agreement", "Miscellaneous", "DownPayment", "CreditMemo", "Progress"][n])
        company = unmapped_customer if n in (7, 7 + 41) and invoices > 20 else rng.choice(mapped_customers)
        when = ANCHOR_DATE - timedelta(days=rng.randint(0, 89))
        sign = -1 if kind == "CreditMemo" else 1
        lines = invoice_lines(kind, company, sign, when)
        if n == 2:  # zero-amount line
            lines.append(InvoiceLine(ids(), "service", "Warranty visit — no charge", Decimal(1) * sign, ZERO, ZERO,
                                     "4100-10", "R", True, uom="Hour"))
        if n == 3:
            lines[0] = replace(lines[0], description=LONG_DESCRIPTION)
        if n == 4:  # the one item the accounting package deliberately lacks
            legacy = items[-1]
            lines.append(InvoiceLine(ids(), "product", legacy.description, Decimal(sign), legacy.price,
                                     legacy.price * sign, legacy.revenue_account, "RP", legacy.taxable,
                                     item_id=legacy.id, uom=legacy.uom))
        tc = tax_codes[company.tax_code_id - 1]
        base = sum((ln.amount for ln in lines if ln.taxable), ZERO)
        taxes = tuple(TaxLine(ids(), lvl, taxable, tax) for lvl, taxable, tax in tc.taxes(base) if not tc.exempt)
        term = _TERMS[company.terms_id - 1]
        loc = 3 if company.currency == "USD" else rng.choice([1, 1, 2])
        inv = Invoice(
            id=1000 + n, unposted_id=500000 + n, number=f"INV{10001 + n}" if sign > 0 else f"CM{10001 + n}",
            type=kind, company_id=company.id, location_id=loc, department_id=rng.choice([1, 2]), date=when,
            due_date=when + timedelta(days=term.due_days), terms_id=term.id, currency=company.currency,
            tax_code_id=tc.id, ar_account="1210-00" if company.currency == "USD" else "1200-00",
            header_entry_id=ids(), lines=tuple(lines), taxes=taxes,
            description=f"{kind} invoice for {company.name}", closed_by=rng.choice(employees).identifier,
        )
        if sign > 0 and rng.random() < 0.2:  # part of the books already paid in Manage
            inv = replace(inv, paid=money(inv.total * Decimal(rng.choice(["0.5", "1"]))))
        inv_list.append(inv)

    exp_list: list[Expense] = []
    for n in range(max(4, invoices // 2)):
        member = members[6] if n == 5 else rng.choice(mapped_employees)
        company = rng.choice(mapped_customers[:10])
        etype, billable_acct, internal_acct = rng.choice(_EXPENSE_TYPES)
        billable = rng.random() < 0.4
        classification = ["Reimbursable"] * 6 + ["NonReimbursable", "Personal"]
        cls = classification[n % len(classification)] if n >= 3 else ["Reimbursable", "NonReimbursable", "Reimbursable"][n]
        amount = money(Decimal(rng.randint(1200, 95000)) / 100)
        if n == 4:
            etype, billable, internal_acct = "Conference", False, "6400-20"
        tc = tax_codes[0] if member.location_id != 3 else tax_codes[5]
        exp_list.append(Expense(
            id=700000 + n, detail_id=30000 + n, entry_id=ids(), offset_entry_id=ids(), member_id=member.id,
            company_id=company.id, location_id=member.location_id, department_id=member.department_id,
            date=ANCHOR_DATE - timedelta(days=rng.randint(0, 89)), expense_type=etype, classification=cls,
            payment_method="Corporate card" if cls == "NonReimbursable" else "Cash",
            amount=amount, billable=billable, account=billable_acct if billable else internal_acct,
            gl_type="EE" if billable else "EI",
            offset_account="2160-00" if cls == "NonReimbursable" else "2150-00",
            currency="USD" if member.location_id == 3 else "CAD",
            description=f"{etype} — {company.name}", tax_code_id=tc.id,
            tax_amount=money(amount - amount / (1 + tc.levels[0].rate)),
        ))

    proc_list: list[Procurement] = []
    n_proc = max(8, invoices // 3)
    for n in range(n_proc):
        kind = ["Purchase", "Purchase", "Purchase", "Adjustment", "Transfer"][n % 5]
        when = ANCHOR_DATE - timedelta(days=rng.randint(0, 89))
        loc = rng.choice([1, 2])
        pid = ids()
        if kind == "Purchase":
            vendor = vendors[5] if n == 10 else rng.choice(mapped_vendors)
            po = f"PO{20001 + n}"
            lines = []
            for k in range(rng.randint(1, 4)):
                item = rng.choice(inventory_items if rng.random() < 0.6 else other_items)
                qty = Decimal(rng.randint(1, 25))
                wh = _WAREHOUSES[loc - 1]
                inv_item = item.inventory_account is not None
                lines.append(ProcurementLine(
                    ids(), k + 1, item.id, item.description, qty, item.cost, money(qty * item.cost),
                    item.inventory_account if inv_item else item.cogs_account, "RP", wh.id, item.taxable))
            freight = money(Decimal(rng.choice([0, 0, 15, 42, 88]))) if n != 0 else Decimal("24.50")
            tc = tax_codes[vendor.tax_code_id - 1]
            base = sum((ln.amount for ln in lines if ln.taxable), ZERO) + freight
            taxes = tuple(TaxLine(ids(), lvl, taxable, tax) for lvl, taxable, tax in tc.taxes(base) if not tc.exempt)
            with_vin = n % 2 == 0
            proc_list.append(Procurement(
                id=pid, type=kind, unposted_product_id=f"{pid}-{po}-purchase", date=when, location_id=loc,
                department_id=1, currency=vendor.currency, description=f"Receipt of {po} from {vendor.name}",
                po_number=po, vendor_company_id=vendor.id,
                vendor_invoice_number=f"VI-{rng.randint(10000, 99999)}" if with_vin else None,
                vendor_invoice_date=when if with_vin else None, terms_id=vendor.terms_id, tax_code_id=tc.id,
                ap_account="2110-00" if vendor.currency == "USD" else "2100-00", lines=tuple(lines),
                freight=freight, freight_entry_id=ids() if freight else None, freight_account="5300-00",
                taxes=taxes,
            ))
        elif kind == "Adjustment":
            wh = _WAREHOUSES[loc - 1]
            lines = []
            for k in range(rng.randint(1, 3)):
                item = rng.choice(inventory_items)
                qty = Decimal(rng.choice([-3, -2, -1, 1, 2, 5]))
                lines.append(ProcurementLine(0, k + 1, item.id, item.description, qty, item.cost,
                                             money(qty * item.cost), item.inventory_account or "1300-00", "IA", wh.id))
            reason = "Cycle count correction" if n % 2 else "Damaged in transit — written off"
            proc_list.append(Procurement(
                id=pid, type=kind, unposted_product_id=f"{pid}-adjustment", date=when, location_id=loc,
                department_id=1, currency="CAD", description=reason, adjustment_account="5400-00",
                lines=tuple(lines)))
        else:
            item = rng.choice(inventory_items)
            src, dst = (_WAREHOUSES[0], _WAREHOUSES[1]) if rng.random() < 0.5 else (_WAREHOUSES[1], _WAREHOUSES[0])
            proc_list.append(Procurement(
                id=pid, type=kind, unposted_product_id=f"{pid}-transfer", date=when, location_id=src.location_id,
                department_id=1, currency="CAD", description=f"Transfer {item.identifier} {src.name} → {dst.name}",
                item_id=item.id, quantity=Decimal(rng.randint(1, 10)), unit_cost=item.cost,
                from_warehouse_id=src.id, to_warehouse_id=dst.id, transfer_id=8000 + n))
    _second_receipt(proc_list, vendors[5].id)
    missing = [
        MissingMapping("customer", unmapped_customer.account_number or "", "Company > Finance > Account Number "
                       f"of '{unmapped_customer.name}' (create the customer in the accounting package)", False,
                       tuple(i.number for i in inv_list if i.company_id == unmapped_customer.id)),
        MissingMapping("vendor", vendors[5].name, f"Company '{vendors[5].name}' > Finance > Vendor Identifier is "
                       "empty", True,
                       tuple(p.po_number for p in proc_list if p.vendor_company_id == vendors[5].id)),
        MissingMapping("vendor", members[6].identifier, f"Member '{members[6].identifier}' > Vendor Number is empty",
                       True, tuple(str(e.id) for e in exp_list if e.member_id == members[6].id)),
        MissingMapping("account", "6400-20", "Finance > GL Accounts: account 6400-20 (Training) does not exist in "
                       "the accounting package", False,
                       tuple(str(e.id) for e in exp_list if e.account == "6400-20")),
        MissingMapping("item", items[-1].identifier, f"Procurement > Product Catalog '{items[-1].identifier}' has "
                       "no matching item in the accounting package", False,
                       tuple(i.number for i in inv_list if any(ln.item_id == items[-1].id for ln in i.lines))),
    ]

    return Dataset(
        seed=seed, size=invoices, locations=list(_LOCATIONS), departments=list(_DEPARTMENTS),
        currencies=list(_CURRENCIES), accounts=list(_ACCOUNTS), tax_codes=tax_codes, terms=list(_TERMS),
        product_types=list(_PRODUCT_TYPES), items=items, warehouses=list(_WAREHOUSES), companies=companies,
        members=members, invoices=inv_list, expenses=exp_list, procurements=proc_list, missing_mappings=missing,
    )
