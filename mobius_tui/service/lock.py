"""The overlap lock: one run at a time per Manage site + company + package target.

Two runs against the same books at once would both export the same unposted records and post them
twice. The lock is a file created atomically (``O_EXCL``) holding who took it; a second run is
refused naming the holder. A lock whose process is gone (same machine, pid no longer alive) is
taken over. A lock from another machine (a shared data folder) is never taken over automatically.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mobius_tui.service import paths


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    user: str
    started: str
    action: str = ""

    def describe(self) -> str:
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

    def acquire(self) -> None:
        paths.ensure_private_dir(self.path.parent)
        me = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=current_user(),
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            action=self.action,
        )
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                holder = self.holder()
                if holder is None or self._stale(holder):
                    self._remove_stale(holder)
                    continue
                raise LockHeld(self.target, holder, self.path) from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({**me.__dict__, "target": self.target}, handle)
            self._held = True
            return
        raise LockHeld(self.target, self.holder() or me, self.path)

    def release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False

    def holder(self) -> LockHolder | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return LockHolder(
                pid=int(data["pid"]), host=str(data["host"]), user=str(data["user"]),
                started=str(data["started"]), action=str(data.get("action", "")),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            # A half-written lock: its writer died between create and write.
            return LockHolder(pid=-1, host=socket.gethostname(), user="?", started="?")

    @staticmethod
    def _stale(holder: LockHolder) -> bool:
        return holder.host == socket.gethostname() and not pid_alive(holder.pid)

    def _remove_stale(self, seen: LockHolder | None) -> None:
        # Only remove the file if it still names the dead holder (another process may have retaken it).
        if seen is None or self.holder() == seen:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
