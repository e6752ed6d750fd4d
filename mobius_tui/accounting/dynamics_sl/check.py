"""Every mapping rule of the Dynamics SL integration, checked against SL's reference data before
anything is written. Pure: the same plan and reference always give the same problems.

Messages speak the user's language: which Manage screen and field to correct, or which SL
maintenance screen to add the record on.
"""

from __future__ import annotations

from collections.abc import Iterable

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.dynamics_sl.codes import WIDTH, calendar_period, is_terms_id, module_of, percent, split_account
from mobius_tui.accounting.dynamics_sl.items import NewItem, new_items
from mobius_tui.accounting.dynamics_sl.reference import SLReference
from mobius_tui.accounting.near_miss import NearMissIndex, did_you_mean
from mobius_tui.documents.model import (
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRef,
    JournalEntry,
    Line,
    MoveLine,
    Plan,
    PurchaseDocument,
    SalesDocument,
    TaxLevelAmount,
)

GL_ACCOUNTS_FIX = ("Accounts are never created by the integration: add it on SL's Chart of Accounts Maintenance "
                   "screen, or correct the account on Manage's System > Setup Tables > GL Accounts")
SUB_FIX = ("Add the subaccount on SL's Account/Subaccount Maintenance screen, or correct the account segments on "
           "Manage's System > Setup Tables > GL Accounts")
PERIOD_MODULE = {"AR": ("ar_setup", "Accounts Receivable"), "AP": ("ap_setup", "Accounts Payable"),
                 "GL": ("gl_setup", "General Ledger"), "IN": ("in_setup", "Inventory")}


def receipt_account(line: Line) -> str:
    """Item receipts debit the inventory asset account for inventory items and COGS otherwise."""
    item = line.item
    if item is not None:
        if item.is_inventory and item.inventory_account:
            return item.inventory_account
        if not item.is_inventory and item.cost_account:
            return item.cost_account
    return line.account


def transfer_source_account(line: MoveLine) -> str:
    """The account a transfer credits: the source warehouse's, which Manage sends as the line's offset
    account when it differs from the item's inventory account (the destination's)."""
    return line.offset_account or line.item.inventory_account


def voucher_invoice_number(doc: PurchaseDocument) -> str:
    """APDoc.InvcNbr of a voucher: the vendor invoice number, else the document number.

    UNCONFIRMED: an expense report's number may not fit SL's 15-character vendor invoice number, and
    a member cannot renumber it in Manage; such a voucher gets the Manage expense id ("E" + id, as
    journal expenses are named), the full number staying in the voucher description.
    """
    number = doc.vendor_invoice_number or doc.number
    expense_id = f"E{doc.origin.record_id}"
    if doc.kind == DocumentKind.AP_BILL and len(number) > WIDTH["InvcNbr"] >= len(expense_id) > 1:
        return expense_id
    return number


def adjustment_site(line: MoveLine, ref: SLReference) -> str:
    """The SL site of an adjustment line: its Manage warehouse's location xref (the converter gives
    lines, which GLExport leaves without one, Manage's default warehouse); the item's default site
    in SL only when Manage flags no default warehouse, as SL's adjustment entry defaults it."""
    return line.item.location_xref or str((ref.items.get(line.item.code) or {}).get("dfltsite") or "").strip()


def tax_group(doc: SalesDocument | PurchaseDocument) -> str:
    """Manage's tax code is SL's tax group; each level's tax code xref should say the same."""
    code = getattr(doc, "tax_code", "") or ""
    return code or next((t.tax_code_xref for t in doc.taxes if t.tax_code_xref), "")


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._seen: set[tuple] = set()
        self.new_items: dict[str, NewItem] = {}  # products the run creates (checked before their documents)

    def add(self, cause: str, fix: str, doc: Document | None = None, detail: str = "",
            severity: Severity = Severity.ERROR) -> None:
        key = (cause, doc.key if doc else "", detail)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(Problem(cause, fix, doc.origin if doc else None, detail, severity))


