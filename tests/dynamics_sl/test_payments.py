"""Payment sync end to end: post, release in the sandbox, apply payments, read them back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from mobius_tui.sandbox.dynamics_sl import ReleaseError, apply_payment, release_batch

from . import docs


async def _post_and_release(sl, company, *invoices):
    ref = await sl.reference()
    plan = docs.plan(*invoices)
    results = [r async for r in sl.post(plan, plan.documents, ref)]
    assert all(r.posted for r in results)
    batch = results[0].reference.split()[2]
    with company.session() as s:
        release_batch(s, "AR", batch, when=datetime(2025, 5, 20, 9, 0))
    return batch


async def test_partial_then_full_payment(sl, company):
    inv = docs.invoice("INV20001")
    await _post_and_release(sl, company, inv)
    total = inv.document_total
    with company.session() as s:
        apply_payment(s, docs.CUSTOMER, "INV20001", D("1000.00"), date(2025, 6, 2), when=datetime(2025, 6, 2, 10))
    [status] = await sl.payments_since(date(2025, 6, 1))
    assert (status.document_number, status.total, status.paid, status.balance) == (
        "INV20001", total, D("1000.00"), total - D("1000.00"))
    assert status.date_paid_in_full is None and status.last_payment_date == date(2025, 6, 2)

    with company.session() as s:
        apply_payment(s, docs.CUSTOMER, "INV20001", total - D("1000.00"), date(2025, 6, 9),
                      when=datetime(2025, 6, 9, 10))
    [status] = await sl.payments_since(date(2025, 6, 5))
    assert status.paid == total and status.balance == 0 and status.fully_paid
    assert status.date_paid_in_full == date(2025, 6, 9)
    # Asking again changes nothing.
    assert await sl.payments_since(date(2025, 6, 5)) == [status]
    with company.session() as s:
        row = s.one("SELECT OpenDoc, PerClosed FROM ARDoc WHERE RefNbr = 'INV20001'")
        assert (int(row["opendoc"]), row["perclosed"]) == (0, "202506")
        assert s.scalar("SELECT COUNT(*) FROM ARAdjust WHERE AdjdRefNbr = 'INV20001'") == 2


async def test_only_invoices_changed_since_the_date_are_reported(sl, company):
    await _post_and_release(sl, company, docs.invoice("INV20001"), docs.invoice("INV20002"))
    with company.session() as s:
        apply_payment(s, docs.CUSTOMER, "INV20002", D("10.00"), date(2025, 6, 20), when=datetime(2025, 6, 20, 8))
    assert [p.document_number for p in await sl.payments_since(date(2025, 6, 15))] == ["INV20002"]
    assert [p.document_number for p in await sl.payments_since(date(2025, 5, 1))] == ["INV20001", "INV20002"]


async def test_unreleased_invoices_have_no_payments_and_cannot_be_paid(sl, company):
    ref = await sl.reference()
    plan = docs.plan(docs.invoice("INV20001"))
    [_ async for _ in sl.post(plan, plan.documents, ref)]
    assert await sl.payments_since(date(2025, 1, 1)) == []
    with company.session() as s, pytest.raises(ReleaseError, match="not released"):
        apply_payment(s, docs.CUSTOMER, "INV20001", D("1.00"), date(2025, 6, 2))


async def test_release_refuses_a_batch_whose_total_differs_from_its_documents(sl, company):
    ref = await sl.reference()
    plan = docs.plan(docs.invoice("INV20001"))
    [result] = [r async for r in sl.post(plan, plan.documents, ref)]
    batch = result.reference.split()[2]
    with company.session() as s:
        s.execute("UPDATE Batch SET CuryCrTot = CuryCrTot + 1 WHERE Module = 'AR' AND BatNbr = ?", batch)
        s.commit()
        with pytest.raises(ReleaseError, match="differs from its documents"):
            release_batch(s, "AR", batch)
