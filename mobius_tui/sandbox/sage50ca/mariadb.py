"""A throw-away MariaDB server for the Sage 50 sandbox: mariadb-install-db into a directory, mariadbd on
a free loopback port with ``lower_case_table_names=1`` (as Sage writes its company database), stop and
delete at the end. No system service is used.

mariadbd will not run as root, so when the caller is root the server runs as the ``mysql`` OS user
(``runuser -u mysql --``), which the Debian ``mariadb-server`` package creates.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from mobius_tui.sandbox.dynamics_sl.postgres import free_port

APT_HINT = "Install the Debian packages mariadb-server (server binaries) and odbc-mariadb (MariaDB ODBC)."
ADMIN_USER = "root"  # over the server's own socket only; the adapter logs in as a Sage user over TCP
# The sandbox's own administrator over TCP (the seed and the stand-in SDK write with it).
SANDBOX_ADMIN, SANDBOX_ADMIN_PASSWORD = "mobius_sandbox", "sandbox-admin"
ODBC_DRIVER = "MariaDB Unicode"
_INNODB = ("--innodb-log-file-size=8M", "--innodb-doublewrite=0")  # small and quick: throw-away data


def _binary(name: str) -> str:
    for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(f"MariaDB program {name} not found. {APT_HINT}")


@dataclass
class MariaDBServer:
    """``with MariaDBServer() as db: db.admin("CREATE DATABASE x")``."""

    directory: Path | None = None
    port: int = 0
    _owned_dir: bool = field(default=False, init=False)
    _process: subprocess.Popen | None = field(default=None, init=False)

    def _as_server_user(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", "mysql", "--", *cmd] if os.geteuid() == 0 else cmd

    @property
    def socket(self) -> Path:
        assert self.directory is not None
        return self.directory / "mysqld.sock"

    def start(self, timeout: float = 60) -> MariaDBServer:
        install_db, mariadbd = _binary("mariadb-install-db"), _binary("mariadbd")
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="mobius-s50-mariadb-"))
            self._owned_dir = True
        if os.geteuid() == 0:
            shutil.chown(self.directory, "mysql", "mysql")
        data = self.directory / "data"
        shutil.copytree(self._template(install_db), data, symlinks=True)
        if os.geteuid() == 0:
            for path in [data, *data.rglob("*")]:
                shutil.chown(path, "mysql", "mysql")
        self.port = self.port or free_port()
        log = self.directory / "server.log"
        self._process = subprocess.Popen(self._as_server_user([
            mariadbd, "--no-defaults", f"--datadir={data}", f"--port={self.port}", "--bind-address=127.0.0.1",
            f"--socket={self.socket}", f"--pid-file={self.directory / 'mysqld.pid'}", f"--log-error={log}",
            "--lower-case-table-names=1", "--skip-name-resolve", "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=32M", *_INNODB, "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci"]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"MariaDB did not start on port {self.port}: {detail.strip()}")
            if self.socket.exists() and self._ping():
                self.admin(f"CREATE USER '{SANDBOX_ADMIN}'@'%' IDENTIFIED BY '{SANDBOX_ADMIN_PASSWORD}';"
                           f"GRANT ALL ON *.* TO '{SANDBOX_ADMIN}'@'%' WITH GRANT OPTION;")
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"MariaDB did not answer on port {self.port} within {timeout:.0f} s.")

    def _template(self, install_db: str) -> Path:
        """An initialized data directory, made once per machine and copied for every server
        (mariadb-install-db takes seconds; a copy takes a fraction of one)."""
        version = subprocess.run([_binary("mariadbd"), "--version"], capture_output=True, text=True,
                                 check=False).stdout.split()
        tag = hashlib.sha256(" ".join(version).encode()).hexdigest()[:12]
        template = Path(platformdirs.user_cache_dir("mobius-tui")) / f"mariadb-datadir-{tag}"
        if template.exists():
            return template
        template.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="mariadb-init-"))
        try:
            if os.geteuid() == 0:
                shutil.chown(work, "mysql", "mysql")
            done = subprocess.run(self._as_server_user([
                install_db, "--no-defaults", f"--datadir={work / 'data'}", "--auth-root-authentication-method=normal",
                "--skip-test-db", "--lower-case-table-names=1", *_INNODB]), capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"mariadb-install-db failed: {(done.stderr or done.stdout).strip()[-2000:]}. "
                                   f"{APT_HINT}")
            try:
                os.replace(work / "data", template)  # atomic: a concurrent maker's copy wins the same way
            except OSError:
                if not template.exists():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return template

    def _ping(self) -> bool:
        return subprocess.run([_binary("mariadb"), f"--socket={self.socket}", "-u", ADMIN_USER, "-e", "SELECT 1"],
                              capture_output=True, check=False).returncode == 0

    def admin(self, sql: str, database: str = "") -> str:
        """Run statements as the server's administrator over its socket; the output text."""
        cmd = [_binary("mariadb"), f"--socket={self.socket}", "-u", ADMIN_USER, "--batch", "--skip-column-names"]
        if database:
            cmd.append(database)
        done = subprocess.run(cmd, input=sql, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"MariaDB refused: {done.stderr.strip()}")
        return done.stdout

    def connection_string(self, database: str = "") -> str:
        return (f"Driver={{{ODBC_DRIVER}}};Server=127.0.0.1;Port={self.port};User={SANDBOX_ADMIN};"
                f"Password={SANDBOX_ADMIN_PASSWORD};Database={database};Option=67108864;CharSet=utf8mb4;")

    def connect(self, database: str = "", autocommit: bool = False):
        """A pyodbc connection as the sandbox administrator (MULTI_STATEMENTS on)."""
        import pyodbc

        if ODBC_DRIVER not in pyodbc.drivers():
            raise RuntimeError(f"ODBC driver '{ODBC_DRIVER}' is not installed. {APT_HINT}")
        return pyodbc.connect(self.connection_string(database), autocommit=autocommit)

    def stop(self) -> None:
        if self._process is not None:
            pid_file = self.directory / "mysqld.pid" if self.directory else None
            try:  # the server itself: runuser does not always pass a signal on to it
                os.kill(int(pid_file.read_text().strip()), 15) if pid_file and pid_file.exists() else None
            except (ValueError, ProcessLookupError, PermissionError):
                pass
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._owned_dir and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> MariaDBServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
