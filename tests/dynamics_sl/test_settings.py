"""Login settings, connection strings and login failures."""

from __future__ import annotations

import pytest

from mobius_tui.accounting.base import PackageError
from mobius_tui.sandbox.dynamics_sl import _connect as sandbox_connect
from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.accounting.dynamics_sl.settings import SETTINGS, SLSettings, redacted

BASE = {"server": "SQLHOST\\SL", "system_database": "SLSystem", "company_id": "0010", "sl_user": "SYSADMIN",
        "sql_auth": "sql", "sql_login": "sl_integration", "sql_password": "p;w}d"}


def test_settings_follow_the_sl_login_screen():
    names = [f.name for f in SETTINGS]
    assert names[:6] == ["driver", "server", "system_database", "sl_version", "company_id", "sl_user"]
    assert {f.name for f in SETTINGS if f.secret} == {"sl_password", "sql_password"}


def test_sql_server_driver_18_with_sql_login():
    conn = SLSettings.from_values({**BASE, "driver": "mssql18"}).connection_string("APP10")
    assert conn.startswith("Driver={ODBC Driver 18 for SQL Server};Server=SQLHOST\\SL;Database=APP10;")
    assert "UID=sl_integration;PWD={p;w}}d};" in conn and "Encrypt=yes" in conn
    assert "TrustServerCertificate=no" in conn


def test_sql_server_driver_17_with_windows_authentication():
    values = {**BASE, "driver": "mssql17", "sql_auth": "windows", "sql_login": "", "trust_server_certificate": True}
    conn = SLSettings.from_values(values).connection_string("APP10")
    assert "Driver={ODBC Driver 17 for SQL Server}" in conn and "Trusted_Connection=yes" in conn
    assert "UID=" not in conn and "TrustServerCertificate=yes" in conn


def test_freetds_with_port():
    conn = SLSettings.from_values({**BASE, "driver": "freetds", "server": "sqlhost,1433"}).connection_string("APP10")
    assert "Driver={FreeTDS};Server=sqlhost;Database=APP10;TDS_Version=7.4" in conn and "Port=1433" in conn


def test_sandbox_connection_strings(tmp_path):
    sqlite = SLSettings.from_values({**BASE, "driver": "sqlite", "server": str(tmp_path)})
    assert sqlite.connection_string("app") == f"Driver={{SQLite3}};Database={tmp_path}/app.db;Timeout=10000;"
    pg = SLSettings.from_values({**BASE, "driver": "postgres", "server": "127.0.0.1:5499", "sql_login": "postgres",
                                 "sql_password": ""})
    assert pg.connection_string("app").startswith("Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5499;Database=app;")


def test_passwords_are_redacted_for_messages():
    conn = SLSettings.from_values({**BASE, "driver": "mssql18"}).connection_string("APP10")
    assert "p;w" not in redacted(conn) and "PWD=***" in redacted(conn)


def test_incomplete_settings_say_what_is_missing():
    with pytest.raises(PackageError, match="Company ID"):
        SLSettings.from_values({**BASE, "company_id": ""})
    with pytest.raises(PackageError, match="SQL login ID"):
        SLSettings.from_values({**BASE, "driver": "mssql18", "sql_login": ""})


async def test_company_is_found_through_the_system_database(company):
    async with DynamicsSL(company.settings) as sl:
        assert sl.database == company.app_database
    assert await DynamicsSL.choices_for("company_id", company.settings) == ("MOBIUS",)


async def test_unknown_company_lists_the_known_ones(company):
    with pytest.raises(PackageError, match="Company 'NOPE' not found.*Choose one of: MOBIUS"):
        await DynamicsSL({**company.settings, "company_id": "NOPE"}).connect()


async def test_unknown_sl_user_is_refused(company):
    with pytest.raises(PackageError, match="SL user 'GHOST' not found"):
        await DynamicsSL({**company.settings, "sl_user": "GHOST"}).connect()


async def test_missing_database_is_refused_without_creating_it(company, tmp_path):
    values = {**company.settings, "system_database": "nothere"}
    with pytest.raises(PackageError, match="nothere"):
        await DynamicsSL(values).connect()
    assert not (tmp_path / "nothere.db").exists()


async def test_missing_odbc_driver_names_the_package(monkeypatch, company):
    import pyodbc

    monkeypatch.setattr(pyodbc, "drivers", lambda: [])
    with pytest.raises(PackageError, match="Install the (libsqliteodbc|odbc-postgresql) package"):
        await DynamicsSL(company.settings).connect()


