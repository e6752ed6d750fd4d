"""Payment sync: the package's paid totals back onto Manage's invoices.

For each invoice the package reports as changed since the start date, the Manage invoice with
the same number (less any prefix the package added) gets its single payment set to the total
paid, dated the day it was paid in full, otherwise the latest payment day. Setting a total, never
adding to it, is what makes a second sync change nothing.

"Last Successful Run" is kept per OS user, machine, Manage site and company, and moves forward
only when a sync had no errors. Invoices unknown to Manage are warnings, not errors: an invoice
typed straight into the package will never exist in Manage, and must not pin the start date.
"""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import date
from decimal import Decimal

from mobius_tui.accounting.base import PaymentStatus
from mobius_tui.manage.errors import ManageError
from mobius_tui.manage.models import Invoice
from mobius_tui.service import events as ev
from mobius_tui.service.context import Context
from mobius_tui.service.dates import start_date
from mobius_tui.service.events import Emit, Outcome
from mobius_tui.service.journal import new_run_id
from mobius_tui.service.lock import current_user
from mobius_tui.service.reports import PaymentAction, PaymentResult, StartChoice, SyncReport, by_currency
from mobius_tui.service.wording import format_totals

ZERO = Decimal(0)


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
    """The invoice's ISO code as the documents carry it: "" for the company's home currency."""
    code = (status.currency or "").strip()
    return "" if home_currency and code.upper() == home_currency.upper() else code


def payment_day(status: PaymentStatus) -> date | None:
    """Manage shows "Date Paid" only for invoices paid in full; otherwise the latest payment counts."""
    if status.fully_paid and status.date_paid_in_full is not None:
        return status.date_paid_in_full
    return status.last_payment_date or status.date_paid_in_full


async def sync_payments(ctx: Context, choice: StartChoice, emit: Emit, custom: date | None = None,
                        today: date | None = None) -> SyncReport:
    today = today or date.today()
    run_id = new_run_id()
    log = ctx.runlog(emit, run_id, write=True)
    user, machine, site, company = current_user(), socket.gethostname(), ctx.profile.site, ctx.profile.company_id
    try:
        last = ctx.journal.last_payment_sync(user, machine, site, company)
        since = start_date(choice, today, last_success=last, custom=custom)
        log(ev.Started(run_id, "sync-payments", f"payments changed since {since}"))
        with ctx.lock("sync-payments"):
            results = await _sync(ctx, since, today, log)
        failed = [r for r in results if r.action == PaymentAction.FAILED]
        advanced = not failed
        if advanced:
            ctx.journal.set_last_payment_sync(user, machine, site, company, today)
        counts = {a.value: sum(1 for r in results if r.action == a) for a in PaymentAction}
        counts["invoices"] = len(results)
        done = len(results) - len(failed)
        outcome = Outcome.SUCCESS if not failed else (Outcome.PARTIAL if done else Outcome.FAILED)
        summary = (f"{len(results)} invoices changed since {since}: {counts['created'] + counts['updated']} updated in Manage, "
                   f"{counts['unchanged']} already right, {counts['unknown']} unknown to Manage, {counts['failed']} failed")
        if not advanced:
            summary += "; the last successful run date was kept"
        set_in_manage = (PaymentAction.CREATED, PaymentAction.UPDATED)
        totals = {"paid": by_currency((r.currency, r.amount) for r in results if r.action in set_in_manage)}
        log(ev.Finished(outcome, summary, counts, totals))
        return SyncReport(run_id, outcome, summary, since, results, advanced, list(log.lines), list(log.errors),
                          log.path, log.errors_path(), totals)
    finally:
        log.close()


async def _sync(ctx: Context, since: date, today: date, log) -> list[PaymentResult]:
    log(ev.Progress("payments", 0, 1))
    statuses = await ctx.adapter.payments_since(since)
    log(ev.LogLine(f"the package reports {len(statuses)} invoices with payments changed since {since}"))
    added, manage_prefix = _prefixes(ctx)
    candidates = {s.document_number: manage_numbers(s.document_number, added, manage_prefix) for s in statuses}
    wanted = sorted({n for numbers in candidates.values() for n in numbers})
    found: dict[str, list[Invoice]] = {}
    for invoice in await ctx.manage.invoices_by_number(wanted) if wanted else []:
        found.setdefault(invoice.invoiceNumber or "", []).append(invoice)
    home = str(ctx.profile.plan_options.get("home_currency") or "")
    results: list[PaymentResult] = []
    for i, status in enumerate(statuses, 1):
        result = await _one(ctx, status, candidates[status.document_number], found, today, log)
        results.append(replace(result, currency=payment_currency(status, home)))
        log(ev.Progress("payments", i, len(statuses)))
    return results


async def _one(ctx: Context, status: PaymentStatus, numbers: list[str], found: dict[str, list[Invoice]],
               today: date, log) -> PaymentResult:
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
    paid_on = payment_day(status) or today
    try:
        current = await ctx.manage.invoice_payments(int(invoice.id))
        total = sum((p.amount or ZERO for p in current), ZERO)
        same_day = len(current) == 1 and current[0].paymentDate is not None and current[0].paymentDate.date() == paid_on
        if (not current and status.paid == 0) or (len(current) == 1 and total == status.paid and same_day):
            return PaymentResult(status.document_number, number, PaymentAction.UNCHANGED, status.paid, paid_on)
        await ctx.manage.set_invoice_payment(int(invoice.id), status.paid, paid_on)
    except ManageError as exc:
        log(ev.LogLine(f"invoice {number}: Manage refused the payment update ({exc})", ev.Level.ERROR))
        return PaymentResult(status.document_number, number, PaymentAction.FAILED, status.paid, paid_on, str(exc))
    action = PaymentAction.UPDATED if current else PaymentAction.CREATED
    in_full = " (paid in full)" if status.fully_paid else ""
    log(ev.LogLine(f"invoice {number}: paid {format_totals({status.currency: status.paid})} on {paid_on}{in_full}"))
    return PaymentResult(status.document_number, number, action, status.paid, paid_on)
