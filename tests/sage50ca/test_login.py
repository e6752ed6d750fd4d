"""Connecting to the company database: every way it can be wrong gets a message that says what and how
to fix it, and the session reads only."""

from __future__ import annotations

import pyodbc
import pytest

from mobius_tui.accounting.base import PackageError
from mobius_tui.accounting.sage50ca.database import open_database
from mobius_tui.accounting.sage50ca.settings import Sage50Settings
from mobius_tui.sandbox.dynamics_sl.postgres import free_port


def _open(settings: dict, **change):
    return open_database(Sage50Settings.from_values({**settings, **change}))


def test_wrong_password_names_the_user_and_never_the_password(shared_company) -> None:
    with pytest.raises(PackageError) as err:
        _open(shared_company.settings, sage_password="not-the-password")
    text = str(err.value)
    assert "Sage 50 refused user 'sysadmin'" in text and "third-party 'Read data'" in text
    assert "not-the-password" not in text


def test_company_file_must_exist_and_be_a_sai(shared_company, tmp_path) -> None:
    with pytest.raises(PackageError, match=r"company file .*NOPE\.SAI does not exist"):
        _open(shared_company.settings, company_file=str(tmp_path / "NOPE.SAI"))
    saj = tmp_path / "MSP.SAJ"
    saj.write_text("")
    with pytest.raises(PackageError, match="is not a Sage 50 company file"):
        _open(shared_company.settings, company_file=str(saj))


def test_server_down_says_to_open_the_company(shared_company) -> None:
    with pytest.raises(PackageError) as err:
        _open(shared_company.settings, mysql_host=f"127.0.0.1:{free_port()}")
    assert "is not reachable" in err.value.message and "Connection Manager" in err.value.fix


def test_unknown_database_and_missing_driver(shared_company) -> None:
    with pytest.raises(PackageError, match="'nosuchcompany' does not exist"):
        _open(shared_company.settings, mysql_schema="nosuchcompany")
    with pytest.raises(PackageError, match="'MySQL ODBC 3.51 Driver' is not installed"):
        _open(shared_company.settings, odbc_driver="MySQL ODBC 3.51 Driver")


def test_missing_table_and_column_are_named(company) -> None:
    with company.connect(autocommit=True) as admin:
        admin.execute("DROP TABLE ttaxtxbl")
        admin.execute("ALTER TABLE tcustomr DROP COLUMN lCurrncyId")
    with pytest.raises(PackageError) as err:
        _open(company.settings)
    assert "no table ttaxtxbl and no column tcustomr.lCurrncyId" in err.value.message
    assert "Sage 50 release" in err.value.fix


def test_session_is_read_only_even_for_a_user_who_may_write(shared_company) -> None:
    from mobius_tui.sandbox.sage50ca.mariadb import SANDBOX_ADMIN, SANDBOX_ADMIN_PASSWORD

    db = _open(shared_company.settings, sage_user=SANDBOX_ADMIN, sage_password=SANDBOX_ADMIN_PASSWORD)
    try:
        assert db.rows("SELECT @@tx_read_only AS ro")[0]["ro"] == 1
        with pytest.raises(pyodbc.Error, match="(?i)read.only"):
            db.conn.execute("UPDATE tcustomr SET sName = sName WHERE lId = 1")
    finally:
        db.close()


def test_settings_defaults_and_bad_values() -> None:
    s = Sage50Settings.from_values({"company_file": "C:\\Sage\\MSP.SAI"})
    assert (s.mysql_port, s.mysql_schema, s.sage_user, s.write_mode, s.account_delimiter) == \
        (13540, "simply", "sysadmin", "sdk", ":")
    with pytest.raises(PackageError, match="Company file"):
        Sage50Settings.from_values({})
    assert Sage50Settings.from_values({"company_file": "x.SAI", "mysql_host": "sage-pc:3310"}).mysql_port == 3310
    with pytest.raises(PackageError, match="not a port number"):
        Sage50Settings.from_values({"company_file": "x.SAI", "mysql_port": "http"})
    assert "Password={p;w}" in Sage50Settings.from_values({"company_file": "x.SAI", "sage_password": "p;w"}
                                                          ).connection_string()
