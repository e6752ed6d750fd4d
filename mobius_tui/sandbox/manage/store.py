"""State of the Manage sandbox: the generated books plus what changes, kept in SQLite.

The books (companies, invoices, expenses, procurement, ...) are regenerated from the seed and
size recorded in the database, so only what changes is stored: accounting batches and which GL
entries they hold, invoice payments, the accounting-package setup, and issued member tokens.
A file-backed store reopened after a restart therefore sees the same batches and payments.

Accounting semantics: every closed document owns GL entry ids (``Invoice.entry_ids`` & co.).
A document is *unposted* while any of its entries is outside a batch. ``export`` reads only;
``create_batch`` validates and marks entries batched; ``delete_batch`` releases them.

Test helpers (Python only, no HTTP): ``reset()``, ``set_setup(**flags)``, ``unposted_counts()``,
``batched_entry_ids(batch_id=None)``, ``batch_by_identifier(name)``, ``expire_tokens()``,
``entry_ids_of(kind, id)``, ``export_ids_for(glexport)`` and the ``dataset`` attribute.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from mobius_tui.manage import models as m
from mobius_tui.manage.models import wire_number as to_number
from mobius_tui.sandbox.dataset import Dataset, Expense, Invoice, Procurement, generate
from mobius_tui.sandbox.manage import glexport, wire
from mobius_tui.sandbox.manage.encoding import WireRow, wire_row, with_values

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier TEXT NOT NULL UNIQUE COLLATE NOCASE,
    gl_interface TEXT,
    export_invoices INTEGER NOT NULL, export_expenses INTEGER NOT NULL, export_products INTEGER NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batched_entries (
    entry_id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, amount TEXT NOT NULL,
    payment_date TEXT NOT NULL, applied_by TEXT NOT NULL, entered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_invoice ON payments (invoice_id, id);
CREATE TABLE IF NOT EXISTS tokens (
    public_key TEXT PRIMARY KEY, private_key TEXT NOT NULL, member TEXT NOT NULL, expiration TEXT NOT NULL
);
"""

DEFAULT_SETUP: dict[str, Any] = {
    "id": 1,
    "accountingPackage": {"id": 6, "identifier": "Other", "name": "Mobius TUI"},
    "directTransferFlag": True, "includeInvoicesFlag": True, "invoiceFormat": "Detailed",
    "includeExpensesFlag": True, "transferExpensesAsBillFlag": True, "expenseFormat": "Default",
    "suppressMemoFlag": False, "syncPaymentInfoFlag": True, "syncWisePayPaymentInfoFlag": False,
    "includeSalesTaxFlag": True, "enableTaxGroupsFlag": True, "zeroDollarTaxAmountsFlag": False,
    "includeItemsFlag": True, "inventorySOHFlag": True, "sendComponentAmountFlag": False, "sendUomFlag": True,
    "includeCogsEntriesFlag": True, "includeCogsDropShipFlag": False,
}
HISTORY_BATCH = "OPENING-2025-03-31"


