"""Rerun with the duplicate guard, payment sync, and the overlap lock, end to end over the Manage
sandbox and a sandbox Dynamics SL company."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.accounting.dynamics_sl.sql import to_decimal
from mobius_tui.documents.model import RecordKind
from mobius_tui.sandbox.dynamics_sl import apply_payment, release_batch
from mobius_tui.service.errors import LockHeld, NotFoundError
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.lock import RunLock, current_user
from mobius_tui.service.options import ExportOptions, Selection
from mobius_tui.service.reports import PaymentAction, StartChoice, by_currency
from tests.dynamics_sl import docs

TODAY = date.today()


async def exported(env, number="20250101JD-I", **kinds):
    options = ExportOptions(thru_date=TODAY, batch_number=number, **(kinds or {"invoices": True}))
    async with await env.session() as session:
        report = await session.run_export(options, env.emit)
    assert report.outcome == Outcome.SUCCESS, report.summary
    return report


def forget_in_sl(env, numbers):
    """A restore from backup lost these invoices in SL."""
    with env.sl() as s:
        for table in ("ARTran", "ARDoc", "RefNbr"):
            s.execute(f"DELETE FROM {table} WHERE RefNbr IN ({', '.join('?' for _ in numbers)})", *numbers)
        s.commit()


async def test_rerun_skips_documents_already_in_the_package_and_force_posts_them(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    first = await exported(env)
    posted = env.ar_documents()
    batches = len(manage_sandbox.store.batches())
    async with await env.session() as session:
        again = await session.rerun("20250101JD-I", env.emit)
        assert again.outcome == Outcome.SUCCESS and again.counts["posted"] == 0
        assert len(again.duplicates) == first.counts["posted"] and env.ar_documents() == posted
        lost = [r.key.split(":", 1)[1] for r in first.posted[:2]]
        forget_in_sl(env, lost)
        restored = await session.rerun("20250101JD-I", env.emit)
        assert sorted(r.key.split(":", 1)[1] for r in restored.posted) == sorted(lost)
        assert env.ar_documents() == posted  # each once again
        dry = await session.rerun("20250101JD-I", env.emit, force=True, dry_run=True)
        assert dry.outcome == Outcome.SUCCESS and env.ar_documents() == posted
        # Forced, every invoice goes to SL again, and SL itself refuses a reference number in use.
        forced = await session.rerun("20250101JD-I", env.emit, force=True)
        assert forced.outcome == Outcome.FAILED and forced.counts["failed"] == first.counts["posted"]
        assert all("already used in Dynamics SL" in r.error for r in forced.failed)
        assert env.ar_documents() == posted
        with pytest.raises(NotFoundError, match="no batch 'NOPE'"):
            await session.rerun("NOPE", env.emit)
    assert len(manage_sandbox.store.batches()) == batches  # a rerun never creates a Manage batch


async def test_forced_rerun_posts_documents_sl_takes_twice(manage_sandbox, new_env):
    """Expenses as journal entries: SL has no unique number for them, so force posts each again."""
    manage_sandbox.store.set_setup(transferExpensesAsBillFlag=False)
    env = new_env(manage_sandbox)
    async with await env.session() as session:
        dry = await session.run_export(ExportOptions(TODAY, invoices=False, expenses=True, batch_number=""),
                                       env.emit, dry_run=True)
    broken = sorted({o.record_id for g in dry.blocking_problems for o in g.origins})
    options = ExportOptions(TODAY, invoices=False, expenses=True, batch_number="20250101JD-E",
                            selections={RecordKind.EXPENSE: Selection(exclude=broken)})
    async with await env.session() as session:
        first = await session.run_export(options, env.emit)
        assert first.outcome == Outcome.SUCCESS and first.counts["posted"] > 0, first.summary
        journals = env.count("SELECT COUNT(*) FROM Batch WHERE Module = 'GL'")
        skipped = await session.rerun("20250101JD-E", env.emit)
        assert skipped.counts["posted"] == 0 and len(skipped.duplicates) == first.counts["posted"]
        forced = await session.rerun("20250101JD-E", env.emit, force=True)
    assert forced.outcome == Outcome.SUCCESS and forced.counts["posted"] == first.counts["posted"]
    assert env.count("SELECT COUNT(*) FROM Batch WHERE Module = 'GL'") == 2 * journals


def manage_paid(sandbox, number):
    invoice = next(i for i in sandbox.store.dataset.invoices if i.number == number)
    rows = sandbox.store.payments(invoice.id)
    return sum((p.amount for p in rows), Decimal(0)), [p.paymentDate and p.paymentDate.date() for p in rows]


def release_ar(env, when: datetime | None = None):
    with env.sl() as s:
        for row in s.rows("SELECT BatNbr FROM Batch WHERE Module = 'AR' AND Rlsed = 0"):
            release_batch(s, "AR", row["batnbr"], when=when)


def open_invoices(env):
    """(customer, number, open balance) of released invoices, in number order."""
    with env.sl() as s:
        return [(r["custid"], r["refnbr"], to_decimal(r["curydocbal"])) for r in s.rows(
            "SELECT CustId, RefNbr, CuryDocBal FROM ARDoc WHERE DocType = 'IN' AND Rlsed = 1 AND CuryDocBal > 0 "
            "ORDER BY RefNbr")]


def pay(env, customer, number, amount, on: date):
    with env.sl() as s:
        apply_payment(s, customer, number, amount, on, when=datetime.combine(on, datetime.min.time()))


async def post_foreign_invoice(env, number):
    """An invoice typed straight into SL (Manage never had it), released and paid in full."""
    invoice = docs.invoice(number)
    async with DynamicsSL(env.company.settings) as sl:
        ref = await sl.reference()
        plan = docs.plan(invoice)
        [result] = [r async for r in sl.post(plan, plan.documents, ref)]
    assert result.posted, result
    release_ar(env)
    pay(env, docs.CUSTOMER, number, invoice.document_total, TODAY)


async def test_payment_sync_sets_totals_and_a_second_run_changes_nothing(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    await exported(env)
    # released long ago: only the payments below change invoices in the weeks synced
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    (c_full, full, total_full), (c_part, part, _) = open_invoices(env)[:2]
    pay(env, c_full, full, total_full - Decimal("10.00"), TODAY - timedelta(days=3))  # partial, then the rest
    pay(env, c_full, full, Decimal("10.00"), TODAY - timedelta(days=1))
    pay(env, c_part, part, Decimal("5.00"), TODAY - timedelta(days=2))
    await post_foreign_invoice(env, "ZZ-999")
    async with await env.session() as session:
        report = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        assert report.outcome == Outcome.SUCCESS and report.since == TODAY - timedelta(days=7)
        assert report.count(PaymentAction.CREATED) == 2
        assert [r.package_number for r in report.unknown] == ["ZZ-999"]
        assert manage_paid(manage_sandbox, full) == (total_full, [TODAY - timedelta(days=1)])  # date paid in full
        assert manage_paid(manage_sandbox, part) == (Decimal("5.00"), [None])  # part paid: no date paid
        # the paid total is per currency: each invoice's own, as Manage has it
        currency = {i.number: i.currency for i in manage_sandbox.store.dataset.invoices}
        created = [r for r in report.results if r.action == PaymentAction.CREATED]
        assert {r.manage_number: r.currency for r in created} == {n: currency[n] for n in (full, part)}
        assert report.totals == {"paid": by_currency((currency[r.manage_number], r.amount) for r in created)}
        second = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        assert second.count(PaymentAction.UNCHANGED) == 2 and second.count(PaymentAction.CREATED) == 0
        assert second.totals == {"paid": {}}  # nothing set in Manage: no amount in any currency
        assert second.count(PaymentAction.UPDATED) == 0
        pay(env, c_part, part, Decimal("1.50"), TODAY)
        third = await session.sync_payments(StartChoice.PAST_MONTH, env.emit, today=TODAY)
        assert third.count(PaymentAction.UPDATED) == 1 and third.count(PaymentAction.CREATED) == 0
    assert manage_paid(manage_sandbox, part) == (Decimal("6.50"), [None])  # one payment, the total


async def test_last_successful_run_advances_only_without_errors(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    await exported(env)
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    customer, number, _ = open_invoices(env)[0]
    pay(env, customer, number, Decimal("1.00"), TODAY - timedelta(days=30))  # changed inside the 40 days
    key = (current_user(), socket.gethostname(), env.profile.site, env.profile.company_id)
    with Journal() as journal:
        journal.set_last_payment_sync(*key, TODAY - timedelta(days=40))
    async with await env.session() as session:
        report = await session.sync_payments(StartChoice.LAST_SUCCESSFUL_RUN, env.emit, today=TODAY)
    assert report.since == TODAY - timedelta(days=40) and report.advanced_last_success
    assert report.count(PaymentAction.CREATED) == 1
    with Journal() as journal:
        assert journal.last_payment_sync(*key) == TODAY
        journal.set_last_payment_sync(*key, TODAY - timedelta(days=40))
    # Manage refuses the update (two payments there already exceed the package's total): an error
    invoice = next(i for i in manage_sandbox.store.dataset.invoices if i.number == number)
    for _ in range(2):
        manage_sandbox.store.add_payment(invoice.id, {"type": "P", "amount": 3, "paymentDate": "2025-01-01T00:00:00Z",
                                                      "invoice": {"id": invoice.id}}, "someone")
    async with await env.session() as session:
        failed = await session.sync_payments(StartChoice.LAST_SUCCESSFUL_RUN, env.emit, today=TODAY)
    assert failed.outcome == Outcome.FAILED and not failed.advanced_last_success
    assert failed.count(PaymentAction.FAILED) == 1 and failed.error_lines
    with Journal() as journal:
        assert journal.last_payment_sync(*key) == TODAY - timedelta(days=40)


async def test_second_run_on_the_same_books_is_refused_and_a_dead_lock_recovered(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    async with await env.session() as session:
        options = ExportOptions(thru_date=TODAY, invoices=True, batch_number="LOCKED-I")
        with RunLock(session._ctx.target, "export"):
            with pytest.raises(LockHeld) as info:
                await session.run_export(options, env.emit)
            with pytest.raises(LockHeld):
                await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        assert "export" in str(info.value) and socket.gethostname() in str(info.value)
        assert env.ar_documents() == []
        # a crashed process left its lock behind
        dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                  capture_output=True, text=True).stdout)
        lock = RunLock(session._ctx.target)
        lock.path.parent.mkdir(parents=True, exist_ok=True)
        lock.path.write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "user": "x", "started": "s"}))
        report = await session.run_export(options, env.emit)
    assert report.outcome == Outcome.SUCCESS and not lock.path.exists()
