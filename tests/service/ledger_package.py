"""A small real accounting package in an SQLite file, used by the TUI tests (tests/tui imports it).
The service and CLI end-to-end tests post to a sandbox Dynamics SL company instead.

It keeps a chart of accounts, the documents it was given (with their postings) and invoice
payments, survives across processes (the kill-and-finish tests post from a subprocess and check
from the test), and can be told to refuse chosen document numbers so PARTIAL runs are real.
It has a secret setting (``ledger_password``) so the secret-handling tests have something to leak.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mobius_tui.accounting import registry
from mobius_tui.accounting.base import (
    AccountingPackage,
    Capabilities,
    Existing,
    FieldKind,
    PackageError,
    PaymentStatus,
    PostResult,
    PostStatus,
    Problem,
    SettingField,
    Severity,
)
from mobius_tui.documents.model import Document, DocumentKind, Plan, SalesDocument

NAME = "test_ledger"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (code TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS customers (account TEXT PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, number TEXT NOT NULL, kind TEXT NOT NULL,
    total TEXT NOT NULL, reference TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (doc_seq INTEGER NOT NULL, account TEXT NOT NULL, amount TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejects (number TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    number TEXT PRIMARY KEY, total TEXT NOT NULL, paid TEXT NOT NULL DEFAULT '0',
    last_payment TEXT, paid_in_full TEXT, changed TEXT
);
"""


@dataclass
class LedgerReference:
    accounts: set[str]
    customers: set[str]


