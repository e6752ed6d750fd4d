"""New batch, dry run, check failure and batch-number rules over the Manage sandbox (real HTTP) and a
sandbox Dynamics SL company (real ODBC), both holding the same dataset."""

from __future__ import annotations

from datetime import date

import pytest

from mobius_tui import paths
from mobius_tui.service import events as ev
from mobius_tui.service import pipeline
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import DocumentState, by_currency
from mobius_tui.service.wording import format_totals

TODAY = date.today()


def invoices_only(number: str = "20250101JD-I") -> ExportOptions:
    return ExportOptions(thru_date=TODAY, invoices=True, batch_number=number)


def batch_ids(sandbox) -> set[str]:
    return {b.batchIdentifier for b in sandbox.store.batches()}


def posted_entry_ids(report) -> set[int]:
    with Journal() as journal:
        return {i for d in journal.documents(report.run_id) if d.state == DocumentState.POSTED for i in d.gl_entry_ids}


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_success_posts_everything_and_records_exactly_their_entries(manage_sandbox, new_env, engine, monkeypatch):
    env = new_env(manage_sandbox, engine)
    before = manage_sandbox.store.unposted_counts()
    read_back: list[int] = []
    holds = pipeline.holds_run_entries

    async def counted(ctx, batch_id, posted_ids):  # noqa: ANN001, ANN202
        read_back.append(batch_id)
        return await holds(ctx, batch_id, posted_ids)

    monkeypatch.setattr(pipeline, "holds_run_entries", counted)
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
    assert report.outcome == Outcome.SUCCESS, report.summary
    assert report.counts["posted"] == report.counts["documents"] == before["invoices"] > 0
    assert env.ar_documents() == sorted(r.key.split(":", 1)[1] for r in report.posted)
    with env.sl() as s:
        # AR batches (one per currency and period), unreleased and balanced: each totals its documents
        batches = s.rows("SELECT * FROM Batch WHERE Module = 'AR'")
        assert batches and {(b["status"], int(b["rlsed"])) for b in batches} == {("B", 0)}
        for batch in batches:
            documents = s.scalar("SELECT SUM(CuryOrigDocAmt) FROM ARDoc WHERE BatNbr = ?", batch["batnbr"])
            assert round(batch["curycrtot"], 2) == round(documents, 2)
        # the customer Manage has and SL had not was created
        assert s.scalar("SELECT COUNT(*) FROM Customer") >= len(manage_sandbox.store.dataset.accounting_seed(True).customers)
    batch = manage_sandbox.store.batch_by_identifier("20250101JD-I")
    assert report.manage_batch_id == batch.id
    # Manage answered the POST with the batch's GLExport (as its API declares), not the batch: the batch
    # is found by identifier, and as the only one there it is the one the POST created: not read back.
    assert read_back == []
    with Journal() as journal:
        assert journal.run(report.run_id).outcome == "success" and journal.unfinished() == []
    assert manage_sandbox.store.batched_entry_ids(batch.id) == posted_entry_ids(report)
    assert manage_sandbox.store.unposted_counts()["invoices"] == 0
    kinds = [e.type for e in env.events]
    assert kinds[0] == "started" and kinds[-1] == "finished" and "batch_recorded" in kinds
    assert kinds.count("document_posted") == report.counts["posted"]
    assert all("AR batch" in r.reference for r in report.posted)
    assert report.log_path.exists() and "posted invoice" in report.log_path.read_text()


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_partial_batch_holds_exactly_what_posted(manage_sandbox, new_env, engine, tmp_path):
    env = new_env(manage_sandbox, engine)
    refused = [i.number for i in manage_sandbox.store.unposted_invoices()[:2]]
    env.refuse(refused, "period closed")  # SL's database refuses these two
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
        assert report.outcome == Outcome.PARTIAL
        assert sorted(r.label for r in report.failed) == sorted(f"invoice {n}" for n in refused)
        assert all("period closed" in r.error for r in report.failed)
        assert not set(refused) & set(env.ar_documents())
        batch = manage_sandbox.store.batch_by_identifier("20250101JD-I")
        assert manage_sandbox.store.batched_entry_ids(batch.id) == posted_entry_ids(report)
        left = sorted(i.number for i in manage_sandbox.store.unposted_invoices())
        assert left == sorted(refused)
        assert any(isinstance(e, ev.DocumentFailed) for e in env.events)
        saved = report.save_errors(tmp_path / "errors.txt").read_text()
        assert all(n in saved for n in refused)
        with env.sl() as s:  # the AR batch total is the documents that did post
            total = s.scalar("SELECT SUM(CuryOrigDocAmt) FROM ARDoc")
            assert round(s.scalar("SELECT SUM(CuryCrTot) FROM Batch WHERE Module = 'AR'"), 2) == round(total, 2)
        # fixed in the package, the rest goes in a batch of its own
        env.allow()
        second = await session.run_export(invoices_only("20250101JD-I-1"), env.emit)
    assert second.outcome == Outcome.SUCCESS and second.counts["posted"] == 2
    assert manage_sandbox.store.unposted_counts()["invoices"] == 0
    documents = env.ar_documents()
    assert len(documents) == len(set(documents)) and set(refused) <= set(documents)  # nothing posted twice


