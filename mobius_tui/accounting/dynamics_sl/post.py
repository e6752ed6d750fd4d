"""Writing documents into SL's entry tables as unreleased batches, the way SL's entry screens do.

* AR invoices and credit memos: one AR batch (08.010) per currency and period of the run.
  Invoices with inventory items also get their cost entry as a GL batch of its own (01.010).
* Item receipts: one AP voucher batch (03.010); expense bills ("expense as bill"): another.
* Journal entries (expenses without "expense as bill"): one GL batch each.
* Inventory adjustments: one IN batch (10.030); each transfer: an IN batch (10.040) + TrnsfrDoc.

Documents are written a group per transaction (groups.py), each still all-or-nothing: its rows,
any batch it opens (number allocated from the module's setup row under its lock, numbering.py)
and its share of the batch totals commit together or not at all, so a failed document leaves
nothing behind and every batch total equals the documents that posted. Batches with several
documents stay on hold ('H') while the run adds to them and become balanced ('B', ready for
release) at the end; single-document batches are balanced at once. Nothing is released: release
and posting stay in SL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mobius_tui.accounting.dynamics_sl.check import (
    adjustment_site,
    receipt_account,
    tax_group,
    transfer_source_account,
    voucher_invoice_number,
)
from mobius_tui.accounting.dynamics_sl.codes import (
    AP_SCREEN,
    AR_SCREEN,
    FIRST_AR_LINE,
    GL_JOURNAL,
    GL_SCREEN,
    IN_ADJ_SCREEN,
    IN_TRF_SCREEN,
    calendar_period,
    line_ref,
    round_money,
    settle_rounding,
    split_account,
)
from mobius_tui.accounting.dynamics_sl.groups import GroupWriter, Unit
from mobius_tui.accounting.dynamics_sl.items import NewItem
from mobius_tui.accounting.dynamics_sl.numbering import Counter
from mobius_tui.accounting.dynamics_sl.reference import SLReference
from mobius_tui.accounting.dynamics_sl.sql import Session
from mobius_tui.documents.model import (
    CustomerRecord,
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    JournalEntry,
    Posting,
    PurchaseDocument,
    SalesDocument,
    VendorRecord,
)

ZERO = Decimal(0)
REF_CHUNK = 400  # reference numbers looked up per query


@dataclass
class _Batch:
    module: str
    number: str
    single: bool  # one document: written whole, balanced, with that document
    totals: dict[str, Decimal] = field(default_factory=dict)
    documents: int = 0
    changed: bool = False  # totals to write before the open transaction commits
    row: dict[str, Any] = field(default_factory=dict)  # a single-document batch's row, written with its totals


@dataclass(frozen=True)
class _Cury:
    """How a document's amounts convert to the base currency."""

    currency: str
    mult_div: str
    rate: Decimal
    effective: date
    base_places: int
    places: int

    def base(self, amount: Decimal) -> Decimal:
        value = amount * self.rate if self.mult_div == "M" else amount / self.rate
        return round_money(value, self.base_places)

    def cury(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.places)

    def columns(self, rate_type: str = "") -> dict[str, Any]:
        return {"CuryId": self.currency, "CuryMultDiv": self.mult_div, "CuryRate": self.rate,
                "CuryRateType": rate_type, "CuryEffDate": self.effective}


