"""What a user chooses for a new batch (the "Run New Batch" screen and the ``export`` command)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from mobius_tui.documents.model import RecordKind

BATCH_NUMBER_MAX = 50  # Manage's batchIdentifier limit


class InvoiceDetail(StrEnum):
    """How much of each invoice line reaches the package (Manage's ``summarizeInvoices``)."""

    DEFAULT = "Default"
    CONDENSED = "Condensed"
    DETAILED = "Detailed"


# Batch suffix per record kind, as the batch numbering convention uses them (P = procurement).
KIND_SUFFIX = {RecordKind.INVOICE: "I", RecordKind.EXPENSE: "E", RecordKind.PROCUREMENT: "P"}


@dataclass
class Selection:
    """Explicit ids for one record kind; empty lists mean "everything eligible"."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


@dataclass
class ExportOptions:
    thru_date: date
    location_id: int | None = None  # None: all locations
    invoices: bool = True
    invoice_detail: InvoiceDetail = InvoiceDetail.DEFAULT
    expenses: bool = False
    inventory: bool = False
    # Keys are RecordKind values. Invoice and expense ids are Manage's unposted ids (as text);
    # procurement ids are ``unpostedProductId`` strings such as "3-PO123-purchase".
    selections: dict[RecordKind, Selection] = field(default_factory=dict)
    batch_number: str = ""
    force: bool = False  # post documents the package already holds (the duplicate guard lists them)

    def kinds(self) -> list[RecordKind]:
        chosen = [(RecordKind.INVOICE, self.invoices), (RecordKind.EXPENSE, self.expenses), (RecordKind.PROCUREMENT, self.inventory)]
        return [kind for kind, on in chosen if on]

    def selection(self, kind: RecordKind) -> Selection:
        return self.selections.get(kind) or Selection()


class BatchNumberError(ValueError):
    """The batch number cannot be used; the message says why and what to type instead."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def validate_batch_number(text: str) -> str:
    """The batch number as it will be sent, or :class:`BatchNumberError`."""
    number = (text or "").strip()
    if not number:
        raise BatchNumberError(
            "A batch number is required. Type one in the Batch Number field (or --batch-number), "
            "for example the suggested date + initials + -I/-E/-P."
        )
    if len(number) > BATCH_NUMBER_MAX:
        raise BatchNumberError(
            f"The batch number {number[:20]!r}… is {len(number)} characters long; Manage accepts at most "
            f"{BATCH_NUMBER_MAX}. Shorten it."
        )
    if _CONTROL.search(number):
        raise BatchNumberError("The batch number contains control characters. Use letters, digits and dashes.")
    return number


def suggest_batch_number(options: ExportOptions, initials: str, today: date, taken: set[str] = frozenset()) -> str:
    """Date + initials + kind suffix (``20130101JD-I``); ``-1``, ``-2`` … appended while ``taken`` has it.

    Several kinds in one batch get their suffixes joined (``-IE``); no kind chosen gets no suffix.
    """
    clean = re.sub(r"[^A-Za-z0-9]", "", initials or "").upper()
    suffix = "".join(KIND_SUFFIX[kind] for kind in options.kinds())
    base = f"{today:%Y%m%d}{clean}" + (f"-{suffix}" if suffix else "")
    base = base[:BATCH_NUMBER_MAX]
    if base not in taken:
        return base
    n = 1
    while True:
        tail = f"-{n}"
        candidate = base[: BATCH_NUMBER_MAX - len(tail)] + tail
        if candidate not in taken:
            return candidate
        n += 1
