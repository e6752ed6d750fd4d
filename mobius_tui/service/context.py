"""What every use case of one session shares: the two connections, the journal, the lock, the log."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mobius_tui import paths
from mobius_tui.accounting.base import AccountingPackage
from mobius_tui.manage.client import ManageClient
from mobius_tui.service.events import Emit
from mobius_tui.service.journal import Journal
from mobius_tui.service.lock import RunLock
from mobius_tui.service.profiles import Profile
from mobius_tui.service.runlog import RunLog

# Test hook: makes the process kill itself at a chosen point of a run, to prove that an
# interrupted run can be finished. Values: "after-post:N" (right after the N-th posted document is
# journaled) or "before-batch" (after the last post, before the Manage batch is created).
CRASH_ENV = "MOBIUS_TUI_CRASH_AT"


def crash_point(name: str, count: int | None = None) -> None:
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    here = name if count is None else f"{name}:{count}"
    if wanted != here:
        return
    if sys.platform != "win32":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)


@dataclass
class Context:
    profile: Profile
    manage: ManageClient
    adapter: AccountingPackage
    target: str  # the books a run writes to (lock and journal key)
    redact: list[str] = field(default_factory=list, repr=False)  # secret values, scrubbed from logs
    _journal: Journal | None = field(default=None, repr=False)

    @property
    def journal(self) -> Journal:
        """Opened on first use, so a dry run or a check never creates the file."""
        if self._journal is None:
            self._journal = Journal()
        return self._journal

    def journal_exists(self) -> bool:
        return self._journal is not None or paths.journal_file().exists()

    def lock(self, action: str) -> RunLock:
        return RunLock(self.target, action)

    def runlog(self, emit: Emit, run_id: str, *, write: bool) -> RunLog:
        path: Path | None = None
        if write:
            path = paths.ensure_private_dir(paths.logs_dir()) / f"{run_id}.log"
        return RunLog(emit, path, redact=self.redact)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
