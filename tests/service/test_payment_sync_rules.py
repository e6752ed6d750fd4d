"""Payment sync rules, end to end over the Manage sandbox and a sandbox Dynamics SL company: only
an invoice paid in full gets a date paid; a payment only Manage has is a conflict, overwritten only
when asked; a sync takes the lock an export holds on the same books; reads stay O(pages)."""

from __future__ import annotations

import json
import socket
from datetime import date, datetime, timedelta
from decimal import Decimal

from mobius_tui.service.events import Outcome
from mobius_tui.service.journal import Journal
from mobius_tui.service.lock import RunLock, current_user
from mobius_tui.service.reports import PaymentAction, StartChoice
from mobius_tui.sandbox.dynamics_sl import apply_payment
from tests.service.harness import run_cli, sandbox_of
from tests.service.test_rerun_payments_lock_e2e import exported, manage_paid, open_invoices, pay, release_ar

TODAY = date.today()
SYNC = ["sync-payments", "--profile", "demo", "--start", "past-week", "--json"]


def last_success(env) -> date | None:
    with Journal() as journal:
        return journal.last_payment_sync(current_user(), socket.gethostname(), env.profile.site,
                                         env.profile.company_id)


def result_line(stdout: str) -> dict:
    return next(obj for obj in map(json.loads, stdout.splitlines()) if "results" in obj)


