"""What payment sync last found or left in Manage, per Manage invoice: its paid total and date paid.

Manage's invoice record carries its payments' total (``Invoice.payments``) but no date paid, which
only the invoice's payment list has. Where Manage's total already equals the package's, and the
mark says the payment was dated as the package now dates it, the sync need not read that list:
nothing can have changed that the sync would write. A date changed by hand in Manage while the
total stayed the same is then left as it is (Manage's own edit); a package-side change of the
total or of the date always makes the sync read and correct it.

Kept per Manage site and company in the data folder, one SQLite file, written once per sync.
Marks are a cache only: a missing or stale mark costs a read, never a wrong write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from mobius_tui import paths

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payment_marks (
    site TEXT NOT NULL,
    company TEXT NOT NULL,
    invoice_id INTEGER NOT NULL,
    amount TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    PRIMARY KEY (site, company, invoice_id)
);
"""

Mark = tuple[Decimal, date | None]  # Manage's paid total and date paid (None: undated or no payment)


def marks_file() -> Path:
    return paths.data_dir() / "payment_marks.sqlite"


class PaymentMarks:
    def __init__(self, site: str, company: str, path: Path | None = None) -> None:
        self.path = Path(path) if path else marks_file()
        paths.private_file(paths.ensure_private_dir(self.path.parent) / self.path.name)
        self._key = (site.lower(), company.lower())
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> PaymentMarks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, invoice_ids: Iterable[int]) -> dict[int, Mark]:
        wanted = set(invoice_ids)
        rows = self._db.execute(
            "SELECT invoice_id, amount, paid_on FROM payment_marks WHERE site = ? AND company = ?", self._key)
        return {i: (Decimal(amount), date.fromisoformat(day) if day else None)
                for i, amount, day in rows if i in wanted}

    def save(self, marks: dict[int, Mark], forget: Iterable[int] = ()) -> None:
        """Record ``marks``; drop the marks of ``forget`` (invoices whose state in Manage is unknown)."""
        rows = [(*self._key, i, str(amount), day.isoformat() if day else "") for i, (amount, day) in marks.items()]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT INTO payment_marks (site, company, invoice_id, amount, paid_on) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (site, company, invoice_id) DO UPDATE SET amount = excluded.amount,"
                " paid_on = excluded.paid_on", rows)
            self._db.executemany("DELETE FROM payment_marks WHERE site = ? AND company = ? AND invoice_id = ?",
                                 [(*self._key, i) for i in forget])
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
