"""Fill a sandbox business from the shared dataset (``Dataset.accounting_seed()``).

How Manage's masters land in Sage Accounting, the way an accountant would have set the business up:

* GL accounts → ledger accounts whose ``nominal_code`` is the Manage account number's digits
  (``4100-10`` → 410010: Sage nominal codes are integers).
* Tax levels → one tax rate per level xref (``name`` = the xref, ``percentage`` = the rate), and for
  a tax code of several levels one combined rate (``name`` = the Manage tax code) whose
  ``component_tax_rates`` are the levels' rates. A zero rate for exempt lines.
* Customers → contacts with the Manage account number in ``reference``; vendors (companies' vendor
  xrefs, members' vendor numbers) → VENDOR contacts with that number in ``reference``.
* Bank accounts: a chequing account, and the corporate card as a CREDIT_CARD bank account on the
  ledger account of Manage's card clearing account (2160-00), which is how a bookkeeper keeps a card
  in Sage: expenses paid with it go as other payments out of it.
* Items → products (parts, charges) and services (service items), ``item_code`` = the identifier.
* ``near_misses``: the customer the dataset leaves out gets a contact anyway, with no reference and
  its name as someone typed it by hand (upper case, no punctuation), the mistake seed 004 warns about.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.sage_cloud.store import Business

_NS = uuid.UUID("5a6e0000-0000-4000-8000-000000000000")


def guid(*parts: object) -> str:
    """A stable 32-hex id, so the same dataset always gives the same ids."""
    return uuid.uuid5(_NS, "/".join(map(str, parts))).hex


def nominal_code(account: str) -> int:
    return int(re.sub(r"\D", "", account) or 0)


CARD_ACCOUNT = "2160-00"  # Manage's corporate card clearing account (the offset of card-paid expenses)
_TYPE = {"asset": "CURRENT_ASSETS", "liability": "CURRENT_LIABILITY", "revenue": "SALES",
         "expense": "OVERHEADS", "cogs": "DIRECT_EXPENSES"}
_GROUP = {"asset": "BALANCE_SHEET", "liability": "BALANCE_SHEET", "revenue": "INCOME", "expense": "EXPENDITURE",
          "cogs": "EXPENDITURE"}


def seed_business(business: Business, dataset: Dataset, *, include_missing: bool = False,
                  near_misses: bool = False) -> None:
    seed = dataset.accounting_seed(include_missing=include_missing)
    b = business.id
    business.financial_settings = {
        "base_currency": {"id": "CAD", "displayed_as": "Canadian Dollar (CAD)"}, "multi_currency_enabled": True,
        "accounting_type": "accrual", "tax_scheme": None, "year_end_lockdown_date": None,
        "currencies": [{"id": c.code} for c in seed.currencies],
    }
    business.invoice_settings = {
        "next_invoice_number": 1, "sales_invoice_number_prefix": "SI-", "next_credit_note_number": 1,
        "sales_credit_note_number_prefix": "SCN-", "separate_invoice_credit_note_numbering": True,
        "customer_credit_days": 30, "vendor_credit_days": 30,
    }
    for account in seed.accounts:
        code = nominal_code(account.number)
        sales = account.account_class == "revenue"
        business.add("ledger_accounts", {
            "id": guid(b, "account", account.number), "displayed_as": f"{account.description} ({code})",
            "name": account.description, "display_name": account.description, "nominal_code": code,
            "ledger_account_group": {"id": _GROUP[account.account_class]},
            "ledger_account_type": {"id": _TYPE[account.account_class]}, "included_in_chart": True,
            "visible_in_sales": sales, "visible_in_expenses": not sales,
            "visible_scopes": [{"id": "sales"}] if sales else [{"id": "expenses"}],
            "is_control_account": account.gl_type in ("AR", "P"),
        })
    levels: dict[str, str] = {}
    for tax in seed.taxes:
        if tax.tax_code_xref in levels:
            continue
        rate_id = guid(b, "tax", tax.tax_code_xref)
        levels[tax.tax_code_xref] = rate_id
        percentage = (tax.rate * 100).normalize()
        business.add("tax_rates", {
            "id": rate_id, "displayed_as": f"{tax.tax_code_xref} {percentage:f}%", "name": tax.tax_code_xref,
            "percentage": percentage, "is_visible": True, "is_combined_rate": False, "component_tax_rates": [],
        })
    by_code: dict[str, list] = {}
    for tax in seed.taxes:
        by_code.setdefault(tax.tax_code, []).append(tax)
    for code, taxes in by_code.items():
        if len(taxes) < 2:
            continue
        percentage = sum((t.rate * 100 for t in taxes), Decimal(0)).normalize()
        business.add("tax_rates", {
            "id": guid(b, "combined", code), "displayed_as": f"{code} {percentage:f}%", "name": code,
            "percentage": percentage, "is_visible": True, "is_combined_rate": True,
            "component_tax_rates": [{"id": levels[t.tax_code_xref], "displayed_as": t.tax_code_xref} for t in taxes],
        })
    for customer in seed.customers:
        business.add("contacts", {
            "id": guid(b, "contact", customer.account_number),
            "displayed_as": f"{customer.name} ({customer.account_number})", "name": customer.name,
            "reference": customer.account_number, "contact_types": [{"id": "CUSTOMER", "displayed_as": "Customer"}],
            "currency": {"id": customer.currency}, "email": None, "balance": Decimal("0"), "credit_days": None,
            "system": False, "deleted_at": None, "tax_number": None,
        })
    for vendor in seed.vendors:
        business.add("contacts", {
            "id": guid(b, "vendor", vendor.vendor_number),
            "displayed_as": f"{vendor.name} ({vendor.vendor_number})", "name": vendor.name,
            "reference": vendor.vendor_number, "contact_types": [{"id": "VENDOR", "displayed_as": "Supplier"}],
            "currency": {"id": vendor.currency}, "email": None, "balance": Decimal("0"), "credit_days": None,
            "system": False, "deleted_at": None, "tax_number": None,
        })
    if near_misses:
        known = {c.account_number for c in seed.customers}
        for company in dataset.companies:
            if company.is_customer and company.account_number and company.account_number not in known:
                typed = re.sub(r"[^\w\s]", "", company.name).upper()
                business.add("contacts", {
                    "id": guid(b, "near-miss", company.account_number), "displayed_as": typed, "name": typed,
                    "reference": None, "contact_types": [{"id": "CUSTOMER", "displayed_as": "Customer"}],
                    "currency": {"id": company.currency}, "email": None, "balance": Decimal("0"),
                    "credit_days": None, "system": False, "deleted_at": None, "tax_number": None,
                })
    for item in seed.items:
        collection = "services" if item.type_xref == "Service" else "products"
        record = {"id": guid(b, collection, item.identifier), "displayed_as": item.description,
                  "item_code": item.identifier, "description": item.description, "active": True}
        if collection == "products":
            record |= {"sales_ledger_account": {"id": guid(b, "account", item.revenue_account)},
                       "purchase_ledger_account": {"id": guid(b, "account", item.cogs_account)},
                       "sales_prices": [{"price": item.price}]}
        else:
            record |= {"sales_ledger_account": {"id": guid(b, "account", item.revenue_account)},
                       "sales_rates": [{"rate": item.price}]}
        business.add(collection, record)
    business.add("bank_accounts", {"id": guid(b, "bank", "1060"), "displayed_as": "Chequing (1060)",
                                   "bank_account_type": {"id": "CHECKING"}, "nominal_code": 1060,
                                   "ledger_account": {"id": guid(b, "bank-ledger", "1060")},
                                   "currency": {"id": "CAD"}})
    card = guid(b, "account", CARD_ACCOUNT)
    if card in business.table("ledger_accounts"):
        business.add("bank_accounts", {"id": guid(b, "bank", CARD_ACCOUNT), "displayed_as": "Corporate Card "
                                       f"({nominal_code(CARD_ACCOUNT)})", "bank_account_type": {"id": "CREDIT_CARD"},
                                       "nominal_code": nominal_code(CARD_ACCOUNT), "ledger_account": {"id": card},
                                       "currency": {"id": "CAD"}})
