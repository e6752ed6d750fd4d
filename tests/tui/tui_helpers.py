"""Helpers the TUI tests share: driving the app, reading the screen, looking into the Sage 300 books."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import httpx

from mobius_tui.sandbox.sage300 import Sage300Sandbox

_BATCHES = {"AR": "ARInvoiceBatches", "AP": "APInvoiceBatches", "GL": "GLJournalBatches"}


async def settle(pilot, app, timeout: float = 120) -> None:
    """Until every worker is done, no screen says it is still running, and the screen has caught up
    (log queues drain every 100 ms). Three quiet looks in a row: a worker a callback starts after
    the first look (a dialog's answer opening the run screen) is waited for too, however slow the
    machine."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        await app.workers.wait_for_complete()
        await pilot.pause(0.15)
        busy = any(w.is_running for w in app.workers) or any(
            getattr(screen, "running", False) is True for screen in app.screen_stack)
        quiet = 0 if busy else quiet + 1
        if time.monotonic() > deadline:
            raise AssertionError(f"still busy after {timeout} s:\n{screen_text(app)}")


async def login(pilot, app) -> None:
    from mobius_tui.tui.screens.main import MainScreen

    await pilot.pause()
    await pilot.press("f8")
    await settle(pilot, app)
    assert any(isinstance(s, MainScreen) for s in app.screen_stack), screen_text(app)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def documents_in_sage(sage: Sage300Sandbox) -> list[str]:
    """Document numbers in every A/R, A/P and G/L batch of the company, in entry order."""
    store = sage.books.store
    return [entry["DocumentNumber"] for entity in _BATCHES.values() for key, _ in store.scan(entity)
            for entry in store.children(entity, key)]


def ar_batch_of(sage: Sage300Sandbox, number: str) -> int:
    store = sage.books.store
    for key, _ in store.scan(_BATCHES["AR"]):
        if any(e["DocumentNumber"] == number for e in store.children(_BATCHES["AR"], key)):
            return int(key)
    raise KeyError(f"{number} is in no A/R batch")


def deactivate_accounts(sage: Sage300Sandbox, prefix: str) -> list[str]:
    """Make the G/L accounts whose number starts with ``prefix`` inactive, as a Sage user could."""
    store, done = sage.books.store, []
    for key, account in store.scan("GLAccounts"):
        if account["AccountNumber"].startswith(prefix):
            store.put("GLAccounts", key, account | {"Status": "Inactive"})
            done.append(account["AccountNumber"])
    return done


def type_invoice_into_sage(sage: Sage300Sandbox, customer: str, number: str, amount: Decimal, on: date,
                           revenue_account: str) -> None:
    """An invoice keyed straight into Sage 300 (Manage never had it), through the Web API, then posted."""
    invoice = {"CustomerNumber": customer, "DocumentType": "Invoice", "DocumentNumber": number,
               "InvoiceType": "Summary", "DocumentDate": on.isoformat(),
               "InvoiceDetails": [{"RevenueAccount": revenue_account, "ExtendedAmountWithTIP": str(amount)}]}
    settings = sage.settings
    with httpx.Client(base_url=f"{sage.url}/v1.0/-/{settings['company']}",
                      auth=(settings["user"], settings["password"])) as client:
        reply = client.post("/AR/ARInvoiceBatches", json={"Description": "typed in Sage", "Invoices": [invoice]})
        assert reply.status_code in (200, 201), reply.text
        batch = reply.json()["BatchNumber"]
    sage.post_batch("AR", batch, on=on)