def check(plan: Plan, ref: SLReference, documents: Iterable[Document] | None = None) -> list[Problem]:
    docs = list(plan.documents if documents is None else documents)
    out = _Problems()
    _check_setup(docs, ref, out)
    customers_to_create = _check_new_customers(docs, plan, ref, out)
    vendors_to_create = _check_new_vendors(docs, plan, ref, out)
    out.new_items = new_items(docs, plan, ref)
    _check_new_items(out.new_items, ref, out)
    _check_new_vendor_currencies(docs, plan, ref, vendors_to_create, out)
    for doc in docs:
        _check_common(doc, ref, out)
        if isinstance(doc, SalesDocument):
            _check_sales(doc, ref, out, customers_to_create)
        elif isinstance(doc, PurchaseDocument):
            _check_purchase(doc, ref, out, vendors_to_create)
        elif isinstance(doc, JournalEntry):
            for posting in doc.postings():
                _check_account(posting.account, f"journal line '{posting.description}'", doc, ref, out)
        elif isinstance(doc, InventoryAdjustment):
            _check_adjustment(doc, ref, out)
        elif isinstance(doc, InventoryTransfer):
            _check_transfer(doc, ref, out)
    return out.items


# --- setup ---------------------------------------------------------------------------------

def _check_setup(docs: list[Document], ref: SLReference, out: _Problems) -> None:
    kinds = {d.kind for d in docs}
    if not ref.gl_setup:
        out.add("Dynamics SL General Ledger setup (GLSetup) not found", "Complete GL Setup in SL for this company")
    if kinds & {DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO}:
        if not ref.ar_setup:
            out.add("Dynamics SL Accounts Receivable setup (ARSetup) not found", "Complete AR Setup in SL")
        elif int(ref.ar_setup.get("autoref") or 0) == 1:
            out.add("AR Auto Reference Numbering is on in Dynamics SL",
                    "Uncheck 'Auto Reference Numbering' on SL's AR Setup screen (Other Options tab) so invoices keep "
                    "their Manage numbers")
    if kinds & {DocumentKind.AP_BILL, DocumentKind.ITEM_RECEIPT} and not ref.ap_setup:
        out.add("Dynamics SL Accounts Payable setup (APSetup) not found", "Complete AP Setup in SL")
    if kinds & {DocumentKind.INVENTORY_ADJUSTMENT, DocumentKind.INVENTORY_TRANSFER} and not ref.in_setup:
        out.add("Dynamics SL Inventory setup (INSetup) not found", "Complete Inventory Setup in SL")


# --- master records ------------------------------------------------------------------------

def _check_new_customers(docs: list[Document], plan: Plan, ref: SLReference, out: _Problems) -> set[str]:
    used = {d.customer.account for d in docs if isinstance(d, SalesDocument) and d.customer.account}
    records = {c.account: c for c in plan.customers}
    create = {acct for acct in used if acct not in ref.customers and acct in records}
    if not create:
        return create
    cls = (ref.ar_setup.get("dfltclass") or "").strip()
    if not cls or cls not in ref.customer_classes:
        out.add("No default customer class in Dynamics SL for the customers to create",
                "Set 'Default Class ID' on SL's AR Setup screen to an existing customer class", detail=", ".join(sorted(create)))
    similar = NearMissIndex((r["custid"], r.get("name") or "") for r in ref.customers.values())
    for acct in sorted(create):
        rec = records[acct]
        if len(acct) > WIDTH["CustId"]:
            continue  # reported on each document
        if near := similar.find(rec.name, besides=acct):
            out.add(f"Customer {acct} ({rec.name}) is not in Dynamics SL, which has a customer of nearly the same name",
                    did_you_mean(near, "customer", "the company's Account on Finance > Company Finance"))
            continue
        out.add(f"Customers missing in Dynamics SL will be created with class '{cls}'",
                "Nothing to do, unless the Manage company should match an existing SL customer: then set its "
                "Account on Manage's Finance > Company Finance to that Customer ID",
                detail=f"{acct} {rec.name}", severity=Severity.NOTICE)
    return create


