"""What people do in the sandbox company's Sage 50 between runs: receive a customer payment (the
Receipts journal, which the SDK cannot write), reversing one. Written as Sage's Receipts journal
would write the tables (reference/sage50ca.md §3.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

RECEIPT = 1  # tCusTrDt.nTranType of a receipt [UNCONFIRMED: any code other than 0 and 8 is an application]


def receive_payment(company, invoice_number: str, amount: Decimal, day: date, cheque: str = "") -> int:
    """Apply a receipt of ``amount`` to the invoice; return the receipt's id (lChqId)."""
    conn = company.connect()
    try:
        cur = conn.cursor()
        row = cur.execute("SELECT t.lId, t.lCusId, c.sName FROM tcustr t JOIN tcustomr c ON c.lId = t.lCusId "
                          "WHERE t.sSource = ?", invoice_number).fetchone()
        if row is None:
            raise LookupError(f"invoice {invoice_number} is not in the sandbox company")
        tr_id, customer, name = row
        cheque_id = cur.execute("SELECT COALESCE(MAX(lChqId), 0) + 1 FROM trcpthdr").fetchone()[0]
        cur.execute("INSERT INTO trcpthdr (lChqId, dtDate, sSource, sName, dAmount, dHomeAmt, nJournal, sChqNum, "
                    "lVenCusId) VALUES (?, ?, ?, ?, ?, ?, 2, ?, ?)", cheque_id, day, cheque or f"R{cheque_id}", name,
                    amount, amount, cheque or f"R{cheque_id}", customer)
        detail = cur.execute("SELECT COALESCE(MAX(lId), 0) + 1 FROM tcustrdt").fetchone()[0]
        cur.execute("INSERT INTO tcustrdt (lId, lCusTrId, nTranType, dtDate, dAmount, sSource, lChqId) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", detail, tr_id, RECEIPT, day, -amount, cheque or f"R{cheque_id}",
                    cheque_id)
        conn.commit()
        return int(cheque_id)
    finally:
        conn.close()


def reverse_payment(company, cheque_id: int) -> None:
    conn = company.connect()
    try:
        conn.execute("UPDATE trcpthdr SET bReversed = 1 WHERE lChqId = ?", cheque_id)
        conn.execute("UPDATE tcustrdt SET bReversed = 1 WHERE lChqId = ?", cheque_id)
        conn.commit()
    finally:
        conn.close()
