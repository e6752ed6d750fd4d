"""The Sage 50 sandbox database: a real MariaDB server with Sage's lower-case table names, seeded from
the shared dataset, reached through the MariaDB ODBC driver."""

from __future__ import annotations

from decimal import Decimal

import pyodbc
import pytest

from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.sage50ca import SAGE_PASSWORD, SAGE_USER, MariaDBServer, Sage50Company
from mobius_tui.sandbox.sage50ca.schema import TABLES


def _as_sage_user(company: Sage50Company) -> pyodbc.Connection:
    s = company.settings
    return pyodbc.connect(f"Driver={{{s['odbc_driver']}}};Server=127.0.0.1;Port={company.server.port};"
                          f"Database={s['mysql_schema']};User={SAGE_USER};Password={SAGE_PASSWORD};")


def test_server_keeps_table_names_in_lower_case(shared_company: Sage50Company) -> None:
    conn = shared_company.connect()
    try:
        assert conn.execute("SELECT @@lower_case_table_names").fetchone()[0] == 1
        names = {r[0] for r in conn.execute("SHOW TABLES")}
        assert names == set(TABLES)
        # Code in the wild spells them tCustomr and tcustomr: both reach the same table.
        assert conn.execute("SELECT COUNT(*) FROM tCustomr").fetchone()[0] == \
            conn.execute("SELECT COUNT(*) FROM tcustomr").fetchone()[0] > 0
    finally:
        conn.close()


def test_seed_holds_the_dataset_books_except_the_missing_mappings(shared_company: Sage50Company,
                                                                  dataset: Dataset) -> None:
    books = dataset.accounting_seed()
    conn = _as_sage_user(shared_company)
    try:
        names = {r[0] for r in conn.execute("SELECT sName FROM tcustomr")}
        assert names == {c.name for c in books.customers}
        missing = next(m for m in dataset.missing_mappings if m.kind == "customer")
        assert all(c.name not in names for c in dataset.companies if c.account_number == missing.key)
        assert conn.execute("SELECT nActNumLen FROM tcompoth").fetchone()[0] == 6
        # 4100-10 is Sage account 410010, keyed by its 8-digit form.
        row = conn.execute("SELECT sName, cFunc FROM taccount WHERE lId = 41001000").fetchone()
        assert tuple(row) == ("Revenue - Managed Services", "L")
        assert conn.execute("SELECT COUNT(*) FROM taccount WHERE lId = 64002000").fetchone()[0] == 0  # 6400-20
        codes = {r[0] for r in conn.execute("SELECT sCode FROM ttaxcode")}
        assert codes == {"ON", "BC", "PE", "QC", "TX"}  # EXEMPT cannot be a two-character Sage code
        rate = conn.execute("SELECT d.dRate FROM ttaxdtl d JOIN ttaxcode c ON c.lId = d.lTaxCodeId "
                            "JOIN ttaxauth a ON a.lId = d.lTaxAuthId WHERE c.sCode = 'BC' AND a.sName = 'BC-MOF'"
                            ).fetchone()[0]
        assert rate == Decimal("7.0000")
        # PST on GST: GST is a taxable tax, charged by the PEI PST.
        assert conn.execute("SELECT COUNT(*) FROM ttaxtxbl t JOIN ttaxauth g ON g.lId = t.lTaxAuthId "
                            "JOIN ttaxauth p ON p.lId = t.lByAuthId WHERE g.sName = 'CRA-GST' AND p.sName = 'PE-TAX'"
                            ).fetchone()[0] == 1
        parts = {r[0]: r[1] for r in conn.execute("SELECT sPartCode, bService FROM tinvent")}
        assert parts["LAPTOP-14"] == 0 and parts["ONBOARD"] == 1 and parts["M365-BP"] == 1
    finally:
        conn.close()


def test_sage_user_can_read_but_not_write(shared_company: Sage50Company) -> None:
    conn = _as_sage_user(shared_company)
    try:
        with pytest.raises(pyodbc.Error, match="(?i)denied"):
            conn.execute("INSERT INTO tcustomr (lId, sName) VALUES (999, 'Intruder')")
    finally:
        conn.close()


def test_server_stops_and_leaves_nothing_behind() -> None:
    server = MariaDBServer().start()
    directory = server.directory
    assert directory is not None and server.running
    server.stop()
    assert not directory.exists() and not server.running