async def test_part_paid_invoice_gets_no_date_paid_until_paid_in_full(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    await exported(env)
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    customer, number, balance = open_invoices(env)[0]
    pay(env, customer, number, Decimal("5.00"), TODAY - timedelta(days=3))
    async with await env.session() as session:
        part = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        [result] = [r for r in part.results if r.manage_number == number]
        assert (result.action, result.amount, result.paid_on) == (PaymentAction.CREATED, Decimal("5.00"), None)
        assert manage_paid(manage_sandbox, number) == (Decimal("5.00"), [None])  # no "Date Paid" in Manage
        pay(env, customer, number, balance - Decimal("5.00"), TODAY - timedelta(days=1))
        full = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
    [result] = [r for r in full.results if r.manage_number == number]
    assert (result.action, result.paid_on) == (PaymentAction.UPDATED, TODAY - timedelta(days=1))
    assert manage_paid(manage_sandbox, number) == (balance, [TODAY - timedelta(days=1)])


async def test_payment_only_manage_has_is_a_conflict_until_overwritten(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    await exported(env)
    release_ar(env)  # released today: every invoice changed this week, none paid in SL
    _, number, _ = open_invoices(env)[0]
    invoice = next(i for i in manage_sandbox.store.dataset.invoices if i.number == number)
    manage_sandbox.store.add_payment(invoice.id, {"type": "P", "amount": "40.00", "paymentDate": "2025-01-02T00:00:00Z"},
                                     "clerk")
    refused = run_cli(env, SYNC)
    assert refused.returncode == 2, refused.stderr  # partial: the rest was synced
    conflicts = {r["manage_number"]: r for r in result_line(refused.stdout)["results"] if r["action"] == "conflict"}
    # the dataset's own Manage payments (entered in Manage, unknown to SL) are conflicts too
    paid_in_manage = {i.number for i in manage_sandbox.store.dataset.invoices if manage_paid(manage_sandbox, i.number)[0]}
    assert number in conflicts and set(conflicts) <= paid_in_manage
    conflict = conflicts[number]
    assert Decimal(conflict["amount"]) == Decimal("40.00") and "--overwrite-manage-payments" in conflict["message"]
    assert "Record the payment in Microsoft Dynamics SL" in conflict["message"]
    events = [json.loads(line) for line in refused.stdout.splitlines()]
    assert any(f"invoice {number}: Manage holds" in str(e.get("message")) and e.get("level") == "error" for e in events)
    assert manage_paid(manage_sandbox, number) == (Decimal("40.00"), [date(2025, 1, 2)])  # left alone
    assert last_success(env) is None  # comes back next time until someone decides

    overwritten = run_cli(env, [*SYNC, "--overwrite-manage-payments"])
    assert overwritten.returncode == 0, overwritten.stderr
    [done] = [r for r in result_line(overwritten.stdout)["results"] if r["manage_number"] == number]
    assert done["action"] == "updated" and Decimal(done["amount"]) == 0
    assert manage_paid(manage_sandbox, number) == (Decimal(0), [])
    assert last_success(env) == TODAY


async def test_sync_refused_while_an_export_holds_the_books(manage_sandbox, new_env):
    env = new_env(manage_sandbox)
    await exported(env)
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    customer, number, _ = open_invoices(env)[0]
    pay(env, customer, number, Decimal("1.00"), TODAY)
    async with await env.session() as session:
        target = session._ctx.target
    with RunLock(target, "export"):  # an export of this process is posting to the same books
        refused = run_cli(env, SYNC)
    assert refused.returncode == 5, refused.stderr
    assert "(export)" in refused.stdout and "Another run is already working" in refused.stdout
    assert manage_paid(manage_sandbox, number) == (Decimal(0), [])  # nothing written
    done = run_cli(env, SYNC)
    assert done.returncode == 0, done.stderr
    assert manage_paid(manage_sandbox, number) == (Decimal("1.00"), [None])


async def test_sync_of_1000_invoices_reads_manage_in_pages(new_env):
    """Manage reads grow with pages of invoice numbers, not with invoices: one write per invoice
    changed; a second sync finds every total right on the invoice records and reads no payment
    list and writes nothing."""
    with sandbox_of(size=1000, seed=5) as sandbox:
        store = sandbox.store
        for invoice in store.dataset.invoices:  # a Manage with no payments yet
            for payment in store.payments(invoice.id):
                store.delete_payment(invoice.id, payment.id)
        env = new_env(sandbox)
        report = await exported(env)
        assert report.counts["posted"] >= 900
        release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
        rows = open_invoices(env)
        with env.sl() as s:
            for customer, number, balance in rows:
                apply_payment(s, customer, number, balance, TODAY - timedelta(days=1),
                              when=datetime.combine(TODAY - timedelta(days=1), datetime.min.time()))
        async with await env.session() as session:
            manage = session._ctx.manage
            before = manage.requests_by_method
            first = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
            first_sent = _since(before, manage.requests_by_method)
            before = manage.requests_by_method
            again = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
            again_sent = _since(before, manage.requests_by_method)
    assert first.count(PaymentAction.CREATED) == len(rows) >= 900 and first.outcome == Outcome.SUCCESS
    pages = -(-len(rows) // 100)  # generous: a chunked "in" read holds well over 100 numbers
    assert first_sent.get("GET", 0) <= pages and first_sent == {"GET": first_sent.get("GET", 0), "POST": len(rows)}
    assert again.count(PaymentAction.UNCHANGED) == len(rows)
    assert again_sent == {"GET": again_sent["GET"]} and again_sent["GET"] <= pages  # no payment list, no write


async def test_a_date_paid_changed_in_the_package_is_corrected_in_manage(manage_sandbox, new_env):
    """Same total, new date paid: the invoice record cannot tell, the sync reads and corrects it.
    A date changed by hand in Manage alone, total unchanged, is left as Manage has it."""
    env = new_env(manage_sandbox)
    await exported(env)
    release_ar(env, datetime.combine(TODAY - timedelta(days=60), datetime.min.time()))
    customer, number, balance = open_invoices(env)[0]
    pay(env, customer, number, balance, TODAY - timedelta(days=3))
    async with await env.session() as session:
        first = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        assert [r.action for r in first.results if r.manage_number == number] == [PaymentAction.CREATED]
        assert manage_paid(manage_sandbox, number) == (balance, [TODAY - timedelta(days=3)])
        with env.sl() as s:  # the payment's date corrected in SL
            day = datetime.combine(TODAY - timedelta(days=2), datetime.min.time())
            s.execute("UPDATE ARAdjust SET AdjgDocDate = ?, DateAppl = ? WHERE AdjdRefNbr = ?", day, day, number)
            s.commit()
        moved = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        assert [r.action for r in moved.results if r.manage_number == number] == [PaymentAction.UPDATED]
        assert manage_paid(manage_sandbox, number) == (balance, [TODAY - timedelta(days=2)])
        invoice = next(i for i in manage_sandbox.store.dataset.invoices if i.number == number)
        [payment] = manage_sandbox.store.payments(invoice.id)
        manage_sandbox.store.update_payment(invoice.id, payment.id, {"paymentDate": "2025-01-02T00:00:00Z"})
        manage = session._ctx.manage
        before = manage.requests_by_method
        again = await session.sync_payments(StartChoice.PAST_WEEK, env.emit, today=TODAY)
        assert _since(before, manage.requests_by_method).keys() == {"GET"}
    assert [r.action for r in again.results if r.manage_number == number] == [PaymentAction.UNCHANGED]
    assert manage_paid(manage_sandbox, number) == (balance, [date(2025, 1, 2)])


def _since(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
