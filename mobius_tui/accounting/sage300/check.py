"""Seed 001's mapping rules, checked against the Sage 300 reference before anything is written.

Every problem is returned at once; the same ``cause`` text (and ``fix``) for every document a
missing mapping breaks, so the summary can say "GL account 6400-20 missing — 3 expenses" once.
Notices (customers and vendors that will be created, inventory going to the G/L) do not block.
"""

from __future__ import annotations

from collections.abc import Iterator

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.near_miss import NearMissIndex, did_you_mean
from mobius_tui.accounting.sage300.payloads import (
    DOCUMENT_NUMBER_MAX,
    Target,
    adjustment_location,
    sells_stock,
    tax_group,
    tax_type,
    target,
    untaxed_slots,
    vendor_terms,
)
from mobius_tui.accounting.sage300.reference import MODULE_NAMES, Sage300Reference
from mobius_tui.documents.model import (
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    MoveLine,
    Plan,
    Posting,
    PurchaseDocument,
    SalesDocument,
)

_RIGHTS = {
    "GL": "Journal Entry",
    "AR": "Customer Maintenance and Invoice Entry",
    "AP": "Vendor Maintenance and Invoice Batch Entry",
    "TX": "Tax Services inquiry",
    "IC": "Adjustments and Transfers",
}
_NEEDS = {Target.AR: ("AR", "TX"), Target.AP: ("AP", "TX"), Target.GL: ("GL",), Target.IC: ("IC",)}


def check_plan(plan: Plan, ref: Sage300Reference) -> list[Problem]:
    problems: list[Problem] = []
    new_customers = {c.account: c for c in plan.customers if c.account}
    new_vendors = {v.account: v for v in plan.vendors if v.account and not v.is_member}
    announced: set[str] = set()
    created_in: dict[str, str] = {}  # new vendor → the currency of the first document that creates it
    similar = _Similar(ref)
    for doc in plan.documents:
        where = target(doc, ref.inventory)
        problems += _modules(doc, where, ref)
        problems += _numbering(doc, where)
        problems += _accounts(doc, ref)
        if isinstance(doc, SalesDocument):
            problems += _customer(doc, ref, new_customers, announced, similar)
            problems += _tax(doc, ref)
            if doc.terms and "AR" not in ref.unavailable and doc.terms not in ref.ar_terms:
                problems.append(_terms(doc, doc.terms, "A/R"))
        elif isinstance(doc, PurchaseDocument):
            problems += _vendor(doc, ref, new_vendors, announced, similar, created_in)
            problems += _tax(doc, ref)
            if doc.terms and "AP" not in ref.unavailable and doc.terms not in ref.ap_terms:
                problems.append(_terms(doc, doc.terms, "A/P"))
        elif isinstance(doc, (InventoryAdjustment, InventoryTransfer)):
            problems += _inventory(doc, where, ref)
        if doc.imbalance():
            problems.append(Problem(
                "Document does not balance", "Correct the amounts of the record in Manage and export it again.",
                doc.origin, f"off by {doc.imbalance()}"))
    problems += [Problem(f"Sage 300 field missing: {text}", "Nothing to do, unless your Sage 300 build should have "
                         "it: then update the Web API and run again.", None, severity=Severity.NOTICE)
                 for text in ref.names.missing]
    return problems


def _modules(doc: Document, where: Target, ref: Sage300Reference) -> Iterator[Problem]:
    for module in _NEEDS[where]:
        reason = ref.unavailable.get(module)
        if reason is None:
            continue
        name = MODULE_NAMES[module]
        if reason == "not activated":
            yield Problem(f"{name} is not activated in this Sage 300 company",
                          f"Activate {name} in Sage 300 (these documents need it), or leave these records "
                          "out of the batch.", doc.origin)
        else:
            yield Problem(f"Sage 300 user {ref.user} may not use {name} through the Web API",
                          f"In Administrative Services > Security Groups give the user's group the "
                          f"'Sage 300 Web API' right and {_RIGHTS[module]} for {name}; assign the user in "
                          "User Authorizations.", doc.origin)


def _numbering(doc: Document, where: Target) -> Iterator[Problem]:
    if where in (Target.AR, Target.AP) and len(doc.number) > DOCUMENT_NUMBER_MAX:
        yield Problem(f"Document number is longer than Sage 300's {DOCUMENT_NUMBER_MAX} characters",
                      "Shorten the number in Manage (invoice number, or the bill's reference).", doc.origin,
                      doc.number)


