"""The project's own DDL of the Sage 50 Canada company tables it reads and the stand-in SDK writes.

Names follow the fact sheet (reference/sage50ca.md §3.2) exactly; table names in lower case, as a
server started with ``lower_case_table_names=1`` keeps them. Where the sheet has no column names
(taxes, currencies, locations, some settings) the columns are this project's choice, marked
[UNCONFIRMED], and kept in this one place so they can be diffed against ``DESCRIBE`` of a real file.
Money is DECIMAL here; a real file may hold DOUBLE, which the adapter rounds to cents either way.
"""

from __future__ import annotations

_ID = "INT NOT NULL"
_TEXT = "VARCHAR(255) NOT NULL DEFAULT ''"
_MONEY = "DECIMAL(19,4) NOT NULL DEFAULT 0"
_FLAG = "TINYINT NOT NULL DEFAULT 0"
_DAY = "DATE NULL"
_ADDRESS = [("sStreet1", _TEXT), ("sStreet2", _TEXT), ("sCity", _TEXT), ("sProvState", _TEXT),
            ("sCountry", _TEXT), ("sPostalZip", _TEXT), ("sPhone1", _TEXT), ("sPhone2", _TEXT), ("sFax", _TEXT),
            ("sEmail", _TEXT), ("sWebSite", _TEXT)]

