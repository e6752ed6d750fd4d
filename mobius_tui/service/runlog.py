"""The run log: every event as a line (the full log) and the errors alone (the error list).

Sits between a use case and the caller's ``emit``: it forwards each event, keeps the lines for
"Save Full Log" / "Save List of Errors", and, for runs that write anything, appends them to a file
under the data folder as they happen (so a crash still leaves its log).

The file is flushed at every error, at the start and end of a run, when a Manage batch is
recorded, and otherwise once a line comes ``FLUSH_EVERY`` seconds after the oldest one not yet
flushed: a sync of 10,000 invoices logs a line per invoice, and a flush each would cost more than
the line. What a crash can lose is the informational lines since the last flush; what was posted
or recorded is in the journal, which never depends on this file.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import TextIO

from mobius_tui import paths
from mobius_tui.service import events as ev
from mobius_tui.service.events import Emit, Event
from mobius_tui.service.secrets import redact, redact_data
from mobius_tui.service.wording import format_totals, label_list


def describe(event: Event) -> list[str]:
    """Human lines for an event (the CLI's stderr and the full log)."""
    if isinstance(event, ev.Started):
        return [f"{event.action} started (run {event.run_id}){': ' + event.description if event.description else ''}"]
    if isinstance(event, ev.Progress):
        return [f"{event.phase}: {event.done}/{event.total}"]
    if isinstance(event, ev.LogLine):
        prefix = "" if event.level == ev.Level.INFO else f"{event.level.value}: "
        return [prefix + event.message]
    if isinstance(event, ev.DocumentPosted):
        return [f"posted {event.label} as {event.reference} ({format_totals({event.currency: event.amount})})"]
    if isinstance(event, ev.DocumentFailed):
        return [f"FAILED {event.label}: {event.reason}"]
    if isinstance(event, ev.CheckFailed):
        lines = ["check failed:"]
        for group in event.problems:
            lines.append(f"  {group.get('headline') or group.get('cause')}")
            lines.append(f"      fix: {group.get('fix', '')}")
            docs = list(group.get("documents", []))
            if docs:
                lines.append("      " + label_list(docs))
        return lines
    if isinstance(event, ev.BatchRecorded):
        return [f"Manage batch {event.batch_identifier} recorded (id {event.manage_batch_id}, {event.record_count} GL entries)"]
    if isinstance(event, ev.Finished):
        return [f"{event.outcome.value.upper()}: {event.summary}"]
    return [repr(event)]


FLUSH_EVERY = 0.2  # seconds informational lines may gather in the file's buffer
# Lines written to the file at once, whatever the buffer holds.
_FLUSHED_AT_ONCE = (ev.Started, ev.Finished, ev.BatchRecorded, ev.DocumentFailed, ev.CheckFailed)


def is_error(event: Event) -> bool:
    return (
        isinstance(event, (ev.DocumentFailed, ev.CheckFailed))
        or (isinstance(event, ev.LogLine) and event.level == ev.Level.ERROR)
    )


class RunLog:
    def __init__(self, emit: Emit, path: Path | None = None, redact: list[str] | None = None) -> None:
        self._emit = emit
        self.path = path
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._redact = [s for s in (redact or []) if s]
        # One scan of a text for every secret at once (a line per invoice in a large sync).
        self._secret = re.compile("|".join(map(re.escape, self._redact))) if self._redact else None
        # The books' own currency (``AccountingPackage.home_currency``), once the run has read the
        # package's reference: amounts without a currency of their own are shown in it.
        self.home_currency = ""
        self._file: TextIO | None = None
        self._unflushed_since: float | None = None  # monotonic time of the oldest line not flushed
        self._stamp = (0, "")  # (second, its text): one strftime per second, not per line
        if path is not None:
            paths.private_file(paths.ensure_private_dir(path.parent) / path.name)
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def __call__(self, event: Event) -> None:
        # Scrubbed before anything sees it: the listener may print it (the CLI) or show it (screens).
        if type(event) is not ev.LogLine or self._mentions_secret(event.message):  # most lines name none
            event = redact_data(event, self._redact)
        stamp = self._now()  # a saved log is filed: the day matters
        error = is_error(event)
        for line in describe(event):
            if self._mentions_secret(line):
                line = redact(line, self._redact)
            self.lines.append(f"{stamp} {line}")
            if error:
                self.errors.append(line)
            if self._file is not None:
                self._file.write(f"{stamp} {line}\n")
        if self._file is not None:
            now = time.monotonic()
            if self._unflushed_since is None:
                self._unflushed_since = now
            if error or isinstance(event, _FLUSHED_AT_ONCE) or now - self._unflushed_since >= FLUSH_EVERY:
                self._file.flush()
                self._unflushed_since = None
        try:
            self._emit(event)
        except Exception:  # a broken listener never fails the run (events.py contract)
            pass

    def _mentions_secret(self, text: str) -> bool:
        return self._secret is not None and self._secret.search(text) is not None

    def _now(self) -> str:
        second = int(time.time())
        if self._stamp[0] != second:
            self._stamp = (second, datetime.fromtimestamp(second).strftime("%Y-%m-%d %H:%M:%S"))
        return self._stamp[1]

    def errors_path(self) -> Path | None:
        if self.path is None:
            return None
        path = paths.private_file(self.path.with_suffix(".errors.txt"))
        path.write_text("\n".join(self.errors) + ("\n" if self.errors else ""), encoding="utf-8")
        return path

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