def _check_new_vendors(docs: list[Document], plan: Plan, ref: SLReference, out: _Problems) -> set[str]:
    used = {d.vendor.account for d in docs if isinstance(d, PurchaseDocument) and d.vendor.account and not d.employee}
    records = {v.account: v for v in plan.vendors if not v.is_member}
    create = {acct for acct in used if acct not in ref.vendors and acct in records}
    if not create:
        return create
    cls = (ref.ap_setup.get("classid") or "").strip()
    if not cls or cls not in ref.vendor_classes:
        out.add("No default vendor class in Dynamics SL for the vendors to create",
                "Set the default Class ID on SL's AP Setup screen to an existing vendor class",
                detail=", ".join(sorted(create)))
    similar = NearMissIndex((r["vendid"], r.get("name") or "") for r in ref.vendors.values())
    for acct in sorted(create):
        if near := similar.find(records[acct].name, besides=acct):
            out.add(f"Vendor {acct} ({records[acct].name}) is not in Dynamics SL, which has a vendor of nearly the "
                    "same name", did_you_mean(near, "vendor", "the company's Vendor XRef on Finance > Company Finance"))
            continue
        out.add(f"Vendors missing in Dynamics SL will be created with class '{cls}'",
                "Nothing to do, unless the Manage vendor should match an existing SL vendor: then set its Vendor XRef "
                "on Manage's Finance > Company Finance to that Vendor ID",
                detail=f"{acct} {records[acct].name}", severity=Severity.NOTICE)
    return create


def _check_new_items(items: dict[str, NewItem], ref: SLReference, out: _Problems) -> None:
    for code, new in sorted(items.items()):
        doc = new.documents[0]
        if not new.known_type:
            out.add(f"Product {code} has type '{new.item_type}', which Dynamics SL items cannot be created from",
                    "Add the item on SL's Inventory Items screen, or give the product an Inventory Part, Non-Inventory "
                    "Part, Other Charge or Service type xref in Manage", doc)
            continue
        where = f"{code} {new.description}".strip() + (f" at site {', '.join(new.sites)}" if new.stock and new.sites
                                                        else "")
        out.add(f"Item {code} will be created as {new.created_as()}",
                "Nothing to do, unless the Manage product should match an existing SL item: then set its identifier "
                "on Manage's Procurement > Product Catalog to that Inventory ID", doc, where, severity=Severity.NOTICE)
        inventory = new.inventory_account if new.stock else ""
        if new.stock and not (inventory or (ref.in_setup.get("dfltinvtacct") or "").strip()):
            out.add(f"No inventory account for new item {code}", "Set the product's inventory account in Manage, or "
                    "the default inventory account on SL's Inventory Setup screen", doc)
        for role, account in (("inventory", inventory), ("cost of goods sold", new.cost_account),
                              ("sales", new.revenue_account)):
            if account:
                _check_account(account, f"new item {code} {role} account", doc, ref, out)


def vendor_currencies(docs: Iterable[Document], account: str, base: str) -> set[str]:
    """The currencies of a vendor's documents: a vendor SL does not have yet is created in theirs
    (Manage's vendor record says none), not in the home currency."""
    return {d.currency or base for d in docs
            if isinstance(d, PurchaseDocument) and not d.employee and d.vendor.account == account}


def _check_new_vendor_currencies(docs: list[Document], plan: Plan, ref: SLReference, create: set[str],
                                 out: _Problems) -> None:
    names = {v.account: v.name for v in plan.vendors}
    for acct in sorted(create):
        currencies = vendor_currencies(docs, acct, ref.base_currency)
        if len(currencies) > 1:
            out.add(f"Vendor {acct} would be created for documents in {' and '.join(sorted(currencies))}",
                    "An SL vendor has one currency: post the vendor's documents of each currency in separate "
                    "batches after creating the vendor on SL's Vendor Maintenance screen in the right currency, or "
                    "correct the purchase orders' currency in Manage", detail=f"{acct} {names.get(acct, '')}".strip())
        elif currencies and currencies != {ref.base_currency}:
            out.add("Vendors missing in Dynamics SL will be created in the currency of their documents",
                    "Nothing to do, unless the vendor is kept in another currency: then create it on SL's Vendor "
                    "Maintenance screen first", detail=f"{acct} {names.get(acct, '')}: {next(iter(currencies))}",
                    severity=Severity.NOTICE)


# --- every document -------------------------------------------------------------------------

