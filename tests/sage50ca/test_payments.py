"""Seed 003: payment status of invoices read from the customer transaction tables, for invoices whose
payments changed since a date; partly paid invoices carry no paid-in-full date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.documents.model import DocumentKind
from mobius_tui.sandbox.sage50ca.operations import receive_payment, reverse_payment


async def test_payments_since_a_date(settings, company, plan) -> None:
    full, partial, reversed_, untouched = [d for d in plan.by_kind(DocumentKind.SALES_INVOICE) if not d.currency][:4]
    async with Sage50(settings) as s50:
        ref = await s50.reference()
        results = [r async for r in s50.post(plan, [full, partial, reversed_, untouched], ref)]
        assert all(r.posted for r in results)
        half = (full.total / 2).quantize(Decimal("0.01"))
        receive_payment(company, full.number, half, date(2025, 7, 2))
        receive_payment(company, full.number, full.total - half, date(2025, 7, 9))
        receive_payment(company, partial.number, Decimal("100.00"), date(2025, 7, 5))
        cheque = receive_payment(company, reversed_.number, reversed_.total, date(2025, 7, 6))
        reverse_payment(company, cheque)
        first = {p.document_number: p for p in await s50.payments_since(date(2025, 7, 1))}
        second = {p.document_number: p for p in await s50.payments_since(date(2025, 7, 1))}
        later = {p.document_number for p in await s50.payments_since(date(2025, 7, 8))}
    assert first == second  # reading twice changes nothing
    assert set(first) == {full.number, partial.number, reversed_.number}
    paid = first[full.number]
    assert (paid.total, paid.paid, paid.balance, paid.date_paid_in_full) == \
        (full.total, full.total, Decimal(0), date(2025, 7, 9)) and paid.fully_paid
    part = first[partial.number]
    assert (part.paid, part.balance, part.date_paid_in_full) == \
        (Decimal("100.00"), partial.total - Decimal("100.00"), None)
    undone = first[reversed_.number]
    assert (undone.paid, undone.date_paid_in_full) == (Decimal(0), None)
    assert later == {full.number}
