"""The duplicate guard: which documents of a run are already in the SL company."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mobius_tui.accounting.dynamics_sl.check import voucher_invoice_number
from mobius_tui.accounting.dynamics_sl.sql import Session
from mobius_tui.documents.model import (
    Document,
    DocumentKind,
    InventoryAdjustment,
    InventoryTransfer,
    JournalEntry,
    PurchaseDocument,
    SalesDocument,
)

CHUNK = 400


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _rows(s: Session, sql: str, values: Iterable[str]) -> list[dict]:
    out: list[dict] = []
    unique = sorted({v for v in values if v})
    for part in _chunks(unique):
        out += s.rows(sql.format(marks=", ".join("?" * len(part))), *part)
    return out


def find_existing(s: Session, documents: Sequence[Document]) -> dict[str, str]:
    """Document key -> where SL holds it. Matches reference number and customer / vendor."""
    found: dict[str, str] = {}
    sales = [d for d in documents if isinstance(d, SalesDocument)]
    if sales:
        have = {(r["custid"], r["doctype"], r["refnbr"]): r["batnbr"] for r in _rows(
            s, "SELECT CustId, DocType, RefNbr, BatNbr FROM ARDoc WHERE RefNbr IN ({marks})", (d.number for d in sales))}
        for d in sales:
            doc_type = "CM" if d.kind == DocumentKind.CREDIT_MEMO else "IN"
            batch = have.get((d.customer.account, doc_type, d.number))
            if batch is not None:
                found[d.key] = f"AR batch {batch} {doc_type} {d.number}"
    purchases = [d for d in documents if isinstance(d, PurchaseDocument)]
    if purchases:
        have = {(r["vendid"], r["invcnbr"]): (r["batnbr"], r["refnbr"]) for r in _rows(
            s, "SELECT VendId, InvcNbr, BatNbr, RefNbr FROM APDoc WHERE DocType = 'VO' AND InvcNbr IN ({marks})",
            (voucher_invoice_number(d) for d in purchases))}
        for d in purchases:
            hit = have.get((d.vendor.account, voucher_invoice_number(d)))
            if hit is not None:
                found[d.key] = f"AP batch {hit[0]} voucher {hit[1]}"
    journals = [d for d in documents if isinstance(d, JournalEntry)]
    if journals:
        have = {r["extrefnbr"]: r["batnbr"] for r in _rows(
            s, "SELECT DISTINCT ExtRefNbr, BatNbr FROM GLTran WHERE Module = 'GL' AND ExtRefNbr IN ({marks})",
            (d.number for d in journals))}
        for d in journals:
            if d.number in have:
                found[d.key] = f"GL batch {have[d.number]}"
    adjustments = [d for d in documents if isinstance(d, InventoryAdjustment)]
    if adjustments:
        have = {r["refnbr"]: r["batnbr"] for r in _rows(
            s, "SELECT DISTINCT RefNbr, BatNbr FROM INTran WHERE TranType = 'AJ' AND RefNbr IN ({marks})",
            (d.number for d in adjustments))}
        for d in adjustments:
            if d.number in have:
                found[d.key] = f"IN batch {have[d.number]} {d.number}"
    transfers = [d for d in documents if isinstance(d, InventoryTransfer)]
    if transfers:
        have = {r["refnbr"]: (r["batnbr"], r["trnsfrdocnbr"]) for r in _rows(
            s, "SELECT RefNbr, BatNbr, TrnsfrDocNbr FROM TrnsfrDoc WHERE RefNbr IN ({marks})",
            (d.number for d in transfers))}
        for d in transfers:
            if d.number in have:
                batch, number = have[d.number]
                found[d.key] = f"IN batch {batch} transfer {number}"
    return found