class Ledger:
    """Direct access to the file, for tests to arrange and inspect."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def set_password(self, password: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('password', ?)", (password,))

    def add_accounts(self, codes: Sequence[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO accounts VALUES (?)", [(c,) for c in codes])

    def remove_account(self, code: str) -> None:
        self.db.execute("DELETE FROM accounts WHERE code = ?", (code,))

    def reject(self, number: str, reason: str = "the ledger refuses this document") -> None:
        self.db.execute("INSERT OR REPLACE INTO rejects VALUES (?, ?)", (number, reason))

    def clear_rejects(self) -> None:
        self.db.execute("DELETE FROM rejects")

    def documents(self) -> list[tuple[str, str, Decimal]]:
        """(key, reference, total) of every posting, duplicates included, in posting order."""
        rows = self.db.execute("SELECT key, reference, total FROM documents ORDER BY seq").fetchall()
        return [(k, r, Decimal(t)) for k, r, t in rows]

    def keys(self) -> list[str]:
        return [k for k, _, _ in self.documents()]

    def net_by_account(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for account, amount in self.db.execute("SELECT account, amount FROM postings"):
            out[account] = out.get(account, Decimal(0)) + Decimal(amount)
        return out

    def pay(self, number: str, amount: Decimal, on: date) -> None:
        """Record a customer payment against an invoice posted to the ledger."""
        row = self.db.execute("SELECT total, paid FROM invoices WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise KeyError(number)
        total, paid = Decimal(row[0]), Decimal(row[1]) + amount
        in_full = on.isoformat() if paid >= total else None
        self.db.execute(
            "UPDATE invoices SET paid = ?, last_payment = ?, paid_in_full = ?, changed = ? WHERE number = ?",
            (str(paid), on.isoformat(), in_full, on.isoformat(), number),
        )

    def add_foreign_invoice(self, number: str, total: Decimal, paid: Decimal, on: date) -> None:
        """An invoice typed straight into the ledger (Manage never had it)."""
        in_full = on.isoformat() if paid >= total else None
        self.db.execute("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?)",
                        (number, str(total), str(paid), on.isoformat(), in_full, on.isoformat()))


class LedgerPackage(AccountingPackage):
    name = NAME
    label = "Test Ledger"
    settings = (
        SettingField("ledger_path", "Ledger file", "The SQLite file of the ledger."),
        SettingField("ledger_password", "Ledger password", kind=FieldKind.PASSWORD, secret=True),
        SettingField("ledger_book", "Book", "Which book of the ledger.", required=False, default="main"),
    )
    capabilities = Capabilities(document_kinds=frozenset(DocumentKind), creates_items=True)

    def __init__(self, values: Any) -> None:
        super().__init__(values)
        self._ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            raise PackageError("The ledger is not connected.")
        return self._ledger

    async def connect(self) -> None:
        path = Path(str(self.values.get("ledger_path") or ""))
        if not path.exists():
            raise PackageError(f"There is no ledger at {path}.", "Check the ledger file setting.")
        ledger = Ledger(path)
        row = ledger.db.execute("SELECT value FROM meta WHERE key = 'password'").fetchone()
        if row is not None and row[0] != self.values.get("ledger_password"):
            ledger.close()
            raise PackageError("The ledger refused the password.", "Type the ledger password again.")
        self._ledger = ledger

    async def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    async def reference(self) -> LedgerReference:
        db = self.ledger.db
        return LedgerReference({c for (c,) in db.execute("SELECT code FROM accounts")},
                               {a for (a,) in db.execute("SELECT account FROM customers")})

    def check(self, plan: Plan, reference: LedgerReference) -> list[Problem]:
        out: list[Problem] = []
        for doc in plan.documents:
            for account in sorted({p.account for p in doc.postings()}):
                if account not in reference.accounts:
                    out.append(Problem(
                        cause=f"GL account {account} missing in the package",
                        fix=f"Add account {account} to the ledger, or map the Manage GL account to one it has.",
                        document=doc.origin,
                    ))
            if isinstance(doc, SalesDocument) and doc.customer.account not in reference.customers:
                out.append(Problem(cause=f"Customer {doc.customer.account} will be created", fix="Nothing to do.",
                                   document=doc.origin, severity=Severity.NOTICE))
        return out

    async def existing(self, documents: Sequence[Document]) -> Existing:
        found: dict[str, str] = {}
        for doc in documents:
            row = self.ledger.db.execute("SELECT reference FROM documents WHERE key = ? ORDER BY seq", (doc.key,)).fetchone()
            if row:
                found[doc.key] = row[0]
        return Existing(found)

    async def post(self, plan: Plan, documents: Sequence[Document], reference: Any) -> AsyncIterator[PostResult]:
        db = self.ledger.db
        for doc in documents:
            rejected = db.execute("SELECT reason FROM rejects WHERE number = ?", (doc.number,)).fetchone()
            if rejected:
                yield PostResult(doc.key, PostStatus.FAILED, error=rejected[0])
                continue
            if doc.imbalance() != 0:
                yield PostResult(doc.key, PostStatus.FAILED, error=f"does not balance by {doc.imbalance()}")
                continue
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute("INSERT INTO documents (key, number, kind, total, reference) VALUES (?, ?, ?, ?, '')",
                             (doc.key, doc.number, doc.kind.value, str(doc.total)))
            ref = f"L{cur.lastrowid:06d}"
            db.execute("UPDATE documents SET reference = ? WHERE seq = ?", (ref, cur.lastrowid))
            db.executemany("INSERT INTO postings VALUES (?, ?, ?)",
                           [(cur.lastrowid, p.account, str(p.amount)) for p in doc.postings()])
            if isinstance(doc, SalesDocument):
                db.execute("INSERT OR IGNORE INTO customers VALUES (?, ?)", (doc.customer.account, doc.customer.name))
                if doc.kind == DocumentKind.SALES_INVOICE:
                    db.execute("INSERT OR IGNORE INTO invoices (number, total) VALUES (?, ?)", (doc.number, str(doc.total)))
            db.execute("COMMIT")
            yield PostResult(doc.key, PostStatus.POSTED, reference=ref)

    async def payments_since(self, since: date) -> list[PaymentStatus]:
        rows = self.ledger.db.execute(
            "SELECT number, total, paid, last_payment, paid_in_full FROM invoices WHERE changed >= ? ORDER BY number",
            (since.isoformat(),),
        ).fetchall()
        out = []
        for number, total, paid, last, in_full in rows:
            total_d, paid_d = Decimal(total), Decimal(paid)
            out.append(PaymentStatus(
                document_number=number, total=total_d, paid=paid_d, balance=total_d - paid_d,
                date_paid_in_full=date.fromisoformat(in_full) if in_full else None,
                last_payment_date=date.fromisoformat(last) if last else None,
            ))
        return out


registry.register(NAME, f"{__name__}:LedgerPackage")
