"""Document labels in sentences: the one place the screens and the command line shape them.

A label ("invoice INV10001", from ``Origin.label()``) is data and stays lower-case, so it reads
well inside a sentence; where it opens a sentence or a list line it is capitalised here.
"""

from __future__ import annotations

from collections.abc import Sequence


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case, the rest untouched ("invoice INV1" → "Invoice INV1")."""
    return text[:1].upper() + text[1:]


def label_list(labels: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` labels as a line of their own: "Invoice 10452, invoice 10453 and 4 more"."""
    shown = ", ".join(labels[:limit])
    more = len(labels) - limit
    return capitalised(shown) + (f" and {more} more" if more > 0 else "")
