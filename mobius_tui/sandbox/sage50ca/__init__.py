"""A sandbox Sage 50 Canada company: the company tables on a throw-away MariaDB server, seeded from the
shared dataset, plus a ``.SAI`` file naming it (what the login asks for).

    with MariaDBServer() as db:
        company = create_sandbox_company(db, directory=tmp)
        async with Sage50(company.settings) as s50: ...

``company.settings`` are the adapter's login values (secrets included; they are sandbox values).
The sandbox's Sage user has SELECT rights only, like a Sage user with "Read data" third-party access:
a write through the reading connection is refused by the server itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobius_tui.sandbox.dataset import Dataset, generate
from mobius_tui.sandbox.sage50ca.mariadb import (
    APT_HINT,
    ODBC_DRIVER,
    SANDBOX_ADMIN,
    SANDBOX_ADMIN_PASSWORD,
    MariaDBServer,
)
from mobius_tui.sandbox.sage50ca.schema import ddl
from mobius_tui.sandbox.sage50ca.seed import seed_company

__all__ = ["MariaDBServer", "Sage50Company", "create_sandbox_company", "APT_HINT", "SAGE_USER", "SAGE_PASSWORD"]

SAGE_USER, SAGE_PASSWORD = "sysadmin", "sandbox"


@dataclass
class Sage50Company:
    settings: dict[str, Any]
    database: str
    sai_path: Path
    server: MariaDBServer

    def connect(self, autocommit: bool = False):
        """An administrator's connection to the company database (tests, sandbox operations)."""
        return self.server.connect(self.database, autocommit=autocommit)

    def drop(self) -> None:
        self.server.admin(f"DROP DATABASE IF EXISTS {self.database}")


def create_sandbox_company(server: MariaDBServer, directory: Path, *, dataset: Dataset | None = None,
                           seed: int = 7, invoices: int = 60, include_missing: bool = False,
                           name: str = "MOBIUS", database: str = "") -> Sage50Company:
    """Create and seed a company database on ``server`` (named ``database``, default a fresh name) and
    write ``<directory>/<name>.SAI`` for it."""
    books = (dataset or generate(seed, invoices)).accounting_seed(include_missing=include_missing)
    database = database or f"simply_{uuid.uuid4().hex[:10]}"
    server.admin(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
                 f"CREATE USER IF NOT EXISTS '{SAGE_USER}'@'%' IDENTIFIED BY '{SAGE_PASSWORD}';"
                 f"GRANT SELECT ON {database}.* TO '{SAGE_USER}'@'%';")
    conn = server.connect(database)
    try:
        cur = conn.cursor()
        for statement in ddl():
            cur.execute(statement)
        conn.commit()
        seed_company(conn, books)
    finally:
        conn.close()
    directory.mkdir(parents=True, exist_ok=True)
    sai = directory / f"{name}.SAI"
    # A real .SAI is Sage's own small companion file; the sandbox's names the database for the
    # stand-in SDK, which opens the company the way Sage's Connection Manager would.
    sai.write_text(f"[mobius-sandbox]\nhost=127.0.0.1\nport={server.port}\ndatabase={database}\n"
                   f"writer={SANDBOX_ADMIN}\nwriter_password={SANDBOX_ADMIN_PASSWORD}\n", encoding="utf-8")
    (directory / f"{name}.SAJ").mkdir(exist_ok=True)
    settings = {"company_file": str(sai), "sage_user": SAGE_USER, "sage_password": SAGE_PASSWORD,
                "mysql_host": f"127.0.0.1:{server.port}", "mysql_schema": database,
                "odbc_driver": ODBC_DRIVER, "account_delimiter": "-", "write_mode": "sdk"}
    return Sage50Company(settings, database, sai, server)