def test_books_identity_names_the_company_database_not_the_login():
    values = {"driver": "mssql18", "server": "SQLHOST\\SL", "system_database": "SLSystem", "company_id": "0060",
              "sl_user": "ANN", "sql_login": "ann"}
    same = {**values, "driver": "freetds", "server": "sqlhost\\sl", "company_id": "0060 ", "sl_user": "BOB",
            "sql_login": "bob", "sql_password": "x"}
    assert DynamicsSL.books_identity(values) == DynamicsSL.books_identity(same)
    assert DynamicsSL.books_identity(values) != DynamicsSL.books_identity({**values, "company_id": "0070"})
    assert "password" not in DynamicsSL.books_identity(same)


def _system_execute(company, sql: str, *params) -> None:
    conn = sandbox_connect(company.kind, company.settings["server"], company.system_database)
    try:
        conn.execute(sql, *params)
        conn.commit()
    finally:
        conn.close()


async def test_a_company_whose_database_is_not_an_sl_database_is_refused_with_the_fix(company):
    # The system database lists a company whose database is the system database itself.
    _system_execute(company, "INSERT INTO Company (CpnyID, CpnyName, DatabaseName, Active) VALUES (?, ?, ?, 1)",
                    "WRONG", "Pointed at the wrong database", company.system_database)
    with pytest.raises(PackageError) as info:
        await DynamicsSL({**company.settings, "company_id": "WRONG"}).connect()
    text = str(info.value)
    assert f"Database '{company.system_database}'" in text and "company 'WRONG'" in text, text
    assert "it has no tables ARSetup, APSetup, GLSetup, INSetup, Account, SubAcct and 23 more." in text, text
    assert "Check the company id in the Dynamics SL login" in info.value.fix


async def test_a_missing_column_or_table_is_named(company):
    with company.session() as s:
        s.execute("ALTER TABLE Vendor DROP COLUMN CuryRateType")
        s.commit()
    with pytest.raises(PackageError, match=r"it has no column Vendor\.CuryRateType\."):
        await DynamicsSL(company.settings).connect()


async def test_a_table_dropped_after_login_is_named_when_the_reference_is_read(company):
    async with DynamicsSL(company.settings) as sl:
        await sl.reference()
        with company.session() as s:
            s.execute("DROP TABLE Terms")
            s.commit()
        with pytest.raises(PackageError, match=rf"Database '{company.app_database}'.*it has no table Terms\."):
            await sl.reference()


@pytest.mark.parametrize("driver, typed, same", [
    ("mssql18", "SQLHOST\\SL", ["sqlhost\\sl", "SQLHOST\\SL\\", " SQLHOST\\SL/", "tcp:SQLHOST\\SL,1433"]),
    ("mssql18", "SQLHOST", ["SQLHOST,1433", "sqlhost/", "SQLHOST\\MSSQLSERVER", "tcp:sqlhost"]),
    ("freetds", "(local)", [".", "localhost", "127.0.0.1,1433", "LOCALHOST\\"]),
    ("postgres", "127.0.0.1:5432", ["localhost", "LOCALHOST:5432", "127.0.0.1"]),
])
def test_books_identity_takes_the_server_however_it_is_typed(driver, typed, same):
    values = {**BASE, "driver": driver, "server": typed}
    for other in same:
        assert DynamicsSL.books_identity(values) == DynamicsSL.books_identity({**values, "server": other}), other
    for different in ("OTHERHOST", "SQLHOST\\SL2", "sqlhost,14330"):
        assert DynamicsSL.books_identity(values) != DynamicsSL.books_identity({**values, "server": different})


async def test_one_lock_for_the_books_whichever_spelling_of_the_server_reaches_them(company, tmp_path):
    """Two profiles reach the same sandbox company, the server typed two ways: one run's lock holds the other off."""
    from mobius_tui.service.lock import LockHeld, RunLock, target_key

    server = company.settings["server"]
    if company.kind == "sqlite":
        retyped = server.rstrip("/") + "/"
    else:
        host, _, port = server.rpartition(":")
        retyped = f"LOCALHOST:{port}" if host in ("127.0.0.1", "localhost") else server.upper()
    other = {**company.settings, "server": retyped}
    for values in (company.settings, other):
        async with DynamicsSL(values) as sl:  # both reach the company for real
            assert (await sl.reference()).company_id == company.settings["company_id"]

    def key(values):
        return target_key("site", "company", DynamicsSL.name, DynamicsSL.books_identity(values))

    with RunLock(key(company.settings), "export", directory=tmp_path):
        with pytest.raises(LockHeld):
            RunLock(key(other), "export", directory=tmp_path).acquire()
