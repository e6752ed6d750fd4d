"""A throw-away PostgreSQL server for the Dynamics SL sandbox: initdb into a directory, start on a free
loopback port, stop and delete at the end. No system service is used.

PostgreSQL refuses to run as root, so when the caller is root the server runs as the ``postgres`` OS
user (``runuser -u postgres --``), which the Debian ``postgresql`` packages create.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

APT_HINT = "Install the Debian packages postgresql-15 (server binaries) and odbc-postgresql (psqlODBC)."


def _bin_dir() -> Path:
    override = os.environ.get("MOBIUS_PG_BIN")
    candidates = [Path(override)] if override else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError(f"PostgreSQL server binaries (initdb, pg_ctl) not found. {APT_HINT}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """``with PostgresServer() as pg: pg.connection_string("db")``."""

    directory: Path | None = None
    port: int = 0
    user: str = "postgres"
    _owned_dir: bool = field(default=False, init=False)
    _started: bool = field(default=False, init=False)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    def start(self) -> PostgresServer:
        bin_dir = _bin_dir()
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="mobius-sl-pg-"))
            self._owned_dir = True
        data = self.directory / "data"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        done = self._run(str(bin_dir / "initdb"), "-D", str(data), "-U", self.user, "--auth=trust",
                         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}. {APT_HINT}")
        self.port = self.port or free_port()
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        done = self._run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self.directory / "server.log"),
                         "-o", options, "-w", "-t", "60", "start")
        if done.returncode != 0:
            log = (self.directory / "server.log")
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else done.stderr
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}: {detail.strip()}")
        self._started = True
        return self

    def stop(self) -> None:
        if self._started and self.directory is not None:
            self._run(str(_bin_dir() / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
            self._started = False
        if self._owned_dir and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def server(self) -> str:
        """The ``database_server`` setting value for the adapter: ``host:port``."""
        return f"127.0.0.1:{self.port}"
