"""A dry run's plan as plain lines: documents with their postings, then accounts, taxes, totals."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from mobius_tui.service.reports import PlanSummary
from mobius_tui.service.wording import capitalised, counted, currency_order, format_money, format_totals


def _amount_lines(heading: str, amounts: Mapping[str, Mapping[str, Decimal]]) -> list[str]:
    """One line per key and currency: a net of two currencies is two lines, never one sum."""
    lines = [heading]
    for key in sorted(amounts):
        for currency in sorted(amounts[key], key=currency_order):
            lines.append(f"  {key:<20} {format_money(amounts[key][currency]):>16} {currency}".rstrip())
    return lines


def plan_lines(plan: PlanSummary, *, check_failed: bool = False) -> list[str]:
    """``check_failed``: the check found problems, so none of it would be posted (Problems says why)."""
    documents = counted(len(plan.documents), "document")
    if check_failed:
        lines = [f"{documents} planned, but none would be posted: the check failed (see Problems)."]
    else:
        lines = [f"{documents} would be posted."]
    lines.append(f"Total: {format_totals(plan.grand_totals())} (credit memos count negative)")
    for kind, totals in plan.totals.items():
        lines.append(f"  {kind.replace('_', ' ')}: {format_totals(totals)}")
    # Which of these the package lacks (and will create, or refuses) is on the Problems tab.
    for what, names in (("Customers", plan.customers), ("Vendors", plan.vendors), ("Items", plan.items)):
        if names:
            lines.append(f"{what} in this batch: {', '.join(names)}")
    lines.append("")
    lines += _amount_lines("Accounts (debit +, credit -):", plan.accounts)
    if plan.taxes:
        lines += _amount_lines("Taxes:", plan.taxes)
    lines.append("")
    lines.append("Documents:")
    for doc in plan.documents:
        code = f" {doc.currency}" if doc.currency else ""
        lines.append(f"{capitalised(doc.label)} · {doc.kind.replace('_', ' ')} {doc.number} · {doc.date} · {doc.party} · "
                     f"{format_money(doc.total)}{code}")
        for line in doc.lines:
            lines.append(f"    {line.account:<20} {format_money(line.amount):>14}{code}  {line.description[:60]}".rstrip())
        for tax, amount in doc.taxes:
            lines.append(f"    tax {tax:<16} {format_money(amount):>14}{code}")
    return lines