def _check_common(doc: Document, ref: SLReference, out: _Problems) -> None:
    if doc.imbalance() != 0:
        out.add("Document does not balance", "Correct the document in Manage so its lines and taxes add up to its "
                "total", doc, f"off by {doc.imbalance()}")
    module = module_of(doc.kind)
    setup_key, label = PERIOD_MODULE[module]
    setup = getattr(ref, setup_key)
    current = (setup.get("currpernbr") if module == "IN" else setup.get("pernbr")) or ""
    current = str(current).strip()
    if ref.gl_setup and current:
        period = calendar_period(doc.date, ref.gl_setup)
        if period < current:
            out.add(f"Document date is in a closed {label} period",
                    f"Dynamics SL's current {label} period is {current[4:]}-{current[:4]}; change the document date "
                    "in Manage or reopen the period in SL", doc, f"dated {doc.date:%Y-%m-%d}, period "
                    f"{period[4:]}-{period[:4]}")
    currency = doc.currency or ref.base_currency
    if currency not in ref.currencies:
        out.add(f"Currency {currency} not in Dynamics SL", "Add it on SL's Currency Maintenance screen, or correct "
                "the currency in Manage", doc)
    elif currency != ref.base_currency:
        if int(ref.gl_setup.get("mcactive") or 0) != 1:
            out.add("Multicurrency is not active in Dynamics SL", "Activate Multicurrency in SL, or post only "
                    f"{ref.base_currency} documents", doc, f"currency {currency}")
        elif ref.rate(currency, doc.date) is None:
            out.add(f"No {currency} to {ref.base_currency} rate in Dynamics SL on the document date",
                    "Enter the rate on SL's Currency Rate Maintenance screen", doc, f"dated {doc.date:%Y-%m-%d}")


def _check_account(account: str, role: str, doc: Document, ref: SLReference, out: _Problems) -> None:
    if not account.strip():
        out.add("No GL account", "Set the account on Manage's System > Setup Tables > GL Accounts", doc, role)
        return
    acct, sub = split_account(account)
    if len(acct) > WIDTH["Acct"] or len(sub) > WIDTH["Sub"]:
        out.add(f"GL account {account} does not fit Dynamics SL (account at most {WIDTH['Acct']}, subaccount at most "
                f"{WIDTH['Sub']} characters)", "Correct the account segments on Manage's System > Setup Tables > "
                "GL Accounts", doc, role)
        return
    if not sub:
        out.add(f"GL account {account} has no subaccount segment", "SL posts every line to an account and a "
                "subaccount: give the Manage account a second Account-type segment on System > Setup Tables > "
                "GL Accounts", doc, role)
        return
    if acct not in ref.accounts:
        out.add(f"GL account {acct} not in Dynamics SL", GL_ACCOUNTS_FIX, doc, f"{role}: {account}")
    elif not ref.accounts[acct]:
        out.add(f"GL account {acct} is inactive in Dynamics SL", "Activate it on SL's Chart of Accounts "
                "Maintenance screen", doc, f"{role}: {account}")
    elif sub not in ref.subaccounts:
        out.add(f"Subaccount {sub} not in Dynamics SL", SUB_FIX, doc, f"{role}: {account}")
    elif not ref.subaccounts[sub]:
        out.add(f"Subaccount {sub} is inactive in Dynamics SL", "Activate it on SL's Subaccount Maintenance screen",
                doc, f"{role}: {account}")
    elif not ref.account_ok(acct, sub):
        out.add(f"Account {acct} with subaccount {sub} is not a valid combination for company {ref.company_id}",
                "SL validates account/subaccount combinations: add it on SL's Account/Subaccount Maintenance screen",
                doc, f"{role}: {account}")


def _check_terms(terms: str, doc: Document, ref: SLReference, out: _Problems) -> None:
    if not terms:
        return
    if not is_terms_id(terms):
        out.add(f"Terms xref '{terms}' is not an integer of at most 2 characters",
                "Set the Terms Xref on Manage's System > Setup Tables > Billing Terms to the SL Terms ID (e.g. 01)",
                doc)
        return
    found = ref.terms.get(terms)
    if found is None:
        out.add(f"Terms {terms} not in Dynamics SL", "Add the terms on SL's Terms Maintenance screen, or correct the "
                "Terms Xref on Manage's System > Setup Tables > Billing Terms", doc)
    elif (found.get("termstype") or "").strip() == "M":
        out.add(f"Terms {terms} are multiple-installment terms in Dynamics SL",
                "Installment terms need installment schedules the integration does not create: map the Manage "
                "billing terms to single-payment SL terms", doc)


