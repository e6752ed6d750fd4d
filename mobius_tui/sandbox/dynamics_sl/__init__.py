"""A sandbox Dynamics SL company: the SL tables on SQLite or PostgreSQL, seeded from the dataset.

    company = create_sandbox_company("sqlite", directory=tmp)           # or "postgres", server=pg
    async with DynamicsSL(company.settings) as sl: ...
    with company.session() as s: release_batch(s, "AR", "000001")
    with company.session() as s: refuse_documents(s, ["INV10001"], "period closed")   # a real DB refusal

``company.settings`` are the adapter's login values (secrets included; they are sandbox values).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mobius_tui.accounting.dynamics_sl.adapter import open_company
from mobius_tui.accounting.dynamics_sl.dialect import POSTGRES, SQLITE
from mobius_tui.accounting.dynamics_sl.sql import Session
from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.dynamics_sl.operations import (
    ReleaseError,
    allow_documents,
    apply_payment,
    refuse_documents,
    release_batch,
)
from mobius_tui.sandbox.dynamics_sl.postgres import APT_HINT, PostgresServer
from mobius_tui.sandbox.dynamics_sl.schema import APP_TABLES, SYSTEM_TABLES, create_tables
from mobius_tui.sandbox.dynamics_sl.seed import seed_company, seed_system

__all__ = ["SandboxCompany", "create_sandbox_company", "PostgresServer", "release_batch", "apply_payment",
           "refuse_documents", "allow_documents", "ReleaseError", "ODBC_APT_PACKAGES"]

SL_USER = "SYSADMIN"
ODBC_APT_PACKAGES = {"sqlite": "libsqliteodbc", "postgres": "odbc-postgresql"}
_DRIVER_NAMES = {"sqlite": "SQLite3", "postgres": "PostgreSQL Unicode"}


def _require_driver(kind: str) -> None:
    import pyodbc

    if _DRIVER_NAMES[kind] not in pyodbc.drivers():
        raise RuntimeError(f"ODBC driver '{_DRIVER_NAMES[kind]}' is not installed: apt-get install "
                           f"{ODBC_APT_PACKAGES[kind]} (and unixodbc).")


@dataclass
class SandboxCompany:
    kind: str  # "sqlite" | "postgres"
    settings: dict[str, Any]
    app_database: str
    system_database: str
    mismatches: list[str] = field(default_factory=list)
    server: PostgresServer | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = open_company(self.settings)
        try:
            yield s
        finally:
            s.conn.close()

    def clone(self, directory: Path | None = None) -> SandboxCompany:
        """A fresh copy of this company (and its system database), e.g. one per test."""
        suffix = uuid.uuid4().hex[:10]
        app, system = f"sl_app_{suffix}", f"sl_sys_{suffix}"
        if self.kind == "sqlite":
            source = Path(self.settings["server"])
            target = directory or source
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / f"{self.app_database}.db", target / f"{app}.db")
            shutil.copyfile(source / f"{self.system_database}.db", target / f"{system}.db")
            server = str(target)
        else:
            admin = _pg_admin(self.server)
            try:
                admin.execute(f"CREATE DATABASE {app} TEMPLATE {self.app_database}")
                admin.execute(f"CREATE DATABASE {system} TEMPLATE {self.system_database}")
            finally:
                admin.close()
            server = self.settings["server"]
        conn = _connect(self.kind, server, system)
        try:
            conn.execute("UPDATE Company SET DatabaseName = ? WHERE CpnyID = ?", app, self.settings["company_id"])
            conn.commit()
        finally:
            conn.close()
        return replace(self, settings={**self.settings, "server": server, "system_database": system},
                       app_database=app, system_database=system)

    def drop(self) -> None:
        """Remove the databases (PostgreSQL) or files (SQLite)."""
        if self.kind == "sqlite":
            for name in (self.app_database, self.system_database):
                (Path(self.settings["server"]) / f"{name}.db").unlink(missing_ok=True)
            return
        admin = _pg_admin(self.server)
        try:
            for name in (self.app_database, self.system_database):
                admin.execute(f"DROP DATABASE IF EXISTS {name}")
        finally:
            admin.close()


def _connect(kind: str, server: str, database: str, autocommit: bool = False):
    import pyodbc

    if kind == "sqlite":
        return pyodbc.connect(f"Driver={{SQLite3}};Database={Path(server) / f'{database}.db'};Timeout=10000;",
                              autocommit=autocommit)
    host, _, port = server.rpartition(":")
    return pyodbc.connect(f"Driver={{PostgreSQL Unicode}};Server={host};Port={port};Database={database};"
                          "Uid=postgres;Pwd=;UseServerSidePrepare=1;", autocommit=autocommit)


def _pg_admin(server: PostgresServer | None):
    if server is None:
        raise RuntimeError("A PostgreSQL sandbox company needs its PostgresServer")
    return _connect("postgres", server.server, "postgres", autocommit=True)


def create_sandbox_company(kind: str, *, directory: Path | None = None, server: PostgresServer | None = None,
                           dataset: Dataset | None = None, seed: int = 7, invoices: int = 60,
                           include_missing: bool = False, company_id: str = "MOBIUS", period: str = "202504",
                           base_currency: str = "CAD") -> SandboxCompany:
    """Create and seed an SL system database and company database; return the adapter settings for them.

    ``kind`` "sqlite" writes ``<directory>/<name>.db`` files (directory required); "postgres" creates
    databases on ``server`` (a started :class:`PostgresServer`). ``period`` is the current (first
    open) period of every module, YYYYPP; the dataset's documents are dated April–June 2025.
    """
    if kind not in _DRIVER_NAMES:
        raise ValueError(f"kind must be 'sqlite' or 'postgres', not {kind!r}")
    _require_driver(kind)
    books = (dataset or generate(seed, invoices)).accounting_seed(include_missing=include_missing)
    suffix = uuid.uuid4().hex[:10]
    app, system = f"sl_app_{suffix}", f"sl_sys_{suffix}"
    if kind == "sqlite":
        if directory is None:
            raise ValueError("a SQLite sandbox company needs a directory")
        directory.mkdir(parents=True, exist_ok=True)
        server_value = str(directory)
    else:
        if server is None:
            raise ValueError(f"a PostgreSQL sandbox company needs a started PostgresServer. {APT_HINT}")
        admin = _pg_admin(server)
        try:
            admin.execute(f"CREATE DATABASE {app}")
            admin.execute(f"CREATE DATABASE {system}")
        finally:
            admin.close()
        server_value = server.server
    dialect = SQLITE if kind == "sqlite" else POSTGRES
    conn = _connect(kind, server_value, system)
    try:
        create_tables(conn.cursor(), SYSTEM_TABLES, kind)
        conn.commit()
        seed_system(Session(conn, dialect), company_id, app, (SL_USER,))
    finally:
        conn.close()
    conn = _connect(kind, server_value, app)
    try:
        create_tables(conn.cursor(), APP_TABLES, kind)
        conn.commit()
        mismatches = seed_company(Session(conn, dialect), books, company_id, base_currency, period)
    finally:
        conn.close()
    settings = {"driver": kind, "server": server_value, "system_database": system, "sl_version": "2018",
                "company_id": company_id, "sl_user": SL_USER, "sl_password": "sandbox", "sql_auth": "sql",
                "sql_login": "postgres" if kind == "postgres" else "", "sql_password": ""}
    return SandboxCompany(kind, settings, app, system, mismatches, server)
