"""What a run needs to know about the Sage business, read once per run (every page of every list).

How Manage's codes find their Sage records (the mapping the check applies):

* a GL account number → the ledger account whose ``nominal_code`` is its digits (``4100-10`` → 410010);
* a tax level xref → the tax rate of that ``name``; a document taxed at several levels → the
  combined rate whose components are those levels' rates; untaxed lines → a zero rate (one named
  EXEMPT / NO_TAX / ZERO first), or no rate when the business has none;
* a customer → the CUSTOMER contact whose ``reference`` is the Manage company's account number;
* a vendor (a company's vendor xref, a member's vendor number) → the VENDOR contact with that ``reference``;
* an expense's offset account → the bank account (a company card is one in Sage) on that ledger account;
* an item → the product or service with that ``item_code`` (optional: plain lines otherwise).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from mobius_tui.accounting.sage_cloud.client import SageClient

ZERO_RATE_NAMES = ("EXEMPT", "NO_TAX", "ZERO", "GB_NO_TAX", "GB_EXEMPT", "GB_ZERO")


def nominal_code(account: str) -> int | None:
    digits = re.sub(r"\D", "", account)
    return int(digits) if digits else None


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    reference: str
    currency: str


@dataclass(frozen=True)
class BankAccount:
    id: str
    name: str
    ledger_account: str  # ledger account id
    currency: str


@dataclass(frozen=True)
class TaxRate:
    id: str
    name: str
    percentage: Decimal
    components: frozenset[str] = frozenset()


@dataclass
class CloudReference:
    base_currency: str = ""
    multi_currency: bool = False
    lockdown: date | None = None
    invoice_prefix: str = ""
    ledger_accounts: dict[int, str] = field(default_factory=dict)  # nominal code → id
    tax_rates: dict[str, TaxRate] = field(default_factory=dict)  # id → rate
    contacts: list[Contact] = field(default_factory=list)
    vendors: list[Contact] = field(default_factory=list)
    bank_accounts: list[BankAccount] = field(default_factory=list)
    vendor_credit_days: int = 30
    products: dict[str, str] = field(default_factory=dict)  # item code → product id
    services: dict[str, str] = field(default_factory=dict)  # item code → service id

    def __post_init__(self) -> None:
        self.index()

    def index(self) -> None:
        self.by_reference = {c.reference: c for c in self.contacts if c.reference}
        self.vendors_by_reference = {c.reference: c for c in self.vendors if c.reference}
        self.banks_by_ledger = {b.ledger_account: b for b in self.bank_accounts}
        self.rates_by_name = {r.name: r.id for r in self.tax_rates.values() if not r.components}
        self.combined = {r.components: r.id for r in self.tax_rates.values() if r.components}
        zeros = [r for r in self.tax_rates.values() if r.percentage == 0 and not r.components]
        zeros.sort(key=lambda r: (r.name.upper() not in ZERO_RATE_NAMES, r.name))
        self.zero_rate = zeros[0].id if zeros else None

    def account(self, number: str) -> str | None:
        code = nominal_code(number)
        return self.ledger_accounts.get(code) if code is not None else None

    def bank_for(self, number: str) -> BankAccount | None:
        """The bank account kept on the ledger account of this Manage GL account number."""
        ledger = self.account(number)
        return self.banks_by_ledger.get(ledger) if ledger else None

    def rate_for(self, level_xrefs: list[str]) -> tuple[str | None, list[str]]:
        """The rate id for a document's tax levels, and the xrefs that have no rate."""
        ids = [self.rates_by_name.get(x) for x in level_xrefs]
        missing = [x for x, i in zip(level_xrefs, ids, strict=True) if i is None]
        if missing:
            return None, missing
        if len(ids) == 1:
            return ids[0], []
        return self.combined.get(frozenset(i for i in ids if i)), []


async def load_reference(client: SageClient) -> CloudReference:
    lists = ("ledger_accounts", "tax_rates", "contacts", "vendors", "bank_accounts", "products", "services")
    contact = "name,reference,currency"
    attrs = {"ledger_accounts": "nominal_code,included_in_chart", "tax_rates": "name,percentage,component_tax_rates",
             "contacts": contact, "vendors": contact, "bank_accounts": "ledger_account,currency",
             "products": "item_code", "services": "item_code"}
    extra: dict[str, dict[str, Any]] = {"contacts": {"contact_type_id": "CUSTOMER"},
                                        "vendors": {"contact_type_id": "VENDOR"}}
    path = {"vendors": "contacts"}
    financial, invoice, *rows = await asyncio.gather(
        client.get("financial_settings"), client.get("invoice_settings"),
        *(client.get_all(path.get(name, name), {"attributes": attrs[name], **extra.get(name, {})}) for name in lists))
    data = dict(zip(lists, rows, strict=True))
    lockdown = financial.get("year_end_lockdown_date")
    return CloudReference(
        base_currency=str((financial.get("base_currency") or {}).get("id") or ""),
        multi_currency=bool(financial.get("multi_currency_enabled")),
        lockdown=date.fromisoformat(lockdown) if lockdown else None,
        invoice_prefix=str(invoice.get("sales_invoice_number_prefix") or ""),
        ledger_accounts={int(a["nominal_code"]): a["id"] for a in data["ledger_accounts"]
                         if a.get("nominal_code") is not None},
        tax_rates={r["id"]: TaxRate(r["id"], str(r.get("name") or ""), Decimal(str(r.get("percentage") or 0)),
                                    frozenset(c["id"] for c in r.get("component_tax_rates") or []))
                   for r in data["tax_rates"]},
        contacts=[_contact(c) for c in data["contacts"]],
        vendors=[_contact(c) for c in data["vendors"]],
        bank_accounts=[BankAccount(b["id"], str(b.get("displayed_as") or b["id"]),
                                   str((b.get("ledger_account") or {}).get("id") or ""),
                                   str((b.get("currency") or {}).get("id") or "")) for b in data["bank_accounts"]],
        vendor_credit_days=int(invoice.get("vendor_credit_days") or 30),
        products={str(p["item_code"]): p["id"] for p in data["products"] if p.get("item_code")},
        services={str(s["item_code"]): s["id"] for s in data["services"] if s.get("item_code")},
    )


def _contact(row: dict[str, Any]) -> Contact:
    return Contact(row["id"], str(row.get("name") or ""), str(row.get("reference") or ""),
                   str((row.get("currency") or {}).get("id") or ""))