def _check_taxes(doc: SalesDocument | PurchaseDocument, sales: bool, ref: SLReference, out: _Problems) -> None:
    levels = [t for t in doc.taxes if t.amount != 0 or t.agency_xref]
    if not levels:
        return
    group = tax_group(doc)
    if len(levels) > 4:
        out.add("More than 4 tax levels", "SL documents carry at most 4 tax ids: reduce the levels of the Manage "
                "tax code", doc, f"{len(levels)} levels")
    if not group:
        out.add("No tax code on the document", "Set the Tax Code Xref of each level on Manage's System > Setup "
                "Tables > Tax Codes", doc)
    elif len(group) > WIDTH["TaxId"]:
        out.add(f"Tax code '{group}' is longer than an SL tax group id ({WIDTH['TaxId']} characters)",
                "Shorten the Manage tax code / Tax Code Xref", doc)
    elif group not in ref.groups:
        out.add(f"Tax group {group} not in Dynamics SL", "Create the group on SL's Tax Group Maintenance screen with "
                "Group ID equal to the Manage Tax Code, and add each level's tax to it", doc)
    for level in levels:
        _check_tax_level(level, group, doc, sales, ref, out)


def _check_tax_level(level: TaxLevelAmount, group: str, doc: Document, sales: bool, ref: SLReference,
                     out: _Problems) -> None:
    where = f"tax level {level.level}"
    agency = level.agency_xref
    if not agency:
        out.add("Tax level has no agency xref", "Set the Agency Xref of the level on Manage's System > Setup Tables "
                "> Tax Codes to the SL Tax ID", doc, where)
        return
    if len(agency) > WIDTH["TaxId"]:
        out.add(f"Agency xref '{agency}' is longer than an SL Tax ID ({WIDTH['TaxId']} characters)",
                "Shorten the Agency Xref on Manage's System > Setup Tables > Tax Codes and the SL Tax ID to match", doc,
                where)
        return
    tax = ref.taxes.get(agency)
    if tax is None:
        out.add(f"Tax ID {agency} not in Dynamics SL", "Create the tax on SL's Tax Maintenance screen with Tax ID "
                "equal to the level's Agency Xref", doc, where)
        return
    if group in ref.groups and agency not in ref.groups[group]:
        out.add(f"Tax ID {agency} is not in tax group {group}", "Add the tax to the group on SL's Tax Group "
                "Maintenance screen", doc, where)
    expected = percent(level.rate)
    if tax.rate != expected:
        out.add(f"Tax rate of {agency} differs: Manage {level.rate} (= {expected}%), Dynamics SL {tax.rate}%",
                "Manage keeps the rate as a fraction and SL as a percentage (0.05 in Manage = 5 in SL): correct "
                "whichever is wrong", doc, where)
    if level.account:
        acct, sub = split_account(level.account)
        have = tax.sales_account if sales else tax.purchase_account
        tab = "Sales Accounts" if sales else "Purchasing Accounts"
        if not have[0]:
            out.add(f"Tax {agency} has no {'sales' if sales else 'purchase'} tax account in Dynamics SL",
                    f"Set the tax payable account on the {tab} tab of SL's Tax Maintenance screen", doc, where)
        elif have != (acct, sub):
            out.add(f"Tax payable account of {agency} differs: Manage {level.account}, Dynamics SL "
                    f"{have[0]}-{have[1]}", f"Make the {tab} tab of SL's Tax Maintenance screen match the level's "
                    "account in Manage", doc, where)
        _check_account(level.account, where, doc, ref, out)


def _check_item(item: ItemRef, doc: Document, ref: SLReference, out: _Problems, where: str,
                needs_site: bool) -> dict | None:
    code = item.code
    if not code:
        return None
    if len(code) > WIDTH["InvtID"]:
        out.add(f"Item '{code}' is longer than an SL Inventory ID ({WIDTH['InvtID']} characters)",
                "Shorten the product identifier on Manage's Procurement > Product Catalog", doc, where)
        return None
    found = ref.items.get(code)
    new = out.new_items.get(code)
    if found is None and new is not None:
        found = {"stkitem": int(new.stock), "transtatuscode": ""}  # created before the documents post
    if found is None:
        out.add(f"Item {code} not in Dynamics SL", "Add the item on SL's Inventory Items screen with Inventory ID "
                "equal to the Manage product identifier", doc, where)
        return None
    if (found.get("transtatuscode") or "").strip() in ("IN", "DE"):
        out.add(f"Item {code} is inactive in Dynamics SL", "Set the item's status to active on SL's Inventory Items "
                "screen", doc, where)
    if needs_site:
        _check_site(item.location_xref, code, doc, ref, out, where)
    return found


