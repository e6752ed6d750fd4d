"""The run journal: what a run planned, what each document did, and which Manage batch holds it.

Written so that a crash at any moment can be finished without posting anything twice:

* the run and every planned document are committed before the first post;
* each document's result is committed the moment the package reports it;
* the Manage batch id is committed once Manage has it.

A run without ``finished`` is unfinished; :meth:`Journal.unfinished` lists them. A run whose documents
were written to an import file (state ``written``) stays unfinished until the user has imported it:
finishing then finds them in the package (or, told the import is done, marks the rest not posted).
SQLite in WAL mode, one short transaction per write, so a killed process loses at most the write in
flight.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from mobius_tui import paths
from mobius_tui.service.reports import DocumentState, RunSummary

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    profile TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL,
    batch_identifier TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '{}',
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT,
    manage_batch_id INTEGER,
    log_path TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    run_id TEXT NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    amount TEXT NOT NULL,
    gl_entry_ids TEXT NOT NULL,
    state TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS payment_sync (
    os_user TEXT NOT NULL,
    machine TEXT NOT NULL,
    site TEXT NOT NULL,
    company TEXT NOT NULL,
    last_success TEXT NOT NULL,
    PRIMARY KEY (os_user, machine, site, company)
);
CREATE TABLE IF NOT EXISTS payment_marks (
    site TEXT NOT NULL,
    company TEXT NOT NULL,
    invoice_id INTEGER NOT NULL,
    amount TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    PRIMARY KEY (site, company, invoice_id)
);
"""

