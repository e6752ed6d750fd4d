"""A full export, a payment sync and a finished crash, then every file the product wrote (config,
journal with its WAL, logs, error lists, locks) and everything it printed is searched for every secret
(the Manage private key, the SL password and the SQL password of a PostgreSQL SL company)."""

from __future__ import annotations

import io
import signal
from datetime import date
from pathlib import Path

from tests.service.harness import run_cli
from mobius_tui import cli
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import StartChoice


def every_file(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


async def test_no_secret_in_config_journal_logs_or_output(manage_sandbox, new_env, app_dirs):
    env = new_env(manage_sandbox, "postgres")  # the SQL password goes into its ODBC connection string
    # A package error that quotes a secret (a driver echoing its connection string) must reach no file.
    planted = sorted(env.secret_values())[0]
    env.refuse([manage_sandbox.store.unposted_invoices()[0].number], f"refused by the SL database ({planted})")
    outputs = []
    killed = run_cli(env, ["export", "--profile", "demo", "--invoices", "--yes", "--json",
                           "--batch-number", "S-I"], {"MOBIUS_TUI_CRASH_AT": "after-post:2"})
    outputs += [killed.stdout, killed.stderr]
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    for args in (["finish", "--all", "--profile", "demo", "--json"],
                 ["export", "--profile", "demo", "--invoices", "--yes", "--batch-number", "S-I-1"],
                 ["sync-payments", "--profile", "demo", "--start", "past-week"]):
        done = run_cli(env, args)
        outputs += [done.stdout, done.stderr]
    for args in (["where"], ["profiles", "show", "demo", "--json"]):
        out, err = io.StringIO(), io.StringIO()
        assert cli.main(args, out=out, err=err) == 0
        outputs += [out.getvalue(), err.getvalue()]
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(date.today(), invoices=False, expenses=True,
                                                        batch_number="S-E"), env.emit)
        await session.sync_payments(StartChoice.PAST_MONTH, env.emit)
        outputs += [repr(session._ctx), repr(env.secrets)]
    outputs += [str(e.to_json()) for e in env.events] + report.log_lines
    files = every_file(*app_dirs)
    names = {p.name for p in files}
    assert "profiles.json" in names and "journal.sqlite" in names and any(n.endswith(".log") for n in names)
    assert any(n.endswith(".errors.txt") for n in names)
    secrets = env.secret_values()
    assert len(secrets) == 3
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret[:3]}… found in {path}"
    for text in outputs:
        for secret in secrets:
            assert secret not in text
