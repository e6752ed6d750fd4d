"""The Dynamics SL tables the adapter reads and writes, with SL's names, types and widths, as DDL
for the sandbox engines (SQLite through the SQLite ODBC driver, PostgreSQL through psqlODBC).

Types follow SL: fixed CHAR(n) text, FLOAT amounts, SMALLINT flags, INT ids, SMALLDATETIME dates
(minutes only, 1900-01-01 .. 2079-06-06), every column NOT NULL and no defaults (the strictest
copies of SL's scripts have none, so a writer that forgets a column fails here as it would in SL).
Widths are enforced: PostgreSQL's char(n) rejects longer values; on SQLite a CHECK does it.
Identity columns (RecordID, Snote.nID) are generated; rowversion ``tstamp`` is left out (the
adapter never writes it and reads changes through LUpd_DateTime).

Column specs: ``Name C10`` char(10), ``F`` float, ``SI`` smallint, ``I`` int, ``SDT`` smalldatetime,
``TEXT`` long text, ``ID`` identity int.
"""

from __future__ import annotations

from dataclasses import dataclass

AUDIT = ("Crtd_DateTime SDT, Crtd_Prog C8, Crtd_User C10, LUpd_DateTime SDT, LUpd_Prog C8, LUpd_User C10, "
         "NoteID I, S4Future01 C30, S4Future02 C30, S4Future03 F, S4Future04 F, S4Future05 F, S4Future06 F, "
         "S4Future07 SDT, S4Future08 SDT, S4Future09 I, S4Future10 I, S4Future11 C10, S4Future12 C10, "
         "User1 C30, User2 C30, User3 F, User4 F, User5 C10, User6 C10, User7 SDT, User8 SDT")
CURY = "CuryId C4, CuryMultDiv C1, CuryRate F, CuryRateType C6, CuryEffDate SDT"


def _four(spec: str) -> str:
    """'TaxId{} C10' -> TaxId00 C10, ..., TaxId03 C10."""
    return ", ".join(spec.format(f"0{n}") for n in range(4))


TAX_DOC = ", ".join(_four(s) for s in ("TaxId{} C10", "TaxTot{} F", "CuryTaxTot{} F", "TxblTot{} F",
                                         "CuryTxblTot{} F", "TaxCntr{} SI"))
TAX_LINE = ", ".join(_four(s) for s in ("TaxId{} C10", "TaxAmt{} F", "CuryTaxAmt{} F", "TxblAmt{} F",
                                          "CuryTxblAmt{} F"))


@dataclass(frozen=True)
class Table:
    name: str
    columns: str
    key: tuple[str, ...] = ()
    audit: bool = True
    indexes: tuple[tuple[str, ...], ...] = ()

    def specs(self) -> list[tuple[str, str]]:
        text = self.columns + (", " + AUDIT if self.audit else "")
        return [tuple(part.split()) for part in (p.strip() for p in text.split(",")) if part]  # type: ignore[misc]


