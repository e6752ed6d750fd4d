"""Rerun with the duplicate guard, payment sync, and the overlap lock, end to end."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.service.harness import make_env
from mobius_tui.service.errors import LockHeld, NotFoundError
from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.lock import RunLock, current_user
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import PaymentAction, StartChoice

TODAY = date.today()


async def exported(env, number="20250101JD-I"):
    async with await env.session() as session:
        report = await session.run_export(ExportOptions(thru_date=TODAY, invoices=True, batch_number=number), env.emit)
    assert report.outcome == Outcome.SUCCESS, report.summary
    return report


async def test_rerun_skips_documents_already_in_the_package_and_force_posts_them(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    first = await exported(env)
    batches = len(manage_sandbox.store.batches())
    ledger = env.ledger()
    async with await env.session() as session:
        again = await session.rerun("20250101JD-I", env.emit)
        assert again.outcome == Outcome.SUCCESS and again.counts["posted"] == 0
        assert len(again.duplicates) == first.counts["posted"]
        assert sorted(ledger.keys()) == sorted(r.key for r in first.posted)
        # a restore from backup lost two documents: the rerun brings exactly those back
        lost = [r.key for r in first.posted[:2]]
        ledger.db.executemany("DELETE FROM documents WHERE key = ?", [(k,) for k in lost])
        restored = await session.rerun("20250101JD-I", env.emit)
        assert sorted(r.key for r in restored.posted) == sorted(lost)
        assert len(ledger.keys()) == len(set(ledger.keys())) == first.counts["posted"]
        dry = await session.rerun("20250101JD-I", env.emit, force=True, dry_run=True)
        assert dry.outcome == Outcome.SUCCESS and len(ledger.keys()) == first.counts["posted"]
        forced = await session.rerun("20250101JD-I", env.emit, force=True)
        assert forced.counts["posted"] == first.counts["posted"]
        assert len(ledger.keys()) == 2 * first.counts["posted"]  # forced: every document twice
        with pytest.raises(NotFoundError, match="no batch 'NOPE'"):
            await session.rerun("NOPE", env.emit)
    assert len(manage_sandbox.store.batches()) == batches  # a rerun never creates a Manage batch


def manage_paid(sandbox, number):
    invoice = next(i for i in sandbox.store.dataset.invoices if i.number == number)
    rows = sandbox.store.payments(invoice.id)
    return sum((p.amount for p in rows), Decimal(0)), [p.paymentDate.date() for p in rows]


async def test_payment_sync_sets_totals_and_a_second_run_changes_nothing(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    first = await exported(env)
    ledger = env.ledger()
    invoices = [r for r in first.posted if r.key.startswith("sales_invoice:")]
    full, part = invoices[0].key.split(":")[1], invoices[1].key.split(":")[1]
    total_full = next(t for k, _, t in ledger.documents() if k == invoices[0].key)
    ledger.pay(full, total_full - Decimal("10.00"), TODAY - timedelta(days=3))
    ledger.pay(full, Decimal("10.00"), TODAY - timedelta(days=1))
    ledger.pay(part, Decimal("5.00"), TODAY - timedelta(days=2))
    ledger.add_foreign_invoice("ZZ-999", Decimal("50"), Decimal("50"), TODAY)
    async with await env.session() as session:
        report = await session.sync_payments(StartChoice.PAST_WEEK, env.emit)
        assert report.outcome == Outcome.SUCCESS and report.since == TODAY - timedelta(days=7)
        assert report.count(PaymentAction.CREATED) == 2
        assert [r.package_number for r in report.unknown] == ["ZZ-999"]
        assert manage_paid(manage_sandbox, full) == (total_full, [TODAY - timedelta(days=1)])  # paid in full
        assert manage_paid(manage_sandbox, part) == (Decimal("5.00"), [TODAY - timedelta(days=2)])  # latest payment
        second = await session.sync_payments(StartChoice.PAST_WEEK, env.emit)
        assert second.count(PaymentAction.UNCHANGED) == 2 and second.count(PaymentAction.CREATED) == 0
        assert second.count(PaymentAction.UPDATED) == 0
        ledger.pay(part, Decimal("1.50"), TODAY)
        third = await session.sync_payments(StartChoice.PAST_MONTH, env.emit)
        assert third.count(PaymentAction.UPDATED) == 1
    assert manage_paid(manage_sandbox, part) == (Decimal("6.50"), [TODAY])  # one payment, the total


async def test_last_successful_run_advances_only_without_errors(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    first = await exported(env)
    ledger = env.ledger()
    number = first.posted[0].key.split(":")[1]
    ledger.pay(number, Decimal("1.00"), TODAY - timedelta(days=30))
    key = (current_user(), socket.gethostname(), env.profile.site, env.profile.company_id)
    with Journal() as journal:
        journal.set_last_payment_sync(*key, TODAY - timedelta(days=40))
    async with await env.session() as session:
        report = await session.sync_payments(StartChoice.LAST_SUCCESSFUL_RUN, env.emit)
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
        failed = await session.sync_payments(StartChoice.LAST_SUCCESSFUL_RUN, env.emit)
    assert failed.outcome == Outcome.FAILED and not failed.advanced_last_success
    assert failed.count(PaymentAction.FAILED) == 1 and failed.error_lines
    with Journal() as journal:
        assert journal.last_payment_sync(*key) == TODAY - timedelta(days=40)


async def test_second_run_on_the_same_books_is_refused_and_a_dead_lock_recovered(manage_sandbox, tmp_path):
    env = make_env(manage_sandbox, tmp_path)
    async with await env.session() as session:
        options = ExportOptions(thru_date=TODAY, invoices=True, batch_number="LOCKED-I")
        with RunLock(session._ctx.target, "export"):
            with pytest.raises(LockHeld) as info:
                await session.run_export(options, env.emit)
            with pytest.raises(LockHeld):
                await session.sync_payments(StartChoice.PAST_WEEK, env.emit)
        assert "export" in str(info.value) and socket.gethostname() in str(info.value)
        assert env.ledger().keys() == []
        # a crashed process left its lock behind
        dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                  capture_output=True, text=True).stdout)
        lock = RunLock(session._ctx.target)
        lock.path.parent.mkdir(parents=True, exist_ok=True)
        lock.path.write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "user": "x", "started": "s"}))
        report = await session.run_export(options, env.emit)
    assert report.outcome == Outcome.SUCCESS and not lock.path.exists()
