"""End to end over the Manage sandbox and a Sage 50 sandbox company (MariaDB + the Mono-built bridge):
the command line and the service, the same way as for the other packages."""

from __future__ import annotations

import json
import signal
import uuid
from datetime import date, timedelta
from decimal import Decimal

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import DocumentState, PaymentAction, StartChoice
from mobius_tui.sandbox.sage50ca.operations import receive_payment
from tests.service.harness import app_dirs  # noqa: F401 - every test gets its own config and data folders

from .e2e_env import SECRET, batched

TODAY = date.today()
EXPORT = ["export", "--profile", "demo", "--invoices", "--yes", "--json"]


async def test_full_batch_through_the_cli_then_a_rerun_skips_every_duplicate(env, manage_sandbox) -> None:
    done = env.cli([*EXPORT, "--batch-number", "S50-1"])
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    posted = report["posted"]
    invoices = env.invoices_in_sage()
    assert len(posted) == len(invoices) == len(set(invoices)) > 50
    batch = manage_sandbox.store.batch_by_identifier("S50-1")
    with Journal() as journal:
        (run,) = [r for r in journal.recent(10) if r.action == "export"]
        ids = {i for d in journal.documents(run.run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}
    assert set(manage_sandbox.store.batched_entry_ids(batch.id)) == ids
    async with await env.session() as session:
        again = await session.rerun("S50-1", env.events.append)
    assert again.outcome == Outcome.SUCCESS and again.counts["posted"] == 0 and len(again.duplicates) == len(posted)
    assert env.invoices_in_sage() == invoices


async def test_killed_mid_run_then_finished_without_loss_or_duplicate(env, manage_sandbox) -> None:
    mark = uuid.uuid4().hex
    killed = env.cli([*EXPORT, "--batch-number", "S50-K"], {"MOBIUS_TUI_CRASH_AT": "after-post:5",
                                                             "MOBIUS_TEST_MARK": mark})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    env.wait_for_orphans(mark)  # a document in flight at the kill may still land; finish must find it
    in_sage = env.invoices_in_sage()
    assert len(in_sage) >= 5 and manage_sandbox.store.batch_by_identifier("S50-K") is None
    with Journal() as journal:
        (run,) = journal.unfinished()
    finished = env.cli(["finish", run.run_id, "--profile", "demo", "--json"])
    assert finished.returncode in (0, 2), finished.stdout + finished.stderr
    report = json.loads(finished.stdout.splitlines()[-1])
    assert sorted(k.split(":", 1)[1] for k in report["posted"]) == in_sage == env.invoices_in_sage()
    # Every document Sage holds is in exactly the one Manage batch; the rest are left to run again.
    entries = batched(manage_sandbox)
    batch = manage_sandbox.store.batch_by_identifier("S50-K")
    with Journal() as journal:
        ids = {i for d in journal.documents(run.run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}
    assert {entries[i] for i in ids} == {batch.id}
    rest = env.cli([*EXPORT, "--batch-number", "S50-K2"])
    assert rest.returncode == 0, rest.stdout + rest.stderr
    invoices = env.invoices_in_sage()
    assert len(invoices) == len(set(invoices)) > len(in_sage)


async def test_payment_sync_twice_changes_nothing_the_second_time(env, manage_sandbox) -> None:
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(thru_date=TODAY, batch_number="S50-P", invoices=True),
                                          env.events.append)
        assert report.outcome == Outcome.SUCCESS, report.summary
        full, part = [r.key.split(":", 1)[1] for r in report.posted if r.key.startswith("sales_invoice")][:2]
        totals = {i.number: i.total for i in manage_sandbox.store.dataset.invoices}
        receive_payment(env.company, full, totals[full] - Decimal("10.00"), TODAY - timedelta(days=3))
        receive_payment(env.company, full, Decimal("10.00"), TODAY - timedelta(days=1))
        receive_payment(env.company, part, Decimal("5.00"), TODAY - timedelta(days=2))
        first = await session.sync_payments(StartChoice.PAST_WEEK, env.events.append, today=TODAY)
        assert first.outcome == Outcome.SUCCESS and first.count(PaymentAction.CREATED) == 2
        second = await session.sync_payments(StartChoice.PAST_WEEK, env.events.append, today=TODAY)
        assert second.count(PaymentAction.UNCHANGED) == 2 and second.count(PaymentAction.CREATED) == 0
    invoice = {i.number: i for i in manage_sandbox.store.dataset.invoices}
    paid = manage_sandbox.store.payments(invoice[full].id)
    assert sum(p.amount for p in paid) == totals[full] and [p.paymentDate.date() for p in paid] == \
        [TODAY - timedelta(days=1)]


async def test_a_dry_run_and_the_mapping_check_write_nothing(env) -> None:
    checked = env.cli(["check", "--profile", "demo", "--json"])
    assert checked.returncode in (0, 3), checked.stdout + checked.stderr
    dry = env.cli([*EXPORT, "--batch-number", "S50-D", "--dry-run"])
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert env.invoices_in_sage() == []


async def test_login_errors_are_readable(env) -> None:
    wrong = env.cli([*EXPORT, "--batch-number", "S50-W"], {Sage50.env_var(SECRET): "not-it"})
    assert wrong.returncode == 4 and "Sage 50 refused user 'sysadmin'" in wrong.stdout + wrong.stderr
    assert "not-it" not in wrong.stdout + wrong.stderr
