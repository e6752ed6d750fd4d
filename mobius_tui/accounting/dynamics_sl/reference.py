"""The SL reference data one run is checked against, read once per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from mobius_tui.accounting.dynamics_sl.sql import Session, to_decimal


@dataclass(frozen=True)
class TaxRecord:
    tax_id: str
    rate: Decimal  # percent, as SL keeps it
    sales_account: tuple[str, str]
    purchase_account: tuple[str, str]


@dataclass(frozen=True)
class Rate:
    from_currency: str
    rate_type: str
    effective: date
    mult_div: str
    rate: Decimal


@dataclass
class SLReference:
    company_id: str
    base_currency: str
    accounts: dict[str, bool] = field(default_factory=dict)  # Acct -> Active
    subaccounts: dict[str, bool] = field(default_factory=dict)  # Sub -> Active
    combos: set[tuple[str, str]] | None = None  # valid Acct+Sub when GLSetup.ValidateAcctSub=1
    customers: dict[str, dict] = field(default_factory=dict)
    vendors: dict[str, dict] = field(default_factory=dict)
    taxes: dict[str, TaxRecord] = field(default_factory=dict)  # TaxType 'T'
    groups: dict[str, set[str]] = field(default_factory=dict)  # TaxType 'G' -> member tax ids
    terms: dict[str, dict] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)
    item_sites: dict[tuple[str, str], dict] = field(default_factory=dict)
    sites: set[str] = field(default_factory=set)
    currencies: dict[str, int] = field(default_factory=dict)  # CuryId -> DecPl
    rates: list[Rate] = field(default_factory=list)
    units: set[str] = field(default_factory=set)  # units with a global conversion (INUnit UnitType '1')
    customer_classes: dict[str, dict] = field(default_factory=dict)
    vendor_classes: dict[str, dict] = field(default_factory=dict)
    ar_setup: dict = field(default_factory=dict)
    ap_setup: dict = field(default_factory=dict)
    gl_setup: dict = field(default_factory=dict)
    in_setup: dict = field(default_factory=dict)

    def account_ok(self, acct: str, sub: str) -> bool:
        if not self.accounts.get(acct) or not self.subaccounts.get(sub):
            return False
        return self.combos is None or (acct, sub) in self.combos

    def rate(self, currency: str, day: date, rate_type: str = "") -> Rate | None:
        """The rate converting ``currency`` to the base currency in effect on ``day``."""
        found = [r for r in self.rates if r.from_currency == currency and r.effective <= day
                 and (not rate_type or r.rate_type == rate_type)]
        if not found and rate_type:
            return self.rate(currency, day)
        return max(found, key=lambda r: r.effective) if found else None

    def decimals(self, currency: str = "") -> int:
        return self.currencies.get(currency or self.base_currency, 2)


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


# The tables and columns the reference data is read from ("*": the whole row, any columns), in
# SL's spelling; the queries below are built from this, so the schema check can never miss one.
READS: dict[str, tuple[str, ...]] = {
    "ARSetup": ("*",), "APSetup": ("*",), "GLSetup": ("*",), "INSetup": ("*",),
    "Account": ("Acct", "Active"),
    "SubAcct": ("Sub", "Active"),
    "vs_AcctSub": ("Acct", "Sub", "CpnyID", "Active"),
    "Customer": ("CustId", "Name", "Status", "ClassId", "Terms", "ArAcct", "ArSub", "CuryId", "CuryRateType"),
    "Vendor": ("VendId", "Name", "Status", "ClassID", "Terms", "APAcct", "APSub", "CuryId", "CuryRateType"),
    "SalesTax": ("TaxType", "TaxId", "TaxRate", "SlsTaxAcct", "SlsTaxSub", "PurTaxAcct", "PurTaxSub"),
    "SlsTaxGrp": ("GroupID", "TaxID"),
    "Terms": ("TermsId", "DueType", "DueIntrv", "TermsType"),
    "Inventory": ("InvtID", "Descr", "StkItem", "TranStatusCode", "StkUnit", "InvtAcct", "InvtSub", "COGSAcct",
                  "COGSSub", "DfltSite", "DfltWhseLoc"),
    "ItemSite": ("InvtID", "SiteID", "InvtAcct", "InvtSub", "DfltWhseLoc"),
    "Site": ("SiteId",),
    "INUnit": ("UnitType", "ClassID", "InvtId", "FromUnit", "ToUnit"),
    "Currncy": ("CuryId", "DecPl"),
    "CuryRate": ("FromCuryId", "RateType", "EffDate", "MultDiv", "Rate", "ToCuryId"),
    "CustClass": ("*",), "VendClass": ("*",),
}
# Written when documents post (their columns are checked as each is written).
WRITES = ("Batch", "RefNbr", "ARDoc", "ARTran", "APDoc", "APTran", "GLTran", "INTran", "TrnsfrDoc")


def missing_schema(s: Session) -> list[str]:
    """What this database lacks of SL's tables and columns: ["Customer", "Vendor.CuryId"]."""
    missing = []
    for table, columns in READS.items():
        have = {c.name.lower() for c in s.shape(table).columns}
        if not have:
            missing.append(table)
            continue
        missing += [f"{table}.{c}" for c in columns if c != "*" and c.lower() not in have]
    missing += [table for table in WRITES if not s.has_table(table)]
    return missing