APP_TABLES: tuple[Table, ...] = (
    Table("Batch", "Module C2, BatNbr C10, CpnyID C10, Status C1, Rlsed SI, EditScrnNbr C5, JrnlType C3, BatType C1, "
          "PerPost C6, PerEnt C6, CrTot F, DrTot F, CtrlTot F, CuryCrTot F, CuryDrTot F, CuryCtrlTot F, "
          f"{CURY}, BaseCuryID C4, LedgerID C10, GLPostOpt C1, Descr C30, DateEnt SDT, BalanceType C1, Acct C10, "
          "Sub C24, BankAcct C10, BankSub C24, AutoRev SI, AutoRevCopy SI, Cycle SI, NbrCycle SI, OrigBatNbr C10, "
          "OrigCpnyID C10, OrigScrnNbr C5, DepositAmt F, clearamt F, Cleared SI, DateClr SDT, VOBatNbrForPP C10",
          ("Module", "BatNbr"), indexes=(("CpnyID", "Module", "BatNbr", "Status"), ("Module", "Status", "PerPost"))),
    Table("RefNbr", "RefNbr C10, DocType C2", ("RefNbr",)),
    Table("ARDoc", "CustId C15, DocType C2, RefNbr C10, BatNbr C10, BatSeq I, CpnyID C10, DocDate SDT, DueDate SDT, "
          "DiscDate SDT, Terms C2, OrigDocAmt F, CuryOrigDocAmt F, DocBal F, CuryDocBal F, DiscBal F, CuryDiscBal F, "
          "ApplAmt F, CuryApplAmt F, ApplBatNbr C10, ApplBatSeq I, BankAcct C10, BankSub C24, DocClass C1, "
          f"OpenDoc SI, Rlsed SI, Status C1, PerPost C6, PerEnt C6, PerClosed C6, {TAX_DOC}, DocDesc C30, "
          "CustOrdNbr C25, OrdNbr C15, SlsperId C10, ProjectID C16, TaskID C32, LineCntr I, MasterDocNbr C10, "
          "InstallNbr SI, CmmnAmt F, CmmnPct F, StmtBal F, StmtDate SDT, RGOLAmt F, NoPrtStmt SI, AcctNbr C30, "
          f"OrigDocNbr C10, OrigCpnyID C10, {CURY}",
          ("CustId", "DocType", "RefNbr", "BatNbr", "BatSeq"), indexes=(("BatNbr", "BatSeq"), ("RefNbr",))),
    Table("ARTran", "RecordID ID, CustId C15, TranType C2, RefNbr C10, LineNbr SI, BatNbr C10, CpnyID C10, Acct C10, "
          "Sub C24, DrCr C1, TranAmt F, CuryTranAmt F, Qty F, UnitPrice F, CuryUnitPrice F, UnitDesc C6, CnvFact F, "
          "InvtId C30, SiteId C10, WhseLoc C10, LineId I, LineRef C5, TranClass C1, TaxCat C10, TaxIdDflt C10, "
          f"{TAX_LINE}, TaxCalced C1, JrnlType C3, TranDate SDT, TranDesc C30, PerPost C6, PerEnt C6, FiscYr C4, "
          "Rlsed SI, ExtRefNbr C15, SlsperId C10, ProjectID C16, TaskID C32, ExtCost F, CuryExtCost F, "
          f"{CURY}", indexes=(("CustId", "TranType", "RefNbr", "LineNbr"), ("BatNbr",))),
    Table("ARAdjust", "RecordID ID, CustId C15, AdjdDocType C2, AdjdRefNbr C10, AdjgDocType C2, AdjgRefNbr C10, "
          "AdjAmt F, CuryAdjdAmt F, CuryAdjgAmt F, AdjDiscAmt F, CuryAdjdDiscAmt F, CuryAdjgDiscAmt F, "
          "AdjgDocDate SDT, DateAppl SDT, PerAppl C6, AdjgPerPost C6, AdjBatNbr C10, CuryRGOLAmt F, "
          "CuryAdjdRate F, CuryAdjdMultDiv C1, CuryAdjdCuryId C4",
          indexes=(("CustId", "AdjdDocType", "AdjdRefNbr", "AdjgDocDate"), ("AdjBatNbr",))),
    Table("APDoc", "RecordID ID, Acct C10, Sub C24, DocType C2, RefNbr C10, VendId C15, InvcNbr C15, InvcDate SDT, "
          "DocDate SDT, DueDate SDT, DiscDate SDT, PayDate SDT, Terms C2, OrigDocAmt F, CuryOrigDocAmt F, DocBal F, "
          f"CuryDocBal F, DiscBal F, CuryDiscBal F, DiscTkn F, CuryDiscTkn F, {TAX_DOC}, OpenDoc SI, Rlsed SI, "
          "DocClass C1, Status C1, BatNbr C10, BatSeq I, CpnyID C10, PerPost C6, PerEnt C6, PerClosed C6, "
          "PONbr C10, LineCntr I, Doc1099 SI, CashAcct C10, CashSub C24, PmtMethod C1, CodeType C4, "
          f"DirectDeposit C1, DocDesc C30, {CURY}",
          indexes=(("VendId", "InvcNbr"), ("BatNbr", "RefNbr"), ("VendId", "DocType", "RefNbr"))),
    Table("APTran", "RecordID ID, BatNbr C10, Acct C10, Sub C24, RefNbr C10, trantype C2, DrCr C1, TranAmt F, "
          "CuryTranAmt F, Qty F, UnitPrice F, CuryUnitPrice F, UnitDesc C10, InvtID C30, SiteId C10, VendId C15, "
          f"JrnlType C3, LineNbr SI, LineId I, LineRef C5, LineType C1, TaxCat C10, {TAX_LINE}, TaxIdDflt C10, "
          "TaxCalced C1, TranClass C1, TranDate SDT, TranDesc C30, ExtRefNbr C15, PONbr C10, RcptNbr C10, "
          f"BoxNbr C2, FiscYr C4, PerPost C6, PerEnt C6, Rlsed SI, CpnyID C10, ProjectID C16, TaskID C32, {CURY}",
          indexes=(("RefNbr", "trantype", "LineNbr"),)),
    Table("GLTran", "Module C2, BatNbr C10, LineNbr SI, Acct C10, Sub C24, DrAmt F, CrAmt F, CuryDrAmt F, CuryCrAmt F, "
          "LedgerID C10, BalanceType C1, Posted C1, Rlsed SI, PerPost C6, PerEnt C6, FiscYr C4, TranDate SDT, "
          "TranDesc C30, TranType C2, JrnlType C3, RefNbr C10, ExtRefNbr C15, Id C20, CpnyID C10, LineId I, "
          "LineRef C5, Qty F, Units F, BaseCuryID C4, OrigAcct C10, OrigSub C24, OrigBatNbr C10, OrigCpnyID C10, "
          "IC_Distribution SI, ProjectID C16, TaskID C32, EmployeeID C10, RevEntryOption C1, AppliedDate SDT, "
          f"ServiceDate SDT, {CURY}", ("Module", "BatNbr", "LineNbr"), indexes=(("RefNbr",),)),
    Table("INTran", "RecordID ID, InvtID C30, SiteID C10, CpnyID C10, BatNbr C10, WhseLoc C10, RefNbr C15, LineNbr SI, "
          "LineId I, LineRef C5, TranType C2, InvtMult SI, Qty F, UnitPrice F, UnitCost F, ExtCost F, TranAmt F, "
          "DrCr C1, JrnlType C3, InvtAcct C10, InvtSub C24, Acct C10, Sub C24, COGSAcct C10, COGSSub C24, CnvFact F, "
          "UnitMultDiv C1, UnitDesc C6, TranDate SDT, FiscYr C4, PerPost C6, PerEnt C6, ToSiteID C10, ToWhseLoc C10, "
          "ReasonCd C6, Rlsed SI, TranDesc C30, ExtRefNbr C15, SrcType C3, SrcNbr C15, KitID C30, LotSerCntr SI, "
          "LayerType C1, SpecificCostID C25, RcptNbr C15, RcptDate SDT, ProjectID C16, TaskID C32",
          indexes=(("BatNbr", "InvtID", "SiteID", "WhseLoc", "RefNbr", "LineNbr"),)),
    Table("TrnsfrDoc", "TrnsfrDocNbr C10, CpnyID C10, BatNbr C10, SiteID C10, ToSiteID C10, TranDate SDT, "
          "ExpectedDate SDT, TransferType C1, Status C1, Source C2, RefNbr C15, RcptBatNbr C10, RcptNbr C15, "
          "RcptDate SDT, CostBatNbr C10, ShipViaID C15, ShipperID C15, Comment C30", ("TrnsfrDocNbr", "CpnyID")),
    Table("Snote", "nID ID, sLevelName C20, sTableName C20, sNoteText TEXT, dtRevisedDate SDT", audit=False),
    Table("ARSetup", "SetupId C2, LastBatNbr C10, LastRefNbr C10, LastCrMemoNbr C10, LastDrMemoNbr C10, AutoRef SI, "
          "PerNbr C6, CurrPerNbr C6, ArAcct C10, ArSub C24, DfltClass C6, SlsTax SI, GLPostOpt C1", ("SetupId",)),
    Table("APSetup", "SetupId C2, LastBatNbr C10, LastRefNbr C10, AutoRef SI, PerNbr C6, CurrPerNbr C6, APAcct C10, "
          "APSub C24, ExpAcct C10, ExpSub C24, Terms C2, DupInvcChk SI, ClassID C10", ("SetupId",)),
    Table("GLSetup", "SetupId C2, LastBatNbr C10, PerNbr C6, NbrPer SI, LedgerID C10, BaseCuryId C4, CpnyId C10, "
          "AutoRef C1, MCActive SI, Mult_Cpny_Db SI, ValidateAcctSub SI, BegFiscalYr SI, "
          + ", ".join(f"FiscalPerEnd{n:02d} C4" for n in range(13)), ("SetupId",)),
    Table("INSetup", "SetupId C2, LastBatNbr C10, LstTrnsfrDocNbr C10, CurrPerNbr C6, PerNbr C6, GLPostOpt C1, "
          "DfltInvtAcct C10, DfltInvtSub C24, AdjustmentsAcct C10, AdjustmentsSub C24, INClearingAcct C10, "
          "INClearingSub C24, NegQty SI, MultWhse SI", ("SetupId",)),
    Table("Customer", "CustId C15, Name C60, Addr1 C60, Addr2 C60, City C30, State C3, Zip C10, Country C3, Phone C30, "
          "Fax C30, EMailAddr C80, Attn C30, Salut C30, ClassId C6, Terms C2, TaxID00 C10, TaxID01 C10, TaxID02 C10, "
          "TaxID03 C10, TaxDflt C1, TaxExemptNbr C15, TaxLocId C15, TaxRegNbr C15, ArAcct C10, ArSub C24, "
          "SlsAcct C10, SlsSub C24, PrePayAcct C10, PrePaySub C24, CuryId C4, CuryRateType C6, Status C1, CrLmt F, "
          "SlsperId C10, Territory C10, StmtCycleId C2, StmtType C1, PrtStmt SI, AutoApply SI, DfltShipToId C10, "
          "PriceClassID C6, PrcLvlId C10, DocPublishingFlag C1, PerNbr C6", ("CustId",)),
    Table("Vendor", "VendId C15, Name C60, Addr1 C60, Addr2 C60, City C30, State C3, Zip C10, Country C3, Phone C30, "
          "RemitName C60, ClassID C10, Terms C2, APAcct C10, APSub C24, ExpAcct C10, ExpSub C24, PPayAcct C10, "
          "PPaySub C24, TaxId00 C10, TaxId01 C10, TaxId02 C10, TaxId03 C10, TaxDflt C1, TaxPost C1, TaxLocId C15, "
          "TaxRegNbr C15, CuryId C4, CuryRateType C6, Status C1, Vend1099 SI, DfltBox C2, TIN C11, PmtMethod C1, "
          "PayDateDflt C1, DirectDeposit C1, MultiChk SI, PerNbr C6", ("VendId",)),
    Table("CustClass", "ClassId C6, Descr C30, ARAcct C10, ARSub C24, SlsAcct C10, SlsSub C24, PrePayAcct C10, "
          "PrePaySub C24, Terms C2, PriceClass C6, PrcLvlID C10, TradeDisc F", ("ClassId",)),
    Table("VendClass", "ClassID C10, Descr C30, APAcct C10, APSub C24, ExpAcct C10, ExpSub C24, PPayAcct C10, "
          "PPaySub C24, Terms C2", ("ClassID",)),
    Table("Account", "Acct C10, Descr C30, AcctType C2, Active SI, CuryId C4, ClassID C10, ConsolAcct C10, "
          "SummPost C1, ValidateID C1, Acct_Cat C10, RatioGrp C2, UnitofMeas C6", ("Acct",)),
    Table("SubAcct", "Sub C24, Descr C30, Active SI, ConsolSub C24", ("Sub",)),
    # A view into the system database in SL; a table here.
    Table("vs_AcctSub", "CpnyID C10, Acct C10, Sub C24, Active SI, Descr C30", ("CpnyID", "Acct", "Sub"), audit=False),
    Table("SalesTax", "TaxType C1, TaxId C10, Descr C30, TaxRate F, TaxCalcType C1, TaxCalcLvl C1, TaxBasis C1, "
          "PrcTaxIncl C1, CatFlg C1, SlsTaxAcct C10, SlsTaxSub C24, PurTaxAcct C10, PurTaxSub C24, NewTaxRate F, "
          "NewRateDate SDT", ("TaxType", "TaxId")),
    Table("SlsTaxGrp", "GroupID C10, TaxID C10", ("GroupID", "TaxID")),
    Table("Terms", "TermsId C2, Descr C30, DueType C1, DueIntrv SI, DiscType C1, DiscIntrv SI, DiscPct F, "
          "TermsType C1, NbrInstall SI, ApplyTo C1, COD SI, CreditChk SI", ("TermsId",)),
    Table("Inventory", "InvtID C30, Descr C60, StkItem SI, ValMthd C1, TranStatusCode C2, LotSerTrack C2, SerAssign C1, "
          "StkUnit C6, DfltSOUnit C6, DfltPOUnit C6, ClassID C6, TaxCat C10, InvtAcct C10, InvtSub C24, "
          "COGSAcct C10, COGSSub C24, DfltSalesAcct C10, DfltSalesSub C24, DfltSite C10, DfltWhseLoc C10, "
          "StdCost F, LastCost F", ("InvtID",)),
    Table("ItemSite", "InvtID C30, SiteID C10, CpnyID C10, QtyOnHand F, QtyAvail F, QtyAlloc F, QtyAllocIN F, "
          "AvgCost F, TotCost F, StdCost F, InvtAcct C10, InvtSub C24, COGSAcct C10, COGSSub C24, DfltWhseLoc C10, "
          "StkItem SI", ("InvtID", "SiteID")),
    Table("INUnit", "UnitType C1, ClassID C6, InvtId C30, FromUnit C6, ToUnit C6, CnvFact F, MultDiv C1",
          ("UnitType", "ClassID", "InvtId", "FromUnit", "ToUnit")),
    Table("Site", "SiteId C10, Name C30, CpnyID C10, Addr1 C60, City C30, DfltInvtAcct C10, DfltInvtSub C24, "
          "COGSAcct C10, COGSSub C24", ("SiteId",)),
    Table("LocTable", "SiteID C10, WhseLoc C10, Descr C30, InclQtyAvail SI", ("SiteID", "WhseLoc")),
    Table("Currncy", "CuryId C4, Descr C30, DecPl SI", ("CuryId",)),
    Table("CuryRate", "FromCuryId C4, ToCuryId C4, RateType C6, EffDate SDT, MultDiv C1, Rate F, RateReciprocal F",
          ("FromCuryId", "ToCuryId", "RateType", "EffDate")),
)