def _check_site(location: str, code: str, doc: Document, ref: SLReference, out: _Problems, where: str) -> None:
    if not location:
        out.add("No warehouse location xref", "Set the Location Xref of the warehouse on Manage's Procurement > "
                "Warehouses to the SL Site ID", doc, where)
    elif len(location) > WIDTH["SiteId"] or location not in ref.sites:
        out.add(f"Site {location} not in Dynamics SL", "Add the site on SL's Site Maintenance screen, or set the "
                "warehouse Location Xref in Manage to an existing Site ID", doc, where)
    elif code and (code, location) not in ref.item_sites and code not in out.new_items:
        out.add(f"Item {code} is not set up at site {location} in Dynamics SL",
                "Add the item to the site on SL's Inventory Sites screen", doc, where)


# --- per kind --------------------------------------------------------------------------------

def _check_sales(doc: SalesDocument, ref: SLReference, out: _Problems, to_create: set[str]) -> None:
    cust = doc.customer.account
    if not doc.number or len(doc.number) > WIDTH["ARRefNbr"]:
        out.add(f"Invoice number '{doc.number}' does not fit an SL reference number ({WIDTH['ARRefNbr']} characters)",
                "Use shorter invoice numbers in Manage (Finance > Billing setup)", doc)
    if not cust:
        out.add("Company has no Account number", f"Set the Account on Manage's Finance > Company Finance for "
                f"'{doc.customer.name}' to its SL Customer ID", doc)
    elif len(cust) > WIDTH["CustId"]:
        out.add(f"Account '{cust}' is longer than an SL Customer ID ({WIDTH['CustId']} characters)",
                "Shorten the Account on Manage's Finance > Company Finance", doc)
    elif cust in ref.customers:
        if (ref.customers[cust].get("status") or "").strip() == "I":
            out.add(f"Customer {cust} is inactive in Dynamics SL", "Activate it on SL's Customer Maintenance screen",
                    doc)
    elif cust not in to_create:
        out.add(f"Customer {cust} not in Dynamics SL", "Add it on SL's Customer Maintenance screen, or set the "
                "company's Account on Manage's Finance > Company Finance to an existing Customer ID", doc)
    if doc.receivable_account:
        _check_account(doc.receivable_account, "receivable", doc, ref, out)
    elif not (ref.customers.get(cust, {}).get("aracct") or ref.ar_setup.get("aracct")):
        out.add("No receivable account", "Set the AR account on Manage's GL Accounts or on SL's AR Setup", doc)
    _check_terms(doc.terms, doc, ref, out)
    _check_taxes(doc, True, ref, out)
    for n, line in enumerate(doc.lines, start=1):
        where = f"line {n}"
        _check_account(line.account, where, doc, ref, out)
        if line.item is not None:
            _check_item(line.item, doc, ref, out, where, needs_site=line.item.is_inventory)
            if line.item.is_inventory and line.cost:
                _check_account(line.item.cost_account, f"{where} cost of goods sold", doc, ref, out)
                _check_account(line.item.inventory_account, f"{where} inventory", doc, ref, out)