async def test_a_mixed_currency_run_totals_each_currency_apart(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    usd = {i.number for i in manage_sandbox.store.unposted_invoices() if i.currency == "USD"}
    assert usd and len(usd) < manage_sandbox.store.unposted_counts()["invoices"]
    env.refuse(sorted(usd), "period closed")  # every USD invoice fails, every other one posts
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
    assert report.outcome == Outcome.PARTIAL, report.summary
    docs = report.plan.documents

    def total_of(chosen):
        return by_currency((d.currency, d.total) for d in chosen)

    posted, failed = total_of(d for d in docs if d.number not in usd), total_of(d for d in docs if d.number in usd)
    assert report.totals["posted"] == posted and report.totals["failed"] == failed
    assert len(posted) == len(failed) == 1 and set(posted) != set(failed)  # never added together
    assert report.totals["documents"] == report.plan.grand_totals() == {**posted, **failed}
    # the same figures as each document's own event said, per currency
    events = [e for e in env.events if isinstance(e, ev.DocumentPosted)]
    assert by_currency((e.currency, e.amount) for e in events) == posted
    assert f"documents posted ({format_totals(posted)})" in report.summary and "USD" not in format_totals(posted)
    (finished,) = [e for e in env.events if isinstance(e, ev.Finished)]
    as_json = {k: {c: str(v) for c, v in by.items()} for k, by in report.totals.items()}
    assert finished.to_json()["totals"] == report.to_json()["totals"] == as_json
    assert as_json["failed"] == {"USD": str(failed["USD"])}


async def test_check_failure_writes_nothing_on_either_side(manage_sandbox, new_env):
    env = new_env(manage_sandbox, include_missing=False)  # the dataset's deliberate gaps
    (item_gap,) = [g for g in manage_sandbox.store.dataset.missing_mappings if g.kind == "item"]
    with env.sl() as s:  # and an account the invoices use that SL lacks
        s.execute("DELETE FROM Account WHERE Acct = '4400'")
        s.commit()
    using = sorted(i.number for i in manage_sandbox.store.unposted_invoices()
                   if any(ln.account.startswith("4400-") for ln in i.lines))
    batches = batch_ids(manage_sandbox)
    async with await env.session() as session:
        report = await session.run_export(invoices_only(), env.emit)
    assert report.outcome == Outcome.FAILED
    (group,) = report.blocking_problems
    assert group.headline().startswith(f"GL account 4400 not in Dynamics SL — {len(using)} ")
    assert "Chart of Accounts" in group.fix
    assert sorted(o.number for o in group.origins) == using
    assert env.ar_documents() == [] and env.count("SELECT COUNT(*) FROM Batch") == 0
    assert env.count("SELECT COUNT(*) FROM Customer WHERE CustId = ?", "C00107") == 0  # not even the new customer
    assert env.count("SELECT COUNT(*) FROM Inventory WHERE InvtID = ?", item_gap.key) == 0  # nor the new item
    assert batch_ids(manage_sandbox) == batches
    # the run history keeps the refused run, with nothing posted and nothing awaiting a result
    assert [(r.action, r.outcome, r.posted, r.unresolved) for r in Journal().recent()] == [("export", "failed", 0, 0)]
    failed = [e for e in env.events if isinstance(e, ev.CheckFailed)]
    assert failed and failed[0].problems[0]["count"] == len(using)


async def test_dry_run_writes_nothing_anywhere_and_returns_the_plan(manage_sandbox, new_env, tmp_path, app_dirs):
    env = new_env(manage_sandbox)
    batches = batch_ids(manage_sandbox)
    unposted = manage_sandbox.store.unposted_counts()
    options = ExportOptions(thru_date=TODAY, invoices=True, batch_number="")
    async with await env.session() as session:
        report = await session.run_export(options, env.emit, dry_run=True)
    assert report.outcome == Outcome.SUCCESS and "nothing was written" in report.summary
    plan = report.plan
    assert len(plan.documents) == unposted["invoices"]
    assert plan.accounts and plan.taxes and plan.totals
    # CAD and USD invoices: every figure is per currency, and each currency balances on its own.
    currencies = {d.currency for d in plan.documents}
    assert len(currencies) == 2 and all(set(nets) <= currencies for nets in plan.accounts.values())
    for code in currencies:
        assert sum(nets.get(code, 0) for nets in plan.accounts.values()) == 0
    assert plan.grand_totals() == {c: sum(d.total for d in plan.documents if d.currency == c) for c in currencies}
    assert all(d.lines and d.gl_entry_ids for d in plan.documents)
    assert env.ar_documents() == [] and env.count("SELECT COUNT(*) FROM Batch") == 0
    assert env.count("SELECT COUNT(*) FROM Customer WHERE CustId = ?", "C09999") == 0
    assert batch_ids(manage_sandbox) == batches
    assert manage_sandbox.store.unposted_counts() == unposted
    assert not app_dirs[1].exists()  # no journal, no log, no lock
    assert report.log_lines  # the log is still there to save on request
    assert report.save_full_log(tmp_path / "full.log").read_text().count("\n") == len(report.log_lines)


async def test_batch_number_is_checked_before_anything_else(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    existing = next(iter(batch_ids(manage_sandbox)))
    async with await env.session() as session:
        used = await session.run_export(invoices_only(existing), env.emit)
        empty = await session.run_export(invoices_only(""), env.emit)
        long = await session.run_export(invoices_only("X" * 51), env.emit)
    assert used.outcome == empty.outcome == long.outcome == Outcome.FAILED
    assert f"Manage already has a batch {existing}" in used.summary
    assert "required" in empty.summary and "at most 50" in long.summary
    assert not any(e.type == "progress" and e.phase == "export" for e in env.events)
    assert env.ar_documents() == []


async def test_suggested_batch_number_and_lists(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
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


async def test_mapping_report_finds_exactly_the_deliberate_gaps_and_posts_nothing(manage_sandbox, new_env):
    env = new_env(manage_sandbox, include_missing=False)
    gaps = {g.kind: g for g in manage_sandbox.store.dataset.missing_mappings if not g.in_manage}
    options = ExportOptions(thru_date=TODAY, invoices=True, expenses=True, batch_number="")
    async with await env.session() as session:
        report = await session.mapping_report(env.emit, options)
    assert report.outcome == Outcome.FAILED and report.action == "check"
    account, sub = gaps["account"].key.split("-")
    blocking = {g.cause for g in report.blocking_problems}
    member = next(g for g in manage_sandbox.store.dataset.missing_mappings if g.kind == "vendor" and g.in_manage
                  and "Member" in g.where)
    assert blocking == {f"GL account {account} not in Dynamics SL", next(c for c in blocking if "vendor number" in c)}
    assert member.documents == tuple(o.record_id for g in report.blocking_problems if "vendor number" in g.cause
                                     for o in g.origins)
    notices = [g for g in report.problems if not g.blocking]
    assert any(gaps["customer"].key in str(g.details) or gaps["customer"].key in g.headline() for g in notices)
    # the product SL lacks is created, as the notice says
    assert any(g.headline().startswith(f"Item {gaps['item'].key} will be created as a non-stock item") for g in notices)
    assert env.ar_documents() == [] and not paths.journal_file().exists()


async def test_login_errors_are_readable(manage_sandbox, new_env):
    from dataclasses import replace

    from mobius_tui.service.errors import LoginError
    from mobius_tui.service.secrets import Secrets
    from mobius_tui.service.session import Session

    env = new_env(manage_sandbox)
    wrong_user = replace(env.profile, package_values={**env.profile.package_values, "sl_user": "NOBODY"})
    with pytest.raises(LoginError) as info:
        await Session.open(wrong_user, env.secrets)
    assert info.value.system == "Microsoft Dynamics SL" and "SL user 'NOBODY' not found" in str(info.value)
    wrong_company = replace(env.profile, package_values={**env.profile.package_values, "company_id": "OTHER"})
    with pytest.raises(LoginError, match="Company 'OTHER' not found .* Choose one of: MOBIUS"):
        await Session.open(wrong_company, env.secrets)
    with pytest.raises(LoginError) as info:
        await Session.open(env.profile, Secrets({**env.secrets, "private_key": "nope"}))
    assert info.value.system == "Manage" and "nope" not in str(info.value)
    with pytest.raises(LoginError, match="MOBIUS_PRIVATE_KEY"):
        await Session.open(env.profile, Secrets({"sl_password": "x"}))
    with pytest.raises(LoginError, match="Unknown accounting package"):
        await Session.open(replace(env.profile, package="nope"), env.secrets)
    with env.sl() as sl:  # the company's database lacks a table every SL company has
        sl.execute("DROP TABLE SalesTax")
        sl.commit()
    with pytest.raises(LoginError) as info:
        await Session.open(env.profile, env.secrets)
    assert info.value.system == "Microsoft Dynamics SL" and "it has no table SalesTax." in str(info.value)
    assert "Check the company id in the Dynamics SL login" in str(info.value)


async def test_batch_number_is_checked_under_the_lock(manage_sandbox, new_env):
    """Two runs on the same books choosing one number: the second checks Manage only once the
    first has recorded its batch, so it sees the number taken. A dry run takes no lock."""
    from mobius_tui.service.errors import LockHeld
    from mobius_tui.service.lock import RunLock

    env = new_env(manage_sandbox)
    existing = next(iter(batch_ids(manage_sandbox)))
    async with await env.session() as session:
        with RunLock(session._ctx.target, "export"):
            with pytest.raises(LockHeld):
                await session.run_export(invoices_only(existing), env.emit)
            dry = await session.run_export(invoices_only(existing), env.emit, dry_run=True)
        used = await session.run_export(invoices_only(existing), env.emit)
    assert dry.outcome == used.outcome == Outcome.FAILED
    assert f"Manage already has a batch {existing}" in dry.summary and f"Manage already has a batch {existing}" in used.summary
    assert env.ar_documents() == [] and not any(e.type == "progress" and e.phase == "export" for e in env.events)