# The system database: companies and users (the parts the adapter reads).
SYSTEM_TABLES: tuple[Table, ...] = (
    Table("Company", "CpnyID C10, CpnyName C30, DatabaseName C30, Active SI", ("CpnyID",), audit=False),
    Table("UserRec", "RecType C1, UserId C47, UserName C30, DfltCpnyID C10", ("RecType", "UserId"), audit=False),
)


def _type(kind: str, engine: str) -> str:
    if kind.startswith("C"):
        return f"CHAR({kind[1:]})"
    if engine == "postgres":
        return {"F": "DOUBLE PRECISION", "SI": "SMALLINT", "I": "INTEGER", "SDT": "TIMESTAMP(0)", "TEXT": "TEXT",
                "ID": "INTEGER GENERATED BY DEFAULT AS IDENTITY"}[kind]
    # SQLite: declared types the SQLite ODBC driver maps back to the right ODBC types.
    return {"F": "FLOAT", "SI": "SMALLINT", "I": "INTEGER", "SDT": "TIMESTAMP", "TEXT": "TEXT",
            "ID": "INTEGER PRIMARY KEY AUTOINCREMENT"}[kind]


def ddl(table: Table, engine: str) -> list[str]:
    """CREATE TABLE (+ indexes) for ``engine`` ('sqlite' or 'postgres')."""
    cols: list[str] = []
    has_identity_pk = False
    for name, kind in table.specs():
        text = f"{name} {_type(kind, engine)}"
        if kind == "ID":
            has_identity_pk = engine == "sqlite"
            if engine == "postgres":
                text += " NOT NULL"
        else:
            text += " NOT NULL"
            if engine == "sqlite" and kind.startswith("C"):
                text += f" CHECK (length({name}) <= {kind[1:]})"
            if engine == "sqlite" and kind == "SI":
                text += f" CHECK ({name} BETWEEN -32768 AND 32767)"
            if kind == "SDT":
                text += f" CHECK ({name} BETWEEN '1900-01-01' AND '2079-06-06 23:59:00')"
        cols.append(text)
    if table.key:
        cols.append(f"{'UNIQUE' if has_identity_pk else 'PRIMARY KEY'} ({', '.join(table.key)})")
    out = [f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(cols) + "\n)"]
    for n, index in enumerate(table.indexes):
        out.append(f"CREATE INDEX {table.name}_x{n} ON {table.name} ({', '.join(index)})")
    return out


def create_tables(cursor, tables: tuple[Table, ...], engine: str) -> None:
    for table in tables:
        for statement in ddl(table, engine):
            cursor.execute(statement)
