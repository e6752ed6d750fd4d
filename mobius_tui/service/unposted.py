"""The rows of the Invoices / Expenses / Inventory tabs and the location choices."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal

from mobius_tui.documents.model import RecordKind
from mobius_tui.manage.client import ManageClient
from mobius_tui.manage.models import UnpostedExpense, UnpostedInvoice, UnpostedProcurement
from mobius_tui.service.reports import LocationChoice, Unposted, UnpostedRow

ZERO = Decimal(0)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _name(ref: object) -> str:
    return (getattr(ref, "name", None) or getattr(ref, "identifier", None) or "") if ref is not None else ""


def _code(ref: object) -> str:
    return (getattr(ref, "currencyCode", None) or "") if ref is not None else ""


def invoice_row(r: UnpostedInvoice) -> UnpostedRow:
    return UnpostedRow(RecordKind.INVOICE, str(r.id), r.invoiceNumber or "", _day(r.invoiceDate), _name(r.company),
                       r.description or "", r.total or ZERO, r.locationId, _code(r.currency), r.invoiceType or "")


def expense_row(r: UnpostedExpense) -> UnpostedRow:
    what = r.chargeDescription or _name(r.expenseType)
    return UnpostedRow(RecordKind.EXPENSE, str(r.id), str(r.expenseDetailId or r.id), _day(r.dateExpense), _name(r.member),
                       what, r.total or ZERO, r.locationId, _code(r.currency), r.classification or "")


def procurement_row(r: UnpostedProcurement) -> UnpostedRow:
    number = _name(r.purchaseOrder) or r.unpostedProductId or str(r.id)
    return UnpostedRow(RecordKind.PROCUREMENT, r.unpostedProductId or str(r.id), number, _day(r.purchaseDate),
                       _name(r.vendor), r.description or "", r.total or ZERO, r.locationId, _code(r.currency),
                       r.procurementType or "")


async def unposted(manage: ManageClient, location_id: int | None, thru: date | None) -> Unposted:
    invoices, expenses, procurement = await asyncio.gather(
        manage.unposted_invoices(location_id=location_id, thru_date=thru),
        manage.unposted_expenses(location_id=location_id, thru_date=thru),
        manage.unposted_procurement(location_id=location_id, thru_date=thru),
    )
    return Unposted(
        invoices=[invoice_row(r) for r in invoices],
        expenses=[expense_row(r) for r in expenses],
        procurement=[procurement_row(r) for r in procurement],
    )


async def locations(manage: ManageClient) -> list[LocationChoice]:
    """Locations with something to post, with how many records wait there, in name order."""
    rows, known = await asyncio.gather(unposted(manage, None, None), manage.locations())
    count: dict[int, int] = {}
    for row in rows.invoices + rows.expenses + rows.procurement:
        if row.location_id is not None:
            count[row.location_id] = count.get(row.location_id, 0) + 1
    names = {loc.id: loc.name for loc in known if loc.id is not None}
    choices = [LocationChoice(loc_id, names.get(loc_id) or f"Location {loc_id}", n) for loc_id, n in count.items()]
    return sorted(choices, key=lambda c: (c.name.casefold(), c.id))