class StoreError(Exception):
    """A request the store refuses; ``status`` and ``body`` are the HTTP answer."""

    def __init__(self, status: int, code: str, message: str, errors: list[m.ValidationError] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = m.ErrorResponseMessage(code=code, message=message, errors=errors or None)


def _invalid(message: str, errors: list[m.ValidationError]) -> StoreError:
    return StoreError(400, "InvalidObject", message, errors)


def _verr(code: str, field: str, message: str, resource: str = "accountingBatch") -> m.ValidationError:
    return m.ValidationError(code=code, field=field, message=message, resource=resource)


@dataclass(frozen=True)
class Owner:
    kind: str  # invoice | expense | procurement
    record: Invoice | Expense | Procurement


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class ManageStore:
    def __init__(self, path: str = ":memory:", seed: int = 7, size: int = 60, history: bool = True,
                 token_lifetime: timedelta = timedelta(minutes=15),
                 clock: Callable[[], datetime] = _now) -> None:
        self.path = path
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.allow_partial_batches = False  # UNCONFIRMED real behaviour; strict catches client bugs
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA)
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        fresh = "seed" not in meta
        if fresh:
            with self._tx():
                self._db.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("seed", str(seed)), ("size", str(size)), ("setup", json.dumps(DEFAULT_SETUP))])
        else:
            seed, size = int(meta["seed"]), int(meta["size"])
        self._load(generate(seed, size))
        if fresh:
            self._seed_state(history)

    # --- loading -------------------------------------------------------------------

    def _load(self, ds: Dataset) -> None:
        self.dataset = ds
        self.invoices_by_unposted = {i.unposted_id: i for i in ds.invoices}
        self.invoices_by_id = {i.id: i for i in ds.invoices}
        self.invoices_by_number: dict[str, list[Invoice]] = {}  # lower-cased number
        for inv in ds.invoices:
            self.invoices_by_number.setdefault(inv.number.lower(), []).append(inv)
        self.expenses_by_id = {e.id: e for e in ds.expenses}
        self.procurements_by_id = {p.id: p for p in ds.procurements}
        self.procurements_by_product_id = {p.unposted_product_id.lower(): p for p in ds.procurements}
        self.entry_owner: dict[int, Owner] = {}
        self.groups: dict[int, list[int]] = {}
        for inv in ds.invoices:
            for e in inv.entry_ids:
                self.entry_owner[e] = Owner("invoice", inv)
            self.groups.update(glexport.condensed_groups(inv))
        for ex in ds.expenses:
            for e in ex.entry_ids:
                self.entry_owner[e] = Owner("expense", ex)
        for p in ds.procurements:
            for e in p.entry_ids:
                self.entry_owner[e] = Owner("procurement", p)
        self.batched: dict[int, int] = dict(self._db.execute("SELECT entry_id, batch_id FROM batched_entries"))
        self._wire_cache: dict[tuple[str, int], WireRow] = {}
        # An invoice's row as last built in full: a payment changes only its payments and balance,
        # so after one the row is that one with two numbers replaced (building it in full costs ~20x).
        self._invoice_rows: dict[int, WireRow] = {}
        self._entries_cache: dict[int, list[WireRow]] = {}  # batch id -> its BatchEntry rows
        # GLExport JSON per document and export options (glexport.build_json): the books never change
        self._fragments: dict[Hashable, bytes] = {}
        self._open: dict[int, int] = {}  # id(record) -> how many of its entries are outside a batch
        self._recount([*ds.invoices, *ds.expenses, *ds.procurements])

    def _recount(self, records: Iterable[Invoice | Expense | Procurement]) -> None:
        for r in records:
            self._open[id(r)] = sum(1 for e in r.entry_ids if e not in self.batched)

    def _seed_state(self, history: bool) -> None:
        ds = self.dataset
        with self._tx():
            for inv in ds.invoices:
                if inv.paid:
                    self._db.execute(
                        "INSERT INTO payments (invoice_id, type, source, amount, payment_date, applied_by, entered_at)"
                        " VALUES (?, 'P', 'Default', ?, ?, 'jtremblay', ?)",
                        (inv.id, str(inv.paid), wire.iso(inv.due_date), wire.iso(inv.date)))
        if history and len(ds.invoices) >= 20:
            # A batch recorded before the demo starts, so rerun has something to re-export.
            docs = [*ds.invoices[-2:], ds.expenses[-1], ds.procurements[-2]]
            ids = [e for d in docs for e in d.entry_ids]
            self.create_batch(m.CreateAccountingBatchRequest(
                batchIdentifier=HISTORY_BATCH, exportInvoicesFlag=True, exportExpensesFlag=True,
                exportProductsFlag=True, processedRecordIds=ids), created_by="jtremblay")

    class _Tx:
        def __init__(self, store: ManageStore) -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            self.store._db.execute("BEGIN IMMEDIATE")
            return self.store._db

        def __exit__(self, exc_type: object, *rest: object) -> None:
            try:
                self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()

    def _tx(self) -> ManageStore._Tx:
        return ManageStore._Tx(self)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- setup ---------------------------------------------------------------------

    def setup(self) -> dict[str, Any]:
        with self._lock:
            return json.loads(self._db.execute("SELECT value FROM meta WHERE key='setup'").fetchone()[0])

    def set_setup(self, **flags: Any) -> dict[str, Any]:
        """Change accounting-package setup fields (wire names), e.g. transferExpensesAsBillFlag=False."""
        with self._tx() as db:
            current = json.loads(db.execute("SELECT value FROM meta WHERE key='setup'").fetchone()[0])
            unknown = set(flags) - set(m.AccountingPackageSetup.model_fields) - {"accountingPackage"}
            if unknown:
                raise ValueError(f"unknown setup fields: {sorted(unknown)}")
            current.update(flags)
            db.execute("UPDATE meta SET value=? WHERE key='setup'", (json.dumps(current),))
        return current

    # --- posting state -------------------------------------------------------------

    def _unbatched(self, record: Invoice | Expense | Procurement) -> bool:
        return self._open[id(record)] > 0

    def unposted_invoices(self) -> list[Invoice]:
        with self._lock:
            return [i for i in self.dataset.invoices if self._unbatched(i)]

    def unposted_expenses(self) -> list[Expense]:
        with self._lock:
            return [e for e in self.dataset.expenses if self._unbatched(e)]

    def unposted_procurements(self) -> list[Procurement]:
        with self._lock:
            return [p for p in self.dataset.procurements if self._unbatched(p)]

    def unposted_counts(self) -> dict[str, int]:
        return {"invoices": len(self.unposted_invoices()), "expenses": len(self.unposted_expenses()),
                "procurement": len(self.unposted_procurements())}

    def entry_ids_of(self, kind: str, id: int | str) -> tuple[int, ...]:
        """GL entry ids of an unposted invoice (UnpostedInvoice.id), expense or procurement record."""
        if kind == "invoice":
            return self.invoices_by_unposted[int(id)].entry_ids
        if kind == "expense":
            return self.expenses_by_id[int(id)].entry_ids
        rec = self.procurements_by_product_id.get(str(id).lower()) or self.procurements_by_id[int(id)]
        return rec.entry_ids

    def batched_entry_ids(self, batch_id: int | None = None) -> set[int]:
        with self._lock:
            return {e for e, b in self.batched.items() if batch_id is None or b == batch_id}

    def wire_rows(self, kind: str, records: Iterable[Any], key: Callable[[Any], int],
                  build: Callable[[Any], BaseModel]) -> list[WireRow]:
        """The cached wire rows of ``records`` (built with ``build`` on first use)."""
        cache = self._wire_cache
        with self._lock:
            out = []
            for r in records:
                hit = cache.get((kind, key(r)))
                if hit is None:
                    hit = cache[(kind, key(r))] = wire_row(build(r))
                out.append(hit)
            return out

    # --- export --------------------------------------------------------------------

    def _options(self, summarize: str | None) -> glexport.ExportOptions:
        setup = self.setup()
        fmt = summarize if summarize in ("Condensed", "Detailed") else setup.get("invoiceFormat")
        return glexport.ExportOptions(
            summarize_invoices="Condensed" if fmt == "Condensed" else "Detailed",
            expenses_as_bills=bool(setup.get("transferExpensesAsBillFlag")),
            condensed_expenses=setup.get("expenseFormat") == "Condensed",
            include_cogs=bool(setup.get("includeCogsEntriesFlag", True)),
        )

    def export(self, req: m.ExportAccountingBatchRequest) -> m.GLExport:
        """GLExport of the unposted records the request selects. Reads only."""
        return glexport.build(self.dataset, *self._export_selection(req))

    def export_json(self, req: m.ExportAccountingBatchRequest) -> bytes:
        """``export(req)`` as the JSON the API sends (fast: documents' JSON is cached)."""
        return b"".join(self.export_json_pieces(req))

    def export_json_pieces(self, req: m.ExportAccountingBatchRequest) -> Iterator[bytes]:
        """``export_json(req)`` in pieces made as they are taken (``glexport.iter_json``). The
        records are chosen here, under the lock (an invalid request raises here); their JSON
        depends only on the generated books, which never change, so it is made outside it."""
        with self._lock:
            selection = self._export_selection(req)
        return glexport.iter_json(self.dataset, *selection, self._fragments)

    def _export_selection(self, req: m.ExportAccountingBatchRequest) -> tuple[
            list[Invoice], list[Expense], list[Procurement], glexport.ExportOptions]:
        if req.summarizeInvoices not in (None, "", "Default", "Condensed", "Detailed"):
            raise _invalid("exportAccountingBatchRequest object is invalid", [_verr(
                "InvalidField", "summarizeInvoices", "summarizeInvoices must be Default, Condensed or Detailed.",
                "exportAccountingBatchRequest")])
        thru = req.thruDate.date() if req.thruDate else None
        loc = req.locationId or 0

        def keep(rec: Any) -> bool:
            return (thru is None or rec.date <= thru) and (loc == 0 or rec.location_id == loc)

        def pick(records: Iterable[Any], key: Callable[[Any], Any], included: list | None, excluded: list | None,
                 norm: Callable[[Any], Any] = lambda x: x) -> list:
            inc = {norm(i) for i in included} if included else None
            exc = {norm(i) for i in excluded or []}
            return [r for r in records if keep(r) and (inc is None or key(r) in inc) and key(r) not in exc]

        with self._lock:
            invoices = pick(self.unposted_invoices(), lambda i: i.unposted_id, req.includedInvoiceIds,
                            req.excludedInvoiceIds) if req.exportInvoicesFlag else []
            expenses = pick(self.unposted_expenses(), lambda e: e.id, req.includedExpenseIds,
                            req.excludedExpenseIds) if req.exportExpensesFlag else []
            procurements = pick(self.unposted_procurements(), lambda p: p.unposted_product_id.lower(),
                                req.includedProductIds, req.excludedProductIds,
                                lambda s: str(s).lower()) if req.exportProductsFlag else []
            return invoices, expenses, procurements, self._options(req.summarizeInvoices)

    # --- batches -------------------------------------------------------------------

    def _expand(self, ids: Iterable[int]) -> tuple[list[int], list[int]]:
        """(entry ids, unknown ids): condensed group ids stand for the entries they summarise."""
        entries: list[int] = []
        unknown: list[int] = []
        for i in ids:
            if i in self.entry_owner:
                entries.append(i)
            elif i in self.groups:
                entries.extend(self.groups[i])
            else:
                unknown.append(i)
        return entries, unknown

    def create_batch(self, req: m.CreateAccountingBatchRequest, created_by: str) -> tuple[m.AccountingBatch, m.GLExport]:
        """``record_batch`` plus the batch's GLExport."""
        batch = self.record_batch(req, created_by)
        return batch, self.batch_export(batch.id or 0, None)

    def record_batch(self, req: m.CreateAccountingBatchRequest, created_by: str) -> m.AccountingBatch:
        """Validate ``req`` and put its entries in a new batch; StoreError (400) when invalid."""
        errors: list[m.ValidationError] = []
        ident = (req.batchIdentifier or "").strip()
        if not ident:
            errors.append(_verr("MissingRequiredField", "batchIdentifier", "batchIdentifier is required."))
        elif len(ident) > 50:
            errors.append(_verr("InvalidField", "batchIdentifier",
                                f"batchIdentifier is {len(ident)} characters long; the maximum is 50."))
        flags = {"invoice": bool(req.exportInvoicesFlag), "expense": bool(req.exportExpensesFlag),
                 "procurement": bool(req.exportProductsFlag)}
        if not any(flags.values()):
            errors.append(_verr("MissingRequiredField", "exportInvoicesFlag",
                                "Batch export must include invoices, expenses, or products (procurement): "
                                "set at least one of exportInvoicesFlag, exportExpensesFlag, exportProductsFlag."))
        if not req.processedRecordIds:
            errors.append(_verr("MissingRequiredField", "processedRecordIds",
                                "processedRecordIds is required and must list the GL entry ids that were posted."))
        with self._lock:
            if ident and self._db.execute("SELECT 1 FROM batches WHERE identifier = ?", (ident,)).fetchone():
                errors.append(_verr("ObjectExists", "batchIdentifier",
                                    f"A batch with batchIdentifier '{ident}' already exists; use a new identifier."))
            entries, unknown = self._expand(req.processedRecordIds or [])
            if unknown:
                errors.append(_verr("InvalidField", "processedRecordIds",
                                    f"Unknown GL entry ids: {_sample(unknown)}."))
            already = sorted({e for e in entries if e in self.batched})
            if already:
                errors.append(_verr("InvalidField", "processedRecordIds",
                                    f"GL entry ids already in a batch: {_sample(already)}."))
            wrong_kind = sorted({self.entry_owner[e].kind for e in entries if not flags[self.entry_owner[e].kind]})
            for kind in wrong_kind:
                flag = {"invoice": "exportInvoicesFlag", "expense": "exportExpensesFlag",
                        "procurement": "exportProductsFlag"}[kind]
                errors.append(_verr("InvalidField", flag, f"processedRecordIds include {kind} entries but {flag} "
                                                          "is false."))
            if not self.allow_partial_batches and not errors:
                chosen = set(entries)
                partial = []
                for owner in {id(self.entry_owner[e].record): self.entry_owner[e] for e in entries}.values():
                    missing = [e for e in owner.record.entry_ids if e not in chosen and e not in self.batched]
                    if missing:
                        partial.append(f"{_doc_name(owner)} lacks {_sample(missing)}")
                if partial:
                    errors.append(_verr("InvalidField", "processedRecordIds",
                                        "Each document must be batched whole (header, detail and tax entry ids): "
                                        + "; ".join(partial[:5]) + ("…" if len(partial) > 5 else "")))
            if errors:
                raise _invalid("accountingBatch object is invalid", errors)
            now = wire.iso(self.clock())
            with self._tx() as db:
                cur = db.execute(
                    "INSERT INTO batches (identifier, gl_interface, export_invoices, export_expenses, export_products,"
                    " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (ident, req.glInterfaceIdentifier, flags["invoice"], flags["expense"], flags["procurement"],
                     now, created_by))
                batch_id = int(cur.lastrowid or 0)
                db.executemany("INSERT INTO batched_entries VALUES (?, ?)", [(e, batch_id) for e in set(entries)])
            for e in set(entries):
                self.batched[e] = batch_id
            self._invalidate(entries)
            batch = self.batch(batch_id)
            assert batch is not None
            return batch

    def _invalidate(self, entries: Iterable[int]) -> None:
        """Batching changed these entries: recount their documents; invoices show their glBatch."""
        owners = {id(o.record): o for o in map(self.entry_owner.__getitem__, entries)}.values()
        self._recount(o.record for o in owners)
        for owner in owners:
            if owner.kind == "invoice":
                self._wire_cache.pop(("invoice", owner.record.id), None)
                self._invoice_rows.pop(owner.record.id, None)  # its glBatch changed

    def _batch_row(self, row: tuple) -> m.AccountingBatch:
        id_, ident, _gl, inv, exp, prod, created_at, created_by = row
        return m.AccountingBatch(id=id_, batchIdentifier=ident, exportInvoicesFlag=bool(inv),
                                 exportExpensesFlag=bool(exp), exportProductsFlag=bool(prod), closedFlag=False,
                                 info={"lastUpdated": created_at, "updatedBy": created_by,
                                       "dateEntered": created_at, "enteredBy": created_by})

    def batches(self) -> list[m.AccountingBatch]:
        with self._lock:
            return [self._batch_row(r) for r in self._db.execute("SELECT * FROM batches ORDER BY id")]

    def batch(self, batch_id: int) -> m.AccountingBatch | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
            return self._batch_row(row) if row else None

    def batch_by_identifier(self, identifier: str) -> m.AccountingBatch | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM batches WHERE identifier = ?", (identifier,)).fetchone()
            return self._batch_row(row) if row else None

    def delete_batch(self, batch_id: int) -> bool:
        with self._lock:
            if self.batch(batch_id) is None:
                return False
            entries = self.batched_entry_ids(batch_id)
            with self._tx() as db:
                db.execute("DELETE FROM batched_entries WHERE batch_id = ?", (batch_id,))
                db.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
            for e in entries:
                self.batched.pop(e, None)
            self._invalidate(entries)
            self._entries_cache.pop(batch_id, None)
            return True

    def batch_records(self, batch_id: int) -> tuple[list[Invoice], list[Expense], list[Procurement]]:
        with self._lock:
            entries = self.batched_entry_ids(batch_id)
            seen: dict[int, Owner] = {}
            for e in entries:
                owner = self.entry_owner[e]
                seen.setdefault(id(owner.record), owner)
            owners = list(seen.values())
            inv = sorted((o.record for o in owners if o.kind == "invoice"), key=lambda r: r.id)
            exp = sorted((o.record for o in owners if o.kind == "expense"), key=lambda r: r.id)
            pro = sorted((o.record for o in owners if o.kind == "procurement"), key=lambda r: r.id)
            return inv, exp, pro  # type: ignore[return-value]

    def batch_export(self, batch_id: int, summarize: str | None) -> m.GLExport:
        inv, exp, pro = self.batch_records(batch_id)
        return glexport.build(self.dataset, inv, exp, pro, self._options(summarize))

    def batch_export_json(self, batch_id: int, summarize: str | None) -> bytes:
        """``batch_export`` as the JSON the API sends."""
        with self._lock:
            inv, exp, pro = self.batch_records(batch_id)
            return glexport.build_json(self.dataset, inv, exp, pro, self._options(summarize), self._fragments)

    def batch_entry_rows(self, batch_id: int) -> list[WireRow]:
        """``batch_entries`` as cached wire rows: a batch's entries never change."""
        with self._lock:
            rows = self._entries_cache.get(batch_id)
            if rows is None:
                rows = self._entries_cache[batch_id] = [wire_row(e) for e in self.batch_entries(batch_id)]
            return rows

    def batch_entries(self, batch_id: int) -> list[m.BatchEntry]:
        inv, exp, pro = self.batch_records(batch_id)
        entries = self.batched_entry_ids(batch_id)
        rows: list[m.BatchEntry] = []
        for i in inv:
            ref = m.InvoiceReference(id=i.id, identifier=i.number, billingType=i.type)

            def row(eid: int, gl: str, name: str, account: str, amount: Decimal, **kw: Any) -> None:
                if eid in entries:
                    rows.append(m.BatchEntry(id=eid, accountType=gl, name=name, accountNumber=account,
                                             debit=amount if amount > 0 else Decimal(0),
                                             credit=-amount if amount < 0 else Decimal(0), invoice=ref, **kw))

            row(i.header_entry_id, "AR", "Accounts Receivable", i.ar_account, i.total)
            for ln in i.lines:
                item = self.dataset.item(ln.item_id) if ln.item_id else None
                row(ln.entry_id, ln.gl_type, ln.description[:100], ln.account, -ln.amount, cost=ln.cost or None,
                    item=item.identifier if item else None, costOfGoodsSoldAccountNumber=ln.cogs_account)
            for t in i.taxes:
                row(t.entry_id, "ST", f"Level {t.level.level} Sales Tax", t.level.sales_account, -t.amount)
        for e in exp:
            ref_e = m.ExpenseDetailReference(id=e.detail_id, amount=e.amount)
            rows.append(m.BatchEntry(id=e.entry_id, accountType=e.gl_type, name=e.description, accountNumber=e.account,
                                     debit=e.amount, credit=Decimal(0), expense=ref_e))
            rows.append(m.BatchEntry(id=e.offset_entry_id, accountType="EO", name="Expense Offset",
                                     accountNumber=e.offset_account, debit=Decimal(0), credit=e.amount, expense=ref_e))
        for p in pro:
            if p.type == "Purchase":
                po = m.PurchaseOrderReference(id=p.id, name=p.po_number)
                for ln in p.lines:
                    rows.append(m.BatchEntry(id=ln.entry_id, accountType=ln.gl_type, name=ln.description,
                                             accountNumber=ln.account, debit=ln.amount, credit=Decimal(0),
                                             item=self.dataset.item(ln.item_id).identifier, purchaseOrder=po,
                                             lineItem=m.PurchaseOrderLineItemReference(id=ln.entry_id,
                                                                                       identifier=str(ln.line_number))))
                if p.freight_entry_id is not None:
                    rows.append(m.BatchEntry(id=p.freight_entry_id, accountType="PF", name="Freight",
                                             accountNumber=p.freight_account, debit=p.freight, credit=Decimal(0),
                                             purchaseOrder=po))
                for t in p.taxes:
                    rows.append(m.BatchEntry(id=t.entry_id, accountType="PT", name=f"Level {t.level.level} Purchase Tax",
                                             accountNumber=t.level.purchase_account, debit=t.amount, credit=Decimal(0),
                                             purchaseOrder=po))
            elif p.type == "Adjustment":
                rows.append(m.BatchEntry(id=p.id, accountType="IA", name=p.description,
                                         accountNumber=p.adjustment_account,
                                         debit=-p.total if p.total < 0 else Decimal(0),
                                         credit=p.total if p.total > 0 else Decimal(0),
                                         adjustmentDetail=m.AdjustmentDetailReference(id=p.id, name=p.description)))
            else:
                rows.append(m.BatchEntry(id=p.id, accountType="IT", name=p.description,
                                         accountNumber=self.dataset.warehouse(p.to_warehouse_id or 0).inventory_account,
                                         debit=p.total, credit=p.total, transfer=str(p.transfer_id)))
        return sorted(rows, key=lambda r: r.id or 0)

    def export_ids_for(self, export: m.GLExport) -> list[int]:
        """The processedRecordIds a client sends after posting everything in ``export``."""
        ids: list[int] = []
        for t in export.transactions or []:
            ids += [int(x) for x in (t.glEntryIds or "").split(",") if x.strip()]
            ids += [d.id for d in t.detail or [] if d.id is not None]
        for e in export.expenses or []:
            ids += [e.id, e.offset.id] if e.offset else [e.id]  # type: ignore[list-item]
        for b in export.expenseBills or []:
            for d in b.detail or []:
                ids += d.id or []
        for p in export.purchaseTransactions or []:
            ids += [d.id for d in p.purchaseDetail or [] if d.id is not None]
            ids += [d.id for d in p.purchaseDetailTax or [] if d.id is not None]
        for a in export.adjustmentTransactions or []:
            ids.append(self.procurements_by_product_id[str(a.id).lower()].id)
        for tr in export.inventoryTransfers or []:
            ids.append(self.procurements_by_product_id[str(tr.id).lower()].id)
        return ids

    # --- invoices and payments -------------------------------------------------------

    def glbatch_of(self, inv: Invoice, names: dict[int, str] | None = None) -> m.BatchReference | None:
        """The batch holding the invoice's AR entry; ``names`` (batch id -> identifier) saves a query."""
        batch_id = self.batched.get(inv.header_entry_id)
        if batch_id is None:
            return None
        if names is None:
            b = self.batch(batch_id)
            names = {batch_id: b.batchIdentifier or ""} if b else {}
        return m.BatchReference(id=batch_id, name=names[batch_id]) if batch_id in names else None

    def payments_of(self, invoice_id: int) -> list[tuple]:
        with self._lock:
            return self._db.execute(
                "SELECT id, invoice_id, type, source, amount, payment_date, applied_by FROM payments"
                " WHERE invoice_id = ? ORDER BY id", (invoice_id,)).fetchall()

    def paid(self, invoice_id: int) -> Decimal:
        return sum((Decimal(r[4]) for r in self.payments_of(invoice_id)), Decimal(0))

    def invoices_numbered(self, numbers: Iterable[str]) -> list[Invoice]:
        """The invoices whose number is one of ``numbers`` (lower-cased), in dataset order."""
        found = [inv for n in set(numbers) for inv in self.invoices_by_number.get(n, ())]
        return sorted(found, key=lambda inv: inv.id)

    def _paid(self, invoice_ids: list[int]) -> dict[int, Decimal]:
        """Invoice id -> the sum of its payments, for those with any (called under the lock)."""
        if len(invoice_ids) <= 500:  # a few: the index; many: one pass over the table
            rows = self._db.execute(f"SELECT invoice_id, amount FROM payments WHERE invoice_id IN "
                                    f"({','.join('?' * len(invoice_ids))}) ORDER BY id", invoice_ids)
        else:
            rows = self._db.execute("SELECT invoice_id, amount FROM payments ORDER BY id")
        paid: dict[int, Decimal] = {}
        for invoice_id, amount in rows:
            paid[invoice_id] = paid.get(invoice_id, Decimal(0)) + Decimal(amount)
        return paid

    def invoice_rows(self, invoices: list[Invoice]) -> list[WireRow]:
        """/finance/invoices rows; the uncached ones are built with one query for all their payments."""
        with self._lock:
            paid: dict[int, Decimal] = {}
            names: dict[int, str] = {}
            cache = self._wire_cache
            uncached = [i.id for i in invoices if ("invoice", i.id) not in cache]
            if uncached:
                paid = self._paid(uncached)
                if any(i not in self._invoice_rows for i in uncached):
                    names = dict(self._db.execute("SELECT id, identifier FROM batches"))
            out = []
            for inv in invoices:
                row = cache.get(("invoice", inv.id))
                if row is None:
                    payments = paid.get(inv.id, Decimal(0))
                    built = self._invoice_rows.get(inv.id)
                    if built is None:
                        row = self._invoice_rows[inv.id] = wire_row(self._invoice_model(inv, payments, names))
                    else:
                        total = to_number(inv.total - payments - inv.credits)
                        row = with_values(built, payments=to_number(payments), balance=total)
                    cache[("invoice", inv.id)] = row
                out.append(row)
            return out

    def invoice_lookup_rows(self, invoices: list[Invoice]) -> list[dict[str, Any]]:
        """/finance/invoices rows holding only ``INVOICE_LOOKUP_FIELDS``, with the values the full
        rows hold."""
        with self._lock:
            paid = self._paid([i.id for i in invoices])
        return [{"id": i.id, "invoiceNumber": i.number, "payments": to_number(paid.get(i.id, Decimal(0)))}
                for i in invoices]

    def _invoice_model(self, inv: Invoice, payments: Decimal | None = None,
                       batch_names: dict[int, str] | None = None) -> m.Invoice:
        ds = self.dataset
        c = ds.company(inv.company_id)
        if payments is None:
            payments = self.paid(inv.id)
        total = inv.total
        by_kind = lambda *kinds: sum((ln.amount for ln in inv.lines if ln.kind in kinds), Decimal(0))  # noqa: E731
        return m.Invoice(
            id=inv.id, invoiceNumber=inv.number, type=inv.type,
            status=m.BillingStatusReference(id=2, name="Closed", isClosed=True), company=wire.company_ref(c),
            billToCompany=wire.company_ref(c), shipToCompany=wire.company_ref(c), accountNumber=c.account_number,
            applyToType="All", billingSite=wire.site_ref(c), billingSiteCity=c.city, billingSiteState=c.state,
            billingTerms=wire.terms_ref(ds, inv.terms_id), date=wire.as_datetime(inv.date),
            locationId=inv.location_id, location=wire.location_ref(ds, inv.location_id),
            departmentId=inv.department_id, taxableFlag=not ds.tax_code(inv.tax_code_id).exempt,
            taxCode=wire.tax_code_ref(ds.tax_code(inv.tax_code_id)), currency=wire.currency_ref(ds, inv.currency),
            dueDate=wire.as_datetime(inv.due_date), serviceTotal=by_kind("service", "progress"),
            expenseTotal=by_kind("expense"), productTotal=by_kind("product"), agreementAmount=by_kind("agreement"),
            subtotal=inv.subtotal, total=total, salesTax=inv.tax_total, closedBy=inv.closed_by, payments=payments,
            credits=inv.credits, balance=total - payments - inv.credits, specialInvoiceFlag=False,
            glBatch=self.glbatch_of(inv, batch_names),
        )

    def _payment_model(self, row: tuple, paid: Decimal) -> m.InvoicePayment:
        """``paid``: the invoice's payments added up (its balance is a snapshot, as in Manage)."""
        pid, invoice_id, type_, source, amount, payment_date, applied_by = row
        inv = self.invoices_by_id[invoice_id]
        total = inv.total  # added up from the lines: once
        return m.InvoicePayment(
            id=pid, type=type_, source=source,
            invoice=m.InvoiceReference(id=inv.id, identifier=inv.number, billingType=inv.type,
                                       invoiceDate=wire.iso(inv.date)),
            amount=Decimal(amount), invoiceBalance=total - paid - inv.credits, invoiceTotal=total,
            paymentDate=datetime.fromisoformat(payment_date.replace("Z", "+00:00")) if payment_date else None,
            appliedBy=applied_by,
        )

    def payments(self, invoice_id: int) -> list[m.InvoicePayment]:
        rows = self.payments_of(invoice_id)
        paid = sum((Decimal(r[4]) for r in rows), Decimal(0))
        return [self._payment_model(r, paid) for r in rows]

    def payment(self, invoice_id: int, payment_id: int) -> m.InvoicePayment | None:
        rows = self.payments_of(invoice_id)
        row = next((r for r in rows if r[0] == payment_id), None)
        return None if row is None else self._payment_model(row, sum((Decimal(r[4]) for r in rows), Decimal(0)))

    @staticmethod
    def _check_payment(amount: Any, payment_date: Any, type_: Any) -> tuple[Decimal, str, str]:
        errors = []
        dec: Decimal | None = None
        if amount is None:
            errors.append(_verr("MissingRequiredField", "amount", "amount is required.", "payment"))
        else:
            try:
                dec = Decimal(str(amount))
                if not dec.is_finite() or dec <= 0:
                    raise ValueError
            except (ArithmeticError, ValueError):
                errors.append(_verr("InvalidField", "amount", f"amount must be a positive number, not {amount!r}.",
                                    "payment"))
        when = None
        if payment_date is not None:
            try:
                when = datetime.fromisoformat(str(payment_date).replace("Z", "+00:00"))
            except ValueError:
                errors.append(_verr("InvalidField", "paymentDate",
                                    f"paymentDate {payment_date!r} is not a date; use 2025-05-01T00:00:00Z.", "payment"))
        if errors:
            raise _invalid("payment object is invalid", errors)
        assert dec is not None
        # No paymentDate (omitted or null) leaves the payment undated: no "Date Paid" (UNCONFIRMED
        # whether the real server fills in today instead); stored as "".
        return dec, wire.iso(when) if when is not None else "", str(type_ or "P")

    def add_payment(self, invoice_id: int, body: dict[str, Any], applied_by: str) -> m.InvoicePayment:
        amount, when, type_ = self._check_payment(body.get("amount"), body.get("paymentDate"), body.get("type"))
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO payments (invoice_id, type, source, amount, payment_date, applied_by, entered_at)"
                " VALUES (?, ?, 'Default', ?, ?, ?, ?)",
                (invoice_id, type_, str(amount), when, applied_by, wire.iso(self.clock())))
        self._wire_cache.pop(("invoice", invoice_id), None)
        out = self.payment(invoice_id, int(cur.lastrowid or 0))
        assert out is not None
        return out

    def update_payment(self, invoice_id: int, payment_id: int, changes: dict[str, Any]) -> m.InvoicePayment | None:
        current = self.payment(invoice_id, payment_id)
        if current is None:
            return None
        amount, when, type_ = self._check_payment(
            changes.get("amount", current.amount),
            changes["paymentDate"] if "paymentDate" in changes else wire.iso(current.paymentDate),
            changes.get("type", current.type))
        with self._tx() as db:
            db.execute("UPDATE payments SET amount=?, payment_date=?, type=? WHERE id=?",
                       (str(amount), when, type_, payment_id))
        self._wire_cache.pop(("invoice", invoice_id), None)
        return self.payment(invoice_id, payment_id)

    def delete_payment(self, invoice_id: int, payment_id: int) -> bool:
        with self._tx() as db:
            n = db.execute("DELETE FROM payments WHERE id=? AND invoice_id=?", (payment_id, invoice_id)).rowcount
        self._wire_cache.pop(("invoice", invoice_id), None)
        return n > 0

    # --- member tokens ----------------------------------------------------------------

    def issue_token(self, member_identifier: str) -> m.Token:
        public, private = secrets.token_hex(8), secrets.token_hex(16)
        expiration = self.clock() + self.token_lifetime
        with self._tx() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (public, private, member_identifier,
                                                                   wire.iso(expiration)))
        return m.Token(publicKey=public, privateKey=private, expiration=wire.iso(expiration))

    def token_member(self, public: str, private: str) -> tuple[str | None, bool]:
        """(member identifier, expired) for a token key pair; (None, False) when unknown."""
        with self._lock:
            row = self._db.execute("SELECT private_key, member, expiration FROM tokens WHERE public_key = ?",
                                   (public,)).fetchone()
        if row is None or not secrets.compare_digest(row[0], private):
            return None, False
        expired = self.clock() >= datetime.fromisoformat(row[2].replace("Z", "+00:00"))
        return row[1], expired

    def expire_tokens(self) -> None:
        with self._tx() as db:
            db.execute("UPDATE tokens SET expiration = ?", (wire.iso(self.clock() - timedelta(seconds=1)),))

    # --- test helpers -----------------------------------------------------------------

    def reset(self, history: bool = True) -> None:
        """Forget batches, payments, tokens and setup changes; back to the freshly generated books."""
        with self._tx() as db:
            db.execute("DELETE FROM batched_entries")
            db.execute("DELETE FROM batches")
            db.execute("DELETE FROM payments")
            db.execute("DELETE FROM tokens")
            db.execute("UPDATE meta SET value=? WHERE key='setup'", (json.dumps(DEFAULT_SETUP),))
        self.batched.clear()
        self._wire_cache.clear()
        self._invoice_rows.clear()
        self._entries_cache.clear()
        self._recount([*self.dataset.invoices, *self.dataset.expenses, *self.dataset.procurements])
        self._seed_state(history)


# What a lookup of invoices by number may ask for and get without building the whole invoice
# (lower case: field names are matched case-insensitively).
INVOICE_LOOKUP_FIELDS = ("id", "invoicenumber", "payments")


def _sample(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _doc_name(owner: Owner) -> str:
    r = owner.record
    if owner.kind == "invoice":
        return f"invoice {r.number} (id {r.unposted_id})"  # type: ignore[union-attr]
    if owner.kind == "expense":
        return f"expense {r.id}"
    return f"procurement {r.unposted_product_id}"  # type: ignore[union-attr]
