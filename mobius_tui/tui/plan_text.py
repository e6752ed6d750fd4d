"""A dry run's plan as plain lines: documents with their postings, then accounts, taxes, totals."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from mobius_tui.service.reports import PlanSummary
from mobius_tui.service.wording import capitalised, currency_order, format_money, format_totals


def _amount_lines(heading: str, amounts: Mapping[str, Mapping[str, Decimal]]) -> list[str]:
    """One line per key and currency: a net of two currencies is two lines, never one sum."""
    lines = [heading]
    for key in sorted(amounts):
        for currency in sorted(amounts[key], key=currency_order):
            lines.append(f"  {key:<20} {format_money(amounts[key][currency]):>16} {currency}".rstrip())
    return lines


def plan_lines(plan: PlanSummary) -> list[str]:
    lines = [f"{len(plan.documents)} document(s) would be posted."]
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
        total = format_money(doc.total) + (f" {doc.currency}" if doc.currency else "")
        lines.append(f"{capitalised(doc.label)} · {doc.kind.replace('_', ' ')} {doc.number} · {doc.date} · {doc.party} · {total}")
        for line in doc.lines:
            lines.append(f"    {line.account:<20} {format_money(line.amount):>14}  {line.description[:60]}")
        for code, amount in doc.taxes:
            lines.append(f"    tax {code:<16} {format_money(amount):>14}")
    return lines
