"""Document labels and money in sentences: the one place the screens and the command line shape them.

A label ("invoice INV10001", from ``Origin.label()``) is data and stays lower-case, so it reads
well inside a sentence; where it opens a sentence or a list line it is capitalised here. Amounts
in different currencies are never added together, so a total is shown as one figure per currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case, the rest untouched ("invoice INV1" → "Invoice INV1")."""
    return text[:1].upper() + text[1:]


def label_list(labels: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` labels as a line of their own: "Invoice 10452, invoice 10453 and 4 more"."""
    shown = ", ".join(labels[:limit])
    more = len(labels) - limit
    return capitalised(shown) + (f" and {more} more" if more > 0 else "")


NOTHING = "nothing"


def format_money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def currency_order(code: str) -> tuple[bool, str]:
    """The company's own currency ("") first, then by ISO code."""
    return (code != "", code)


def format_totals(totals: Mapping[str, Decimal]) -> str:
    """One amount per currency, never added across currencies: "300,000.00 CAD · 23,252.83 USD".
    An amount in the company's own currency ("") has no code (the reports name it where the package
    says which it is); no amounts at all is "nothing", never a figure without a currency."""
    if not totals:
        return NOTHING
    return " · ".join(format_money(totals[c]) + (f" {c}" if c else "") for c in sorted(totals, key=currency_order))


def counted(n: int, noun: str, plural: str = "") -> str:
    """"1 document", "3 documents", "1 problem in 1 group": the count with its noun agreeing."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
