"""Every exit code of the command line, produced for real (Manage sandbox over HTTP + a sandbox
Dynamics SL company over ODBC)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from mobius_tui import cli
from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.service.lock import RunLock, target_key
from mobius_tui.service.reports import by_currency
from tests.headless import EXPORT, run


def test_exit_0_success_with_json_events(env, manage_sandbox):
    code, out, err = run(*EXPORT, "--batch-number", "CLI-I", "--json")
    assert code == cli.EXIT_SUCCESS, out + err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0]["event"] == "started" and events[-1]["event"] == "report"
    assert {"document_posted", "batch_recorded", "finished"} <= {e["event"] for e in events}
    assert events[-1]["outcome"] == "success" and manage_sandbox.store.batch_by_identifier("CLI-I")
    # totals are currency → amount (a string), CAD and USD apart, in the finished event and the report alike
    (finished,) = [e for e in events if e["event"] == "finished"]
    posted = finished["totals"]["posted"]
    assert finished["totals"] == events[-1]["totals"] and posted == finished["totals"]["documents"]
    each = by_currency((e["currency"], Decimal(e["amount"])) for e in events if e["event"] == "document_posted")
    assert len(each) == 2 and posted == {currency: str(amount) for currency, amount in each.items()}


def test_exit_0_suggested_batch_number_and_human_output(env, manage_sandbox):
    code, out, err = run(*EXPORT)
    assert code == 0 and out.startswith("SUCCESS:") and "posted invoice" in err
    posted = out.splitlines()[0].split(" documents posted (", 1)[1].split(")", 1)[0]
    assert " CAD · " in posted and posted.endswith(" USD")  # one figure per currency
    suggested = [b.batchIdentifier for b in manage_sandbox.store.batches() if b.batchIdentifier.endswith("JD-I")]
    assert len(suggested) == 1


def test_exit_2_partial(env, manage_sandbox):
    env.refuse([manage_sandbox.store.unposted_invoices()[0].number], "period closed")
    code, out, _ = run(*EXPORT, "--batch-number", "CLI-I")
    assert code == cli.EXIT_PARTIAL and out.startswith("PARTIAL:") and "failed: invoice" in out


def test_exit_3_check_failed_and_dry_run(env, manage_sandbox):
    with env.sl() as sl:  # the chart loses an account the invoices use
        sl.execute("DELETE FROM vs_AcctSub WHERE Acct = '4100'")
        sl.execute("DELETE FROM Account WHERE Acct = '4100'")
        sl.commit()
    code, out, _ = run(*EXPORT, "--batch-number", "CLI-I")
    assert code == cli.EXIT_FAILED and "GL account 4100 not in Dynamics SL" in out
    code, out, _ = run("check", "--profile", "demo", "--json")
    assert code == cli.EXIT_FAILED and json.loads(out.splitlines()[-1])["outcome"] == "failed"
    assert env.ar_documents() == [] and manage_sandbox.store.batch_by_identifier("CLI-I") is None
    code, out, _ = run(*EXPORT, "--dry-run")
    assert code == cli.EXIT_FAILED and "plan:" in out and env.ar_documents() == []


def test_exit_0_dry_run(env, manage_sandbox):
    code, out, _ = run(*EXPORT, "--dry-run")
    assert code == 0 and "plan:" in out and env.ar_documents() == []
    assert env.count("SELECT COUNT(*) FROM Batch") == 0


def test_exit_4_configuration_and_authentication(env, monkeypatch):
    code, _, err = run("export", "--profile", "nobody", "--yes")
    assert code == cli.EXIT_CONFIG and "no profile named 'nobody'" in err
    monkeypatch.setenv("MOBIUS_PRIVATE_KEY", "WrongKey")
    code, _, err = run(*EXPORT, "--json")
    assert code == cli.EXIT_CONFIG and "rejected the credentials" in err + _
    monkeypatch.setenv("MOBIUS_PRIVATE_KEY", env.secrets["private_key"])
    code, _, err = run("profiles", "add", "nosl", "--site", env.profile.site, "--company-id",
                       env.profile.company_id, "--client-id", env.profile.client_id, "--public-key",
                       env.profile.public_key, "--package", DynamicsSL.name,
                       *[f"--pkg-{k.replace('_', '-')}={v}" for k, v in env.profile.package_values.items()
                         if k != "sl_user"], "--pkg-sl-user=NOBODY")
    assert code == 0, err
    code, out, _ = run("export", "--profile", "nosl", "--invoices", "--yes", "--json")
    assert code == cli.EXIT_CONFIG and "SL user 'NOBODY' not found" in json.loads(out)["message"]
    code, _, err = run("rerun", "NO-SUCH-BATCH", "--profile", "demo", "--yes")
    assert code == cli.EXIT_CONFIG
    monkeypatch.delenv("MOBIUS_PRIVATE_KEY")
    code, out, _ = run(*EXPORT, "--json")
    assert code == cli.EXIT_CONFIG and "MOBIUS_PRIVATE_KEY" in json.loads(out)["message"]


def test_exit_4_confirmation_needed_without_a_terminal(env, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run("export", "--profile", "demo", "--batch-number", "X-I")
    assert code == cli.EXIT_CONFIG and "--yes" in err


def test_exit_5_lock_held(env):
    p = env.profile
    with RunLock(target_key(p.site, p.company_id, p.package, DynamicsSL.books_identity(p.package_values)), "export"):
        code, _, err = run(*EXPORT, "--batch-number", "CLI-I")
    assert code == cli.EXIT_LOCKED and "Another run is already working" in err


def test_exit_4_company_database_is_not_an_sl_database(env):
    with env.sl() as sl:  # e.g. the login points at the wrong database: a table SL always has is not there
        sl.execute("DROP TABLE Customer")
        sl.commit()
    code, out, _ = run(*EXPORT, "--batch-number", "CLI-I", "--json")
    message = json.loads(out.splitlines()[-1])["message"]
    assert code == cli.EXIT_CONFIG and "is not a Dynamics SL company database: it has no table Customer." in message
    assert "Check the company id in the Dynamics SL login" in message


def test_exit_1_unexpected(env):
    with env.sl() as sl:  # a damaged row: an exchange rate whose date the driver reads back as nothing
        sl.execute("UPDATE CuryRate SET EffDate = '2025-13-45 00:00:00'")
        sl.commit()
    code, _, err = run(*EXPORT, "--batch-number", "CLI-I")
    assert code == cli.EXIT_UNEXPECTED and "unexpected" in err, err


def test_profiles_where_and_batches(env, manage_sandbox, app_dirs):
    code, out, _ = run("profiles", "list")
    assert code == 0 and out.strip() == "demo"
    code, out, _ = run("profiles", "add", "second", "--site", "https://manage.example.com", "--company-id", "co",
                       "--client-id", "cid", "--public-key", "pub", "--package", DynamicsSL.name,
                       "--pkg-server", "SQLHOST\\SL", "--pkg-system-database", "SLSystem", "--pkg-company-id", "0060",
                       "--pkg-sl-user", "SYSADMIN", "--pkg-sql-login", "mobius")
    assert code == 0
    code, out, _ = run("profiles", "show", "second", "--json")
    shown = json.loads(out)["profile"]
    assert shown["package_values"] == {"server": "SQLHOST\\SL", "system_database": "SLSystem", "company_id": "0060",
                                       "sl_user": "SYSADMIN", "sql_login": "mobius"}
    code, out, _ = run("profiles", "delete", "second", "--yes")
    assert code == 0 and run("profiles", "list")[1].strip() == "demo"
    code, out, _ = run("where", "--json")
    places = json.loads(out)
    assert places["data_dir"] == str(app_dirs[1])
    assert places["alerts"] == str(app_dirs[0] / "alerts.json")
    assert places["schedules"] == str(app_dirs[0] / "schedules.json")
    code, out, _ = run("where")
    assert "alerts.json" in out and "schedules.json" in out
    code, out, _ = run("batches", "list", "--profile", "demo")
    assert code == 0 and "OPENING-2025-03-31" in out
    assert run("batches", "show", "OPENING-2025-03-31", "--profile", "demo")[0] == 0
    assert run("batches", "show", "MISSING", "--profile", "demo")[0] == cli.EXIT_CONFIG


def test_package_flags_come_from_the_package_settings(env):
    parser = cli.build_parser(DynamicsSL.name)
    help_text = parser._subparsers._group_actions[0].choices["export"].format_help()
    assert "--pkg-server" in help_text and "--pkg-system-database" in help_text and "--pkg-driver" in help_text
    assert "--pkg-sql-password" not in help_text and "--pkg-sl-password" not in help_text
    assert "MOBIUS_DYNAMICS_SL_SQL_PASSWORD" in help_text and "MOBIUS_DYNAMICS_SL_SL_PASSWORD" in help_text


def test_sync_payments_exit_codes(env, manage_sandbox):
    assert run(*EXPORT, "--batch-number", "CLI-I")[0] == 0
    code, out, _ = run("sync-payments", "--profile", "demo", "--start", "past-week", "--json")
    report = json.loads(out.splitlines()[-1])
    assert code == 0 and report["outcome"] == "success"
    paid = by_currency((r["currency"], Decimal(r["amount"])) for r in report["results"]
                       if r["action"] in ("created", "updated"))
    assert report["totals"] == {"paid": {currency: str(amount) for currency, amount in paid.items()}}
    code, _, err = run("sync-payments", "--profile", "demo", "--start", "custom")
    assert code == cli.EXIT_CONFIG and "custom start date" in err
