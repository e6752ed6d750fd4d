"""What a run needs to know about the Sage 300 company, read once per run (every page).

A module that is not activated (404) or that the user has no Web API right for (403) is recorded
in ``unavailable`` instead of failing the read, so the check can say which documents it stops and
what to do. Inventory Control absent means adjustments and transfers go to the G/L.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from mobius_tui.accounting.sage300.client import WebApiClient, WebApiError
from mobius_tui.accounting.sage300.names import WireNames, load_names

MODULE_NAMES = {"GL": "General Ledger", "AR": "Accounts Receivable", "AP": "Accounts Payable",
                "IC": "Inventory Control", "TX": "Tax Services"}


@dataclass(frozen=True)
class Party:
    number: str
    currency: str = ""
    tax_group: str = ""
    terms: str = ""
    name: str = ""


@dataclass
class Sage300Reference:
    accounts: dict[str, str] = field(default_factory=dict)  # formatted or unformatted number → formatted
    customers: dict[str, Party] = field(default_factory=dict)
    vendors: dict[str, Party] = field(default_factory=dict)
    # (group, Sales|Purchase) → authority per slot 1..5, "" for an empty slot
    tax_groups: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    tax_authorities: set[str] = field(default_factory=set)
    # (authority, Sales|Purchase) → the item tax class that authority exempts (the lowest, if several)
    exempt_classes: dict[tuple[str, str], int] = field(default_factory=dict)
    ar_terms: set[str] = field(default_factory=set)
    ap_terms: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    unavailable: dict[str, str] = field(default_factory=dict)  # module → "not activated" | "no Web API right"
    user: str = ""
    home_currency: str = ""  # CSCompanyProfile's HomeCurrency; "" when it cannot be read
    names: WireNames = field(default_factory=WireNames)  # field names read from the server's $metadata

    @property
    def inventory(self) -> bool:
        return "IC" not in self.unavailable

    def account(self, number: str) -> str | None:
        return self.accounts.get(number) or self.accounts.get(number.replace("-", ""))

    def authorities(self, group: str, transaction_type: str) -> tuple[str, ...] | None:
        return self.tax_groups.get((group, transaction_type))


_READS: dict[str, tuple[str, str, str]] = {
    # name → (module, resource, $select)
    "accounts": ("GL", "GLAccounts", "UnformattedAccount,AccountNumber,Status"),
    "customers": ("AR", "ARCustomers", "CustomerNumber,CustomerName,CurrencyCode,TaxGroup,Terms"),
    "ar_terms": ("AR", "ARTerms", "TermsCode"),
    "vendors": ("AP", "APVendors", "VendorNumber,VendorName,CurrencyCode,TaxGroup"),  # + the terms field
    "ap_terms": ("AP", "APTerms", "TermsCode"),
    "tax_groups": ("TX", "TXTaxGroups", "TaxGroupKey,TransactionType," + ",".join(f"TaxAuthority{i}" for i in range(1, 6))),
    "tax_authorities": ("TX", "TXTaxAuthorities", "TaxAuthorityKey,TaxClasses"),
    "items": ("IC", "ICItems", "ItemNumber"),
    "locations": ("IC", "ICLocations", "LocationKey"),
    "company": ("CS", "CSCompanyProfile", "HomeCurrency"),  # [UNCONFIRMED field name]
}


async def load_reference(client: WebApiClient, user: str, names: WireNames | None = None) -> Sage300Reference:
    ref = Sage300Reference(user=user, names=names or await load_names(client))
    terms = ref.names.vendor_terms

    async def read(name: str) -> tuple[str, list[dict[str, Any]] | None]:
        module, resource, select = _READS[name]
        if name == "vendors" and terms:
            select += f",{terms}"
        try:
            return name, await client.get_all(module, resource, {"$select": select})
        except WebApiError as exc:
            if name == "company":  # only names the currency of amounts shown; never stops a run
                return name, None
            if exc.status == 403 or exc.code == "Forbidden":
                ref.unavailable[module] = "no Web API right"
            elif exc.status == 404 and exc.code in ("ResourceNotFound", "RecordNotFound"):
                ref.unavailable.setdefault(module, "not activated")
            else:
                raise
            return name, None

    for name, rows in await asyncio.gather(*(read(n) for n in _READS)):
        if rows is None:
            continue
        if name == "accounts":
            for row in rows:
                if row.get("Status", "Active") != "Active":
                    continue
                formatted = str(row.get("AccountNumber") or row.get("UnformattedAccount"))
                ref.accounts[formatted] = formatted
                ref.accounts[str(row.get("UnformattedAccount") or formatted.replace("-", ""))] = formatted
        elif name in ("customers", "vendors"):
            key, label, terms_field = (("CustomerNumber", "CustomerName", "Terms") if name == "customers"
                                       else ("VendorNumber", "VendorName", terms))
            getattr(ref, name).update({
                r[key]: Party(r[key], r.get("CurrencyCode") or "", r.get("TaxGroup") or "",
                              (r.get(terms_field) or "") if terms_field else "", r.get(label) or "")
                for r in rows})
        elif name == "company":
            ref.home_currency = next((str(r.get("HomeCurrency") or "").strip() for r in rows), "")
        elif name in ("ar_terms", "ap_terms"):
            getattr(ref, name).update(r["TermsCode"] for r in rows)
        elif name == "tax_groups":
            for r in rows:
                members = tuple(r.get(f"TaxAuthority{i}") or "" for i in range(1, 6))
                ref.tax_groups[(r["TaxGroupKey"], str(r["TransactionType"]))] = members
        elif name == "tax_authorities":
            for r in rows:
                ref.tax_authorities.add(r["TaxAuthorityKey"])
                for c in r.get("TaxClasses") or []:
                    if c.get("ClassType") == "Items" and c.get("Exempt") in (True, "Yes", "True", 1):
                        key = (r["TaxAuthorityKey"], str(c.get("TransactionType")))
                        ref.exempt_classes[key] = min(int(c["Class"]), ref.exempt_classes.get(key, int(c["Class"])))
        elif name == "items":
            ref.items.update(r["ItemNumber"] for r in rows)
        else:
            ref.locations.update(r["LocationKey"] for r in rows)
    return ref
