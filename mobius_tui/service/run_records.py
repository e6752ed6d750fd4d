"""Journal rows for the runs that would otherwise leave none, and where each run came from.

The journal records a run the moment it starts posting. Runs that never get that far (a failed
check, a refused batch number, a lock held by another run), payment syncs and finishes leave no
row of their own; the run history must show them too. They are written here through the
journal's own ``start_run`` / ``finish_run``, already finished, so none of them ever looks
unfinished.

What the journal's ``runs`` table has no column for (interactive or scheduled, which schedule,
the run a finish completed, the one-line summary) sits in ``run_notes``, a table of its own in
the same file: older versions of the program never read it, so adding it changes nothing for them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from mobius_tui.service.journal import Journal, JournalDocument, new_run_id
from mobius_tui.service.reports import DocumentState, PaymentAction, RunReport, SyncReport

NOTES_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_notes (
    run_id TEXT PRIMARY KEY,
    origin TEXT NOT NULL DEFAULT 'interactive',
    schedule TEXT NOT NULL DEFAULT '',
    of_run TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT ''
);
"""

INTERACTIVE, SCHEDULED = "interactive", "scheduled"

# How a payment's fate reads as a document state in the journal.
_PAYMENT_STATES = {
    PaymentAction.CREATED: DocumentState.POSTED,
    PaymentAction.UPDATED: DocumentState.POSTED,
    PaymentAction.UNCHANGED: DocumentState.DUPLICATE,
    PaymentAction.UNKNOWN: DocumentState.SKIPPED,
    PaymentAction.CONFLICT: DocumentState.FAILED,  # left alone until someone decides: shown with its fix
    PaymentAction.FAILED: DocumentState.FAILED,
}


@dataclass(frozen=True)
class Origin:
    """Who started a run: ``interactive`` (a person, at the screens or the command line) or
    ``scheduled`` (the machine's scheduler, through ``schedule run``), and which schedule."""

    kind: str = INTERACTIVE
    schedule: str = ""


def note(journal: Journal, run_id: str, origin: Origin, summary: str = "", of_run: str = "") -> None:
    with sqlite3.connect(journal.path, timeout=30) as db:
        db.executescript(NOTES_SCHEMA)
        db.execute(
            "INSERT INTO run_notes (run_id, origin, schedule, of_run, summary) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id) DO UPDATE SET origin = excluded.origin, schedule = excluded.schedule,"
            " of_run = excluded.of_run, summary = excluded.summary",
            (run_id, origin.kind, origin.schedule, of_run, summary),
        )
    db.close()


def _has_run(journal: Journal, run_id: str) -> bool:
    try:
        journal.run(run_id)
    except KeyError:
        return False
    return True


def record_run(journal: Journal, report: RunReport, *, target: str, profile: str, origin: Origin) -> None:
    """After a new batch or a rerun: a row for a run refused before posting, and its note."""
    if report.action == "dry-run":
        return
    if not _has_run(journal, report.run_id):
        journal.start_run(report.action, target, [], profile=profile, batch_identifier=report.batch_identifier,
                          log_path=str(report.log_path or ""), run_id=report.run_id)
        journal.finish_run(report.run_id, report.outcome.value)
    note(journal, report.run_id, origin, report.summary)


def record_refusal(journal: Journal, action: str, message: str, *, target: str, profile: str, origin: Origin,
                   log_path: Path | None = None) -> str:
    """A run that could not start (lock held, an unfinished run in the way): a failed row saying why."""
    run_id = new_run_id()
    journal.start_run(action, target, [], profile=profile, log_path=str(log_path or ""), run_id=run_id)
    journal.finish_run(run_id, "failed")
    note(journal, run_id, origin, message)
    return run_id


def record_sync(journal: Journal, report: SyncReport, *, target: str, profile: str, origin: Origin) -> None:
    """A payment sync as a run: one document per invoice the package reported."""
    documents = [
        JournalDocument(
            key=f"{i}:{r.package_number}",
            label=f"payment of invoice {r.manage_number or r.package_number} ({r.action.value})",
            amount=r.amount,
            gl_entry_ids=(),
            state=_PAYMENT_STATES[r.action],
            reference=r.manage_number,
            error=r.message,
            body=json.dumps({"currency": r.currency}) if r.currency else "",
        )
        for i, r in enumerate(report.results)
    ]
    journal.start_run("sync-payments", target, documents, profile=profile, flags={"advanced": report.advanced_last_success},
                      log_path=str(report.log_path or ""), run_id=report.run_id)
    journal.finish_run(report.run_id, report.outcome.value)
    note(journal, report.run_id, origin, report.summary)


def record_finish(journal: Journal, report: RunReport, *, target: str, profile: str, origin: Origin) -> None:
    """A finish as a run of its own, pointing at the run it completed (which holds the documents)."""
    run_id = new_run_id()
    journal.start_run("finish", target, [], profile=profile, batch_identifier=report.batch_identifier,
                      log_path=str(report.log_path or ""), run_id=run_id)
    if report.manage_batch_id is not None:
        journal.record_batch(run_id, report.manage_batch_id)
    journal.finish_run(run_id, "failed" if report.unfinished else report.outcome.value)
    note(journal, run_id, origin, report.summary, of_run=report.run_id)
