"""Reading Manage's wire values into what documents hold: cents, quantities, dates, item types.

Manage computes in floating point, so its amounts can arrive as ``10.000000000001``; money is
rounded half-up to the cent and quantities to six places before anything is compared.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mobius_tui.documents.model import CENT, ItemType

_QUANTITY_STEP = Decimal("0.000001")
_PRICE_STEP = Decimal("0.0001")


def money(value: Decimal | int | str | None) -> Decimal | None:
    """Cents, half-up; ``None`` stays ``None`` (the caller decides whether that is a problem)."""
    if value is None:
        return None
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def _tidy(value: Decimal, step: Decimal) -> Decimal:
    q = value.quantize(step, rounding=ROUND_HALF_UP)
    if q == q.to_integral_value():
        return q.quantize(Decimal(1))
    return q.normalize()


def quantity(value: Decimal | int | str | None, default: Decimal = Decimal(1)) -> Decimal:
    if value is None:
        return default
    return _tidy(Decimal(value), _QUANTITY_STEP)


def rate(value: Decimal | int | str | None) -> Decimal:
    """A tax rate as a fraction (0.05), rounded to six places."""
    return Decimal(0) if value is None else _tidy(Decimal(value), _QUANTITY_STEP)


def unit_price(amount: Decimal, qty: Decimal, listed: Decimal | None) -> Decimal:
    """The listed price when it reproduces the line amount, otherwise amount / quantity."""
    if qty == 0:
        return amount
    if listed is not None and money(abs(listed) * qty) == amount:
        return _tidy(abs(listed), _PRICE_STEP)
    return _tidy(amount / qty, _PRICE_STEP)


def signed_like(qty: Decimal, amount: Decimal) -> Decimal:
    """``qty``'s size with ``amount``'s sign (a quantity of a zero line is positive).

    Manage's detail quantities follow the credit sign of the detail totals; documents want the
    quantity in the same direction as the line amount.
    """
    size = abs(qty)
    return -size if amount < 0 else size


def parse_date(value: str | None) -> date | None:
    """Manage sends ``2025-04-25T00:00:00Z`` (or without the ``Z``, or a bare date); the calendar
    day is what it means, so no time-zone conversion."""
    if not value:
        return None
    text_value = value.strip()
    try:
        return datetime.fromisoformat(text_value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(text_value[:10])
        except ValueError:
            return None


def text(value: object) -> str:
    return "" if value is None else str(value).strip()


def first(*values: object) -> str:
    """The first non-blank of ``values``, stripped."""
    for value in values:
        if t := text(value):
            return t
    return ""


_ITEM_TYPES = {t.value.replace(" ", "").replace("-", "").lower(): t for t in ItemType}


def item_type(value: str | None) -> ItemType | str:
    """GLExport spells type xrefs for display (``Inventory Part``); the setup table spells them
    ``InventoryPart``. Both give the enum; anything else is kept as sent."""
    raw = text(value)
    return _ITEM_TYPES.get(raw.replace(" ", "").replace("-", "").replace("_", "").lower(), raw)
