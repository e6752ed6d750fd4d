"""The overlap lock: one run at a time per Manage site + company + package target.

Two runs against the same books at once would both export the same unposted records and post them
twice. The holder is written to a private temporary file first, then hard-linked to the lock name:
the link is atomic and fails when the lock exists, so the lock file is never seen empty or half
written. A second run is refused naming the holder. A lock whose process is gone (same machine, pid
no longer alive) is taken over. A lock from another machine (a shared data folder), or one that
cannot be read, is never taken over automatically.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mobius_tui import paths

UNREADABLE_PID = -1  # the holder of a lock file that is empty or not valid JSON


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    user: str
    started: str
    action: str = ""

    @property
    def unreadable(self) -> bool:
        return self.pid == UNREADABLE_PID

    def describe(self) -> str:
        if self.unreadable:
            return "an unknown run (the lock file cannot be read)"
        what = f" ({self.action})" if self.action else ""
        return f"process {self.pid} of user {self.user} on {self.host}, started {self.started}{what}"


class LockHeld(RuntimeError):
    def __init__(self, target: str, holder: LockHolder, path: Path) -> None:
        self.target = target
        self.holder = holder
        self.path = path
        super().__init__(
            f"Another run is already working on {target}: {holder.describe()}. Wait for it to finish. "
            f"If you are sure it is not running, delete {path}."
        )


def target_key(site: str, company: str, package: str, books: str) -> str:
    """A readable key of the books a run writes to; ``books`` is the package's ``books_identity``."""
    return f"{site.lower()}/{company.lower()} → {package}[{books}]"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill would terminate the process on Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    return True


class RunLock:
    def __init__(self, target: str, action: str = "", directory: Path | None = None) -> None:
        self.target = target
        self.action = action
        digest = hashlib.sha256(target.encode()).hexdigest()[:24]
        self.path = (directory or paths.locks_dir()) / f"{digest}.lock"
        self._held = False
        self._me: LockHolder | None = None

    def acquire(self) -> None:
        paths.ensure_private_dir(self.path.parent)
        me = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=current_user(),
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            action=self.action,
        )
        written = self._write_private(me)
        try:
            for _ in range(3):
                try:
                    os.link(written, self.path)
                except FileExistsError:
                    holder = self.holder()
                    if holder is None or self._stale(holder):
                        self._remove_stale(holder)
                        continue
                    raise LockHeld(self.target, holder, self.path) from None
                self._held = True
                self._me = me
                return
        finally:
            written.unlink(missing_ok=True)
        raise LockHeld(self.target, self.holder() or me, self.path)

    def _write_private(self, me: LockHolder) -> Path:
        """The complete lock content in a file of its own, in the lock's folder (a hard link
        cannot cross file systems)."""
        tmp = self.path.with_name(f"{self.path.stem}.{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({**me.__dict__, "target": self.target}, handle)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def release(self) -> None:
        if self._held:
            # Never remove a lock that is no longer ours (deleted by hand and taken by another run).
            if self.holder() == self._me:
                self.path.unlink(missing_ok=True)
            self._held = False

    def holder(self) -> LockHolder | None:
        return self._read_holder(self.path)

    @staticmethod
    def _read_holder(path: Path) -> LockHolder | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return LockHolder(
                pid=int(data["pid"]), host=str(data["host"]), user=str(data["user"]),
                started=str(data["started"]), action=str(data.get("action", "")),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            # Locks are only ever linked into place complete, so this is not a writer at work but
            # a damaged file (or one left by an older version): held until someone deletes it.
            return LockHolder(pid=UNREADABLE_PID, host="?", user="?", started="?")

    @staticmethod
    def _stale(holder: LockHolder) -> bool:
        if holder.unreadable:
            return False
        return holder.host == socket.gethostname() and not pid_alive(holder.pid)

    def _remove_stale(self, seen: LockHolder | None) -> None:
        """Take the dead holder's file out of the way by renaming it (atomic), then make sure it
        was the dead holder's: a run that took the lock in between gets its file back."""
        if seen is None:
            return
        aside = self.path.with_name(f"{self.path.stem}.{uuid.uuid4().hex}.stale")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        try:
            moved = self._read_holder(aside)
            if moved != seen:
                try:
                    os.link(aside, self.path)
                except FileExistsError:
                    pass
        finally:
            aside.unlink(missing_ok=True)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
