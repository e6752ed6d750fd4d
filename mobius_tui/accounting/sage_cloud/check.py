"""Everything Sage Accounting would refuse in a plan, found before anything is written (pure).

Customers are matched by the Manage account number kept in the contact's ``reference``. When no
contact carries it, a contact whose name is the same but for case, spacing, punctuation or the
company form ("Inc.", "Ltd") — the rule of ``accounting.near_miss`` that every package shares — is
reported with the fix, instead of creating a second contact for the same customer. A contact is
created only when nothing resembles it.
"""

from __future__ import annotations

from dataclasses import replace

from mobius_tui.accounting.base import Problem, Severity
from mobius_tui.accounting.near_miss import name_key
from mobius_tui.accounting.sage_cloud.reference import CloudReference, Contact, nominal_code
from mobius_tui.accounting.sage_cloud.payloads import SALES_KINDS, tax_levels
from mobius_tui.documents.model import DocumentKind, Plan, SalesDocument

CONTACT_REFERENCE_MAX = 10
INVOICE_REFERENCE_MAX = 25

_REFUSED = {
    DocumentKind.AP_BILL: "Sage Business Cloud Accounting posting here covers sales invoices and credit notes only; "
                          "expense bills are not sent to Sage",
    DocumentKind.ITEM_RECEIPT: "Sage Business Cloud Accounting posting here covers sales invoices and credit notes "
                               "only; purchase receipts are not sent to Sage",
    DocumentKind.JOURNAL_ENTRY: "Sage Business Cloud Accounting posting here covers sales invoices and credit notes "
                                "only; journal entries (non-billable expenses) are not sent to Sage",
    DocumentKind.INVENTORY_ADJUSTMENT: "Sage Business Cloud Accounting keeps no stock quantities through its API "
                                       "(stock items are Accounting Plus only); inventory adjustments cannot go",
    DocumentKind.INVENTORY_TRANSFER: "Sage Business Cloud Accounting has no warehouses; inventory transfers cannot go",
}
_REFUSED_FIX = "Leave expenses and procurement out of runs on this profile (or post them by hand in Sage)."

def near_misses(name: str, contacts: list[Contact]) -> list[Contact]:
    key = name_key(name)
    return [c for c in contacts if key and name_key(c.name) == key]


def check_plan(plan: Plan, ref: CloudReference) -> list[Problem]:
    problems: list[Problem] = []
    records = {c.account: c for c in plan.customers}
    reported_customers: dict[str, list[Problem]] = {}
    for doc in plan.documents:
        if doc.kind not in SALES_KINDS:
            problems.append(Problem(_REFUSED[doc.kind], _REFUSED_FIX, doc.origin))
            continue
        assert isinstance(doc, SalesDocument)
        problems += _document(doc, ref)
        problems += _customer(doc, ref, records, reported_customers)
    return problems


def _document(doc: SalesDocument, ref: CloudReference) -> list[Problem]:
    out: list[Problem] = []
    if len(doc.number) > INVOICE_REFERENCE_MAX:
        out.append(Problem(f"Invoice number longer than Sage's {INVOICE_REFERENCE_MAX}-character reference",
                           "Shorten the invoice number prefix in the profile's plan options.", doc.origin, doc.number))
    if ref.lockdown and doc.date <= ref.lockdown:
        out.append(Problem(f"Date on or before Sage's year-end lockdown date {ref.lockdown.isoformat()}",
                           "Move the lockdown date in Sage (Settings > Financial settings) or date the invoice later.",
                           doc.origin, doc.date.isoformat()))
    currency = doc.currency or ref.base_currency
    if currency != ref.base_currency and not ref.multi_currency:
        out.append(Problem(f"Currency {currency} but multi-currency is off in this Sage business",
                           "Turn on multi-currency in Sage (Settings > Financial settings), or bill in "
                           f"{ref.base_currency}.", doc.origin))
    for number in sorted({line.account for line in doc.lines}):
        if ref.account(number) is None:
            code = nominal_code(number)
            out.append(Problem(f"GL account {number} has no Sage ledger account (nominal code {code})",
                               f"In Sage add ledger account {code}, or point the Manage GL account mapping at an "
                               "account Sage has (Finance > GL Accounts).", doc.origin))
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
    if account in reported:  # same cause and fix as the account's first document
        return [replace(p, document=doc.origin) for p in reported[account]]
    reported[account] = _missing_customer(doc, ref, records)
    return reported[account]


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
        fixes = "; ".join(f"set the reference of Sage contact '{c.name}' to {account}"
                          + (f" (it is {c.reference} now)" if c.reference else "") for c in candidates)
        return [Problem(f"Customer {name} ({account}) is not in Sage by reference, but a contact of nearly the "
                        "same name is", f"In Sage, {fixes}; then run again. Nothing is created meanwhile, so "
                        "no duplicate contact appears.", doc.origin)]
    if account not in records:
        return [Problem(f"Customer {account} is not in Sage and the export does not describe it",
                        f"Create the Sage contact with reference {account}.", doc.origin)]
    return [Problem(f"Customer {name} ({account}) will be created in Sage", "Nothing to do.", doc.origin,
                    severity=Severity.NOTICE)]
