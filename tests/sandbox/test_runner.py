from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Any

import httpx
import pytest

from mobius_tui.manage.site import parse_site

from mobius_tui.accounting.dynamics_sl.settings import SLSettings
from mobius_tui.sandbox.runner import start_sandboxes

import pyodbc  # noqa: E402 - a test dependency; never skipped for a missing driver
SQLITE_ODBC = "SQLite3" in pyodbc.drivers()
EVERY = ({"manage", "sage300", "sage_cloud", "dynamics_sl"} if SQLITE_ODBC else {"manage", "sage300", "sage_cloud"}) | {"sage50ca"}


def manage_count(info: dict[str, Any]) -> int:
    r = httpx.get(f"{info['api_url']}/finance/accounting/unpostedinvoices/count",
                  auth=(f"{info['company_id']}+{info['public_key']}", info["secrets"]["private_key"]),
                  headers={"clientId": info["client_id"]})
    return r.raise_for_status().json()["count"]


def sage_customers(info: dict[str, Any]) -> dict[str, str]:
    values = info["package_values"]
    r = httpx.get(f"{values['base_url']}/v1.0/-/{values['company']}/AR/ARCustomers",
                  params={"$select": "CustomerNumber,CustomerName"},
                  auth=(values["user"], info["secrets"]["password"]), headers={"Content-Type": "application/json"})
    return {row["CustomerNumber"]: row["CustomerName"] for row in r.raise_for_status().json()["value"]}


def sl_customers(info: dict[str, Any]) -> dict[str, str]:
    conn = pyodbc.connect(info["odbc_connection"])
    try:
        app_db = conn.execute("SELECT DatabaseName FROM Company WHERE CpnyID = ?",
                              info["package_values"]["company_id"]).fetchone()[0]
    finally:
        conn.close()
    settings = SLSettings.from_values({**info["package_values"], **info["secrets"]})
    conn = pyodbc.connect(settings.connection_string(app_db.strip()))
    try:
        return {row[0].strip(): row[1].strip() for row in conn.execute("SELECT CustId, Name FROM Customer")}
    finally:
        conn.close()


def test_the_sqlite_odbc_driver_is_installed() -> None:
    # The demo offers Dynamics SL only with the driver; the suite always runs it (tests/install_and_run.sh).
    assert SQLITE_ODBC, "install the SQLite ODBC driver: apt-get install libsqliteodbc"


def test_start_sandboxes_serves_every_sandbox_from_the_same_books() -> None:
    with start_sandboxes(size=10, seed=2) as sb:
        info = sb.as_json()
        assert set(info) == EVERY and not sb.unavailable
        manage = info["manage"]
        assert manage["url"] == sb.manage.url and manage["company_id"] == "mobiusdemo"
        # the site goes into a profile as it is: loopback over plain http
        assert parse_site(manage["site"]).origin == sb.manage.url
        assert manage_count(manage) == 10
        companies = {c.account_number: c.name for c in sb.manage.store.dataset.companies if c.account_number}
        # profile-ready values carry no secrets; the secrets come apart
        assert "password" not in info["sage300"]["package_values"]
        assert sb.sage300.settings == {**info["sage300"]["package_values"], **info["sage300"]["secrets"]}
        customers = sage_customers(info["sage300"])
        assert customers and all(companies[number] == name for number, name in customers.items())
        assert "client_secret" not in info["sage_cloud"]["package_values"]
        contacts = {c["reference"]: c["name"] for c in sb.sage_cloud.handle.business.table("contacts").values()
                    if {"id": "CUSTOMER", "displayed_as": "Customer"} in c["contact_types"]}
        assert contacts and all(companies[number] == name for number, name in contacts.items())
        if SQLITE_ODBC:
            assert {"sl_password", "sql_password"} <= set(info["dynamics_sl"]["secrets"])
            assert not {"sl_password", "sql_password"} & set(info["dynamics_sl"]["package_values"])
            sl = sl_customers(info["dynamics_sl"])
            assert sl and all(companies[number][:60] == name for number, name in sl.items())


def test_a_missing_driver_leaves_the_others_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyodbc, "drivers", lambda: [])
    with start_sandboxes(size=5, seed=1, names=["manage", "dynamics_sl"]) as sb:
        assert set(sb.by_name) == {"manage"}
        assert "libsqliteodbc" in sb.unavailable["dynamics_sl"]
    with pytest.raises(ValueError, match="unknown sandbox"):
        with start_sandboxes(names=["sage50"]):
            pass


def test_cli_prints_json_first_and_exits_zero_on_interrupt() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mobius_tui.cli", "sandbox", "--json", "--size", "12"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        info = json.loads(line)
        assert set(info) == EVERY
        manage = info["manage"]
        assert {"url", "api_url", "company_id", "public_key", "private_key", "client_id", "integrator_username",
                "integrator_password", "member_identifier"} <= set(manage)
        company = httpx.get(f"{manage['url']}/login/companyinfo/{manage['company_id']}").json()
        assert company["Codebase"] == "v4_6_release/"
        assert manage_count(manage) == 12
        assert sage_customers(info["sage300"])
        if SQLITE_ODBC:
            assert sl_customers(info["dynamics_sl"])
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
