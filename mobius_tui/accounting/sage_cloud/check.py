"""Everything Sage Accounting would refuse in a plan, found before anything is written (pure).

What goes (see :mod:`.payloads`): sales invoices and credit notes; receipts and expense bills as
purchase invoices (not on Accounting Start, whose API cannot create them); journal expenses paid
from a Sage bank account as other payments. Each other document is refused with its reason:
expenses owed to no bank account, returns to vendors, inventory adjustments and transfers.

Customers are matched by the Manage account number kept in the contact's ``reference`` (vendors
likewise, by the vendor xref or the member's vendor number, among supplier contacts). When no
contact carries it, a contact whose name is the same but for case, spacing, punctuation or the
company form ("Inc.", "Ltd") — the rule of ``accounting.near_miss`` that every package shares — is
reported with the fix, instead of creating a second contact for the same party. A contact is
created only when nothing resembles it; a member is never created as a supplier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.near_miss import name_key
from mobius_tui.accounting.sage_cloud.payloads import PURCHASE_KINDS, SALES_KINDS, expense_split, tax_levels
from mobius_tui.accounting.sage_cloud.reference import CloudReference, Contact, nominal_code
from mobius_tui.documents.model import Document, DocumentKind, JournalEntry, Plan, PurchaseDocument, SalesDocument

CONTACT_REFERENCE_MAX = 10
INVOICE_REFERENCE_MAX = 25

_REFUSED = {
    DocumentKind.JOURNAL_ENTRY: "Sage Business Cloud Accounting takes journal entries from here only as expenses "
                                "paid from a bank account; this one is not an expense",
    DocumentKind.INVENTORY_ADJUSTMENT: "Sage Business Cloud Accounting keeps no stock quantities through its API "
                                       "(stock items are Accounting Plus only); inventory adjustments cannot go",
    DocumentKind.INVENTORY_TRANSFER: "Sage Business Cloud Accounting has no warehouses; inventory transfers cannot go",
}
_REFUSED_FIX = "Leave these out of runs on this profile (or record them by hand in Sage)."
NO_PURCHASE_INVOICES = ("The profile's Sage plan is Accounting Start, which cannot create purchase invoices through "
                        "the API (Plus and Standard can)")
NO_PURCHASE_FIX = ("If the business is on Plus or Standard, set the profile's Sage plan to it; otherwise leave "
                   "procurement and expense bills out of runs on this profile and enter them in Sage by hand.")


def near_misses(name: str, contacts: list[Contact]) -> list[Contact]:
    key = name_key(name)
    return [c for c in contacts if key and name_key(c.name) == key]


def check_plan(plan: Plan, ref: CloudReference, purchase_invoices: bool = True) -> list[Problem]:
    """Every problem of the plan; ``purchase_invoices`` is False on a plan tier without them (Start)."""
    problems: list[Problem] = []
    records = {c.account: c for c in plan.customers}
    vendors = {v.account: v for v in plan.vendors}
    reported_customers: dict[str, list[Problem]] = {}
    reported_vendors: dict[str, list[Problem]] = {}
    for doc in plan.documents:
        if isinstance(doc, SalesDocument) and doc.kind in SALES_KINDS:
            problems += _document(doc, ref)
            problems += _customer(doc, ref, records, reported_customers)
        elif isinstance(doc, PurchaseDocument) and doc.kind in PURCHASE_KINDS:
            if not purchase_invoices:
                problems.append(Problem(NO_PURCHASE_INVOICES, NO_PURCHASE_FIX, doc.origin))
                continue
            problems += _purchase(doc, ref)
            problems += _vendor(doc, ref, vendors, reported_vendors)
        elif isinstance(doc, JournalEntry) and doc.source == "expense":
            problems += _expense(doc, ref)
        else:
            problems.append(Problem(_REFUSED[doc.kind], _REFUSED_FIX, doc.origin))
    return problems


def _dates_and_currency(doc: Document, ref: CloudReference, currency: str) -> list[Problem]:
    out: list[Problem] = []
    if len(doc.number) > INVOICE_REFERENCE_MAX:
        out.append(Problem(f"Document number longer than Sage's {INVOICE_REFERENCE_MAX}-character reference",
                           "Shorten the number's prefix in the profile's plan options.", doc.origin, doc.number))
    if ref.lockdown and doc.date <= ref.lockdown:
        out.append(Problem(f"Date on or before Sage's year-end lockdown date {ref.lockdown.isoformat()}",
                           "Move the lockdown date in Sage (Settings > Financial settings) or date the document "
                           "later.", doc.origin, doc.date.isoformat()))
    if currency != ref.base_currency and not ref.multi_currency:
        out.append(Problem(f"Currency {currency} but multi-currency is off in this Sage business",
                           "Turn on multi-currency in Sage (Settings > Financial settings), or record it in "
                           f"{ref.base_currency}.", doc.origin))
    return out


def _accounts(doc: Document, ref: CloudReference, numbers: list[str]) -> list[Problem]:
    out: list[Problem] = []
    for number in sorted(set(numbers)):
        if ref.account(number) is None:
            code = nominal_code(number)
            out.append(Problem(f"GL account {number} has no Sage ledger account (nominal code {code})",
                               f"In Sage add ledger account {code}, or point the Manage GL account mapping at an "
                               "account Sage has (Finance > GL Accounts).", doc.origin))
    return out


def _taxes(doc: SalesDocument | PurchaseDocument, ref: CloudReference) -> list[Problem]:
    out: list[Problem] = []
    levels = tax_levels(doc)
    if levels:
        rate, missing = ref.rate_for(levels)
        for xref in missing:
            out.append(Problem(f"Tax level {xref} has no Sage tax rate named {xref}",
                               f"In Sage name the tax rate {xref}, or set the level's tax code xref in Manage "
                               f"(Finance > Tax Codes > {doc.tax_code}) to the Sage rate's name.", doc.origin))
        if not missing and rate is None:
            out.append(Problem(f"Tax levels {' + '.join(levels)} have no combined Sage tax rate",
                               "In Sage create a combined tax rate made of exactly these rates.", doc.origin,
                               doc.tax_code))
    return out


def _document(doc: SalesDocument, ref: CloudReference) -> list[Problem]:
    return (_dates_and_currency(doc, ref, doc.currency or ref.base_currency)
            + _accounts(doc, ref, [line.account for line in doc.lines]) + _taxes(doc, ref))


def _purchase(doc: PurchaseDocument, ref: CloudReference) -> list[Problem]:
    if doc.document_total <= 0:  # a return to the vendor: a supplier credit note, not an invoice
        return [Problem("A receipt or bill of zero or less (a return to the vendor) would be a purchase credit note, "
                        "which this profile does not send", "Enter the return in Sage by hand as a supplier credit "
                        "note, and leave the record out of runs on this profile.", doc.origin, str(doc.document_total))]
    out = _dates_and_currency(doc, ref, doc.currency or ref.base_currency)
    vendor_reference = doc.vendor_invoice_number or doc.number
    if len(vendor_reference) > INVOICE_REFERENCE_MAX:
        out.append(Problem(f"Vendor invoice number longer than Sage's {INVOICE_REFERENCE_MAX}-character vendor "
                           "reference", "Shorten the vendor invoice number on the receipt in Manage.", doc.origin,
                           vendor_reference))
    return out + _accounts(doc, ref, [line.account for line in doc.lines]) + _taxes(doc, ref)


def _expense(doc: JournalEntry, ref: CloudReference) -> list[Problem]:
    """An expense goes as an other payment out of the bank account its offset account is in Sage."""
    debits, credits = expense_split(doc)
    if len(credits) != 1 or not debits:
        return [Problem("A refund or split expense (not one payment out of one account) would be an other receipt "
                        "or a journal, which this profile does not send", _REFUSED_FIX, doc.origin)]
    offset = credits[0].account
    bank = ref.bank_for(offset)
    if bank is None:
        return [Problem(f"Expense offset account {offset} is not a bank account in Sage: Sage takes an expense as an "
                        "other payment out of a bank (or card) account, or, sent as an expense bill, as a purchase "
                        "invoice", f"If the expense was paid from {offset}, set that account up in Sage as a bank or "
                        "credit card account; if it is owed to the member, turn on 'Transfer expenses as bills' in "
                        "Manage (Setup Tables > Accounting Interface) so it comes as a bill; or leave it out of runs "
                        "on this profile.", doc.origin)]
    currency = doc.currency or ref.base_currency
    out = _dates_and_currency(doc, ref, currency)
    if currency != (bank.currency or ref.base_currency):
        out.append(Problem(f"Expense in {currency} paid from Sage bank account {bank.name}, which is in "
                           f"{bank.currency or ref.base_currency} (an other payment takes the bank's currency)",
                           "Record the expense in the card's currency in Manage, or enter it in Sage by hand.",
                           doc.origin))
    return out + _accounts(doc, ref, [p.account for p in debits])


def _customer(doc: SalesDocument, ref: CloudReference, records: dict,
              reported: dict[str, list[Problem]]) -> list[Problem]:
    account = doc.customer.account
    contact = ref.by_reference.get(account)
    if contact is not None:
        currency = doc.currency or ref.base_currency
        if contact.currency and contact.currency != currency:
            return [Problem(f"Sage contact {contact.name} ({account}) is in {contact.currency}, the invoice in "
                            f"{currency}", "Bill the customer in the contact's currency, or use a contact in "
                            f"{currency}.", doc.origin)]
        return []
    return _once_per_account(doc, account, reported, lambda: _missing_customer(doc, ref, records))


def _once_per_account(doc: Document, account: str, reported: dict[str, list[Problem]],
                      missing: Callable[[], list[Problem]]) -> list[Problem]:
    """One cause and fix per missing contact, repeated for each of its documents."""
    if account not in reported:
        reported[account] = missing()
    return [replace(p, document=doc.origin) for p in reported[account]]


def _near_miss(who: str, record: str, name: str, account: str, candidates: list, doc: Document) -> Problem:
    """A contact of nearly the same name exists: its reference is the fix, never a duplicate."""
    fixes = "; ".join(f"set the reference of Sage {record} '{c.name}' to {account}"
                      + (f" (it is {c.reference} now)" if c.reference else "") for c in candidates)
    return Problem(f"{who} {name} ({account}) is not in Sage by reference, but a {record} of nearly the same "
                   "name is", f"In Sage, {fixes}; then run again. Nothing is created meanwhile, so no "
                   f"duplicate {record} appears.", doc.origin)


def _missing_customer(doc: SalesDocument, ref: CloudReference, records: dict) -> list[Problem]:
    account = doc.customer.account
    if not account:
        return [Problem("Customer has no account number in Manage",
                        "Fill in Company > Finance > Account Number in Manage.", doc.origin, doc.customer.name)]
    if len(account) > CONTACT_REFERENCE_MAX:
        return [Problem(f"Customer account number {account} is longer than Sage's {CONTACT_REFERENCE_MAX}-character "
                        "contact reference", "Shorten the account number in Manage (Company > Finance).", doc.origin)]
    name = records[account].name if account in records else doc.customer.name
    candidates = near_misses(name, ref.contacts)
    if candidates:
        return [_near_miss("Customer", "contact", name, account, candidates, doc)]
    if account not in records:
        return [Problem(f"Customer {account} is not in Sage and the export does not describe it",
                        f"Create the Sage contact with reference {account}.", doc.origin)]
    return [Problem(f"Customer {name} ({account}) will be created in Sage", "Nothing to do.", doc.origin,
                    severity=Severity.NOTICE)]


def _vendor(doc: PurchaseDocument, ref: CloudReference, records: dict,
            reported: dict[str, list[Problem]]) -> list[Problem]:
    account = doc.vendor.account
    contact = ref.vendors_by_reference.get(account)
    if contact is not None:
        currency = doc.currency or ref.base_currency
        if contact.currency and contact.currency != currency:
            return [Problem(f"Sage supplier {contact.name} ({account}) is in {contact.currency}, the document in "
                            f"{currency}", "Record it in the supplier's currency in Manage, or use a Sage supplier "
                            f"in {currency}.", doc.origin)]
        return []
    return _once_per_account(doc, account, reported, lambda: _missing_vendor(doc, ref, records))


def _missing_vendor(doc: PurchaseDocument, ref: CloudReference, records: dict) -> list[Problem]:
    account = doc.vendor.account
    where = "the member's Vendor Nbr (System > Members)" if doc.employee else \
        "the Vendor XRef on the vendor company's Finance tab"
    if len(account) > CONTACT_REFERENCE_MAX:
        return [Problem(f"Vendor number {account} is longer than Sage's {CONTACT_REFERENCE_MAX}-character contact "
                        "reference", f"Shorten {where} in Manage.", doc.origin)]
    customer = ref.by_reference.get(account)
    if customer is not None:
        return [Problem(f"Sage contact {customer.name} has reference {account} but is not a supplier",
                        f"In Sage tick Supplier on contact '{customer.name}', or change {where} in Manage.", doc.origin)]
    name = records[account].name if account in records else doc.vendor.name
    candidates = near_misses(name, ref.vendors)
    if candidates:
        return [_near_miss("Vendor", "supplier", name, account, candidates, doc)]
    if doc.employee:  # members are never created as suppliers: Manage's member is no company record
        return [Problem(f"Member {name} ({account}) is not a Sage supplier", f"In Sage create a supplier for "
                        f"{name} with reference {account}, or set {where} in Manage to the Sage supplier's "
                        "reference.", doc.origin)]
    if account not in records:
        return [Problem(f"Vendor {account} is not in Sage and the export does not describe it",
                        f"Create the Sage supplier with reference {account}.", doc.origin)]
    return [Problem(f"Vendor {name} ({account}) will be created in Sage as a supplier", "Nothing to do.", doc.origin,
                    severity=Severity.NOTICE)]
