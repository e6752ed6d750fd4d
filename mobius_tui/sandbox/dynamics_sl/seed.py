"""Fill a sandbox SL company from the dataset generator, so its books match the Manage sandbox's
(chart, customers, vendors, members' vendors, taxes and groups, terms, items, sites, setup rows)
except the mappings the dataset leaves out on purpose.

Dataset values SL cannot hold (a terms xref that is not a 1–2 digit integer, an agency xref wider
than SL's tax id) are left out too and listed in the returned ``mismatches``, so the mapping check
reports them exactly as it would against a real SL company. The default dataset has none.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from mobius_tui.accounting.dynamics_sl.codes import WIDTH, is_terms_id, percent, split_account
from mobius_tui.accounting.dynamics_sl.sql import Session
from mobius_tui.sandbox.dataset import AccountingSeed

CLASS_ID = "STD"
LEDGER = "ACTUAL"
BIN = "MAIN"
USD_RATE = Decimal("1.3700")
_ACCT_TYPE = {"asset": "1A", "liability": "2L", "revenue": "3I", "expense": "4E", "cogs": "4E"}


def _audit(now: datetime) -> dict:
    return {"Crtd_DateTime": now, "Crtd_Prog": "SANDBOX", "Crtd_User": "SYSADMIN",
            "LUpd_DateTime": now, "LUpd_Prog": "SANDBOX", "LUpd_User": "SYSADMIN"}


def seed_system(s: Session, company_id: str, database: str, users: tuple[str, ...]) -> None:
    s.insert("Company", {"CpnyID": company_id, "CpnyName": "Mobius Sandbox MSP", "DatabaseName": database,
                         "Active": 1})
    s.insert("UserRec", [{"RecType": "U", "UserId": u, "UserName": u.title(), "DfltCpnyID": company_id}
                         for u in users])
    s.commit()


def seed_company(s: Session, books: AccountingSeed, company_id: str, base_currency: str, period: str,
                 now: datetime | None = None) -> list[str]:
    """Insert the company's master and setup data; returns what could not be seeded and why."""
    now = (now or datetime(2025, 1, 1)).replace(second=0, microsecond=0)
    audit = _audit(now)
    mismatches: list[str] = []

    accounts: dict[str, dict] = {}
    subs: dict[str, dict] = {}
    combos = []
    for a in books.accounts:
        acct, sub = split_account(a.number)
        accounts.setdefault(acct, {"Acct": acct, "Descr": a.description, "AcctType": _ACCT_TYPE.get(a.account_class, "4E"),
                                   "Active": 1, "CuryId": base_currency, **audit})
        subs.setdefault(sub, {"Sub": sub, "Descr": f"Subaccount {sub}", "Active": 1, **audit})
        combos.append({"CpnyID": company_id, "Acct": acct, "Sub": sub, "Active": 1, "Descr": a.description})
    s.insert("Account", list(accounts.values()))
    s.insert("SubAcct", list(subs.values()))
    s.insert("vs_AcctSub", combos)

    terms = []
    for t in books.terms:
        if is_terms_id(t.terms_xref):
            terms.append({"TermsId": t.terms_xref, "Descr": t.name, "DueType": "D", "DueIntrv": t.due_days,
                          "DiscType": "D", "TermsType": "S", "NbrInstall": 1, "ApplyTo": "B", **audit})
        else:
            mismatches.append(f"terms xref '{t.terms_xref}' ({t.name}) is not an SL Terms ID (an integer of at most "
                              "2 characters): not in the SL company")
    s.insert("Terms", terms)
    valid_terms = {t["TermsId"] for t in terms}
    default_terms = next(iter(sorted(valid_terms)), "")

    taxes: dict[str, dict] = {}
    groups: dict[str, set[str]] = {}
    for t in books.taxes:
        if len(t.agency_xref) > WIDTH["TaxId"]:
            mismatches.append(f"agency xref '{t.agency_xref}' is longer than an SL Tax ID ({WIDTH['TaxId']}): "
                              "not in the SL company")
            continue
        sls, pur = split_account(t.sales_account), split_account(t.purchase_account)
        taxes.setdefault(t.agency_xref, {"TaxType": "T", "TaxId": t.agency_xref, "Descr": t.caption,
                                         "TaxRate": percent(t.rate), "TaxCalcType": "I", "TaxCalcLvl": "1",
                                         "TaxBasis": "A", "PrcTaxIncl": "0", "SlsTaxAcct": sls[0], "SlsTaxSub": sls[1],
                                         "PurTaxAcct": pur[0], "PurTaxSub": pur[1], **audit})
        groups.setdefault(t.tax_code, set()).add(t.agency_xref)
    s.insert("SalesTax", list(taxes.values()) + [
        {"TaxType": "G", "TaxId": g, "Descr": f"Manage tax code {g}", **audit} for g in sorted(groups)])
    s.insert("SlsTaxGrp", [{"GroupID": g, "TaxID": t, **audit} for g, members in sorted(groups.items())
                           for t in sorted(members)])

    ar_acct = split_account(next((a.number for a in books.accounts if a.gl_type == "AR"), "1200-00"))
    ap_acct = split_account(next((a.number for a in books.accounts if a.gl_type == "P"), "2100-00"))
    exp_acct = split_account(next((a.number for a in books.accounts if a.gl_type == "EI"), "6100-20"))
    rev_acct = split_account(next((a.number for a in books.accounts if a.gl_type == "R"), "4100-10"))
    inv_acct = split_account(next((a.number for a in books.accounts if a.gl_type == "IT"), "1300-00"))
    adj_acct = split_account(next((a.number for a in books.accounts if a.gl_type == "IA"), "5400-00"))
    usd_ar = split_account(next((a.number for a in books.accounts if a.gl_type == "AR" and "USD" in a.description),
                                "-".join(ar_acct)))
    usd_ap = split_account(next((a.number for a in books.accounts if a.gl_type == "P" and "USD" in a.description),
                                "-".join(ap_acct)))

    s.insert("CustClass", {"ClassId": CLASS_ID, "Descr": "Standard customers", "ARAcct": ar_acct[0],
                           "ARSub": ar_acct[1], "SlsAcct": rev_acct[0], "SlsSub": rev_acct[1], "Terms": default_terms,
                           **audit})
    s.insert("VendClass", {"ClassID": CLASS_ID, "Descr": "Standard vendors", "APAcct": ap_acct[0], "APSub": ap_acct[1],
                           "ExpAcct": exp_acct[0], "ExpSub": exp_acct[1], "Terms": default_terms, **audit})

    customers = []
    for c in books.customers:
        ar = usd_ar if c.currency != base_currency else ar_acct
        customers.append({"CustId": c.account_number, "Name": c.name, "ClassId": CLASS_ID,
                          "Terms": c.terms_xref if c.terms_xref in valid_terms else default_terms,
                          "TaxID00": c.tax_code if c.tax_code in groups else "", "ArAcct": ar[0], "ArSub": ar[1],
                          "SlsAcct": rev_acct[0], "SlsSub": rev_acct[1], "CuryId": c.currency, "Status": "A",
                          "DocPublishingFlag": "Y", "PerNbr": period, **audit})
    s.insert("Customer", customers)
    vendors = []
    for v in books.vendors:
        ap = usd_ap if v.currency != base_currency else ap_acct
        vendors.append({"VendId": v.vendor_number, "Name": v.name, "RemitName": v.name, "ClassID": CLASS_ID,
                        "Terms": v.terms_xref if v.terms_xref in valid_terms else default_terms,
                        "APAcct": ap[0], "APSub": ap[1], "ExpAcct": exp_acct[0], "ExpSub": exp_acct[1],
                        "CuryId": v.currency, "Status": "A", "PerNbr": period, **audit})
    s.insert("Vendor", vendors)

    sites = [{"SiteId": loc.location_xref, "Name": loc.name, "CpnyID": company_id, "DfltInvtAcct": inv_acct[0],
              "DfltInvtSub": inv_acct[1], **audit} for loc in books.locations]
    s.insert("Site", sites)
    s.insert("LocTable", [{"SiteID": site["SiteId"], "WhseLoc": BIN, "Descr": "Main bin", "InclQtyAvail": 1, **audit}
                          for site in sites])
    items, item_sites = [], []
    for it in books.items:
        stock = it.type_xref == "InventoryPart"
        invt = split_account(it.inventory_account) if it.inventory_account else inv_acct
        cogs, sales = split_account(it.cogs_account), split_account(it.revenue_account)
        items.append({"InvtID": it.identifier, "Descr": it.description, "StkItem": 1 if stock else 0, "ValMthd": "A",
                      "TranStatusCode": "AC", "LotSerTrack": "NN", "StkUnit": "EA", "InvtAcct": invt[0],
                      "InvtSub": invt[1], "COGSAcct": cogs[0], "COGSSub": cogs[1], "DfltSalesAcct": sales[0],
                      "DfltSalesSub": sales[1], "DfltSite": sites[0]["SiteId"] if sites and stock else "",
                      "DfltWhseLoc": BIN if stock else "", "StdCost": it.cost, "LastCost": it.cost, **audit})
        if stock:
            for site in sites:
                item_sites.append({"InvtID": it.identifier, "SiteID": site["SiteId"], "CpnyID": company_id,
                                   "QtyOnHand": 100, "QtyAvail": 100, "AvgCost": it.cost, "TotCost": it.cost * 100,
                                   "StdCost": it.cost, "InvtAcct": invt[0], "InvtSub": invt[1], "COGSAcct": cogs[0],
                                   "COGSSub": cogs[1], "DfltWhseLoc": BIN, "StkItem": 1, **audit})
    s.insert("INUnit", {"UnitType": "1", "FromUnit": "EA", "ToUnit": "EA", "CnvFact": 1, "MultDiv": "M", **audit})
    s.insert("Inventory", items)
    s.insert("ItemSite", item_sites)

    s.insert("Currncy", [{"CuryId": c.code, "Descr": c.name, "DecPl": 2, **audit} for c in books.currencies])
    s.insert("CuryRate", [{"FromCuryId": c.code, "ToCuryId": base_currency, "RateType": "SPOT",
                           "EffDate": date(2025, 1, 1), "MultDiv": "M", "Rate": USD_RATE,
                           "RateReciprocal": (1 / USD_RATE).quantize(Decimal("0.000001")), **audit}
                          for c in books.currencies if c.code != base_currency])

    s.insert("GLSetup", {"SetupId": "GL", "LastBatNbr": "000000", "PerNbr": period, "NbrPer": 12, "LedgerID": LEDGER,
                         "BaseCuryId": base_currency, "CpnyId": company_id, "AutoRef": "1", "MCActive": 1,
                         "Mult_Cpny_Db": 0, "ValidateAcctSub": 1, "BegFiscalYr": 0, **audit})
    s.insert("ARSetup", {"SetupId": "AR", "LastBatNbr": "000000", "LastRefNbr": "000000", "AutoRef": 0,
                         "PerNbr": period, "CurrPerNbr": period, "ArAcct": ar_acct[0], "ArSub": ar_acct[1],
                         "DfltClass": CLASS_ID, "SlsTax": 1, "GLPostOpt": "D", **audit})
    s.insert("APSetup", {"SetupId": "AP", "LastBatNbr": "000000", "LastRefNbr": "000000", "AutoRef": 1,
                         "PerNbr": period, "CurrPerNbr": period, "APAcct": ap_acct[0], "APSub": ap_acct[1],
                         "ExpAcct": exp_acct[0], "ExpSub": exp_acct[1], "Terms": default_terms, "DupInvcChk": 1,
                         "ClassID": CLASS_ID, **audit})
    s.insert("INSetup", {"SetupId": "IN", "LastBatNbr": "000000", "LstTrnsfrDocNbr": "000000", "CurrPerNbr": period,
                         "PerNbr": period, "GLPostOpt": "D", "DfltInvtAcct": inv_acct[0], "DfltInvtSub": inv_acct[1],
                         "AdjustmentsAcct": adj_acct[0], "AdjustmentsSub": adj_acct[1], "INClearingAcct": inv_acct[0],
                         "INClearingSub": inv_acct[1], "NegQty": 0, "MultWhse": 1, **audit})
    s.commit()
    return mismatches
