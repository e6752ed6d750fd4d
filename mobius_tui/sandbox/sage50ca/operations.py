"""What people do in the sandbox company's Sage 50 between runs: receive a customer payment (the
Receipts journal, which the SDK cannot write), reversing one, written as Sage's Receipts journal
would write the tables (reference/sage50ca.md §3.2); and import an Import Transactions (.IMP) file, as
File > Import/Export > Import Transactions does (the stand-in ``SageImport.exe``)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

from mobius_tui.sandbox.sage50ca.build import IMPORT_EXE, build_bridge

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


def import_transactions(company, path: Path, build_dir: Path | None = None) -> list[str]:
    """Import ``path`` into the company as Sage 50's Import Transactions would; return its report, one
    line per record ("imported <tag> <number>" or "refused <tag> <number>: <why>")."""
    from mobius_tui.sandbox.sage50ca import SAGE_PASSWORD, SAGE_USER

    importer = build_bridge(build_dir).parent / IMPORT_EXE
    mono = shutil.which("mono")
    if mono is None:
        raise RuntimeError("Mono is not installed: install the mono-runtime package.")
    done = subprocess.run([mono, str(importer), str(path), str(company.sai_path), SAGE_USER, SAGE_PASSWORD],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the import stopped ({done.returncode}): {(done.stdout + done.stderr).strip()[-2000:]}")
    return done.stdout.splitlines()
