"""The run history: every run of this machine, read from the run journal (never written here).

New batches, reruns, finishes and payment syncs side by side, interactive and scheduled alike,
newest first; each with its outcome, counts and totals per currency, and the Manage batch. A run
opened shows every document (posted where, with the package's reference; failed, with the reason)
and can be saved as its full log or its list of errors.

The journal is opened read-only, so looking at the history never creates or locks it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from mobius_tui import paths
from mobius_tui.service.events import Outcome, jsonable
from mobius_tui.service.reports import (
    ByCurrency,
    DocumentResult,
    DocumentState,
    RunReport,
    by_currency,
)
from mobius_tui.service.run_records import INTERACTIVE, SCHEDULED

UNFINISHED = "unfinished"
OUTCOMES = (Outcome.SUCCESS.value, Outcome.PARTIAL.value, Outcome.FAILED.value, UNFINISHED)
KINDS = {"export": "new batch", "rerun": "rerun", "finish": "finish", "sync-payments": "payment sync"}


class HistoryError(ValueError):
    """A filter that cannot work (unknown outcome, a date that is no date) or a run that is not there."""


@dataclass(frozen=True)
class HistoryFilter:
    since: date | None = None  # runs started on or after this day (local time)
    until: date | None = None  # ... and on or before this one
    outcomes: tuple[str, ...] = ()  # any of OUTCOMES; () = all
    profiles: tuple[str, ...] = ()
    origin: str = ""  # INTERACTIVE, SCHEDULED or "" for both

    def __post_init__(self) -> None:
        wrong = [o for o in self.outcomes if o not in OUTCOMES]
        if wrong:
            raise HistoryError(f"Unknown outcome {wrong[0]!r}: choose from {', '.join(OUTCOMES)}.")
        if self.origin not in ("", INTERACTIVE, SCHEDULED):
            raise HistoryError(f"Unknown origin {self.origin!r}: choose {INTERACTIVE} or {SCHEDULED}.")


@dataclass(frozen=True)
class HistoryRun:
    run_id: str
    action: str  # journal action: export, rerun, finish, sync-payments
    profile: str
    books: str  # the journal's target: Manage site + company + package + books
    started: datetime
    finished: datetime | None
    outcome: str  # success / partial / failed / unfinished
    batch_identifier: str
    manage_batch_id: int | None
    counts: dict[str, int] = field(default_factory=dict)  # "documents" and each state → how many
    totals: dict[str, ByCurrency] = field(default_factory=dict)  # the same keys → currency → amount
    origin: str = INTERACTIVE
    schedule: str = ""
    summary: str = ""
    of_run: str = ""  # a finish: the run it completed
    log_path: str = ""

    @property
    def kind(self) -> str:
        return KINDS.get(self.action, self.action)

    @property
    def needs_finish(self) -> bool:
        return self.outcome == UNFINISHED and self.action in ("export", "rerun")

    @property
    def finish_command(self) -> str:
        return f"mobius-tui finish {self.run_id} --profile {self.profile}" if self.needs_finish else ""

    def to_json(self) -> dict[str, Any]:
        return jsonable({
            "run_id": self.run_id, "kind": self.kind, "action": self.action, "profile": self.profile,
            "books": self.books, "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None, "outcome": self.outcome,
            "batch_identifier": self.batch_identifier, "manage_batch_id": self.manage_batch_id,
            "counts": self.counts, "totals": self.totals, "origin": self.origin, "schedule": self.schedule,
            "summary": self.summary, "of_run": self.of_run or None, "needs_finish": self.needs_finish,
            "finish_command": self.finish_command or None, "log_path": self.log_path or None,
        })


@dataclass
class RunDetail:
    run: HistoryRun
    documents: list[DocumentResult]  # of the run itself, or for a finish of the run it completed

    @property
    def failed(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.state in (DocumentState.FAILED, DocumentState.SKIPPED)]

    def log_lines(self) -> list[str]:
        path = Path(self.run.log_path) if self.run.log_path else None
        if path is not None and path.is_file():
            return path.read_text(encoding="utf-8", errors="replace").splitlines()
        return [f"{self.run.kind} run {self.run.run_id}: {self.run.summary or self.run.outcome}"] + [
            document_line(d) for d in self.documents]

    def error_lines(self) -> list[str]:
        """The run's own error list when it wrote one, else one line per document that failed."""
        path = Path(self.run.log_path).with_suffix(".errors.txt") if self.run.log_path else None
        if path is not None and path.is_file():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            if lines:
                return lines
        return [f"FAILED {d.label}: {d.error}" for d in self.failed]

    def report(self) -> RunReport:
        """The run as a report, for the report writers (Save Full Log, Save List of Errors)."""
        outcome = Outcome(self.run.outcome) if self.run.outcome in Outcome.__members__.values() else Outcome.FAILED
        return RunReport(
            run_id=self.run.run_id, action=self.run.action, outcome=outcome, summary=self.run.summary,
            batch_identifier=self.run.batch_identifier, manage_batch_id=self.run.manage_batch_id,
            counts=self.run.counts, totals=self.run.totals, results=self.documents,
            unfinished=self.run.needs_finish, log_path=Path(self.run.log_path) if self.run.log_path else None,
            log_lines=self.log_lines(), error_lines=self.error_lines(),
        )

    def to_json(self) -> dict[str, Any]:
        return {**self.run.to_json(), "documents": [jsonable({
            "key": d.key, "label": d.label, "state": d.state, "amount": d.amount, "currency": d.currency,
            "reference": d.reference, "error": d.error}) for d in self.documents]}