# What payment sync last found or left in Manage for one invoice: its paid total and date paid
# (None: undated or no payment). Manage's invoice record carries the total but no date paid, so a
# mark that agrees with the package spares reading the invoice's payment list. Marks are a cache:
# a missing or stale mark costs a read, never a wrong write.
PaymentMark = tuple[Decimal, date | None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class JournalDocument:
    key: str
    label: str
    amount: Decimal
    gl_entry_ids: tuple[int, ...]
    state: DocumentState
    reference: str = ""
    error: str = ""
    body: str = ""  # the document itself (doc_codec), to ask the package about it after a crash


@dataclass(frozen=True)
class JournalRun:
    id: str
    action: str
    profile: str
    target: str
    batch_identifier: str
    flags: dict[str, bool]
    started: datetime
    finished: datetime | None
    outcome: str
    manage_batch_id: int | None
    log_path: str


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.journal_file()
        paths.private_file(paths.ensure_private_dir(self.path.parent) / self.path.name)  # SQLite's -wal/-shm follow its mode
        # Shared with the worker threads that record results during posting (record_results), and
        # read by the screens while the TUI's session works in a thread of its own.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        self._write_lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a posted document's record must survive power loss
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs --------------------------------------------------------------------------

    def start_run(
        self,
        action: str,
        target: str,
        documents: Iterable[JournalDocument],
        *,
        profile: str = "",
        batch_identifier: str = "",
        flags: dict[str, bool] | None = None,
        log_path: str = "",
        run_id: str | None = None,
    ) -> str:
        """Record the run and every planned document in one transaction; returns the run id."""
        run_id = run_id or new_run_id()
        now = _now()
        with self._tx():
            self._db.execute(
                "INSERT INTO runs (id, action, profile, target, batch_identifier, flags, started, log_path)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, action, profile, target, batch_identifier, json.dumps(flags or {}), now, log_path),
            )
            self._db.executemany(
                "INSERT INTO documents (run_id, seq, key, label, amount, gl_entry_ids, state, reference, error, updated, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, seq, d.key, d.label, str(d.amount), json.dumps(list(d.gl_entry_ids)), d.state.value,
                     d.reference, d.error, now, d.body)
                    for seq, d in enumerate(documents)
                ],
            )
        return run_id

    def record_result(self, run_id: str, key: str, state: DocumentState, reference: str = "", error: str = "") -> None:
        self.record_results(run_id, [(key, state, reference, error)])

    def record_results(self, run_id: str, results: Iterable[tuple[str, DocumentState, str, str]],
                       bodies: Mapping[str, str] | None = None) -> None:
        """Several documents' (key, state, reference, error) in one transaction: one disk sync.
        ``bodies``: documents stored anew under their keys (one stored by its currency alone until
        its duplicate check cleared it); the others keep what is stored."""
        now = _now()
        bodies = bodies or {}
        with self._tx():
            for key, state, reference, error in results:
                cur = self._db.execute(
                    "UPDATE documents SET state = ?, reference = ?, error = ?, updated = ?, body = COALESCE(?, body)"
                    " WHERE run_id = ? AND key = ?",
                    (state.value, reference, error, now, bodies.get(key), run_id, key),
                )
                if cur.rowcount != 1:
                    raise KeyError(f"run {run_id} has no document {key}")

    def record_batch(self, run_id: str, manage_batch_id: int) -> None:
        with self._tx():
            self._db.execute("UPDATE runs SET manage_batch_id = ? WHERE id = ?", (manage_batch_id, run_id))

    def set_batch_identifier(self, run_id: str, batch_identifier: str) -> None:
        """Record the run's Manage batch under another identifier (its own was taken by another run)."""
        with self._tx():
            changed = self._db.execute(
                "UPDATE runs SET batch_identifier = ? WHERE id = ? AND manage_batch_id IS NULL AND finished IS NULL",
                (batch_identifier, run_id),
            ).rowcount
        if not changed:
            raise KeyError(f"no unfinished run {run_id} without a Manage batch")

    def finish_run(self, run_id: str, outcome: str) -> None:
        with self._tx():
            self._db.execute("UPDATE runs SET finished = ?, outcome = ? WHERE id = ?", (_now(), outcome, run_id))

    def run(self, run_id: str) -> JournalRun:
        row = self._db.execute(
            "SELECT id, action, profile, target, batch_identifier, flags, started, finished, outcome, manage_batch_id, log_path"
            " FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"The run journal has no run {run_id!r}. List runs with 'mobius-tui finish --list'.")
        return _run(row)

    def documents(self, run_id: str, states: Iterable[DocumentState] | None = None, *,
                  bodies: bool = True) -> list[JournalDocument]:
        """The run's documents in plan order; only those in ``states`` when given; ``bodies=False``
        leaves the stored documents out (they are most of a row)."""
        stored = "body" if bodies else "''"
        sql = f"SELECT key, label, amount, gl_entry_ids, state, reference, error, {stored} FROM documents WHERE run_id = ?"
        args: list[str] = [run_id]
        if states is not None:
            wanted = [s.value for s in states]
            sql += f" AND state IN ({', '.join('?' * len(wanted))})"
            args += wanted
        rows = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        return [
            JournalDocument(key, label, Decimal(amount), tuple(json.loads(ids)), DocumentState(state), reference, error, body)
            for key, label, amount, ids, state, reference, error, body in rows
        ]

    def entry_ids(self, run_id: str, state: DocumentState) -> list[list[int]]:
        """The GL entry ids of each of the run's documents in ``state``, in plan order (only that
        column is read: the Manage batch of a large run is recorded from it)."""
        rows = self._db.execute("SELECT gl_entry_ids FROM documents WHERE run_id = ? AND state = ? ORDER BY seq",
                                (run_id, state.value))
        return [json.loads(ids) for (ids,) in rows]

    def currencies(self, run_id: str, home_key: str) -> dict[str, str]:
        """Document key → the currency its stored body names (its ``currency``, else the one under
        ``home_key``, else ""), read by SQLite: the bodies are not parsed in Python for it."""
        rows = self._db.execute(
            "SELECT key, CASE WHEN body = '' THEN ''"
            " WHEN json_type(body, '$.currency') = 'text' AND json_extract(body, '$.currency') != ''"
            " THEN json_extract(body, '$.currency')"
            " WHEN json_type(body, '$.' || ?) = 'text' THEN json_extract(body, '$.' || ?) ELSE '' END"
            " FROM documents WHERE run_id = ?",
            (home_key, home_key, run_id),
        )
        return dict(rows.fetchall())

    def posted_under(self, target: str, keys: Iterable[str]) -> dict[str, tuple[str, tuple[int, ...]]]:
        """Document key → (batch identifier, GL entry ids) of the latest document posted under it to these books."""
        wanted = list(dict.fromkeys(keys))
        out: dict[str, tuple[str, tuple[int, ...]]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self._db.execute(
                "SELECT d.key, r.batch_identifier, d.gl_entry_ids FROM documents d JOIN runs r ON r.id = d.run_id"
                f" WHERE r.target = ? AND d.state = ? AND d.key IN ({', '.join('?' * len(chunk))}) ORDER BY r.started",
                (target, DocumentState.POSTED.value, *chunk),
            ).fetchall()
            out.update({key: (batch, tuple(json.loads(ids))) for key, batch, ids in rows})
        return out

    def unfinished(self, target: str | None = None) -> list[RunSummary]:
        sql = "SELECT id FROM runs WHERE finished IS NULL"
        args: tuple = ()
        if target is not None:
            sql += " AND target = ?"
            args = (target,)
        return [self.summary(run_id) for (run_id,) in self._db.execute(sql + " ORDER BY started", args).fetchall()]

    def recent(self, limit: int = 20) -> list[RunSummary]:
        rows = self._db.execute("SELECT id FROM runs ORDER BY started DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [self.summary(run_id) for (run_id,) in rows]

    def summary(self, run_id: str) -> RunSummary:
        run = self.run(run_id)
        docs = self.documents(run_id)
        return RunSummary(
            run_id=run.id,
            action=run.action,
            batch_identifier=run.batch_identifier,
            started=run.started,
            posted=sum(1 for d in docs if d.state == DocumentState.POSTED),
            unresolved=sum(1 for d in docs if d.state == DocumentState.PLANNED),
            failed=sum(1 for d in docs if d.state in (DocumentState.FAILED, DocumentState.SKIPPED)),
            finished=run.finished,
            outcome=run.outcome,
            manage_batch_id=run.manage_batch_id,
            profile=run.profile,
            not_posted=sum(1 for d in docs if d.state == DocumentState.NOT_POSTED),
            written=sum(1 for d in docs if d.state == DocumentState.WRITTEN),
        )

    def batch_identifier_in_use(self, batch_identifier: str, besides: str = "") -> str | None:
        """The id of an unfinished run (other than ``besides``) that will record this batch identifier."""
        row = self._db.execute(
            "SELECT id FROM runs WHERE finished IS NULL AND batch_identifier = ? AND action = 'export' AND id != ?",
            (batch_identifier, besides),
        ).fetchone()
        return row[0] if row else None

    # --- payment sync -------------------------------------------------------------------

    def last_payment_sync(self, os_user: str, machine: str, site: str, company: str) -> date | None:
        row = self._db.execute(
            "SELECT last_success FROM payment_sync WHERE os_user = ? AND machine = ? AND site = ? AND company = ?",
            (os_user, machine, site.lower(), company.lower()),
        ).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def set_last_payment_sync(self, os_user: str, machine: str, site: str, company: str, day: date) -> None:
        with self._tx():
            self._db.execute(
                "INSERT INTO payment_sync (os_user, machine, site, company, last_success) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (os_user, machine, site, company) DO UPDATE SET last_success = excluded.last_success",
                (os_user, machine, site.lower(), company.lower(), day.isoformat()),
            )

    def payment_marks(self, site: str, company: str, invoice_ids: Iterable[int]) -> dict[int, PaymentMark]:
        wanted = set(invoice_ids)
        rows = self._db.execute("SELECT invoice_id, amount, paid_on FROM payment_marks WHERE site = ? AND company = ?",
                                (site.lower(), company.lower()))
        return {i: (Decimal(amount), date.fromisoformat(day) if day else None)
                for i, amount, day in rows if i in wanted}

    def save_payment_marks(self, site: str, company: str, marks: dict[int, PaymentMark],
                           forget: Iterable[int] = ()) -> None:
        """Record ``marks``; drop the marks of ``forget`` (invoices whose state in Manage is unknown)."""
        key = (site.lower(), company.lower())
        with self._tx():
            self._db.executemany(
                "INSERT INTO payment_marks (site, company, invoice_id, amount, paid_on) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (site, company, invoice_id) DO UPDATE SET amount = excluded.amount,"
                " paid_on = excluded.paid_on",
                [(*key, i, str(amount), day.isoformat() if day else "") for i, (amount, day) in marks.items()])
            self._db.executemany("DELETE FROM payment_marks WHERE site = ? AND company = ? AND invoice_id = ?",
                                 [(*key, i) for i in forget])

    # --- plumbing ------------------------------------------------------------------------

    def _tx(self):
        return _Transaction(self._db, self._write_lock)


class _Transaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self.db = db
        self.lock = lock

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise

    def __exit__(self, exc_type, *_: object) -> None:
        try:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.lock.release()


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def _run(row: tuple) -> JournalRun:
    run_id, action, profile, target, batch, flags, started, finished, outcome, batch_id, log_path = row
    return JournalRun(
        id=run_id,
        action=action,
        profile=profile,
        target=target,
        batch_identifier=batch,
        flags=json.loads(flags or "{}"),
        started=datetime.fromisoformat(started),
        finished=datetime.fromisoformat(finished) if finished else None,
        outcome=outcome or "",
        manage_batch_id=batch_id,
        log_path=log_path or "",
    )