def _select(table: str, where: str = "") -> str:
    """A SELECT of the columns ``READS`` declares for ``table``."""
    return f"SELECT {', '.join(READS[table])} FROM {table}" + (f" WHERE {where}" if where else "")


def load_reference(s: Session, company_id: str) -> SLReference:
    setups = {}
    for table, setup_id in (("ARSetup", "AR"), ("APSetup", "AP"), ("GLSetup", "GL"), ("INSetup", "IN")):
        setups[table] = s.one(_select(table, "SetupId = ?"), setup_id) or {}
    gl = setups["GLSetup"]
    ref = SLReference(company_id=company_id, base_currency=(gl.get("basecuryid") or "").strip(),
                      ar_setup=setups["ARSetup"], ap_setup=setups["APSetup"], gl_setup=gl, in_setup=setups["INSetup"])
    ref.accounts = {r["acct"]: int(r["active"]) == 1 for r in s.rows(_select("Account"))}
    ref.subaccounts = {r["sub"]: int(r["active"]) == 1 for r in s.rows(_select("SubAcct"))}
    if int(gl.get("validateacctsub") or 0) == 1:
        ref.combos = {(r["acct"], r["sub"]) for r in s.rows(_select("vs_AcctSub", "CpnyID = ? AND Active = 1"), company_id)}
    ref.customers = {r["custid"]: r for r in s.rows(_select("Customer"))}
    ref.vendors = {r["vendid"]: r for r in s.rows(_select("Vendor"))}
    for r in s.rows(_select("SalesTax")):
        if r["taxtype"] == "T":
            ref.taxes[r["taxid"]] = TaxRecord(r["taxid"], to_decimal(r["taxrate"], 5).normalize(),
                                              (r["slstaxacct"], r["slstaxsub"]), (r["purtaxacct"], r["purtaxsub"]))
        elif r["taxtype"] == "G":
            ref.groups.setdefault(r["taxid"], set())
    for r in s.rows(_select("SlsTaxGrp")):
        if r["groupid"] in ref.groups:
            ref.groups[r["groupid"]].add(r["taxid"])
    ref.terms = {r["termsid"]: r for r in s.rows(_select("Terms"))}
    ref.items = {r["invtid"]: r for r in s.rows(_select("Inventory"))}
    ref.item_sites = {(r["invtid"], r["siteid"]): r for r in s.rows(_select("ItemSite"))}
    ref.sites = {r["siteid"] for r in s.rows(_select("Site"))}
    for r in s.rows(_select("INUnit", "UnitType = '1'")):
        ref.units.update((r["fromunit"], r["tounit"]))
    ref.currencies = {r["curyid"]: int(r["decpl"]) for r in s.rows(_select("Currncy"))}
    ref.rates = [Rate(r["fromcuryid"], r["ratetype"], _day(r["effdate"]), r["multdiv"] or "M",
                      Decimal(str(r["rate"])))
                 for r in s.rows(_select("CuryRate", "ToCuryId = ?"), ref.base_currency)]
    ref.customer_classes = {r["classid"]: r for r in s.rows(_select("CustClass"))}
    ref.vendor_classes = {r["classid"]: r for r in s.rows(_select("VendClass"))}
    return ref