def document_line(d: DocumentResult) -> str:
    from mobius_tui.service.wording import format_totals

    money = format_totals({d.currency: d.amount})
    if d.state == DocumentState.POSTED:
        return f"posted   {d.label} ({money}) as {d.reference}"
    if d.state in (DocumentState.FAILED, DocumentState.SKIPPED):
        return f"failed   {d.label} ({money}): {d.error or 'no reason given'}"
    if d.state == DocumentState.DUPLICATE:
        return f"skipped  {d.label} ({money}): already there {d.reference}".rstrip()
    if d.state == DocumentState.NOT_POSTED:
        return f"not posted {d.label} ({money}): the package does not have it; the next run posts it"
    if d.state == DocumentState.WRITTEN:
        return f"written  {d.label} ({money}) to {d.reference}: not in the package until imported; then finish the run"
    return f"unknown  {d.label} ({money}): no result recorded; finish the run"


class History:
    """Read-only queries over the run journal (``path``: the journal file; default: this user's)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.journal_file()

    def _connect(self) -> sqlite3.Connection | None:
        if not self.path.exists():
            return None
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)

    def runs(self, flt: HistoryFilter | None = None, limit: int = 500) -> list[HistoryRun]:
        flt = flt or HistoryFilter()
        db = self._connect()
        if db is None:
            return []
        try:
            return self._runs(db, flt, limit)
        finally:
            db.close()

    def _runs(self, db: sqlite3.Connection, flt: HistoryFilter, limit: int, only: str = "") -> list[HistoryRun]:
        notes = _has_table(db, "run_notes")
        select = ("SELECT r.id, r.action, r.profile, r.target, r.batch_identifier, r.started, r.finished, r.outcome,"
                  " r.manage_batch_id, r.log_path")
        select += (", COALESCE(n.origin, 'interactive'), COALESCE(n.schedule, ''), COALESCE(n.summary, ''),"
                   " COALESCE(n.of_run, '') FROM runs r LEFT JOIN run_notes n ON n.run_id = r.id" if notes
                   else ", 'interactive', '', '', '' FROM runs r")
        where = ["r.action NOT IN ('dry-run', 'check')"]
        args: list[Any] = []
        if only:
            where.append("r.id = ?")
            args.append(only)
        if flt.since:
            where.append("r.started >= ?")
            args.append(_utc_start(flt.since))
        if flt.until:
            where.append("r.started < ?")
            args.append(_utc_start(date.fromordinal(flt.until.toordinal() + 1)))
        if flt.profiles:
            where.append(f"r.profile IN ({','.join('?' * len(flt.profiles))})")
            args += list(flt.profiles)
        if flt.outcomes:
            wanted = [o for o in flt.outcomes if o != UNFINISHED]
            parts = [f"r.outcome IN ({','.join('?' * len(wanted))})"] if wanted else []
            args += wanted
            if UNFINISHED in flt.outcomes:
                parts.append("r.finished IS NULL")
            where.append("(" + " OR ".join(parts) + ")")
        if flt.origin and notes:
            where.append("COALESCE(n.origin, 'interactive') = ?")
            args.append(flt.origin)
        elif flt.origin == SCHEDULED:
            return []
        sql = f"{select} WHERE {' AND '.join(where)} ORDER BY r.started DESC, r.rowid DESC LIMIT ?"
        rows = db.execute(sql, [*args, limit]).fetchall()
        figures = _figures(db, [row[0] for row in rows])
        return [_history_run(row, *figures.get(row[0], _counts_and_totals([]))) for row in rows]

    def run(self, run_id: str) -> RunDetail:
        db = self._connect()
        if db is None:
            raise HistoryError("There is no run journal yet: no run has posted anything on this machine.")
        try:
            found = self._runs(db, HistoryFilter(), 1, only=run_id)
            if not found:
                raise HistoryError(f"The run journal has no run {run_id!r}. List runs with 'mobius-tui history'.")
            run = found[0]
            rows = db.execute(
                "SELECT key, label, amount, state, reference, error, body FROM documents WHERE run_id = ? ORDER BY seq",
                (run.of_run or run.run_id,),
            ).fetchall()
        finally:
            db.close()
        from mobius_tui.service.doc_codec import currency_of

        documents = [DocumentResult(key, label, DocumentState(state), Decimal(amount), reference, error, currency_of(body))
                     for key, label, amount, state, reference, error, body in rows]
        return RunDetail(run, documents)

    def last_scheduled(self, profile: str) -> HistoryRun | None:
        runs = self.runs(HistoryFilter(profiles=(profile,), origin=SCHEDULED), limit=1)
        return runs[0] if runs else None


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _utc_start(day: date) -> str:
    """The journal stamps runs in UTC; a day the user names is a local day."""
    from datetime import UTC

    return datetime.combine(day, time.min).astimezone().astimezone(UTC).isoformat(timespec="seconds")


def _figures(db: sqlite3.Connection, run_ids: list[str]) -> dict[str, tuple[dict[str, int], dict[str, ByCurrency]]]:
    """Counts and totals per currency of each run's documents, the way a run's report keeps them."""
    out: dict[str, tuple[dict[str, int], dict[str, ByCurrency]]] = {}
    for start in range(0, len(run_ids), 500):
        chunk = run_ids[start:start + 500]
        rows = db.execute(
            "SELECT run_id, state, CASE WHEN body = '' THEN '' ELSE COALESCE(NULLIF(json_extract(body, '$.currency'), ''),"
            " json_extract(body, '$.home_currency'), '') END,"
            f" amount FROM documents WHERE run_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        grouped: dict[str, list[tuple[str, str, Decimal]]] = {}
        for run_id, state, currency, amount in rows:
            grouped.setdefault(run_id, []).append((state, currency if isinstance(currency, str) else "", Decimal(amount)))
        for run_id, docs in grouped.items():
            out[run_id] = _counts_and_totals(docs)
    return out


def _counts_and_totals(docs: Iterable[tuple[str, str, Decimal]]) -> tuple[dict[str, int], dict[str, ByCurrency]]:
    docs = list(docs)
    counts = {"documents": len(docs)}
    totals = {"documents": by_currency((c, a) for _, c, a in docs)}
    for state in DocumentState:
        chosen = [(c, a) for s, c, a in docs if s == state.value]
        if chosen or state in (DocumentState.POSTED, DocumentState.FAILED):
            counts[state.value] = len(chosen)
            totals[state.value] = by_currency(chosen)
    return counts, totals


def _history_run(row: tuple, counts: dict[str, int], totals: dict[str, ByCurrency]) -> HistoryRun:
    (run_id, action, profile, target, batch, started, finished, outcome, batch_id, log_path,
     origin, schedule, summary, of_run) = row
    return HistoryRun(
        run_id=run_id, action=action, profile=profile, books=target, started=datetime.fromisoformat(started),
        finished=datetime.fromisoformat(finished) if finished else None,
        outcome=(outcome or UNFINISHED) if finished else UNFINISHED, batch_identifier=batch,
        manage_batch_id=batch_id, counts=counts, totals=totals, origin=origin, schedule=schedule,
        summary=summary, of_run=of_run, log_path=log_path or "",
    )


def parse_day(text: str, what: str = "--since") -> date:
    """A day the user typed: YYYY-MM-DD, ``today`` or ``yesterday``."""
    from datetime import timedelta

    value = (text or "").strip().lower()
    if value == "today":
        return date.today()
    if value == "yesterday":
        return date.today() - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HistoryError(f"{what} {text!r} is not a date: write YYYY-MM-DD, today or yesterday.") from None