def _cost_accounts(doc: Document) -> Iterator[Posting]:
    """The cost of sales entry of inventory sold, which Sage 300 books from the invoice lines."""
    if isinstance(doc, SalesDocument):
        for line in doc.lines:
            if sells_stock(line):
                assert line.item is not None
                yield Posting(line.item.cost_account, line.cost, f"cost of sales of {line.item.code}")
                yield Posting(line.item.inventory_account, -line.cost, f"inventory of {line.item.code}")


def _accounts(doc: Document, ref: Sage300Reference) -> Iterator[Problem]:
    if "GL" in ref.unavailable:
        return
    seen: set[str] = set()
    for posting in [*doc.postings(), *_cost_accounts(doc)]:
        account = posting.account
        if account in seen or (not account and not posting.amount):
            continue
        seen.add(account)
        if not account:
            yield Problem("A line has no GL account", "Set the GL account of the line's type in Manage "
                          "System > Setup Tables > GL Accounts.", doc.origin, posting.description)
        elif ref.account(account) is None:
            yield Problem(f"GL account {account} does not exist in Sage 300",
                          f"Create account {account} in General Ledger > G/L Accounts > Accounts, or correct the "
                          "account number in Manage System > Setup Tables > GL Accounts.", doc.origin)


class _Similar:
    """Sage 300 customers and vendors by near-miss name, built once per check."""

    def __init__(self, ref: Sage300Reference) -> None:
        self.customers = NearMissIndex((p.number, p.name) for p in ref.customers.values())
        self.vendors = NearMissIndex((p.number, p.name) for p in ref.vendors.values())


_CUSTOMER_FIELD = "Account on the company's Finance > Company Finance screen"
_VENDOR_FIELD = "Vendor XRef on the company's Finance > Company Finance screen"


def _customer(doc: SalesDocument, ref: Sage300Reference, new: dict, announced: set[str],
              similar: _Similar) -> Iterator[Problem]:
    if "AR" in ref.unavailable:
        return
    account = doc.customer.account
    name = doc.customer.name or account
    if not account:
        yield Problem(f"Company '{name}' has no account number",
                      "Fill in Account on the company's Finance > Company Finance screen in Manage.", doc.origin)
        return
    party = ref.customers.get(account)
    near = similar.customers.find(name, besides=account) if party is None else []
    if party is None and near:
        # Creating it (or asking for it to be created) would make a second record of the same company.
        yield Problem(f"Customer {account} ({name}) is not in Sage 300, which has a customer of nearly the same name",
                      did_you_mean(near, "customer", _CUSTOMER_FIELD), doc.origin)
        return
    if party is None and account in new:
        if account not in announced:
            announced.add(account)
            yield Problem(f"Customer {account} ({name}) will be created in Sage 300",
                          "Nothing to do; check its customer group and account set after the run.",
                          None, severity=Severity.NOTICE)
            terms = new[account].terms
            if terms and "AR" not in ref.unavailable and terms not in ref.ar_terms:
                yield Problem(f"Customer {account} would be created with terms {terms}, which Sage 300 A/R does "
                              "not have", f"Create terms {terms} in A/R Terms, or set the Terms XRef of the Manage "
                              "billing terms to an existing code.", doc.origin)
        currency = new[account].currency
    elif party is None:
        yield Problem(f"Customer {account} ({name}) does not exist in Sage 300",
                      f"Create customer {account} in Accounts Receivable > A/R Customers > Customers, or set "
                      "Account on the Manage company's Finance screen to an existing customer number.", doc.origin)
        return
    else:
        currency = party.currency
    yield from _currency(doc, "Customer", account, currency, "Invoice the company")


def _currency(doc: SalesDocument | PurchaseDocument, noun: str, account: str, currency: str,
              redo: str) -> Iterator[Problem]:
    """Sage 300 keeps each customer and vendor in one currency and refuses documents in another."""
    if doc.currency and currency and doc.currency != currency:
        yield Problem(f"{noun} {account} is kept in {currency} in Sage 300",
                      f"{redo} in {currency} in Manage, or use a Sage 300 {noun.lower()} kept in "
                      f"{doc.currency}.", doc.origin, f"document in {doc.currency}")


