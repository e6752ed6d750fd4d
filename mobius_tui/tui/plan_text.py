"""A dry run's plan as plain lines: documents with their postings, then accounts, taxes, totals."""

from __future__ import annotations

from mobius_tui.service.reports import PlanSummary
from mobius_tui.tui.widgets.selection_table import format_money


def plan_lines(plan: PlanSummary) -> list[str]:
    lines = [f"{len(plan.documents)} document(s) would be posted."]
    for kind, total in plan.totals.items():
        lines.append(f"  {kind.replace('_', ' ')}: {format_money(total)}")
    # Which of these the package lacks (and will create, or refuses) is on the Problems tab.
    for what, names in (("Customers", plan.customers), ("Vendors", plan.vendors), ("Items", plan.items)):
        if names:
            lines.append(f"{what} in this batch: {', '.join(names)}")
    lines.append("")
    lines.append("Accounts (debit +, credit -):")
    for account, amount in sorted(plan.accounts.items()):
        lines.append(f"  {account:<20} {format_money(amount):>16}")
    if plan.taxes:
        lines.append("Taxes:")
        for code, amount in sorted(plan.taxes.items()):
            lines.append(f"  {code:<20} {format_money(amount):>16}")
    lines.append("")
    lines.append("Documents:")
    for doc in plan.documents:
        lines.append(f"{doc.label} · {doc.kind.replace('_', ' ')} {doc.number} · {doc.date} · {doc.party} · {format_money(doc.total)}")
        for line in doc.lines:
            lines.append(f"    {line.account:<20} {format_money(line.amount):>14}  {line.description[:60]}")
        for code, amount in doc.taxes:
            lines.append(f"    tax {code:<16} {format_money(amount):>14}")
    return lines
