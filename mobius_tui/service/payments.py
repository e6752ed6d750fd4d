"""Payment sync: the package's paid totals back onto Manage's invoices.

For each invoice the package reports as changed since the start date, the Manage invoice with
the same number (less any prefix the package added) gets its single payment set to the total
paid, dated the day it was paid in full, otherwise the latest payment day. Setting a total, never
adding to it, is what makes a second sync change nothing.

Only an invoice paid in full gets a payment date ("Date Paid" in Manage); a part payment goes in
undated. A payment Manage holds for an invoice the package reports unpaid was entered in Manage
alone: it is reported as a conflict and left alone, unless the user chose to overwrite Manage's
payments.

"Last Successful Run" is kept per OS user, machine, Manage site and company, and moves forward
only when a sync had no errors or conflicts. Invoices unknown to Manage are warnings, not errors:
an invoice typed straight into the package will never exist in Manage, and must not pin the start
date.

At scale: Manage invoices are found in chunked ``in`` reads trimmed to three fields, whose
``payments`` (Manage's paid total) settles most invoices without more requests: an invoice's
payments are read only where that total differs from the package's, or where it agrees but the
date paid may not (``Journal.payment_marks``: what the last sync found or left); writes run at the Manage client's concurrency and
are skipped when Manage already holds the right payment.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from datetime import date
from decimal import Decimal

from mobius_tui.accounting.base import PaymentStatus
from mobius_tui.manage.client import same_payment_date
from mobius_tui.manage.errors import ManageError
from mobius_tui.manage.models import Invoice, InvoicePayment
from mobius_tui.service import events as ev
from mobius_tui.service.context import Context
from mobius_tui.service.dates import start_date
from mobius_tui.service.events import Emit, Outcome
from mobius_tui.service.journal import new_run_id
from mobius_tui.service.lock import current_user
from mobius_tui.service.journal import PaymentMark as Mark
from mobius_tui.service.reports import PaymentAction, PaymentResult, StartChoice, SyncReport, by_currency
from mobius_tui.service.wording import counted, format_totals

ZERO = Decimal(0)
INVOICE_FIELDS = "id,invoiceNumber,payments"  # all the sync reads of a Manage invoice
PROGRESS_STEPS = 100  # progress events per sync, at most
# Invoices in flight per request slot of the Manage client: while one invoice's request waits on
# Manage, another's answer is being checked, so the client's c slots stay busy (the client still
# sends at most c requests at once).
WORKERS_PER_SLOT = 2
OVERWRITE_FLAG = "--overwrite-manage-payments"


def manage_numbers(package_number: str, added_prefix: str = "", manage_prefix: str = "") -> list[str]:
    """Manage invoice numbers a package's invoice number may stand for, most likely first.

    ``added_prefix``: put in front by the package (or by us when posting); removed.
    ``manage_prefix``: part of Manage's number that was not sent to the package; put back.
    """
    number = package_number.strip()
    if added_prefix and number.startswith(added_prefix) and len(number) > len(added_prefix):
        number = number[len(added_prefix):]
    out = [manage_prefix + number] if manage_prefix and not number.startswith(manage_prefix) else []
    out.append(number)
    if package_number.strip() not in out:
        out.append(package_number.strip())
    return out


def _prefixes(ctx: Context) -> tuple[str, str]:
    options = ctx.profile.plan_options
    return str(options.get("add_invoice_prefix") or ""), str(options.get("strip_invoice_prefix") or "")


def payment_currency(status: PaymentStatus, home_currency: str) -> str:
    """The invoice's ISO code as the package gives it, else the profile's home currency: every
    amount a sync shows names its currency."""
    return (status.currency or "").strip().upper() or home_currency.strip().upper()


def payment_day(status: PaymentStatus) -> date | None:
    """The "Date Paid" Manage gets: the day the invoice was paid in full; None while part paid."""
    if not status.fully_paid:
        return None
    return status.date_paid_in_full or status.last_payment_date


async def sync_payments(ctx: Context, choice: StartChoice, emit: Emit, custom: date | None = None,
                        today: date | None = None, *, overwrite_manage_payments: bool = False) -> SyncReport:
    """``overwrite_manage_payments``: set Manage to the package's total even where Manage holds a
    payment the package does not know of (otherwise reported as a conflict and left alone)."""
    today = today or date.today()
    run_id = new_run_id()
    log = ctx.runlog(emit, run_id, write=True)
    user, machine, site, company = current_user(), socket.gethostname(), ctx.profile.site, ctx.profile.company_id
    try:
        last = ctx.journal.last_payment_sync(user, machine, site, company)
        since = start_date(choice, today, last_success=last, custom=custom)
        log(ev.Started(run_id, "sync-payments", f"payments changed since {since}"))
        # The same lock as an export on these books: a sync never runs while one posts.
        with ctx.lock("sync-payments"):
            results = await _sync(ctx, since, today, log, overwrite_manage_payments)
        problems = [r for r in results if r.action in (PaymentAction.FAILED, PaymentAction.CONFLICT)]
        advanced = not problems
        if advanced:
            ctx.journal.set_last_payment_sync(user, machine, site, company, today)
        counts = {a.value: sum(1 for r in results if r.action == a) for a in PaymentAction}
        counts["invoices"] = len(results)
        done = len(results) - len(problems)
        outcome = Outcome.SUCCESS if not problems else (Outcome.PARTIAL if done else Outcome.FAILED)
        conflicts = (f"{counts['conflict']} with a payment only Manage has (left alone), "
                     if counts["conflict"] else "")
        summary = (f"{counted(len(results), 'invoice')} changed since {since}: {counts['created'] + counts['updated']} updated in Manage, "
                   f"{counts['unchanged']} already right, {counts['unknown']} unknown to Manage, {conflicts}"
                   f"{counts['failed']} failed")
        if not advanced:
            summary += "; the last successful run date was kept"
        set_in_manage = (PaymentAction.CREATED, PaymentAction.UPDATED)
        totals = {"paid": by_currency((r.currency, r.amount) for r in results if r.action in set_in_manage)}
        log(ev.Finished(outcome, summary, counts, totals))
        return SyncReport(run_id, outcome, summary, since, results, advanced, list(log.lines), list(log.errors),
                          log.path, log.errors_path(), totals)
    finally:
        log.close()


async def _sync(ctx: Context, since: date, today: date, log, overwrite: bool) -> list[PaymentResult]:
    log(ev.Progress("payments", 0, 1))
    statuses = await ctx.adapter.payments_since(since)
    log(ev.LogLine(f"the package reports {counted(len(statuses), 'invoice')} with payments changed since {since}"))
    added, manage_prefix = _prefixes(ctx)
    candidates = {s.document_number: manage_numbers(s.document_number, added, manage_prefix) for s in statuses}
    wanted = sorted({n for numbers in candidates.values() for n in numbers})
    found: dict[str, list[Invoice]] = {}
    for invoice in await ctx.manage.invoices_by_number(wanted, fields=INVOICE_FIELDS) if wanted else []:
        found.setdefault(invoice.invoiceNumber or "", []).append(invoice)
    home = str(ctx.profile.plan_options.get("home_currency") or "")
    results: list[PaymentResult | None] = [None] * len(statuses)
    pending = iter(range(len(statuses)))
    step = max(1, len(statuses) // PROGRESS_STEPS)
    finished = 0
    site, company = ctx.profile.site, ctx.profile.company_id
    marks = ctx.journal.payment_marks(site, company,
                                      (int(i.id) for invoices in found.values() for i in invoices if i.id is not None))
    seen: dict[int, Mark] = {}  # what Manage holds now, as checked or written by this sync
    unsure: set[int] = set()  # failed or left alone: the old mark no longer says anything

    async def work() -> None:
        nonlocal finished
        for i in pending:  # shared: each worker takes the next invoice
            status = statuses[i]
            result = await _one(ctx, status, candidates[status.document_number], found, today, log, overwrite,
                                marks, seen, unsure)
            results[i] = replace(result, currency=payment_currency(status, home))
            finished += 1
            if finished % step == 0 or finished == len(statuses):
                log(ev.Progress("payments", finished, len(statuses)))

    workers = max(1, min(ctx.manage.settings.max_concurrency * WORKERS_PER_SLOT, len(statuses)))
    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(work())
    ctx.journal.save_payment_marks(site, company, {k: v for k, v in seen.items() if marks.get(k) != v},
                                   forget=unsure & marks.keys())
    return [r for r in results if r is not None]


def _conflict(ctx: Context, status: PaymentStatus, current: list[InvoicePayment], number: str) -> str:
    """Why writing would remove a payment the package does not know of ("" when it would not)."""
    total = sum((p.amount or ZERO for p in current), ZERO)
    if status.paid != 0 or total == 0:
        return ""
    package = getattr(ctx.adapter, "label", "the package")
    money = format_totals({payment_currency(status, str(ctx.profile.plan_options.get("home_currency") or "")): total})
    return (f"Manage holds {counted(len(current), 'payment')} of {money} on invoice {number} that {package} does not "
            f"know of; left as they are. Record the payment in {package}, or delete it in Manage (Finance > "
            f"Invoice Search > Payments), or sync again overwriting Manage's payments ({OVERWRITE_FLAG}) to "
            f"set Manage to {package}'s total of 0.")


async def _one(ctx: Context, status: PaymentStatus, numbers: list[str], found: dict[str, list[Invoice]],
               today: date, log, overwrite: bool, marks: dict[int, Mark], seen: dict[int, Mark],
               unsure: set[int]) -> PaymentResult:
    number = next((n for n in numbers if n in found), None)
    if number is None:
        log(ev.LogLine(f"invoice {status.document_number} is in the package but not in Manage; left alone", ev.Level.WARNING))
        return PaymentResult(status.document_number, "", PaymentAction.UNKNOWN, status.paid,
                             message="no Manage invoice with this number")
    matches = found[number]
    if len(matches) > 1:
        message = f"{len(matches)} Manage invoices are numbered {number}; update the right one by hand"
        log(ev.LogLine(f"invoice {number}: {message}", ev.Level.ERROR))
        return PaymentResult(status.document_number, number, PaymentAction.FAILED, status.paid, message=message)
    invoice = matches[0]
    invoice_id = int(invoice.id)
    paid_on = payment_day(status)
    if paid_on is None and status.fully_paid:
        paid_on = today  # paid in full, the package gives no day: the day it was seen paid
    wanted = (status.paid, paid_on if status.paid else None)
    # Manage's invoice carries its payments' total: where it is the package's, and the date paid
    # is known to be too (or there is none), there is nothing to read or write.
    if invoice.payments is not None and invoice.payments == status.paid and (
            status.paid == 0 or marks.get(invoice_id) == wanted):
        seen[invoice_id] = wanted
        return PaymentResult(status.document_number, number, PaymentAction.UNCHANGED, status.paid, paid_on)
    try:
        none_there = invoice.payments is not None and invoice.payments == 0
        current = [] if none_there else await ctx.manage.invoice_payments(invoice_id)
        total = sum((p.amount or ZERO for p in current), ZERO)
        if (not current and status.paid == 0) or (
                len(current) == 1 and total == status.paid and same_payment_date(current[0], paid_on)):
            seen[invoice_id] = wanted
            return PaymentResult(status.document_number, number, PaymentAction.UNCHANGED, status.paid, paid_on)
        conflict = _conflict(ctx, status, current, number)
        if conflict and not overwrite:
            unsure.add(invoice_id)
            log(ev.LogLine(f"invoice {number}: {conflict}", ev.Level.ERROR))
            return PaymentResult(status.document_number, number, PaymentAction.CONFLICT, total, paid_on, conflict)
        if conflict:
            code = payment_currency(status, str(ctx.profile.plan_options.get("home_currency") or ""))
            log(ev.LogLine(f"invoice {number}: Manage's payments of {format_totals({code: total})} overwritten with "
                           "the package's total",
                           ev.Level.WARNING))
        await ctx.manage.set_invoice_payment(invoice_id, status.paid, paid_on, current=current)
    except ManageError as exc:
        unsure.add(invoice_id)
        log(ev.LogLine(f"invoice {number}: Manage refused the payment update ({exc})", ev.Level.ERROR))
        return PaymentResult(status.document_number, number, PaymentAction.FAILED, status.paid, paid_on, str(exc))
    seen[invoice_id] = wanted
    action = PaymentAction.UPDATED if current else PaymentAction.CREATED
    in_full = f" on {paid_on} (paid in full)" if paid_on else " (part paid: no date paid)"
    log(ev.LogLine(f"invoice {number}: paid {format_totals({payment_currency(status, str(ctx.profile.plan_options.get('home_currency') or '')): status.paid})}{in_full}"))
    return PaymentResult(status.document_number, number, action, status.paid, paid_on)
