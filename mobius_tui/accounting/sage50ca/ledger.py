"""Reads of posted documents: the duplicate guard, the read-back that confirms a post, and the payment
status of invoices (seed 003)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from mobius_tui.accounting.base import PaymentStatus
from mobius_tui.accounting.sage50ca.database import Database, money
from mobius_tui.accounting.sage50ca.requests import GENERAL, Identity, identity
from mobius_tui.documents.model import Document

_PARTY_TABLE = {1: "tvendor", 2: "tcustomr"}
ORIGINAL = (0, 8)  # tCusTrDt.nTranType of the original document (S8); others are applications


def find_entry(db: Database, who: Identity) -> int | None:
    """The journal entry that holds this document, if the company has it."""
    if who.module == GENERAL:
        rows = db.rows("SELECT lId FROM tjourent WHERE nModule = 0 AND sSource = ? ORDER BY lId", who.source)
    else:
        rows = db.rows(f"SELECT j.lId FROM tjourent j JOIN {_PARTY_TABLE[who.module]} p ON p.lId = j.lRecId "
                       "WHERE j.nModule = ? AND j.sSource = ? AND p.sName = ? ORDER BY j.lId",
                       who.module, who.source, who.party)
    return int(rows[0]["lid"]) if rows else None


def find_existing(db: Database, documents: Sequence[Document], vendor_invoice_module: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    for doc in documents:
        entry = find_entry(db, identity(doc, vendor_invoice_module))
        if entry is not None:
            found[doc.key] = f"J{entry}"
    return found


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def read_payments(db: Database, since: date) -> list[PaymentStatus]:
    """Invoices with a payment (or other application) dated on or after ``since``: total, paid, balance,
    and the date the running balance first reached zero (derived; reference/sage50ca.md §3.3)."""
    changed = db.rows("SELECT DISTINCT t.lId FROM tcustr t JOIN tcustrdt d ON d.lCusTrId = t.lId "
                      "WHERE d.dtDate >= ? AND d.nTranType NOT IN (0, 8)", since)
    out: list[PaymentStatus] = []
    for row in changed:
        head = db.rows("SELECT t.sSource, c.sCode FROM tcustr t JOIN tcustomr u ON u.lId = t.lCusId "
                       "LEFT JOIN tcurrncy c ON c.lId = u.lCurrncyId WHERE t.lId = ?", row["lid"])[0]
        details = db.rows("SELECT nTranType, dtDate, dAmount, bReversed, lId FROM tcustrdt WHERE lCusTrId = ? "
                          "ORDER BY dtDate, lId", row["lid"])
        total = sum((money(d["damount"]) for d in details if int(d["ntrantype"]) in ORIGINAL), Decimal(0))
        balance, paid_in_full, last = Decimal(0), None, None
        for d in details:
            if int(d["breversed"] or 0):
                continue
            balance += money(d["damount"])
            if int(d["ntrantype"]) not in ORIGINAL:
                last = _day(d["dtdate"])
                if paid_in_full is None and total and abs(balance) < Decimal("0.005"):
                    paid_in_full = last
            if abs(balance) >= Decimal("0.005"):
                paid_in_full = None  # reopened (a reversed or returned payment)
        out.append(PaymentStatus(document_number=head["ssource"], total=total, paid=total - balance,
                                 balance=balance, date_paid_in_full=paid_in_full if balance == 0 else None,
                                 last_payment_date=last, currency=(head["scode"] or "").strip()))
    return out
