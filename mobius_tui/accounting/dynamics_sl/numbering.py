"""SL's number counters (LastBatNbr, LastRefNbr, ...) allocated a block at a time inside one transaction.

SL allocates a number by locking the module's setup row, reading the counter, incrementing it
past numbers already used and writing it back. :class:`Counter` does the same for a whole
transaction: the first number locks the row (a no-op UPDATE) and reads the counter; later
numbers are counted on in memory under that lock, the used-number check is asked for a window of
candidates at once, and :meth:`Counter.write` stores the last number before the commit. A
document that fails gives its numbers back (:meth:`Counter.state` / :meth:`Counter.restore`), so
a run leaves no gaps, as before; a rollback of the transaction gives them all back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mobius_tui.accounting.dynamics_sl.sql import Session

WINDOW = 64  # candidates checked against the used numbers per query


@dataclass
class Counter:
    setup_table: str
    setup_id: str
    column: str
    # Used numbers: (table, number column, extra conditions with ? marks, their parameters).
    taken_table: str
    taken_column: str
    taken_where: str = ""
    taken_params: tuple[Any, ...] = ()
    _locked: bool = field(default=False, init=False)
    _start: int = field(default=0, init=False)  # the counter as read under the lock
    _last: int = field(default=0, init=False)
    _width: int = field(default=6, init=False)
    _checked_to: int = field(default=0, init=False)  # candidates up to here were checked
    _used: set[int] = field(default_factory=set, init=False)

    def next(self, s: Session) -> str:
        if not self._locked:
            self._lock(s)
        number = self._last + 1
        while True:
            if number > self._checked_to:
                self._check(s, number)
            if number not in self._used:
                break
            number += 1
        self._last = number
        return self._spell(number)

    def write(self, s: Session) -> None:
        """Store the last number allocated in this transaction (call before the commit)."""
        if self._locked and self._last != self._start:
            s.execute(f"UPDATE {self.setup_table} SET {self.column} = ? WHERE SetupId = ?",
                      self._spell(self._last), self.setup_id)
            self._start = self._last

    def end_transaction(self) -> None:
        """After a commit or rollback: the lock is gone, the next number reads the row again."""
        self._locked = False
        self._used.clear()

    def state(self) -> tuple[bool, int]:
        return self._locked, self._last

    def restore(self, state: tuple[bool, int]) -> None:
        """Back to ``state`` after a failed document (its savepoint rolled back, lock included)."""
        locked, last = state
        if not locked:
            self.end_transaction()
        self._last = last

    def _spell(self, number: int) -> str:
        return str(number).zfill(self._width)

    def _lock(self, s: Session) -> None:
        where = "SetupId = ?"
        if s.execute(f"UPDATE {self.setup_table} SET {self.column} = {self.column} WHERE {where}", self.setup_id) == 0:
            raise RuntimeError(f"{self.setup_table} has no setup row (SetupId '{self.setup_id}'): "
                               "complete the module's setup in SL")
        current = (s.scalar(f"SELECT {self.column} FROM {self.setup_table} WHERE {where}", self.setup_id) or "").strip()
        self._width = len(current) or 6
        self._start = self._last = int(current) if current.isdigit() else 0
        self._checked_to = self._last
        self._used.clear()
        self._locked = True

    def _check(self, s: Session, first: int) -> None:
        candidates = [self._spell(n) for n in range(first, first + WINDOW)]
        marks = ", ".join("?" * len(candidates))
        extra = f"{self.taken_where} AND " if self.taken_where else ""
        found = s.rows(f"SELECT {self.taken_column} AS n FROM {self.taken_table} "
                       f"WHERE {extra}{self.taken_column} IN ({marks})", *self.taken_params, *candidates)
        spelled = set(candidates)
        self._used.update(int(r["n"]) for r in found if r["n"] in spelled)
        self._checked_to = first + WINDOW - 1