def _vendor(doc: PurchaseDocument, ref: Sage300Reference, new: dict, announced: set[str],
            similar: _Similar, created_in: dict[str, str]) -> Iterator[Problem]:
    if "AP" in ref.unavailable:
        return
    account = doc.vendor.account
    name = doc.vendor.name or account
    party = ref.vendors.get(account) if account else None
    if doc.employee:
        if not account:
            yield Problem(f"Member '{name}' has no vendor number",
                          "Fill in Vendor Nbr on the member's screen in Manage (System > Members) with their "
                          "Sage 300 vendor number.", doc.origin)
        elif party is None:
            yield Problem(f"Vendor {account} for member '{name}' does not exist in Sage 300",
                          f"Create vendor {account} in Accounts Payable > A/P Vendors > Vendors, or correct Vendor "
                          "Nbr on the member's screen in Manage (members are never created).", doc.origin)
        else:
            yield from _currency(doc, "Vendor", account, party.currency, "Enter the expenses")
        return
    if not account:
        yield Problem(f"Vendor company '{name}' has no vendor xref",
                      "Fill in Vendor XRef on the company's Finance > Company Finance screen in Manage.", doc.origin)
    elif party is None:
        near = similar.vendors.find(name, besides=account)
        if near:
            yield Problem(f"Vendor {account} ({name}) is not in Sage 300, which has a vendor of nearly the same name",
                          did_you_mean(near, "vendor", _VENDOR_FIELD), doc.origin)
        elif account in new:
            if account not in announced:
                announced.add(account)
                yield Problem(f"Vendor {account} ({name}) will be created in Sage 300",
                              "Nothing to do; check its vendor group after the run.", None, severity=Severity.NOTICE)
                terms = vendor_terms(new[account], doc)
                if terms and ref.names.vendor_terms and terms not in ref.ap_terms:
                    yield Problem(f"Vendor {account} would be created with terms {terms}, which Sage 300 A/P does "
                                  "not have", f"Create terms {terms} in A/P Terms, or set the Terms XRef of the Manage "
                                  "billing terms to an existing code.", doc.origin)
            # It is created in the currency of its first document; Sage 300 refuses it any other.
            first = created_in.setdefault(account, doc.currency)
            if doc.currency and first and doc.currency != first:
                yield Problem(f"Vendor {account} would be created in {first} in Sage 300",
                              f"Enter its purchases in one currency in Manage, or create vendor {account} in Sage 300 "
                              "first and post each currency to a vendor kept in it.", doc.origin,
                              f"document in {doc.currency}")
        else:
            yield Problem(f"Vendor {account} ({name}) does not exist in Sage 300",
                          f"Create vendor {account} in Accounts Payable > A/P Vendors > Vendors, or set Vendor "
                          "XRef on the Manage company's Finance screen to an existing vendor number.", doc.origin)
    else:
        yield from _currency(doc, "Vendor", account, party.currency, "Enter the purchase order")


def _tax(doc: SalesDocument | PurchaseDocument, ref: Sage300Reference) -> Iterator[Problem]:
    group = tax_group(doc)
    if not (doc.taxes or group) or "TX" in ref.unavailable:
        return
    kind = tax_type(doc)
    code = getattr(doc, "tax_code", "") or "the tax code"
    if not group:
        yield Problem(f"Tax code {code} has no Tax Code XRef on its first level",
                      "Fill in Tax Code XRef of level 1 in Manage (Finance > Tax Codes) with the Sage 300 tax group.",
                      doc.origin)
        return
    authorities = ref.authorities(group, kind)
    if authorities is None:
        yield Problem(f"Tax group {group} ({kind.lower()}) does not exist in Sage 300",
                      f"Create tax group {group} for {kind.lower()} in Tax Services > Tax Groups, or set the Tax "
                      f"Code XRef of level 1 of Manage tax code {code} to an existing group.", doc.origin)
        return
    members = {a for a in authorities if a}
    untaxed = {a for line in doc.lines for a in untaxed_slots(doc, line, ref).values()}
    for authority in sorted(a for a in untaxed if (a, kind) not in ref.exempt_classes):
        # Sage 300 would tax lines Manage did not: tax group and amounts would no longer agree.
        yield Problem(f"Tax group {group} ({kind.lower()}) would tax lines Manage did not tax: authority {authority} "
                      "has no exempt item class",
                      f"Add an item tax class marked exempt to {authority} in Tax Services > Tax Authorities, or "
                      f"(tax-exempt code {code}) point its level 1 Tax Code XRef to a tax group without "
                      "authorities and leave its Agency XRefs blank.", doc.origin)
    for level in sorted(doc.taxes, key=lambda t: t.level):
        if not level.agency_xref:
            if level.amount:
                yield Problem(f"Level {level.level} of tax code {code} has no Agency XRef",
                              "Fill in the Agency XRef of that level in Manage (Finance > Tax Codes) with the Sage 300 "
                              "tax authority.", doc.origin, f"tax {level.amount}")
            continue
        if level.agency_xref not in ref.tax_authorities:
            yield Problem(f"Tax authority {level.agency_xref} does not exist in Sage 300",
                          f"Create it in Tax Services > Tax Authorities, or correct the Agency XRef of level "
                          f"{level.level} of Manage tax code {code}.", doc.origin)
        elif level.agency_xref not in members:
            yield Problem(f"Tax authority {level.agency_xref} is not in tax group {group} ({kind.lower()})",
                          f"Add {level.agency_xref} to tax group {group} in Tax Services > Tax Groups, or correct the "
                          f"Agency XRef of level {level.level} of Manage tax code {code}.", doc.origin)


