"""Document numbers: what each document is called in the package, and the GL entry id lists.

The number is the document's identity in the package (duplicate guard, reruns, payment sync),
so every rule here is a pure function of the Manage record: the same record always gets the
same number.
"""

from __future__ import annotations

import re
from enum import StrEnum


class PurchaseNumberSource(StrEnum):
    """Which Manage field numbers an item receipt in the package."""

    PO_NUMBER = "po_number"  # the default: the PO number; the vendor invoice number is kept alongside
    VENDOR_INVOICE_NUMBER = "vendor_invoice_number"  # every receipt must then carry one


def sales_number(manage_number: str, strip_prefix: str = "", add_prefix: str = "") -> str:
    """Invoice / credit memo number in the package.

    ``strip_prefix``: a prefix Manage's billing setup adds that the package must not see.
    ``add_prefix``: a prefix the package needs (e.g. a non-numeric one) that Manage does not add;
    not added twice when the number already carries it.
    """
    number = manage_number
    if strip_prefix and number.startswith(strip_prefix) and len(number) > len(strip_prefix):
        number = number[len(strip_prefix) :]
    if add_prefix and not number.startswith(add_prefix):
        number = add_prefix + number
    return number


def purchase_number(po_number: str, vendor_invoice_number: str, source: PurchaseNumberSource,
                    packing_slip: str = "") -> str:
    """Item receipt number; ``""`` when the chosen field is empty (the caller reports it).

    Numbered by PO, each receipt of a purchase order must still be a document of its own, under a
    number that is the same every time the same receipt is exported (so the duplicate guard knows
    it again) and that no other receipt gets. Manage itself tells the receipts of one PO apart by
    their packing slip (a purchase transaction is "PO #X, Packing Slip: Y"), so the packing slip is
    what distinguishes them here: the PO number alone when the packing slip is blank or repeats it
    (a PO received once, and every receipt numbered before this rule), else PO number + "-" +
    packing slip (or the packing slip alone when it already starts with the PO number).
    """
    if source == PurchaseNumberSource.VENDOR_INVOICE_NUMBER:
        return vendor_invoice_number
    slip = packing_slip.strip()
    if not po_number or not slip or slip.upper() == po_number.upper():
        return po_number
    if slip.upper().startswith(po_number.upper()):
        return slip
    return f"{po_number}-{slip}"


def expense_number(expense_id: int | None) -> str:
    """Journal expenses have no document number in Manage: the expense entry id names them."""
    return "" if expense_id is None else f"E{expense_id}"


_PROCUREMENT_ID = re.compile(r"^\s*(\d+)-(?:.*-)?(adjustment|transfer)\s*$", re.IGNORECASE)
_PROCUREMENT_PREFIX = {"adjustment": "ADJ", "transfer": "TRF"}


def procurement_number(unposted_product_id: str) -> str:
    """``"12-adjustment"`` → ``"ADJ12"``, ``"7-transfer"`` → ``"TRF7"``; other ids as sent.

    Short enough for the tightest reference field among the packages (ten characters).
    """
    match = _PROCUREMENT_ID.match(unposted_product_id)
    if not match:
        return unposted_product_id.strip()
    return _PROCUREMENT_PREFIX[match.group(2).lower()] + match.group(1)


def parse_entry_ids(value: str | None) -> tuple[int, ...]:
    """GLExport ``glEntryIds``: ``"1010,1011,1012"``; blank gives ``()``.

    Raises ValueError naming the bad element, so the caller can report the record.
    """
    if value is None or not value.strip():
        return ()
    out: list[int] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"{part!r} is not a GL entry id")
        out.append(int(part))
    return tuple(out)