class Poster(GroupWriter):
    """Posts documents in groups on one session (see groups.py); call :meth:`finish` at the end."""

    def __init__(self, session: Session, ref: SLReference, user: str, now: datetime | None = None) -> None:
        super().__init__(session)
        self.ref = ref
        self.user = (user or "MOBIUS")[:10]
        self.now = (now or datetime.now()).replace(second=0, microsecond=0)
        self.batches: dict[tuple, _Batch] = {}
        self.company = ref.company_id
        self.base = ref.base_currency
        self.counters: dict[tuple[str, str], Counter] = {}
        self._used_refs: set[str] = set()  # AR reference numbers SL already holds, for the open group
        self._new_refs: set[str] = set()  # ... and those written in the open transaction
        self._periods: dict[date, str] = {}  # fiscal period of each date seen

    # --- group state ---------------------------------------------------------------------
    def state(self) -> Any:
        return (dict(self.batches), {k: (dict(b.totals), b.documents, b.changed) for k, b in self.batches.items()},
                {k: c.state() for k, c in self.counters.items()}, set(self._new_refs))

    def restore(self, state: Any) -> None:
        batches, figures, counters, refs = state
        self.batches = dict(batches)  # a copy: the snapshot may be returned to again
        for key, batch in batches.items():
            totals, batch.documents, batch.changed = figures[key]
            batch.totals = dict(totals)
        for key, counter in list(self.counters.items()):
            if key in counters:
                counter.restore(counters[key])
            else:
                counter.end_transaction()
        self._new_refs = set(refs)

    def prepare_group(self, units: Sequence[Unit]) -> None:
        numbers = sorted({u.document.number for u in units if isinstance(u.document, SalesDocument)})
        self._used_refs = set()
        for start in range(0, len(numbers), REF_CHUNK):
            part = numbers[start:start + REF_CHUNK]
            self._used_refs.update(r["refnbr"] for r in self.s.rows(
                f"SELECT RefNbr FROM RefNbr WHERE RefNbr IN ({', '.join('?' * len(part))})", *part))

    def before_commit(self) -> None:
        for batch in self.batches.values():
            if batch.changed:
                self.s.update("Batch", {**batch.totals, "LUpd_DateTime": self.now, "LUpd_User": self.user},
                              {"Module": batch.module, "BatNbr": batch.number})
                batch.changed = False
        for counter in self.counters.values():
            counter.write(self.s)

    def transaction_ended(self) -> None:
        for counter in self.counters.values():
            counter.end_transaction()
        self._new_refs = set()

    def counter(self, setup_table: str, setup_id: str, column: str, taken_table: str, taken_column: str,
                taken_where: str = "", *taken_params: Any) -> Counter:
        key = (setup_table, column)
        if key not in self.counters:
            self.counters[key] = Counter(setup_table, setup_id, column, taken_table, taken_column, taken_where,
                                         taken_params)
        return self.counters[key]

    # --- infrastructure ------------------------------------------------------------------
    def audit(self, prog: str) -> dict[str, Any]:
        return {"Crtd_DateTime": self.now, "Crtd_Prog": prog, "Crtd_User": self.user,
                "LUpd_DateTime": self.now, "LUpd_Prog": prog, "LUpd_User": self.user}

    def period(self, day: date) -> str:
        found = self._periods.get(day)
        if found is None:
            found = self._periods[day] = calendar_period(day, self.ref.gl_setup)
        return found

    def current_period(self, module: str) -> str:
        setup = {"AR": self.ref.ar_setup, "AP": self.ref.ap_setup, "GL": self.ref.gl_setup,
                 "IN": self.ref.in_setup}[module]
        key = "currpernbr" if module == "IN" else "pernbr"
        return (str(setup.get(key) or "").strip()) or self.period(self.now.date())

    def cury(self, doc: Document, rate_type: str = "", base_only: bool = False) -> _Cury:
        currency = self.base if base_only else (doc.currency or self.base)
        places = self.ref.decimals(currency)
        base_places = self.ref.decimals(self.base)
        if currency == self.base:
            return _Cury(currency, "M", Decimal(1), doc.date, base_places, places)
        rate = self.ref.rate(currency, doc.date, rate_type)
        if rate is None:
            raise ValueError(f"no {currency} to {self.base} rate on {doc.date:%Y-%m-%d} in Dynamics SL")
        return _Cury(currency, rate.mult_div, rate.rate, rate.effective, base_places, places)

    def _account(self, account: str, fallback: tuple[str, str] = ("", "")) -> tuple[str, str]:
        if account.strip():
            return split_account(account)
        if not fallback[0]:
            raise ValueError("no GL account for the document")
        return fallback

    # --- batches -------------------------------------------------------------------------
    def batch(self, key: tuple, module: str, screen: str, journal: str, setup: str, per_post: str, cury: _Cury,
              description: str, single: bool = False) -> _Batch:
        if key in self.batches and not single:
            return self.batches[key]
        number = self.counter(setup, module, "LastBatNbr", "Batch", "BatNbr", "Module = ?", module).next(self.s)
        row = {
            "Module": module, "BatNbr": number, "CpnyID": self.company, "Status": "H", "Rlsed": 0,
            "EditScrnNbr": screen, "JrnlType": journal, "BatType": "N", "PerPost": per_post,
            "PerEnt": self.current_period(module), "CuryId": cury.currency, "BaseCuryID": self.base,
            "CuryMultDiv": "M", "CuryRate": Decimal(1), "CuryEffDate": cury.effective,
            "LedgerID": self.ref.gl_setup.get("ledgerid") or "", "GLPostOpt": "D", "BalanceType": "A",
            "Descr": description, "DateEnt": self.now, **self.audit(screen),
        }
        batch = _Batch(module, number, single, row=row)
        if not single:
            self.write("Batch", row)
            self.batches[key] = batch
        return batch

    def add_totals(self, batch: _Batch, **amounts: Decimal) -> None:
        """Add a document to its batch: a single-document batch is written now, balanced; a shared
        batch's totals are written once per group, before its commit."""
        for name, amount in amounts.items():
            batch.totals[name] = batch.totals.get(name, ZERO) + amount
        batch.documents += 1
        if batch.single:
            self.write("Batch", {**batch.row, **batch.totals, "Status": "B"})
        else:
            batch.changed = True

    def finish(self) -> list[str]:
        """Mark the run's multi-document batches balanced; returns their numbers."""
        done = []
        for batch in self.batches.values():
            if batch.documents:
                self.s.update("Batch", {"Status": "B", "LUpd_DateTime": self.now},
                              {"Module": batch.module, "BatNbr": batch.number})
                done.append(f"{batch.module} {batch.number}")
        self.s.commit()
        return done

    # --- units -----------------------------------------------------------------------------
    def unit(self, doc: Document) -> Unit:
        kinds = ((SalesDocument, self._sales), (PurchaseDocument, self._purchase), (JournalEntry, self._journal),
                 (InventoryAdjustment, self._adjustment), (InventoryTransfer, self._transfer))
        work = next((build for kind, build in kinds if isinstance(doc, kind)), None)
        if work is None:
            return Unit(doc.key, error=f"Dynamics SL does not take {doc.kind.value} documents", document=doc)
        return Unit(doc.key, lambda: work(doc), document=doc)

    def customer_unit(self, rec: CustomerRecord) -> Unit:
        def work() -> str:
            cls_id = (self.ref.ar_setup.get("dfltclass") or "").strip()
            cls = self.ref.customer_classes.get(cls_id, {})
            terms = rec.terms if rec.terms in self.ref.terms else (cls.get("terms") or "")
            tax = rec.tax_code if rec.tax_code in self.ref.groups else ""
            self.write("Customer", {
                "CustId": rec.account, "Name": rec.name, "ClassId": cls_id, "Terms": terms, "TaxID00": tax,
                "ArAcct": cls.get("aracct") or self.ref.ar_setup.get("aracct") or "",
                "ArSub": cls.get("arsub") or self.ref.ar_setup.get("arsub") or "",
                "SlsAcct": cls.get("slsacct") or "", "SlsSub": cls.get("slssub") or "",
                "PrePayAcct": cls.get("prepayacct") or "", "PrePaySub": cls.get("prepaysub") or "",
                "CuryId": rec.currency or self.base, "Status": "A", "DocPublishingFlag": "Y",
                "PerNbr": self.current_period("AR"), **self.audit("08260"),
            })
            self.after_commit(lambda: self.ref.customers.__setitem__(rec.account, {
                "custid": rec.account, "status": "A", "aracct": cls.get("aracct") or "", "arsub": cls.get("arsub") or ""}))
            return f"customer {rec.account}"

        return Unit(f"customer:{rec.account}", work)

    def vendor_unit(self, rec: VendorRecord, currency: str = "") -> Unit:
        """``currency``: the currency of the vendor's documents (check.vendor_currencies); "" = home."""
        def work() -> str:
            cls_id = (self.ref.ap_setup.get("classid") or "").strip()
            cls = self.ref.vendor_classes.get(cls_id, {})
            terms = rec.terms if rec.terms in self.ref.terms else (cls.get("terms") or self.ref.ap_setup.get("terms") or "")
            self.write("Vendor", {
                "VendId": rec.account, "Name": rec.name, "RemitName": rec.name, "ClassID": cls_id, "Terms": terms,
                "APAcct": cls.get("apacct") or self.ref.ap_setup.get("apacct") or "",
                "APSub": cls.get("apsub") or self.ref.ap_setup.get("apsub") or "",
                "ExpAcct": cls.get("expacct") or self.ref.ap_setup.get("expacct") or "",
                "ExpSub": cls.get("expsub") or self.ref.ap_setup.get("expsub") or "",
                "PPayAcct": cls.get("ppayacct") or "", "PPaySub": cls.get("ppaysub") or "",
                "CuryId": currency or self.base, "Status": "A", "PerNbr": self.current_period("AP"),
                **self.audit("03270"),
            })
            self.after_commit(lambda: self.ref.vendors.__setitem__(rec.account, {
                "vendid": rec.account, "status": "A", "apacct": cls.get("apacct") or "", "apsub": cls.get("apsub") or ""}))
            return f"vendor {rec.account}"

        return Unit(f"vendor:{rec.account}", work)

    def item_unit(self, new: NewItem) -> Unit:
        """A product SL lacks, as items.py describes (Inventory Items and Unit Conversions screens)."""
        def work() -> str:
            setup = self.ref.in_setup
            invt = split_account(new.inventory_account) if new.stock and new.inventory_account else (
                setup.get("dfltinvtacct") or "", setup.get("dfltinvtsub") or "")
            cogs = split_account(new.cost_account) if new.cost_account else ("", "")
            sales = split_account(new.revenue_account) if new.revenue_account else ("", "")
            unit = new.stock_unit
            site = new.sites[0] if new.stock and new.sites else ""
            bins = {code_site[1]: found.get("dfltwhseloc") or "" for code_site, found in self.ref.item_sites.items()}
            self.write("Inventory", {
                "InvtID": new.code, "Descr": new.description, "StkItem": int(new.stock),
                "ValMthd": "A" if new.stock else "U", "TranStatusCode": "AC", "LotSerTrack": "NN", "StkUnit": unit,
                "DfltSOUnit": unit, "DfltPOUnit": unit, "InvtAcct": invt[0], "InvtSub": invt[1], "COGSAcct": cogs[0],
                "COGSSub": cogs[1], "DfltSalesAcct": sales[0], "DfltSalesSub": sales[1], "DfltSite": site,
                "DfltWhseLoc": bins.get(site, ""), **self.audit("10250"),
            })
            if unit not in self.ref.units:
                self.write("INUnit", {"UnitType": "3", "InvtId": new.code, "FromUnit": unit, "ToUnit": unit,
                                      "CnvFact": Decimal(1), "MultDiv": "M", **self.audit("10270")})
            sites = [{"InvtID": new.code, "SiteID": at, "CpnyID": self.company, "InvtAcct": invt[0],
                      "InvtSub": invt[1], "COGSAcct": cogs[0], "COGSSub": cogs[1], "DfltWhseLoc": bins.get(at, ""),
                      "StkItem": 1, **self.audit("10250")} for at in (new.sites if new.stock else [])]
            if sites:
                self.write("ItemSite", sites)

            def known() -> None:
                self.ref.items[new.code] = {"invtid": new.code, "stkitem": int(new.stock), "transtatuscode": "AC",
                                            "dfltsite": site, "invtacct": invt[0], "invtsub": invt[1]}
                for row in sites:
                    self.ref.item_sites[(new.code, row["SiteID"])] = {
                        "invtid": new.code, "siteid": row["SiteID"], "invtacct": invt[0], "invtsub": invt[1],
                        "dfltwhseloc": row["DfltWhseLoc"]}

            self.after_commit(known)
            return f"item {new.code}"

        return Unit(f"item:{new.code}", work)

    # --- documents -----------------------------------------------------------------------
    def _tax_columns(self, doc: SalesDocument | PurchaseDocument, cury: _Cury) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n, level in enumerate(t for t in doc.taxes if t.amount != 0 or t.agency_xref):
            out.update({f"TaxId0{n}": level.agency_xref, f"TaxTot0{n}": cury.base(level.amount),
                        f"CuryTaxTot0{n}": cury.cury(level.amount), f"TxblTot0{n}": cury.base(level.taxable_amount),
                        f"CuryTxblTot0{n}": cury.cury(level.taxable_amount), f"TaxCntr0{n}": 1})
        return out

    @staticmethod
    def _line_base(doc: SalesDocument | PurchaseDocument, cury: _Cury, total_base: Decimal,
                   taxes: dict[str, Any]) -> list[Decimal]:
        """Each line's base amount, such that lines plus taxes make the document's base total (see
        codes.settle_rounding): tax amounts keep their own conversion, as SL's tax lines do."""
        tax_base = sum((v for k, v in taxes.items() if k.startswith("TaxTot")), ZERO)
        return settle_rounding(total_base - tax_base, [cury.base(line.amount) for line in doc.lines])

    def _due_date(self, doc: SalesDocument | PurchaseDocument) -> date:
        if doc.due_date:
            return doc.due_date
        days = getattr(doc, "due_days", None)
        if days is None:
            days = int((self.ref.terms.get(doc.terms) or {}).get("dueintrv") or 0)
        return doc.date + timedelta(days=days)

    def _sales(self, doc: SalesDocument) -> str:
        customer = self.ref.customers.get(doc.customer.account, {})
        cury = self.cury(doc, customer.get("curyratetype") or "")
        per_post = self.period(doc.date)
        batch = self.batch(("AR", cury.currency, per_post), "AR", AR_SCREEN, "AR", "ARSetup", per_post, cury,
                           "Manage invoices")
        doc_type = "CM" if doc.kind == DocumentKind.CREDIT_MEMO else "IN"
        ar_acct, ar_sub = self._account(doc.receivable_account, (
            customer.get("aracct") or self.ref.ar_setup.get("aracct") or "",
            customer.get("arsub") or self.ref.ar_setup.get("arsub") or ""))
        total_base, total_cury = cury.base(doc.document_total), cury.cury(doc.document_total)
        taxes = self._tax_columns(doc, cury)
        line_base = self._line_base(doc, cury, total_base, taxes)
        fiscal_year = per_post[:4]
        cur_period = self.current_period("AR")
        if doc.number in self._used_refs or doc.number in self._new_refs:
            raise ValueError(f"reference number {doc.number} is already used in Dynamics SL; if this document was "
                             "posted before, remove it from the run, otherwise renumber it in Manage")
        self._new_refs.add(doc.number)
        self.write("RefNbr", {"RefNbr": doc.number, "DocType": doc_type, **self.audit(AR_SCREEN)})
        self.write("ARDoc", {
            "CustId": doc.customer.account, "DocType": doc_type, "RefNbr": doc.number, "BatNbr": batch.number,
            "BatSeq": batch.documents, "CpnyID": self.company, "DocDate": doc.date, "DueDate": self._due_date(doc),
            "Terms": doc.terms, "OrigDocAmt": total_base, "CuryOrigDocAmt": total_cury, "DocBal": total_base,
            "CuryDocBal": total_cury, "BankAcct": ar_acct, "BankSub": ar_sub, "DocClass": "N", "OpenDoc": 1,
            "Rlsed": 0, "PerPost": per_post, "PerEnt": cur_period, "DocDesc": doc.description or doc.memo,
            "CustOrdNbr": doc.po_number, "LineCntr": len(doc.lines), **taxes,
            **cury.columns(), **self.audit(AR_SCREEN),
        })
        group = tax_group(doc) if doc.taxes else ""
        dr_cr = "D" if doc_type == "CM" else "C"
        lines = []
        for n, line in enumerate(doc.lines, start=1):
            acct, sub = split_account(line.account)
            item = line.item
            lines.append({
                "LineNbr": FIRST_AR_LINE + n, "Acct": acct, "Sub": sub, "TranAmt": line_base[n - 1],
                "CuryTranAmt": cury.cury(line.amount), "Qty": line.quantity,
                "UnitPrice": cury.base(line.unit_price) if line.unit_price else ZERO,
                "CuryUnitPrice": line.unit_price, "UnitDesc": (item.unit_of_measure if item else "")[:6],
                "InvtId": item.code if item else "",
                "SiteId": item.location_xref if item and item.is_inventory else "", "LineId": n,
                "LineRef": line_ref(n), "TaxIdDflt": group if line.taxable else "", "TranDesc": line.description,
                "ExtCost": cury.base(line.cost) if line.cost else ZERO, "CuryExtCost": line.cost,
            })
        common = {
            "CustId": doc.customer.account, "TranType": doc_type, "RefNbr": doc.number, "BatNbr": batch.number,
            "CpnyID": self.company, "DrCr": dr_cr, "CnvFact": Decimal(1), "TranClass": "N", "TaxCalced": "N",
            "JrnlType": "AR", "TranDate": doc.date, "PerPost": per_post, "PerEnt": cur_period, "FiscYr": fiscal_year,
            "Rlsed": 0, **cury.columns(), **self.audit(AR_SCREEN),
        }
        self.write("ARTran", lines, common)
        self.add_totals(batch, CrTot=total_base, CtrlTot=total_base, CuryCrTot=total_cury, CuryCtrlTot=total_cury)
        reference = f"AR batch {batch.number} {doc_type} {doc.number}"
        cost = self._cost_postings(doc)
        if cost:
            # Inventory is valued in the home currency, so the cost entry is too.
            gl = self._gl_batch(doc, cost, f"Cost of sales {doc.number}", self.cury(doc, base_only=True), extref="")
            reference += f"; cost GL batch {gl}"
        return reference

    def _cost_postings(self, doc: SalesDocument) -> list[Posting]:
        """The COGS entry of inventory items sold (reversed on credit memos)."""
        out: list[Posting] = []
        for line in doc.lines:
            item = line.item
            if item is None or not item.is_inventory or not line.cost:
                continue
            amount = abs(line.cost)
            if doc.kind == DocumentKind.CREDIT_MEMO:
                amount = -amount
            text = f"{item.code} x {abs(line.quantity)}"
            out += [Posting(item.cost_account, amount, text), Posting(item.inventory_account, -amount, text)]
        return out

    def _purchase(self, doc: PurchaseDocument) -> str:
        vendor = self.ref.vendors.get(doc.vendor.account, {})
        cury = self.cury(doc, vendor.get("curyratetype") or "")
        per_post = self.period(doc.date)
        label = "Manage item receipts" if doc.kind == DocumentKind.ITEM_RECEIPT else "Manage expenses"
        batch = self.batch(("AP", doc.kind, cury.currency, per_post), "AP", AP_SCREEN, "AP", "APSetup", per_post,
                           cury, label)
        ref_nbr = self.counter("APSetup", "AP", "LastRefNbr", "APDoc", "RefNbr").next(self.s)
        ap_acct, ap_sub = self._account(doc.payable_account, (
            vendor.get("apacct") or self.ref.ap_setup.get("apacct") or "",
            vendor.get("apsub") or self.ref.ap_setup.get("apsub") or ""))
        total_base, total_cury = cury.base(doc.document_total), cury.cury(doc.document_total)
        taxes = self._tax_columns(doc, cury)
        line_base = self._line_base(doc, cury, total_base, taxes)
        cur_period = self.current_period("AP")
        invoice_number = voucher_invoice_number(doc)
        description = doc.description or doc.memo
        ext_ref = doc.number
        if invoice_number != (doc.vendor_invoice_number or doc.number):
            description, ext_ref = f"{doc.number} {description}".strip(), invoice_number
        self.write("APDoc", {
            "Acct": ap_acct, "Sub": ap_sub, "DocType": "VO", "RefNbr": ref_nbr, "VendId": doc.vendor.account,
            "InvcNbr": invoice_number, "InvcDate": doc.date, "DocDate": doc.date,
            "DueDate": self._due_date(doc), "PayDate": self._due_date(doc), "Terms": doc.terms,
            "OrigDocAmt": total_base, "CuryOrigDocAmt": total_cury, "DocBal": total_base, "CuryDocBal": total_cury,
            "OpenDoc": 1, "Rlsed": 0, "DocClass": "N", "BatNbr": batch.number, "BatSeq": batch.documents,
            "CpnyID": self.company, "PerPost": per_post, "PerEnt": cur_period, "PONbr": doc.po_number,
            "LineCntr": len(doc.lines), "DocDesc": description, **taxes,
            **cury.columns(), **self.audit(AP_SCREEN),
        })
        lines = []
        for n, line in enumerate(doc.lines, start=1):
            account = receipt_account(line) if doc.kind == DocumentKind.ITEM_RECEIPT else line.account
            acct, sub = split_account(account)
            item = line.item
            lines.append({
                "BatNbr": batch.number, "Acct": acct, "Sub": sub, "RefNbr": ref_nbr, "trantype": "VO", "DrCr": "D",
                "TranAmt": line_base[n - 1], "CuryTranAmt": cury.cury(line.amount), "Qty": line.quantity,
                "UnitPrice": cury.base(line.unit_price) if line.unit_price else ZERO, "CuryUnitPrice": line.unit_price,
                "UnitDesc": (item.unit_of_measure if item else "")[:10], "InvtID": item.code if item else "",
                "SiteId": item.location_xref if item and item.is_inventory else "", "VendId": doc.vendor.account,
                "JrnlType": "AP", "LineNbr": n, "LineId": n, "LineRef": line_ref(n), "TranClass": "N",
                "TaxCalced": "N", "TranDate": doc.date, "TranDesc": line.description, "ExtRefNbr": ext_ref,
                "PONbr": doc.po_number, "FiscYr": per_post[:4], "PerPost": per_post, "PerEnt": cur_period,
                "Rlsed": 0, "CpnyID": self.company, **cury.columns(), **self.audit(AP_SCREEN),
            })
        self.write("APTran", lines)
        self.add_totals(batch, CrTot=total_base, DrTot=total_base, CtrlTot=total_base, CuryCrTot=total_cury,
                        CuryDrTot=total_cury, CuryCtrlTot=total_cury)
        return f"AP batch {batch.number} voucher {ref_nbr}"

    def _journal(self, doc: JournalEntry) -> str:
        number = self._gl_batch(doc, doc.postings(), doc.description or f"Manage {doc.source or 'entry'} {doc.number}",
                                self.cury(doc), extref=doc.number)
        return f"GL batch {number}"

    def _gl_batch(self, doc: Document, postings: list[Posting], description: str, cury: _Cury, extref: str) -> str:
        """A balanced GL batch of its own for ``postings`` (journal entries, cost of sales entries)."""
        per_post = self.period(doc.date)
        batch = self.batch(("GL", doc.key), "GL", GL_SCREEN, GL_JOURNAL, "GLSetup", per_post, cury, description,
                           single=True)
        postings = [p for p in postings if p.amount != 0]
        base = settle_rounding(ZERO, [cury.base(p.amount) for p in postings])  # debits = credits
        cur_period = self.current_period("GL")
        rows = []
        for n, (posting, amount) in enumerate(zip(postings, base), start=1):
            acct, sub = split_account(posting.account)
            debit = posting.amount > 0
            rows.append({
                "LineNbr": n, "Acct": acct, "Sub": sub,
                "DrAmt": amount if debit else ZERO, "CrAmt": ZERO if debit else -amount,
                "CuryDrAmt": cury.cury(posting.amount) if debit else ZERO,
                "CuryCrAmt": ZERO if debit else cury.cury(-posting.amount),
                "TranDesc": posting.description or description, "LineId": n, "LineRef": line_ref(n),
            })
        common = {
            "Module": "GL", "BatNbr": batch.number, "LedgerID": self.ref.gl_setup.get("ledgerid") or "",
            "BalanceType": "A", "Posted": "U", "Rlsed": 0, "PerPost": per_post, "PerEnt": cur_period,
            "FiscYr": per_post[:4], "TranDate": doc.date, "TranType": GL_JOURNAL, "JrnlType": GL_JOURNAL,
            "RefNbr": doc.number[:10], "ExtRefNbr": extref, "CpnyID": self.company, "BaseCuryID": self.base,
            **cury.columns(), **self.audit(GL_SCREEN),
        }
        self.write("GLTran", rows, common)
        debit_base = sum((a for a in base if a > 0), ZERO)
        debit_cury = sum((cury.cury(p.amount) for p in postings if p.amount > 0), ZERO)
        self.add_totals(batch, CrTot=debit_base, DrTot=debit_base, CtrlTot=debit_base, CuryCrTot=debit_cury,
                        CuryDrTot=debit_cury, CuryCtrlTot=debit_cury)
        return batch.number

    def _item_site(self, code: str, site: str) -> dict:
        found = self.ref.item_sites.get((code, site))
        if found is None:
            raise ValueError(f"item {code} is not set up at site {site} in Dynamics SL")
        return found

    def _allocate(self, code: str, site: str, quantity: Decimal) -> None:
        """Unreleased IN lines that take stock out count as allocated, as SL's own entry does."""
        self.write_sql("UPDATE ItemSite SET QtyAllocIN = QtyAllocIN + ?, QtyAvail = QtyAvail - ?, "
                        "LUpd_DateTime = ? WHERE InvtID = ? AND SiteID = ?", float(quantity), float(quantity),
                        self.now, code, site)

    def _adjustment(self, doc: InventoryAdjustment) -> str:
        cury = self.cury(doc)
        per_post = self.period(doc.date)
        batch = self.batch(("IN", "adjustments", per_post), "IN", IN_ADJ_SCREEN, "IN", "INSetup", per_post, cury,
                           "Manage inventory adjustments")
        cur_period = self.current_period("IN")
        rows, amount, quantity = [], ZERO, ZERO
        for n, line in enumerate(doc.lines, start=1):
            site = adjustment_site(line, self.ref)
            item_site = self._item_site(line.item.code, site)
            invt_acct, invt_sub = self._account(line.item.inventory_account,
                                                (item_site.get("invtacct") or "", item_site.get("invtsub") or ""))
            acct, sub = split_account(line.offset_account)
            value = cury.base(line.value)
            unit = round_money(value / line.quantity, 4) if line.quantity else ZERO
            rows.append({
                "InvtID": line.item.code, "SiteID": site, "CpnyID": self.company, "BatNbr": batch.number,
                "WhseLoc": item_site.get("dfltwhseloc") or "", "RefNbr": doc.number, "LineNbr": n, "LineId": n,
                "LineRef": line_ref(n), "TranType": "AJ", "InvtMult": 1, "Qty": line.quantity, "UnitPrice": unit,
                "UnitCost": unit, "ExtCost": value, "TranAmt": value, "DrCr": "C", "JrnlType": "IN",
                "InvtAcct": invt_acct, "InvtSub": invt_sub, "Acct": acct, "Sub": sub, "CnvFact": Decimal(1),
                "UnitMultDiv": "M", "UnitDesc": line.item.unit_of_measure[:6], "TranDate": doc.date,
                "FiscYr": per_post[:4], "PerPost": per_post, "PerEnt": cur_period, "Rlsed": 0,
                "TranDesc": line.description or doc.description, "ExtRefNbr": doc.number, **self.audit(IN_ADJ_SCREEN),
            })
            if line.quantity < 0:
                self._allocate(line.item.code, site, -line.quantity)
            amount += value
            quantity += line.quantity
        self.write("INTran", rows)
        self.add_totals(batch, CrTot=amount, CtrlTot=amount, CuryCrTot=amount, CuryCtrlTot=amount, DrTot=quantity)
        return f"IN batch {batch.number} {doc.number}"

    def _transfer(self, doc: InventoryTransfer) -> str:
        cury = self.cury(doc)
        per_post = self.period(doc.date)
        batch = self.batch(("IN", doc.key), "IN", IN_TRF_SCREEN, "IN", "INSetup", per_post, cury,
                           doc.description or f"Manage transfer {doc.number}", single=True)
        transfer = self.counter("INSetup", "IN", "LstTrnsfrDocNbr", "TrnsfrDoc", "TrnsfrDocNbr", "CpnyID = ?",
                                self.company).next(self.s)
        clearing = (self.ref.in_setup.get("inclearingacct") or "", self.ref.in_setup.get("inclearingsub") or "")
        cur_period = self.current_period("IN")
        rows, amount, quantity = [], ZERO, ZERO
        first = doc.lines[0] if doc.lines else None
        for n, line in enumerate(doc.lines, start=1):
            source = self._item_site(line.item.code, line.from_location)
            dest = self._item_site(line.item.code, line.to_location)
            # The source side is credited on the account Manage credited (the source warehouse's).
            invt_acct, invt_sub = self._account(transfer_source_account(line),
                                                (source.get("invtacct") or "", source.get("invtsub") or ""))
            value = cury.base(line.value)
            unit = round_money(value / line.quantity, 4) if line.quantity else ZERO
            rows.append({
                "InvtID": line.item.code, "SiteID": line.from_location, "CpnyID": self.company,
                "BatNbr": batch.number, "WhseLoc": source.get("dfltwhseloc") or "", "RefNbr": transfer,
                "LineNbr": n, "LineId": n, "LineRef": line_ref(n), "TranType": "TR", "InvtMult": -1,
                "Qty": line.quantity, "UnitPrice": unit, "UnitCost": unit, "ExtCost": value, "TranAmt": value,
                "DrCr": "C", "JrnlType": "IN", "InvtAcct": invt_acct, "InvtSub": invt_sub, "Acct": clearing[0],
                "Sub": clearing[1], "CnvFact": Decimal(1), "UnitMultDiv": "M",
                "UnitDesc": line.item.unit_of_measure[:6], "TranDate": doc.date, "FiscYr": per_post[:4],
                "PerPost": per_post, "PerEnt": cur_period, "ToSiteID": line.to_location,
                "ToWhseLoc": dest.get("dfltwhseloc") or "", "Rlsed": 0,
                "TranDesc": line.description or doc.description, "ExtRefNbr": doc.number, **self.audit(IN_TRF_SCREEN),
            })
            self._allocate(line.item.code, line.from_location, line.quantity)
            amount += value
            quantity += line.quantity
        self.write("INTran", rows)
        self.write("TrnsfrDoc", {
            "TrnsfrDocNbr": transfer, "CpnyID": self.company, "BatNbr": batch.number,
            "SiteID": first.from_location if first else "", "ToSiteID": first.to_location if first else "",
            "TranDate": doc.date, "ExpectedDate": doc.date, "TransferType": "2", "Status": "I", "Source": "IN",
            "RefNbr": doc.number, "Comment": doc.description, **self.audit(IN_TRF_SCREEN),
        })
        self.add_totals(batch, CrTot=amount, CtrlTot=amount, CuryCrTot=amount, CuryCtrlTot=amount, DrTot=quantity)
        return f"IN batch {batch.number} transfer {transfer}"
