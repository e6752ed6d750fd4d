"""The process that talks to the Sage 50 SDK: started per run, JSON lines over its stdin and stdout.

On Windows the bridge is the x86 .NET Framework program built from ``bridge/Bridge.cs``; elsewhere
(the sandbox) the same source built with Mono runs under ``mono``. A request that gets no answer in
time, or a bridge that stops, raises :class:`BridgeLost`: the outcome of that request is unknown until
the company database is read.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mobius_tui.accounting.base import PackageError

DEFAULT_TIMEOUT = 120.0


class BridgeLost(Exception):
    """The bridge did not answer (timed out, or stopped); what it was doing is unknown."""


def default_bridge_path() -> Path:
    return Path(__file__).parent / "bridge" / "bin" / "Sage50Bridge.exe"


class Bridge:
    def __init__(self, path: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []

    def command(self) -> list[str]:
        if not self.path.exists():
            raise PackageError(f"The Sage 50 SDK bridge is not built: {self.path} does not exist.",
                               "Build Sage50Bridge.exe on this PC (README, 'Sage 50 Canada') and enter its path on "
                               "the Sage 50 login, or choose the .IMP write mode.")
        if sys.platform == "win32":
            return [str(self.path)]
        mono = shutil.which("mono")
        if mono is None:
            raise PackageError("Mono is not installed, so the Sage 50 bridge cannot run here.",
                               "Install the mono-runtime package.")
        return [mono, "--debug", str(self.path)]

    def start(self) -> None:
        env = {**os.environ, "MONO_PATH": str(self.path.parent)}
        self.process = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env, cwd=str(self.path.parent))
        self._lines = queue.Queue()
        self._stderr = []
        threading.Thread(target=self._read, args=(self.process.stdout, self._lines), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr, self._stderr), daemon=True).start()

    @staticmethod
    def _read(stream, lines: queue.Queue) -> None:
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode("utf-8", errors="replace"))
        lines.put(None)

    @staticmethod
    def _drain(stream, into: list[str]) -> None:
        for raw in iter(stream.readline, b""):
            into.append(raw.decode("utf-8", errors="replace").rstrip())
            del into[:-20]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def call(self, request: Mapping[str, Any], timeout: float | None = None) -> dict[str, Any]:
        if not self.alive:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except OSError as exc:
            self.kill()
            raise BridgeLost(f"The Sage 50 bridge stopped: {exc}") from exc
        wait = self.timeout if timeout is None else timeout
        try:
            line = self._lines.get(timeout=wait)
        except queue.Empty:
            self.kill()
            raise BridgeLost(f"The Sage 50 bridge did not answer within {wait:.0f} s (Sage 50 may be showing a "
                             "message or be busy); it was stopped.") from None
        if line is None:
            code = self.process.wait()
            detail = f": {self._stderr[-1]}" if self._stderr else ""
            self.process = None
            raise BridgeLost(f"The Sage 50 bridge stopped (exit code {code}){detail}.")
        reply = json.loads(line)
        if reply.get("restart"):
            self.process.wait(timeout=30)
            self.process = None
        return reply

    def kill(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None

    def close(self) -> None:
        if self.alive and self.process is not None and self.process.stdin is not None:
            try:
                self.process.stdin.write(b'{"op": "quit"}\n')
                self.process.stdin.flush()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