def _terms(doc: Document, terms: str, ledger: str) -> Problem:
    return Problem(f"Terms code {terms} does not exist in Sage 300 {ledger}",
                   f"Create terms {terms} in {ledger} Terms, or set the Terms XRef of the Manage billing terms to an "
                   "existing code.", doc.origin)


def _inventory(doc: InventoryAdjustment | InventoryTransfer, where: Target, ref: Sage300Reference) -> Iterator[Problem]:
    if where == Target.GL:
        noun = "adjustment" if doc.kind == DocumentKind.INVENTORY_ADJUSTMENT else "transfer"
        reason = ref.unavailable.get("IC", "not activated")
        yield Problem(f"Inventory Control is {'not activated' if reason == 'not activated' else 'not available to the user'}"
                      f"; inventory {noun}s will be posted as G/L journal entries",
                      "Nothing to do, or activate Inventory Control (and its Web API right) to post true "
                      f"inventory {noun}s.", doc.origin, severity=Severity.NOTICE)
        return
    for line in doc.lines:
        if line.item.code not in ref.items:
            yield Problem(f"Item {line.item.code} does not exist in Sage 300 Inventory Control",
                          f"Create item {line.item.code} in I/C Items, or correct the product's identifier in the "
                          "Manage Product Catalog.", doc.origin)
        if isinstance(doc, InventoryAdjustment):
            yield from _adjustment_location(doc, line, ref)
            continue
        for side, location in (("source", line.from_location), ("destination", line.to_location)):
            if not location:
                yield Problem(f"The {side} warehouse has no location xref",
                              "Fill in the Location XRef of the Manage warehouse (Procurement > Warehouses) with its "
                              "Sage 300 I/C location.", doc.origin, line.item.code)
            elif location not in ref.locations:
                yield Problem(f"I/C location {location} does not exist in Sage 300",
                              f"Create location {location} in I/C Locations, or set the Manage warehouse's Location "
                              "XRef to an existing location.", doc.origin)


def _adjustment_location(doc: InventoryAdjustment, line: MoveLine, ref: Sage300Reference) -> Iterator[Problem]:
    """The I/C location of an adjustment line: its warehouse's xref, the rule that chose the
    warehouse said in the message when Manage's export did not name it."""
    location, warehouse = adjustment_location(line), line.warehouse
    rule = f"; {line.warehouse_rule}" if line.warehouse_rule else ""
    if not warehouse and not location:
        yield Problem("No Manage warehouse is flagged as the default",
                      "Flag the warehouse adjustments are made in as the overall default in Manage (Procurement > "
                      "Warehouses), with its Sage 300 I/C location as Location XRef.", doc.origin,
                      f"item {line.item.code}{rule}")
    elif not location:
        yield Problem(f"Warehouse {warehouse} has no location xref",
                      f"Fill in the Location XRef of warehouse {warehouse} in Manage (Procurement > Warehouses) with "
                      "its Sage 300 I/C location.", doc.origin, f"item {line.item.code}{rule}")
    elif location not in ref.locations:
        yield Problem(f"I/C location {location} (Manage warehouse {warehouse or location}) does not exist in Sage 300",
                      f"Create location {location} in I/C Locations, or set the Location XRef of warehouse "
                      f"{warehouse or location} in Manage to an existing location.", doc.origin,
                      f"item {line.item.code}{rule}")