# table -> [(column, type)]; the first column is the primary key unless a table lists "PRIMARY KEY".
TABLES: dict[str, list[tuple[str, str]]] = {
    "tcompany": [("lId", _ID), ("sCompName", _TEXT), ("sStreet1", _TEXT), ("sStreet2", _TEXT), ("sCity", _TEXT),
                 ("sProvStat", _TEXT), ("sCountry", _TEXT), ("sPostZip", _TEXT), ("sPhone1", _TEXT),
                 ("sPhone2", _TEXT), ("sFax", _TEXT), ("sEmail", _TEXT), ("dtSDate", _DAY), ("dtFDate", _DAY),
                 ("dtCDate", _DAY)],
    # [UNCONFIRMED] bOrdersPur ("Orders for suppliers" feature), bAllowNeg (inventory below zero),
    # bAllowFut (transactions in the future)
    "tcompoth": [("lId", _ID), ("nActNumLen", "SMALLINT NOT NULL DEFAULT 4"), ("bOrdersPur", _FLAG),
                 ("bAllowNeg", _FLAG), ("bAllowFut", _FLAG)],
    "taccount": [("lId", _ID), ("sName", _TEXT), ("sNameAlt", _TEXT), ("cFunc", "CHAR(1) NOT NULL DEFAULT 'L'"),
                 ("nAcctClass", "SMALLINT NOT NULL DEFAULT 0"), ("sGifiCode", _TEXT), ("dYts", _MONEY),
                 ("dYtc", _MONEY), ("dYtsLY", _MONEY), ("dYtcLY", _MONEY), ("bInactive", _FLAG),
                 ("lCurrncyId", "INT NOT NULL DEFAULT 0"), ("bDoBRec", _FLAG)],
    "tlinkact": [("lId", _ID), ("lAcNretErn", "INT NOT NULL DEFAULT 0")],
    "tcustomr": [("lId", _ID), ("sName", _TEXT), ("sCntcName", _TEXT), *_ADDRESS, ("dCrLimit", _MONEY),
                 ("dAmtYtd", _MONEY), ("dLastYrAmt", _MONEY), ("nNetDay", "SMALLINT NOT NULL DEFAULT 0"),
                 ("bInactive", _FLAG), ("dtSince", _DAY), ("dtLastSal", _DAY), ("lCurrncyId", "INT NOT NULL DEFAULT 0")],
    "tvendor": [("lId", _ID), ("sName", _TEXT), ("sCntcName", _TEXT), *_ADDRESS, ("dAmtYtd", _MONEY),
                ("dLastYrAmt", _MONEY), ("nNetDay", "SMALLINT NOT NULL DEFAULT 0"), ("bInactive", _FLAG),
                ("dtSince", _DAY), ("dtLastPur", _DAY), ("lCurrncyId", "INT NOT NULL DEFAULT 0")],
    # [UNCONFIRMED] lAcRev / lAcExp: the revenue and expense (COGS) accounts of an item
    "tinvent": [("lId", _ID), ("sPartCode", _TEXT), ("sName", _TEXT), ("sSellUnit", _TEXT), ("sBuyUnit", _TEXT),
                ("sStockUnit", _TEXT), ("bService", _FLAG), ("bInactive", _FLAG),
                ("nInvType", "SMALLINT NOT NULL DEFAULT 0"), ("lAcNAsset", "INT NOT NULL DEFAULT 0"),
                ("lAcRev", "INT NOT NULL DEFAULT 0"), ("lAcExp", "INT NOT NULL DEFAULT 0"), ("dBldCost", _MONEY)],
    "tinvprc": [("lInventId", _ID), ("dPrice", _MONEY)],
    # [UNCONFIRMED] lLocId: the location the stock row is for
    "tinvbyln": [("lInventId", _ID), ("lLocId", "INT NOT NULL DEFAULT 1"), ("dInStock", _MONEY),
                 ("dQtyOnOrd", _MONEY), ("dQOnSalOrd", _MONEY), ("dLastCost", _MONEY), ("dCostStk", _MONEY),
                 ("PRIMARY KEY", "(lInventId, lLocId)")],
    # [UNCONFIRMED] the inventory locations list, in the order Setup shows it (lId)
    "tinvloc": [("lId", _ID), ("sName", _TEXT), ("sDesc", _TEXT)],
    # [UNCONFIRMED] currencies; the home currency is the row with lId 1; lAcRec / lAcPay: the linked
    # receivables and payables accounts of the currency (what invoices post their balance to)
    "tcurrncy": [("lId", _ID), ("sCode", "VARCHAR(3) NOT NULL"), ("sName", _TEXT),
                 ("nDecPlc", "SMALLINT NOT NULL DEFAULT 2"), ("lAcRec", "INT NOT NULL DEFAULT 0"),
                 ("lAcPay", "INT NOT NULL DEFAULT 0")],
    "tcurrexr": [("lCurrncyId", _ID), ("dtDate", "DATE NOT NULL"), ("dExchRate", "DECIMAL(19,8) NOT NULL"),
                 ("PRIMARY KEY", "(lCurrncyId, dtDate)")],
    # [UNCONFIRMED] taxes ("Tax" in Setup): name, the accounts to track tax charged on sales / paid on
    # purchases, and whether another tax is charged on this one (PST on GST)
    "ttaxauth": [("lId", _ID), ("sName", _TEXT), ("lAcTaxChg", "INT NOT NULL DEFAULT 0"),
                 ("lAcTaxPd", "INT NOT NULL DEFAULT 0"), ("bTaxable", _FLAG)],
    # [UNCONFIRMED] the taxes a taxable tax is charged by ("Taxable Tax List")
    "ttaxtxbl": [("lTaxAuthId", _ID), ("lByAuthId", _ID), ("PRIMARY KEY", "(lTaxAuthId, lByAuthId)")],
    # [UNCONFIRMED] tax codes (two characters) and their taxes with the rate in percent
    "ttaxcode": [("lId", _ID), ("sCode", "VARCHAR(2) NOT NULL"), ("sDesc", _TEXT)],
    "ttaxdtl": [("lTaxCodeId", _ID), ("lTaxAuthId", _ID), ("dRate", "DECIMAL(9,4) NOT NULL DEFAULT 0"),
                ("bIncluded", _FLAG), ("bRefund", _FLAG), ("PRIMARY KEY", "(lTaxCodeId, lTaxAuthId)")],
    "tjourent": [("lId", _ID), ("dtJourDate", _DAY), ("dtASDate", "DATETIME NULL"), ("sSource", _TEXT),
                 ("sComment", _TEXT), ("nModule", "SMALLINT NOT NULL DEFAULT 0"),
                 ("nType", "SMALLINT NOT NULL DEFAULT 0"), ("lRecId", "INT NOT NULL DEFAULT 0")],
    "tjentact": [("lJEntId", _ID), ("nLineNum", "SMALLINT NOT NULL"), ("lAcctId", _ID), ("dAmount", _MONEY),
                 ("szComment", _TEXT), ("PRIMARY KEY", "(lJEntId, nLineNum)")],
    "tjenttax": [("lJEntId", _ID), ("lTaxAuthId", _ID), ("dTaxable", _MONEY), ("dTaxAmt", _MONEY),
                 ("PRIMARY KEY", "(lJEntId, lTaxAuthId)")],
    "tcustr": [("lId", _ID), ("lCusId", _ID), ("nTranType", "SMALLINT NOT NULL DEFAULT 0"), ("sSource", _TEXT),
               ("dtDate", _DAY), ("dPreTaxAmt", _MONEY), ("sRef", _TEXT), ("bHasDetail", _FLAG), ("dtDueDate", _DAY)],
    "tcustrdt": [("lId", _ID), ("lCusTrId", _ID), ("nTranType", "SMALLINT NOT NULL DEFAULT 0"), ("dtDate", _DAY),
                 ("dAmount", _MONEY), ("sSource", _TEXT), ("lChqId", "INT NOT NULL DEFAULT 0"), ("bReversed", _FLAG),
                 ("dAmtOwg", _MONEY)],
    "tventr": [("lId", _ID), ("lVenId", _ID), ("nTranType", "SMALLINT NOT NULL DEFAULT 0"), ("sSource", _TEXT),
               ("dtDate", _DAY), ("dPreTaxAmt", _MONEY), ("sRef", _TEXT), ("bHasDetail", _FLAG), ("dtDueDate", _DAY)],
    "tventrdt": [("lId", _ID), ("lVenTrId", _ID), ("nTranType", "SMALLINT NOT NULL DEFAULT 0"), ("dtDate", _DAY),
                 ("dAmount", _MONEY), ("sSource", _TEXT), ("lChqId", "INT NOT NULL DEFAULT 0"), ("bReversed", _FLAG),
                 ("dAmtOwg", _MONEY)],
    "trcpthdr": [("lChqId", _ID), ("dtDate", _DAY), ("sSource", _TEXT), ("sName", _TEXT), ("dAmount", _MONEY),
                 ("dHomeAmt", _MONEY), ("bReversed", _FLAG), ("nJournal", "SMALLINT NOT NULL DEFAULT 0"),
                 ("sChqNum", _TEXT), ("lVenCusId", "INT NOT NULL DEFAULT 0")],
}
INDEXES = [("tcustomr", "sName"), ("tvendor", "sName"), ("tinvent", "sPartCode"), ("tcustr", "sSource"),
           ("tventr", "sSource"), ("tcustrdt", "lCusTrId"), ("tventrdt", "lVenTrId"), ("tjourent", "sSource")]


def ddl() -> list[str]:
    out = []
    for table, columns in TABLES.items():
        parts = [f"{name} {kind}" for name, kind in columns if name != "PRIMARY KEY"]
        key = next((kind for name, kind in columns if name == "PRIMARY KEY"), f"({columns[0][0]})")
        out.append(f"CREATE TABLE {table} ({', '.join(parts)}, PRIMARY KEY {key}) "
                   "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
    out += [f"CREATE INDEX ix_{table}_{column.lower()} ON {table} ({column})" for table, column in INDEXES]
    return out