def _check_purchase(doc: PurchaseDocument, ref: SLReference, out: _Problems, to_create: set[str]) -> None:
    vend = doc.vendor.account
    if not vend:
        if doc.employee:
            out.add("Member has no Vendor Nbr", f"Set the Vendor Nbr of member '{doc.vendor.name}' on Manage's "
                    "System > Members to their SL Vendor ID", doc)
        else:
            out.add("Vendor has no Vendor XRef", f"Set the Vendor XRef of '{doc.vendor.name}' on Manage's Finance > "
                    "Company Finance to its SL Vendor ID", doc)
    elif len(vend) > WIDTH["VendId"]:
        out.add(f"Vendor '{vend}' is longer than an SL Vendor ID ({WIDTH['VendId']} characters)",
                "Shorten the Vendor XRef / Vendor Nbr in Manage", doc)
    elif vend in ref.vendors:
        if (ref.vendors[vend].get("status") or "").strip() == "I":
            out.add(f"Vendor {vend} is inactive in Dynamics SL", "Activate it on SL's Vendor Maintenance screen", doc)
    elif doc.employee:
        out.add(f"Member vendor {vend} not in Dynamics SL", "Members are never created: add a vendor with this "
                "Vendor ID on SL's Vendor Maintenance screen, or correct the member's Vendor Nbr on Manage's System "
                "> Members", doc)
    elif vend not in to_create:
        out.add(f"Vendor {vend} not in Dynamics SL", "Add it on SL's Vendor Maintenance screen, or correct the "
                "Vendor XRef on Manage's Finance > Company Finance", doc)
    invoice_number = voucher_invoice_number(doc)
    if not invoice_number or len(invoice_number) > WIDTH["InvcNbr"]:
        out.add(f"Invoice number '{invoice_number}' does not fit SL's vendor invoice number ({WIDTH['InvcNbr']} "
                "characters)", "Shorten the vendor invoice number in Manage", doc)
    if len(doc.po_number) > WIDTH["PONbr"]:
        out.add(f"PO number '{doc.po_number}' does not fit SL's PO number ({WIDTH['PONbr']} characters)",
                "Use shorter purchase order numbers in Manage", doc)
    if doc.payable_account:
        _check_account(doc.payable_account, "payable", doc, ref, out)
    elif not (ref.vendors.get(vend, {}).get("apacct") or ref.ap_setup.get("apacct")):
        out.add("No payable account", "Set the AP account on Manage's GL Accounts or on SL's AP Setup", doc)
    _check_terms(doc.terms, doc, ref, out)
    _check_taxes(doc, False, ref, out)
    for n, line in enumerate(doc.lines, start=1):
        where = f"line {n}"
        account = receipt_account(line) if doc.kind == DocumentKind.ITEM_RECEIPT else line.account
        _check_account(account, where, doc, ref, out)
        if line.item is not None:
            _check_item(line.item, doc, ref, out, where, needs_site=line.item.is_inventory)


def _check_adjustment(doc: InventoryAdjustment, ref: SLReference, out: _Problems) -> None:
    if len(doc.number) > WIDTH["INRefNbr"]:
        out.add(f"Adjustment number '{doc.number}' does not fit SL's reference number", "Shorten it in Manage", doc)
    for n, line in enumerate(doc.lines, start=1):
        where = f"line {n}"
        found = _check_item(line.item, doc, ref, out, where, needs_site=False)
        if found is not None:
            rule = (f", warehouse {line.warehouse}" + (f": {line.warehouse_rule}" if line.warehouse_rule else "")
                    if line.warehouse else "")
            _check_site(adjustment_site(line, ref), line.item.code, doc, ref, out, where + rule)
        if found is not None and int(found.get("stkitem") or 0) != 1:
            out.add(f"Item {line.item.code} is not a stock item in Dynamics SL", "Only stock items can be adjusted: "
                    "make it a stock item in SL or a non-inventory product in Manage", doc, where)
        _check_account(line.item.inventory_account, f"{where} inventory", doc, ref, out)
        _check_account(line.offset_account, f"{where} adjustment", doc, ref, out)


def _check_transfer(doc: InventoryTransfer, ref: SLReference, out: _Problems) -> None:
    if not (ref.in_setup.get("inclearingacct") or "").strip():
        out.add("No inventory clearing account in Dynamics SL", "Set the In-Transit (clearing) account on SL's "
                "Inventory Setup screen", doc)
    for n, line in enumerate(doc.lines, start=1):
        where = f"line {n}"
        found = _check_item(line.item, doc, ref, out, where, needs_site=False)
        if found is not None and int(found.get("stkitem") or 0) != 1:
            out.add(f"Item {line.item.code} is not a stock item in Dynamics SL", "Only stock items can be "
                    "transferred", doc, where)
        for side, location in (("from", line.from_location), ("to", line.to_location)):
            _check_site(location, line.item.code, doc, ref, out, f"{where} {side} warehouse")
        # An empty account falls back on the site's inventory account when posting.
        for side, account in (("from", transfer_source_account(line)), ("to", line.item.inventory_account)):
            if account:
                _check_account(account, f"{where} {side} inventory", doc, ref, out)
        if line.from_location and line.from_location == line.to_location:
            out.add("Transfer between the same site", "Choose two different warehouses in Manage", doc, where)
