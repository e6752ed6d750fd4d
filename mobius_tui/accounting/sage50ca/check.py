"""Seed 000's mapping rules, checked against the Sage 50 reference before anything is written.

Every problem at once; one ``cause`` text (and ``fix``) per missing mapping, so the summary can group
the documents it breaks. Notices (records that will be created, inventory moves that Sage 50 cannot
take as such) do not block.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.sage50ca import classes
from mobius_tui.accounting.sage50ca.accounts import account_digits, account_id, account_problem
from mobius_tui.accounting.sage50ca.reference import Sage50Reference
from mobius_tui.accounting.sage50ca.requests import purchase_number
from mobius_tui.documents.model import (
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    ItemRef,
    JournalEntry,
    Line,
    Plan,
    PurchaseDocument,
    SalesDocument,
    TaxLevelAmount,
)

NAME_MAX = 52  # customer, vendor and item names / part codes (Import File Layout limits)
INVOICE_NUMBER_MAX = 20
JOURNAL_SOURCE_MAX = 12  # the general journal's Source [UNCONFIRMED: 12 to 20 by release]
_ACCOUNT_FIX = ("Enter the Sage 50 account number on the GL account mapping in Manage (System > Setup Tables > "
                "GL Accounts), or correct the account delimiter on the Sage 50 login.")
_TAX_SETUP = "Setup > Settings > Company > Sales Taxes"


@dataclass(frozen=True)
class _PartyWords:
    """What the check says about a customer or a vendor, where the two differ."""

    noun: str
    ledger: str  # where Sage 50 keeps them
    shorten: str  # the fix for a name too long
    create: str  # the fix for one missing


_CUSTOMER = _PartyWords("customer", "Receivables > Customers", "Shorten the company name in Manage.",
                        "Create the customer in Sage 50 with exactly the Manage company name, or include the "
                        "company in the export.")
_VENDOR = _PartyWords("vendor", "Payables > Vendors", "Shorten the name in Manage.",
                      "Create the vendor in Sage 50 with exactly the Manage company name.")


@dataclass
class _Check:
    plan: Plan
    ref: Sage50Reference
    delimiter: str
    vendor_invoice_module: bool
    announced: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.new_customers = {c.name: c for c in self.plan.customers if c.name}
        self.new_vendors = {v.name: v for v in self.plan.vendors if v.name and not v.is_member}

    def run(self) -> list[Problem]:
        out: list[Problem] = []
        for doc in self.plan.documents:
            out += self._document(doc)
        return out

    def _problem(self, doc: Document | None, cause: str, fix: str, detail: str = "",
                 severity: Severity = Severity.ERROR) -> Problem:
        return Problem(cause, fix, doc.origin if doc else None, detail, severity)

    def _once(self, key: str, problem: Problem) -> Iterator[Problem]:
        if key not in self.announced:
            self.announced.add(key)
            yield problem

    def _document(self, doc: Document) -> list[Problem]:
        out = list(self._dates(doc))
        seen: set[str] = set()
        for account, role in _accounts(doc):
            if account not in seen:
                seen.add(account)
                out += self._account(doc, account, role)
        if isinstance(doc, (SalesDocument, PurchaseDocument)):
            out += self._control_account(doc)
        if isinstance(doc, SalesDocument):
            out += self._number(doc, doc.number, INVOICE_NUMBER_MAX, "invoice number")
            out += self._customer(doc)
            out += self._currency(doc)
            out += self._taxes(doc, doc.taxes, doc.tax_code, sales=True)
            out += self._items(doc, doc.lines)
        elif isinstance(doc, PurchaseDocument):
            out += self._number(doc, purchase_number(doc, self.vendor_invoice_module), INVOICE_NUMBER_MAX, "invoice number")
            out += self._vendor(doc)
            out += self._currency(doc)
            out += self._taxes(doc, doc.taxes, doc.tax_code, sales=False)
            out += self._items(doc, doc.lines)
            if doc.kind == DocumentKind.ITEM_RECEIPT and self.vendor_invoice_module:
                out += self._vendor_invoice(doc)
        elif isinstance(doc, JournalEntry):
            out += self._number(doc, doc.number, JOURNAL_SOURCE_MAX, "journal source")
            out += self._currency(doc)
        elif isinstance(doc, (InventoryAdjustment, InventoryTransfer)):
            out += self._inventory(doc)
        return out

    # --- rules -----------------------------------------------------------------------------

    def _dates(self, doc: Document) -> Iterator[Problem]:
        ref = self.ref
        if ref.fiscal_start and doc.date < ref.fiscal_start:
            yield self._problem(doc, f"Dated before Sage 50's fiscal year ({ref.fiscal_start:%Y-%m-%d})",
                                "Post it in the company's previous year by hand, or change the date in Manage.",
                                f"dated {doc.date:%Y-%m-%d}")
        elif ref.fiscal_end and doc.date > ref.fiscal_end:
            yield self._problem(doc, f"Dated after Sage 50's fiscal year end ({ref.fiscal_end:%Y-%m-%d})",
                                "Start the new fiscal year in Sage 50 (Maintenance > Start New Year) first.",
                                f"dated {doc.date:%Y-%m-%d}")
        elif ref.session_date and doc.date > ref.session_date and not ref.allow_future:
            yield self._problem(doc, f"Dated after the Sage 50 session date ({ref.session_date:%Y-%m-%d})",
                                "Advance the session date in Sage 50, or allow transactions in the future "
                                "(Setup > Settings > Company > System).", f"dated {doc.date:%Y-%m-%d}")

    def _number(self, doc: Document, number: str, limit: int, what: str) -> Iterator[Problem]:
        if len(number) > limit:
            yield self._problem(doc, f"The {what} {number} is longer than Sage 50's {limit} characters",
                                "Shorten the number in Manage.")

    def _account(self, doc: Document, account: str, role: str) -> Iterator[Problem]:
        why = account_problem(account, self.delimiter, self.ref.account_length)
        if why:
            yield self._problem(doc, why, _ACCOUNT_FIX, role)
            return
        digits = account_digits(account, self.delimiter)
        found = self.ref.accounts.get(account_id(digits))
        if found is None:
            yield self._problem(doc, f"GL account {digits} does not exist in Sage 50",
                                "Create it in Sage 50 (Company > Chart of Accounts) or correct the mapping in "
                                f"Manage; accounts are never created (Manage account {account}).", role)
        elif not found.postable:
            state = "inactive" if found.inactive else "a heading or total, not a postable account"
            yield self._problem(doc, f"GL account {digits} is {state} in Sage 50",
                                "Make it an active postable account in Sage 50, or map another account.", role)

    def _control_account(self, doc: SalesDocument | PurchaseDocument) -> Iterator[Problem]:
        """Sage 50 posts an invoice's balance to the linked receivables or payables account of its
        currency, whatever Manage sends: say so when Manage's account is another one."""
        sales = isinstance(doc, SalesDocument)
        manage = doc.receivable_account if sales else doc.payable_account
        currency = doc.currency or self.ref.home_currency
        linked = self.ref.linked.get(currency, (0, 0))[0 if sales else 1]
        if not linked or account_problem(manage, self.delimiter, self.ref.account_length):
            return
        digits = account_digits(manage, self.delimiter)
        if account_id(digits) != linked:
            what = "receivables" if sales else "payables"
            shown = str(linked).zfill(8)[:self.ref.account_length]
            yield self._problem(doc, f"Sage 50 posts {currency} {what} to its linked account {shown}, not to "
                                f"Manage's {digits}", f"Nothing to do if that is right; otherwise change the linked "
                                f"{what} account in Sage 50 or the account in Manage.", severity=Severity.NOTICE)

    def _customer(self, doc: SalesDocument) -> Iterator[Problem]:
        yield from self._party(doc, doc.customer.name, self.ref.customers, self.new_customers, _CUSTOMER)

    def _vendor(self, doc: PurchaseDocument) -> Iterator[Problem]:
        if not doc.vendor.account:
            return  # the plan already reports a vendor without a vendor number / xref
        yield from self._party(doc, doc.vendor.name, self.ref.vendors, self.new_vendors, _VENDOR,
                               member=doc.employee)

    def _party(self, doc: Document, name: str, known: Mapping[str, Any], new: Mapping[str, Any],
               words: _PartyWords, member: bool = False) -> Iterator[Problem]:
        """The customer or vendor ``doc`` names: in Sage 50 and active, or created by the run (said once)."""
        title = words.noun.capitalize()
        if not name:
            return  # the plan already reports a party without a name
        if len(name) > NAME_MAX:
            yield self._problem(doc, f"{title} name '{name}' is longer than Sage 50's {NAME_MAX} characters",
                                words.shorten)
            return
        found = known.get(name)
        if found is not None:
            if found.inactive:
                yield self._problem(doc, f"{title} '{name}' is inactive in Sage 50",
                                    f"Make the {words.noun} active in Sage 50 ({words.ledger}).")
            return
        if member:
            yield self._problem(doc, f"{title} '{name}' for a Manage member does not exist in Sage 50",
                                "Create the member as a vendor in Sage 50 with exactly this name; members are "
                                "never created.")
            return
        if name not in new:
            yield self._problem(doc, f"{title} '{name}' does not exist in Sage 50", words.create)
            return
        yield from self._once(f"{words.noun}:{name}", self._problem(
            None, f"{title} '{name}' will be created in Sage 50", "Nothing to do; check its details in Sage 50 "
            "after the run.", severity=Severity.NOTICE))

    def _currency(self, doc: Document) -> Iterator[Problem]:
        currency = doc.currency or self.ref.home_currency
        name, what, new_currency = "", "", ""
        if isinstance(doc, SalesDocument):
            name, what = doc.customer.name, "Customer"
            record = self.new_customers.get(name)
            new_currency = (record.currency or self.ref.home_currency) if record else ""
            party = self.ref.customers.get(name)
        elif isinstance(doc, PurchaseDocument):
            name, what = doc.vendor.name, "Vendor"
            party = self.ref.vendors.get(name)
        else:
            party = None
        kept_in = party.currency if party else new_currency
        if kept_in and kept_in != currency:
            yield self._problem(doc, f"{what} '{name}' is kept in {kept_in} in Sage 50",
                                "Post the document in the customer's or vendor's currency, or change their currency "
                                "in Sage 50.", f"document in {currency}")
        if currency == self.ref.home_currency:
            return
        if currency not in self.ref.currencies:
            yield self._problem(doc, f"Currency {currency} is not set up in Sage 50",
                                "Turn on multiple currencies and add it (Setup > Settings > Company > Currency).")
        elif self.ref.rate(currency, doc.date) is None:
            yield self._problem(doc, f"Sage 50 has no {currency} exchange rate on or before {doc.date:%Y-%m-%d}",
                                "Enter the exchange rate in Sage 50 (Setup > Settings > Company > Currency > "
                                "Exchange Rates).")

    def _taxes(self, doc: Document, taxes: list[TaxLevelAmount], code: str, sales: bool) -> Iterator[Problem]:
        if not any(t.amount for t in taxes):
            return  # no tax charged: Sage's "No Tax" code, whatever Manage called it
        if len(code) > 2 or not code:
            yield self._problem(doc, f"Tax code '{code}' is not a two-character Sage 50 tax code",
                                "Give the Manage tax code and its level tax code xrefs the two-character code of "
                                f"the Sage 50 tax code ({_TAX_SETUP} > Tax Codes).")
            return
        taxes_of_code = self.ref.tax_codes.get(code)
        if taxes_of_code is None:
            yield self._problem(doc, f"Tax code {code} does not exist in Sage 50",
                                f"Create tax code {code} in Sage 50 ({_TAX_SETUP} > Tax Codes) with one tax per "
                                "Manage tax level.")
            return
        for level in taxes:
            name = level.agency_xref
            tax = self.ref.taxes.get(name)
            if tax is None:
                yield self._problem(doc, f"Tax '{name}' does not exist in Sage 50",
                                    f"Create a tax named exactly as the Manage agency xref in Sage 50 ({_TAX_SETUP} "
                                    "> Taxes).", f"tax code {code} level {level.level}")
                continue
            if name not in taxes_of_code:
                yield self._problem(doc, f"Sage 50 tax code {code} has no tax '{name}'",
                                    f"Add tax '{name}' to tax code {code} in Sage 50 ({_TAX_SETUP} > Tax Codes).",
                                    f"level {level.level}")
                continue
            percent = (level.rate * 100).normalize()
            if taxes_of_code[name] != percent:
                yield self._problem(doc, f"Sage 50 tax code {code} charges {taxes_of_code[name]:f}% {name}, Manage "
                                    f"{percent:f}%", "Make the rates the same in Manage and Sage 50.",
                                    f"level {level.level}")
            if level.account:
                expected = tax.sales_account if sales else tax.purchase_account
                why = account_problem(level.account, self.delimiter, self.ref.account_length)
                digits = account_digits(level.account, self.delimiter)
                if not why and account_id(digits) != expected:
                    track = "charged on sales" if sales else "paid on purchases"
                    yield self._problem(doc, f"Sage 50 tax '{name}' tracks tax {track} in account "
                                        f"{str(expected).zfill(8)[:self.ref.account_length]}, Manage posts it to "
                                        f"{digits}", f"Make the accounts the same ({_TAX_SETUP} > Taxes, or the tax's "
                                        "Sales Tax Payable account in Manage).", f"level {level.level}")
            if level.piggyback:
                for earlier in taxes:
                    if earlier.level < level.level and earlier.agency_xref in self.ref.taxes and \
                            name not in self.ref.taxes[earlier.agency_xref].charged_by:
                        yield self._problem(doc, f"Sage 50 tax '{earlier.agency_xref}' is not taxable by '{name}' "
                                            "(PST on GST)", f"In Sage 50 ({_TAX_SETUP} > Taxes) set 'Is this tax "
                                            f"taxable?' of {earlier.agency_xref} and tick {name} in its Taxable Tax "
                                            "List.")

    def _items(self, doc: Document, lines: list[Line]) -> Iterator[Problem]:
        for line in lines:
            if line.item is None or not line.item.code:
                continue
            item = line.item
            code = item.code.upper()
            yield from self._location(doc, item)
            if len(code) > NAME_MAX:
                yield self._problem(doc, f"Product {code} is longer than Sage 50's {NAME_MAX} characters",
                                    "Shorten the Product ID in Manage (Procurement > Product Catalog).")
                continue
            found = self.ref.items.get(code)
            if found is not None:
                if found.inactive:
                    yield self._problem(doc, f"Product {code} is inactive in Sage 50",
                                        "Make the item active in Sage 50 (Inventory & Services).")
                elif found.service == item.is_inventory:
                    kind = "a service" if found.service else "an inventory"
                    yield self._problem(doc, f"Product {code} is {kind} item in Sage 50 but a{'n' if item.is_inventory else ''} "
                                        f"{item.item_type or 'untyped'} product in Manage",
                                        "Make the Manage product type's Type Xref match the Sage 50 item type.")
                continue
            yield from self._new_item(doc, item, code)

    def _new_item(self, doc: Document, item: ItemRef, code: str) -> Iterator[Problem]:
        """Seed 000: inventory parts become inventory items with a COGS-class cost account; every other
        type becomes a service item with an expense-class account."""
        if item.cost_account and not account_problem(item.cost_account, self.delimiter, self.ref.account_length):
            digits = account_digits(item.cost_account, self.delimiter)
            account = self.ref.accounts.get(account_id(digits))
            if account is not None:
                wanted = classes.COGS if item.is_inventory else classes.EXPENSE
                if account.account_class not in wanted:
                    need = "Cost of Goods Sold" if item.is_inventory else "Expense"
                    kind = "inventory" if item.is_inventory else "service"
                    yield self._problem(doc, f"Product {code} would be a Sage 50 {kind} item, which needs a {need} "
                                        f"class account; account {digits} is class "
                                        f"{classes.class_name(account.account_class)}",
                                        f"Set the account's class to {need} in Sage 50 (Class Options tab), or map "
                                        "the product's cost to another account in Manage.")
        kind = "an inventory" if item.is_inventory else "a service"
        yield from self._once(f"item:{code}", self._problem(
            None, f"Product {code} will be created in Sage 50 as {kind} item", "Nothing to do; check its prices "
            "and accounts in Sage 50 after the run.", severity=Severity.NOTICE))

    def _location(self, doc: Document, item: ItemRef) -> Iterator[Problem]:
        """Seed 000: location xref n is the n-th location in Sage's Locations setup."""
        xref = item.location_xref.strip()
        if not xref or not item.is_inventory or not self.ref.locations:
            return
        if not xref.isdigit() or not 1 <= int(xref) <= len(self.ref.locations):
            yield self._problem(doc, f"Warehouse location xref {xref} has no Sage 50 location",
                                f"Set the warehouse's Location Xref in Manage to the position of its Sage 50 location "
                                f"(Setup > Settings > Inventory & Services > Locations: "
                                f"{', '.join(self.ref.locations)}).")

    def _vendor_invoice(self, doc: PurchaseDocument) -> Iterator[Problem]:
        if not doc.vendor_invoice_number:
            yield self._problem(doc, "Item receipt has no vendor invoice number",
                                "Enter the Vendor Invoice # on the purchase order in Manage, or turn off the vendor "
                                "invoice number module on the Sage 50 login.")
        if not self.ref.purchase_orders:
            yield self._problem(doc, "Sage 50 orders for suppliers are turned off",
                                "Turn on 'Orders for Suppliers' in Sage 50 (Setup > Settings > Company > Features), "
                                "or turn off the vendor invoice number module.")

    def _inventory(self, doc: InventoryAdjustment | InventoryTransfer) -> Iterator[Problem]:
        what = "adjustment" if isinstance(doc, InventoryAdjustment) else "transfer between locations"
        for line in doc.lines:
            yield from self._location(doc, line.item)
        yield self._problem(doc, f"Sage 50 has no journal for an inventory {what}",
                            "Its value posts as a general journal entry; enter the quantities by hand from the "
                            "worksheet the run saves (Inventory & Services > Adjustments / Transfers).",
                            severity=Severity.NOTICE)


def _accounts(doc: Document) -> list[tuple[str, str]]:
    """Every GL account a document posts to, with what it is for."""
    out: list[tuple[str, str]] = []
    if isinstance(doc, SalesDocument):
        out.append((doc.receivable_account, "receivable account"))
        for line in doc.lines:
            out.append((line.account, "line account"))
            if line.item and line.item.code and line.item.cost_account:
                out.append((line.item.cost_account, f"cost account of {line.item.code.upper()}"))
        out += [(t.account, f"tax level {t.level} account") for t in doc.taxes if t.account and t.amount]
    elif isinstance(doc, PurchaseDocument):
        out.append((doc.payable_account, "payable account"))
        out += [(line.account, "line account") for line in doc.lines]
        out += [(t.account, f"tax level {t.level} account") for t in doc.taxes if t.account and t.amount]
    else:
        out += [(p.account, p.description or "journal line") for p in doc.postings()]
    return out


def check(plan: Plan, ref: Sage50Reference, delimiter: str = ":", vendor_invoice_module: bool = False
          ) -> list[Problem]:
    return _Check(plan, ref, delimiter, vendor_invoice_module).run()


