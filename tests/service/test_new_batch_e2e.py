"""New batch, dry run, check failure and batch-number rules over the Manage sandbox (real HTTP)
and the ledger package."""

from __future__ import annotations

from datetime import date

import pytest

from tests.service.harness import make_env
from mobius_tui.service import events as ev
from mobius_tui.service import paths
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import DocumentState

TODAY = date.today()


def invoices_only(number: str = "20250101JD-I") -> ExportOptions:
    return ExportOptions(thru_date=TODAY, invoices=True, batch_number=number)


def batch_ids(sandbox) -> set[str]:
    return {b.batchIdentifier for b in sandbox.store.batches()}


async def test_success_posts_everything_and_records_exactly_their_entries(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    before = manage_sandbox.store.unposted_counts()
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
    assert report.outcome == Outcome.SUCCESS, report.summary
    assert report.counts["posted"] == report.counts["documents"] == before["invoices"] > 0
    ledger = env.ledger()
    assert sorted(ledger.keys()) == sorted(r.key for r in report.posted)
    assert any(amount != 0 for amount in ledger.net_by_account().values())  # real postings landed
    assert sum(ledger.net_by_account().values()) == 0  # and balance
    batch = manage_sandbox.store.batch_by_identifier("20250101JD-I")
    assert report.manage_batch_id == batch.id
    with Journal() as journal:
        posted_ids = {i for d in journal.documents(report.run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}
        assert journal.run(report.run_id).outcome == "success" and journal.unfinished() == []
    assert manage_sandbox.store.batched_entry_ids(batch.id) == posted_ids
    assert manage_sandbox.store.unposted_counts()["invoices"] == 0
    kinds = [e.type for e in env.events]
    assert kinds[0] == "started" and kinds[-1] == "finished" and "batch_recorded" in kinds
    assert kinds.count("document_posted") == report.counts["posted"]
    assert report.totals["posted"] == sum(total for _, _, total in ledger.documents()) > 0
    assert report.log_path.exists() and "posted invoice" in report.log_path.read_text()


async def test_partial_batch_holds_exactly_what_posted(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    refused = [i.number for i in manage_sandbox.store.unposted_invoices()[:2]]
    ledger = env.ledger()
    for number in refused:
        ledger.reject(number, "period closed")
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
        assert report.outcome == Outcome.PARTIAL
        assert sorted(r.label for r in report.failed) == sorted(f"invoice {n}" for n in refused)
        assert all(r.error == "period closed" for r in report.failed)
        batch = manage_sandbox.store.batch_by_identifier("20250101JD-I")
        with Journal() as journal:
            posted = {i for d in journal.documents(report.run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}
        assert manage_sandbox.store.batched_entry_ids(batch.id) == posted
        left = sorted(i.number for i in manage_sandbox.store.unposted_invoices())
        assert left == sorted(refused)
        assert any(isinstance(e, ev.DocumentFailed) for e in env.events)
        saved = report.save_errors(tmp_path / "errors.txt").read_text()
        assert all(n in saved for n in refused)
        # fixed in the package, the rest goes in a batch of its own
        ledger.clear_rejects()
        second = await session.run_export(invoices_only("20250101JD-I-1"), env.emit)
    assert second.outcome == Outcome.SUCCESS and second.counts["posted"] == 2
    assert manage_sandbox.store.unposted_counts()["invoices"] == 0
    assert len(ledger.keys()) == len(set(ledger.keys()))  # nothing posted twice


async def test_check_failure_writes_nothing_on_either_side(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path, missing_accounts=("4100-10",))
    batches = batch_ids(manage_sandbox)
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
    assert report.outcome == Outcome.FAILED
    (group,) = report.blocking_problems
    uses = sum(1 for d in report.plan.documents if any(line.account == "4100-10" for line in d.lines))
    assert group.headline() == f"GL account 4100-10 missing in the package — {uses} invoices"
    assert group.fix.startswith("Add account 4100-10")
    assert env.ledger().keys() == []
    assert batch_ids(manage_sandbox) == batches
    assert Journal().recent() == []
    failed = [e for e in env.events if isinstance(e, ev.CheckFailed)]
    assert failed and failed[0].problems[0]["count"] == uses


async def test_dry_run_writes_nothing_anywhere_and_returns_the_plan(manage_sandbox, tmp_path, app_dirs):
    env = make_env(manage_sandbox, tmp_path)
    batches = batch_ids(manage_sandbox)
    unposted = manage_sandbox.store.unposted_counts()
    options = ExportOptions(thru_date=TODAY, invoices=True, batch_number="")
    async with await env.session() as session:
        report = await session.run_export(options, env.emit, dry_run=True)
    assert report.outcome == Outcome.SUCCESS and "nothing was written" in report.summary
    plan = report.plan
    assert len(plan.documents) == unposted["invoices"]
    assert plan.accounts and plan.taxes and plan.totals
    assert sum(plan.accounts.values()) == 0  # every document balances, so the whole plan does
    assert all(d.lines and d.gl_entry_ids for d in plan.documents)
    assert env.ledger().keys() == [] and batch_ids(manage_sandbox) == batches
    assert manage_sandbox.store.unposted_counts() == unposted
    assert not app_dirs[1].exists()  # no journal, no log, no lock
    assert report.log_lines  # the log is still there to save on request
    assert report.save_full_log(tmp_path / "full.log").read_text().count("\n") == len(report.log_lines)


async def test_batch_number_is_checked_before_anything_else(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    existing = next(iter(batch_ids(manage_sandbox)))
    async with await env.session() as session:
        used = await session.run_export(invoices_only(existing), env.emit)
        empty = await session.run_export(invoices_only(""), env.emit)
        long = await session.run_export(invoices_only("X" * 51), env.emit)
    assert used.outcome == empty.outcome == long.outcome == Outcome.FAILED
    assert f"Manage already has a batch {existing}" in used.summary
    assert "required" in empty.summary and "at most 50" in long.summary
    assert not any(e.type == "progress" and e.phase == "export" for e in env.events)
    assert env.ledger().keys() == []


async def test_suggested_batch_number_and_lists(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    async with await env.session() as session:
        assert session.suggest_batch_number(invoices_only(), date(2013, 1, 1)) == "20130101JD-I"
        locations = await session.locations()
        rows = await session.unposted(None, TODAY)
        only = await session.unposted(locations[0].id, TODAY)
        recent = await session.recent_batches()
    counts = manage_sandbox.store.unposted_counts()
    assert (len(rows.invoices), len(rows.expenses), len(rows.procurement)) == (
        counts["invoices"], counts["expenses"], counts["procurement"])
    assert sum(loc.unposted for loc in locations) == sum(counts.values())
    assert all(r.location_id == locations[0].id for r in only.invoices + only.expenses + only.procurement)
    assert [b.batch_identifier for b in recent] == [b.batchIdentifier for b in manage_sandbox.store.batches()][::-1]


async def test_mapping_report_checks_everything_and_posts_nothing(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path, missing_accounts=("6100-10", "4200-10"))
    async with await env.session() as session:
        report = await session.mapping_report(env.emit)
    assert report.outcome == Outcome.FAILED and report.action == "check"
    causes = {g.cause for g in report.blocking_problems}
    assert {"GL account 6100-10 missing in the package", "GL account 4200-10 missing in the package"} <= causes
    assert any("vendor number" in c for c in causes)  # the dataset's member without one
    assert env.ledger().keys() == [] and not paths.journal_file().exists()


async def test_login_errors_are_readable(manage_sandbox, tmp_path):
    from dataclasses import replace

    from mobius_tui.service.errors import LoginError
    from mobius_tui.service.secrets import Secrets

    env = make_env(manage_sandbox, tmp_path)
    with pytest.raises(LoginError) as info:
        await type(await env.session()).open(env.profile, Secrets({**env.secrets, "ledger_password": "wrong"}))
    assert info.value.system == "Test Ledger" and "password" in str(info.value)
    with pytest.raises(LoginError) as info:
        await type(await env.session()).open(env.profile, Secrets({**env.secrets, "private_key": "nope"}))
    assert info.value.system == "Manage" and "nope" not in str(info.value)
    with pytest.raises(LoginError, match="MOBIUS_LEDGER_PASSWORD"):
        await type(await env.session()).open(env.profile, Secrets({"private_key": "x"}))
    with pytest.raises(LoginError, match="Unknown accounting package"):
        await type(await env.session()).open(replace(env.profile, package="nope"), env.secrets)
