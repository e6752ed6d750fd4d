"""Seed a sandbox Sage 50 company from the shared dataset's accounting seed (what a company that has
everything mapped, except the deliberately missing entries, holds)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mobius_tui.accounting.sage50ca.accounts import account_digits, account_id
from mobius_tui.sandbox.dataset import AccountingSeed

ACCOUNT_DIGITS = 6  # the dataset's "4100-10" is Sage account 410010
FISCAL_START, FISCAL_END, SESSION_DATE = date(2025, 1, 1), date(2025, 12, 31), date(2025, 6, 30)
USD_RATES = ((date(2025, 4, 1), Decimal("1.3612")), (date(2025, 5, 1), Decimal("1.3795")),
             (date(2025, 6, 1), Decimal("1.3710")))


def _class(number: str, gl_type: str, category: str) -> int:
    """The Sage class code (accounting/sage50ca/classes.py) an account of the dataset's chart gets."""
    if category == "asset":
        return {"AR": 4, "IT": 5}.get(gl_type, 6)
    if category == "liability":
        return 11 if gl_type == "P" else 13
    if category == "revenue":
        return 31
    if category == "cogs":
        return 41
    return 42  # operating expense


def _lid(number: str) -> int:
    return account_id(account_digits(number, "-"))


def seed_company(conn, books: AccountingSeed, company_name: str = "Mobius Sandbox MSP Inc.") -> None:
    """Insert the company's settings and master records (one transaction)."""
    cur = conn.cursor()
    cur.fast_executemany = False
    cur.execute("INSERT INTO tcompany (lId, sCompName, sCity, sProvStat, sCountry, dtSDate, dtFDate, dtCDate) "
                "VALUES (1, ?, 'Toronto', 'ON', 'Canada', ?, ?, ?)", company_name, FISCAL_START, FISCAL_END,
                SESSION_DATE)
    cur.execute("INSERT INTO tcompoth (lId, nActNumLen, bOrdersPur, bAllowNeg, bAllowFut) VALUES (1, ?, 1, 1, 1)",
                ACCOUNT_DIGITS)
    currency_ids = {c.code: n for n, c in enumerate(sorted(books.currencies, key=lambda c: c.code != "CAD"),
                                                    start=1)}
    linked = {"CAD": ("1200-00", "2100-00"), "USD": ("1210-00", "2110-00")}
    cur.executemany("INSERT INTO tcurrncy (lId, sCode, sName, nDecPlc, lAcRec, lAcPay) VALUES (?, ?, ?, 2, ?, ?)",
                    [(currency_ids[c.code], c.code, c.name, *(_lid(a) for a in linked.get(c.code, linked["CAD"])))
                     for c in books.currencies])
    if "USD" in currency_ids:
        cur.executemany("INSERT INTO tcurrexr (lCurrncyId, dtDate, dExchRate) VALUES (?, ?, ?)",
                        [(currency_ids["USD"], day, rate) for day, rate in USD_RATES])
    cur.executemany("INSERT INTO taccount (lId, sName, cFunc, nAcctClass) VALUES (?, ?, 'L', ?)",
                    [(_lid(a.number), a.description[:35], _class(a.number, a.gl_type, a.account_class))
                     for a in books.accounts])
    cur.execute("INSERT INTO taccount (lId, sName, cFunc, nAcctClass) VALUES (?, 'Retained Earnings', 'L', 22)",
                account_id("3600"))
    cur.execute("INSERT INTO tlinkact (lId, lAcNretErn) VALUES (1, ?)", account_id("3600"))
    days = {t.terms_xref: t.due_days for t in books.terms}
    cur.executemany(
        "INSERT INTO tcustomr (lId, sName, sCity, sCountry, nNetDay, dtSince, lCurrncyId) VALUES (?, ?, '', '', ?, ?, ?)",
        [(n, c.name, days.get(c.terms_xref, 30), FISCAL_START, currency_ids.get(c.currency, 1))
         for n, c in enumerate(books.customers, start=1)])
    cur.executemany(
        "INSERT INTO tvendor (lId, sName, nNetDay, dtSince, lCurrncyId) VALUES (?, ?, ?, ?, ?)",
        [(n, v.name, days.get(v.terms_xref, 30), FISCAL_START, currency_ids.get(v.currency, 1))
         for n, v in enumerate(books.vendors, start=1)])
    cur.executemany("INSERT INTO tinvloc (lId, sName, sDesc) VALUES (?, ?, ?)",
                    [(n, loc.name[:15], loc.name) for n, loc in
                     enumerate(sorted(books.locations, key=lambda loc: int(loc.location_xref)), start=1)])
    for n, item in enumerate(books.items, start=1):
        service = item.type_xref.replace(" ", "") != "InventoryPart"
        cur.execute("INSERT INTO tinvent (lId, sPartCode, sName, sStockUnit, sSellUnit, sBuyUnit, bService, "
                    "lAcNAsset, lAcRev, lAcExp, dBldCost) VALUES (?, ?, ?, 'Each', 'Each', 'Each', ?, ?, ?, ?, ?)",
                    n, item.identifier.upper(), item.description[:52], int(service),
                    0 if service or not item.inventory_account else _lid(item.inventory_account),
                    _lid(item.revenue_account), _lid(item.cogs_account), item.cost)
        cur.execute("INSERT INTO tinvprc (lInventId, dPrice) VALUES (?, ?)", n, item.price)
        if not service:
            cur.executemany("INSERT INTO tinvbyln (lInventId, lLocId, dInStock, dLastCost, dCostStk) "
                            "VALUES (?, ?, 100, ?, ?)",
                            [(n, loc, item.cost, item.cost * 100) for loc in range(1, len(books.locations) + 1)])
    _seed_taxes(cur, books)
    conn.commit()


def _seed_taxes(cur, books: AccountingSeed) -> None:
    authorities: dict[str, int] = {}
    for tax in books.taxes:
        if tax.agency_xref not in authorities:
            authorities[tax.agency_xref] = len(authorities) + 1
            cur.execute("INSERT INTO ttaxauth (lId, sName, lAcTaxChg, lAcTaxPd) VALUES (?, ?, ?, ?)",
                        authorities[tax.agency_xref], tax.agency_xref, _lid(tax.sales_account),
                        _lid(tax.purchase_account))
    codes: dict[str, int] = {}
    for tax in sorted(books.taxes, key=lambda t: (t.tax_code, t.level)):
        if len(tax.tax_code) > 2:  # Sage 50 codes hold two characters; such a code cannot exist there
            continue
        if tax.tax_code not in codes:
            codes[tax.tax_code] = len(codes) + 1
            cur.execute("INSERT INTO ttaxcode (lId, sCode, sDesc) VALUES (?, ?, ?)", codes[tax.tax_code],
                        tax.tax_code, tax.caption)
        cur.execute("INSERT INTO ttaxdtl (lTaxCodeId, lTaxAuthId, dRate, bRefund) VALUES (?, ?, ?, ?)",
                    codes[tax.tax_code], authorities[tax.agency_xref], tax.rate * 100, int(tax.level == 1))
        if tax.charged_on_previous_levels:
            for earlier in books.taxes:
                if earlier.tax_code == tax.tax_code and earlier.level < tax.level:
                    first, by = authorities[earlier.agency_xref], authorities[tax.agency_xref]
                    cur.execute("UPDATE ttaxauth SET bTaxable = 1 WHERE lId = ?", first)
                    cur.execute("INSERT IGNORE INTO ttaxtxbl (lTaxAuthId, lByAuthId) VALUES (?, ?)", first, by)
