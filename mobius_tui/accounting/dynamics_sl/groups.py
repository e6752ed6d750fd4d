"""Documents written to SL a group per transaction, each document still all-or-nothing.

A group is up to :data:`GROUP_DOCUMENTS` documents, or fewer when building them takes longer than
:data:`GROUP_SECONDS`, so results keep streaming. Groups start at one document and double from
there: the first results arrive at once, and a run stopped early leaves few documents committed
but not yet reported (the service settles those with ``existing()``). Each unit of work (a
document or a master record) builds its rows in memory first; then:

* fast path: the rows of every unit of the group go in together (multi-row INSERTs), the batch
  totals and number counters are written once, and the group commits;
* if any statement fails, the transaction rolls back, the in-memory state (batches, totals,
  counters) returns to the group's start and the group is written again one unit at a time, each
  in its own savepoint: a unit that fails rolls back to its savepoint and leaves the others. An
  engine that cannot roll back to a savepoint (SQL Server dooms some transactions) rolls the whole
  group back and writes it again without the units already known to fail.

Results are returned only after the group's commit, since the caller reports them as posted.
A unit that fails while its rows are built (a missing rate, a value too long) fails alone.

On the fast path the rows built so far are inserted by a second thread while the next units are
built (:class:`_Overlap`): building is Python, inserting mostly waits for the database, so the
two run side by side. It is still the group's one transaction on its one connection (statements
take turns under the session's lock); a statement that fails stops the hand-overs and the group
takes the one-unit-at-a-time path above, after the second thread has stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from mobius_tui.accounting.base import PostResult, PostStatus
from mobius_tui.accounting.dynamics_sl.sql import Rows, Session
from mobius_tui.documents.model import Document

GROUP_DOCUMENTS = 150
GROUP_SECONDS = 0.5
# Built units whose rows go to the inserting thread together, at least: a third of a full group,
# so a group takes about as many statements as a group of 50 without the thread did.
HAND_OVER_UNITS = 50
SAVEPOINT = "mobius_doc"


@dataclass(frozen=True)
class Unit:
    """One document or master record: ``work`` builds its rows (via :meth:`GroupWriter.write`) and
    returns its reference in SL; ``error`` set means it fails without touching SL."""

    key: str
    work: Callable[[], str] | None = None
    error: str = ""
    document: Document | None = None


class ConnectionLost(Exception):
    """The connection died. ``unknown``: units whose commit was sent but not confirmed."""

    def __init__(self, message: str, unknown: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.unknown = unknown


def error_text(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    text = str(args[1] if len(args) > 1 else exc)
    # Drop the driver's bracketed prefixes ([unixODBC][Driver]...) and call names.
    while text.startswith("["):
        text = text[text.find("]") + 1:] if "]" in text else text
    return text.split("(SQLExec")[0].strip() or exc.__class__.__name__


class _BuildFailed(Exception):
    pass


class _Restart(Exception):
    """The engine could not roll back to a unit's savepoint: write the group again without the unit."""


