"""The Sage 50 reference data one run is checked against, read once per run over SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from mobius_tui.accounting.sage50ca.database import Database, money, select


@dataclass(frozen=True)
class Account:
    lid: int
    name: str
    func: str  # cFunc: L/R postable, H/S/T/X not
    account_class: int
    inactive: bool

    @property
    def postable(self) -> bool:
        return self.func in ("L", "R") and not self.inactive


@dataclass(frozen=True)
class Party:
    lid: int
    name: str
    currency: str
    inactive: bool


@dataclass(frozen=True)
class Item:
    lid: int
    part_code: str
    name: str
    service: bool
    inactive: bool
    asset_account: int
    revenue_account: int
    expense_account: int


@dataclass(frozen=True)
class Tax:
    lid: int
    name: str
    sales_account: int  # "Acct. to track tax charged on sales"
    purchase_account: int  # "Acct. to track tax paid on purchases"
    charged_by: frozenset[str] = frozenset()  # taxes charged on this one (PST on GST)


@dataclass
class Sage50Reference:
    company_name: str
    account_length: int
    fiscal_start: date | None
    fiscal_end: date | None
    session_date: date | None
    purchase_orders: bool  # "Orders for suppliers" is on
    allow_future: bool
    home_currency: str
    accounts: dict[int, Account] = field(default_factory=dict)
    customers: dict[str, Party] = field(default_factory=dict)  # by name: Sage keys customers by name
    vendors: dict[str, Party] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)  # by part code, upper case
    taxes: dict[str, Tax] = field(default_factory=dict)  # by name
    tax_codes: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # code -> tax name -> rate in percent
    locations: list[str] = field(default_factory=list)  # in Setup's order: position n is location xref n
    currencies: dict[str, int] = field(default_factory=dict)  # code -> decimals
    linked: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (receivables, payables) lId
    rates: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)  # code -> (day, rate), by day

    def rate(self, currency: str, day: date) -> Decimal | None:
        """The exchange rate in effect on ``day`` (the latest on or before it)."""
        found = [rate for when, rate in self.rates.get(currency, []) if when <= day]
        return found[-1] if found else None


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def load_reference(db: Database) -> Sage50Reference:
    company = (db.rows(select("tcompany")) or [{}])[0]
    other = (db.rows(select("tcompoth")) or [{}])[0]
    currencies = {int(r["lid"]): r for r in db.rows(select("tcurrncy"))}
    code_of = {lid: str(r["scode"]).strip() for lid, r in currencies.items()}
    home = code_of.get(1, "CAD")  # the home currency is the first one [UNCONFIRMED]

    def currency(lid) -> str:
        return code_of.get(int(lid or 0), home) or home

    ref = Sage50Reference(
        company_name=str(company.get("scompname") or ""), account_length=int(other.get("nactnumlen") or 4),
        fiscal_start=_day(company.get("dtsdate")), fiscal_end=_day(company.get("dtfdate")),
        session_date=_day(company.get("dtcdate")), purchase_orders=bool(other.get("borderspur")),
        allow_future=bool(other.get("ballowfut")), home_currency=home)
    ref.currencies = {str(r["scode"]).strip(): int(r["ndecplc"]) for r in currencies.values()}
    ref.linked = {str(r["scode"]).strip(): (int(r["lacrec"] or 0), int(r["lacpay"] or 0)) for r in currencies.values()}
    for r in db.rows(select("tcurrexr") + " ORDER BY dtDate"):
        ref.rates.setdefault(currency(r["lcurrncyid"]), []).append((_day(r["dtdate"]), money(r["dexchrate"], 6)))
    ref.accounts = {int(r["lid"]): Account(int(r["lid"]), r["sname"], str(r["cfunc"] or "").strip(),
                                           int(r["nacctclass"] or 0), bool(r["binactive"]))
                    for r in db.rows(select("taccount"))}
    ref.customers = {r["sname"]: Party(int(r["lid"]), r["sname"], currency(r["lcurrncyid"]), bool(r["binactive"]))
                     for r in db.rows(select("tcustomr"))}
    ref.vendors = {r["sname"]: Party(int(r["lid"]), r["sname"], currency(r["lcurrncyid"]), bool(r["binactive"]))
                   for r in db.rows(select("tvendor"))}
    ref.items = {str(r["spartcode"]).upper(): Item(int(r["lid"]), r["spartcode"], r["sname"], bool(r["bservice"]),
                                                   bool(r["binactive"]), int(r["lacnasset"] or 0),
                                                   int(r["lacrev"] or 0), int(r["lacexp"] or 0))
                 for r in db.rows(select("tinvent"))}
    names = {int(r["lid"]): r for r in db.rows(select("ttaxauth"))}
    charged: dict[int, set[str]] = {}
    for r in db.rows(select("ttaxtxbl")):
        by = names.get(int(r["lbyauthid"]))
        if by is not None:
            charged.setdefault(int(r["ltaxauthid"]), set()).add(by["sname"])
    ref.taxes = {r["sname"]: Tax(lid, r["sname"], int(r["lactaxchg"] or 0), int(r["lactaxpd"] or 0),
                                 frozenset(charged.get(lid, ())))
                 for lid, r in names.items()}
    codes = {int(r["lid"]): str(r["scode"]).strip() for r in db.rows(select("ttaxcode"))}
    ref.tax_codes = {code: {} for code in codes.values()}
    for r in db.rows(select("ttaxdtl")):
        code, tax = codes.get(int(r["ltaxcodeid"])), names.get(int(r["ltaxauthid"]))
        if code is not None and tax is not None:
            ref.tax_codes[code][tax["sname"]] = money(r["drate"], 4).normalize()
    ref.locations = [r["sname"] for r in db.rows(select("tinvloc") + " ORDER BY lId")]
    return ref