class GroupWriter:
    """The transaction mechanics; subclasses build rows and keep state in :meth:`state` / :meth:`restore`."""

    group_documents = GROUP_DOCUMENTS
    group_seconds = GROUP_SECONDS

    def __init__(self, session: Session) -> None:
        self.s = session
        self._writes: list[Rows | tuple[str, tuple[Any, ...]]] = []
        self._after_commit: list[Callable[[], None]] = []
        self.in_flight: list[str] = []  # keys of the units of the group being written
        self._size = 1  # documents in the next group

    # --- what units call -----------------------------------------------------------------
    def write(self, table: str, rows: Any, common: Mapping[str, Any] | None = None) -> None:
        """Rows for ``table`` (``common``: columns the same in each), checked now, inserted with the
        group's (or the unit's) rows."""
        self._writes.append(self.s.prepare(table, rows, common))

    def write_sql(self, sql: str, *params: Any) -> None:
        """A statement run with the unit's rows (after the inserts of the same flush)."""
        self._writes.append((sql, params))

    def after_commit(self, apply: Callable[[], None]) -> None:
        self._after_commit.append(apply)

    # --- hooks ---------------------------------------------------------------------------
    def state(self) -> Any:
        """A snapshot of the in-memory state a unit changes."""
        return None

    def restore(self, state: Any) -> None:
        pass

    def prepare_group(self, units: Sequence[Unit]) -> None:
        """Reads done once for a group before its units are built (inside its transaction)."""

    def before_commit(self) -> None:
        """Writes done once per group: batch totals, number counters."""

    def transaction_ended(self) -> None:
        """After any commit or rollback."""

    # --- running groups ------------------------------------------------------------------
    def post_units(self, units: Sequence[Unit]) -> tuple[list[PostResult], int]:
        """Post a group from the front of ``units``; returns its results and how many units it took."""
        candidates = list(units[: self._size])
        self._size = min(self.group_documents, self._size * 2)
        self.in_flight = [u.key for u in candidates]
        start = self._snapshot()
        try:
            self.prepare_group(candidates)
        except Exception as exc:
            self._abort(start, exc)
            return [self._failed(u, error_text(exc)) for u in candidates], len(candidates)
        deadline = time.monotonic() + self.group_seconds
        built: list[_Built] = []
        with _Overlap(self._flush) as overlap:
            for unit in candidates:
                if built and (time.monotonic() > deadline or overlap.failed):
                    break
                built.append(self._build(unit))
                overlap.add(built[-1].writes)
        taken = [b.unit for b in built]
        self.in_flight = [u.key for u in taken]
        try:
            overlap.finish()  # its thread has stopped: the rest is inserted here
            self.before_commit()
        except Exception as exc:
            self._abort(start, exc)
            return self._one_by_one(taken, start), len(taken)
        if self._commit(start, frozenset(b.unit.key for b in built if b.writes is not None)):
            return self._one_by_one(taken, start), len(taken)
        return [self._posted(b.unit, b.text) if b.writes is not None else self._failed(b.unit, b.text)
                for b in built], len(taken)

    def _one_by_one(self, units: list[Unit], start: tuple[Any, int]) -> list[PostResult]:
        failed: dict[str, str] = {}
        while True:
            posted: dict[str, str] = {}
            try:
                self.prepare_group(units)
                for unit in units:
                    if unit.key not in failed:
                        self._one(unit, posted, failed)
                self.before_commit()
            except _Restart as exc:
                self._abort(start, exc.__cause__ or exc)
                continue
            except Exception as exc:  # the engine refused a statement of the group itself
                self._abort(start, exc)
                return [self._failed(u, failed.get(u.key) or error_text(exc)) for u in units]
            refused = self._commit(start, frozenset(posted))
            return [self._posted(u, posted[u.key]) if u.key in posted and not refused
                    else self._failed(u, failed.get(u.key) or refused) for u in units]

    def _one(self, unit: Unit, posted: dict[str, str], failed: dict[str, str]) -> None:
        """One unit in its own savepoint, which also covers the reads its work does (number counters)."""
        if unit.error or unit.work is None:
            failed[unit.key] = unit.error or "nothing to post"
            return
        self.s.savepoint(SAVEPOINT)
        built = self._build(unit)
        try:
            if built.writes is None:
                raise _BuildFailed(built.text)
            self._flush(built.writes)
            self.s.release(SAVEPOINT)
        except Exception as exc:
            failed[unit.key] = error_text(exc)
            try:
                self.s.rollback_to(SAVEPOINT)
            except Exception as again:
                raise _Restart() from again
            self._return_to(built.before)
            return
        posted[unit.key] = built.text

    def _build(self, unit: Unit) -> _Built:
        """Run the unit's work in memory; if it fails, its state changes are undone."""
        before = self._snapshot()
        if unit.error or unit.work is None:
            return _Built(unit, unit.error or "nothing to post", None, before)
        self._writes = []
        try:
            text = unit.work()
        except Exception as exc:
            self._return_to(before)
            return _Built(unit, error_text(exc), None, before)
        finally:
            writes, self._writes = self._writes, []
        return _Built(unit, text, writes, before)

    def _snapshot(self) -> tuple[Any, int]:
        return self.state(), len(self._after_commit)

    def _return_to(self, snapshot: tuple[Any, int]) -> None:
        self.restore(snapshot[0])
        del self._after_commit[snapshot[1]:]

    def _flush(self, writes: list) -> None:
        self.s.insert_rows(w for w in writes if isinstance(w, Rows))
        for w in writes:
            if not isinstance(w, Rows):
                self.s.execute(w[0], *w[1])

    def _commit(self, start: tuple[Any, int], posted: frozenset[str]) -> str:
        """Commit; "" when done, else the reason the engine refused (nothing was written)."""
        try:
            self.s.commit()
        except Exception as exc:
            self._abort(start, exc, unknown=posted)
            return error_text(exc)
        self.transaction_ended()
        for apply in self._after_commit:
            apply()
        self._after_commit = []
        return ""

    def _abort(self, start: tuple[Any, int], exc: BaseException, unknown: frozenset[str] = frozenset()) -> None:
        """Roll the open transaction back and return to the state at ``start``; a dead connection raises."""
        try:
            self.s.rollback()
        except Exception:
            pass
        self.transaction_ended()
        self._return_to(start)
        if not self.alive():
            raise ConnectionLost(error_text(exc), unknown) from exc

    @staticmethod
    def _posted(unit: Unit, reference: str) -> PostResult:
        return PostResult(unit.key, PostStatus.POSTED, reference=reference)

    @staticmethod
    def _failed(unit: Unit, error: str) -> PostResult:
        return PostResult(unit.key, PostStatus.FAILED, error=error)

    def alive(self) -> bool:
        try:
            self.s.scalar("SELECT 1")
            self.s.rollback()
            return True
        except Exception:
            return False


class _Overlap:
    """Hands built rows to one inserting thread: whenever it is idle and at least
    :data:`HAND_OVER_UNITS` units are waiting, all that are waiting go in together. Leaving the
    ``with`` block waits for the thread, whatever happened."""

    def __init__(self, flush: Callable[[list], None]) -> None:
        self._flush = flush
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="sl-insert")
        self._running: Future | None = None
        self._waiting: list = []
        self._units = 0
        self._error: Exception | None = None
        self.failed = False

    def __enter__(self) -> _Overlap:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._pool.shutdown(wait=True)

    def add(self, writes: list | None) -> None:
        if writes is None:
            return
        self._waiting += writes
        self._units += 1
        if self._running is not None and self._running.done():
            self._collect()
        if self._running is None and self._units >= HAND_OVER_UNITS and not self.failed:
            waiting, self._waiting, self._units = self._waiting, [], 0
            self._running = self._pool.submit(self._flush, waiting)

    def finish(self) -> None:
        """Wait for the thread and insert what is left; raises what any insert raised."""
        self._collect()
        waiting, self._waiting, self._units = self._waiting, [], 0
        if self._error is not None:
            raise self._error
        self._flush(waiting)

    def _collect(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            try:
                running.result()
            except Exception as exc:  # raised again by finish()
                self._error = self._error or exc
                self.failed = True


@dataclass
class _Built:
    unit: Unit
    text: str  # the reference in SL, or why the unit failed
    writes: list | None  # None: failed
    before: tuple[Any, int]  # the state before the unit, to return to if its writes fail
