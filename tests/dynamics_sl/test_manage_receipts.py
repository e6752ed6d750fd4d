"""Receipts numbered by PO, from a GLExport the Manage sandbox produced, into a sandbox SL company:
each receipt of one purchase order is a voucher of its own, and only a true duplicate is skipped."""

from __future__ import annotations

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.documents.model import DocumentKind

from .manage_plans import manage_plan, receipts_on_one_po


async def _post(sl, plan, documents):
    ref = await sl.reference()
    blocking = [p.message() for p in sl.check(plan, ref) if p.blocking]
    assert blocking == []
    return [r async for r in sl.post(plan, documents, ref)]


async def test_two_receipts_on_one_po_are_two_vouchers_and_a_rerun_finds_each(manage_sandbox, manage_company):
    first, second = receipts_on_one_po(manage_sandbox.store.dataset)
    assert first.po_number == second.po_number
    async with DynamicsSL(manage_company.settings) as sl:
        # a first run takes the PO's first receipt only
        alone = manage_plan(manage_sandbox, product_ids=[first.unposted_product_id])
        assert [r.posted for r in await _post(sl, alone, alone.documents)] == [True]
        # a later run has both: the second is a document of its own and not taken for the first
        both = manage_plan(manage_sandbox, product_ids=[first.unposted_product_id, second.unposted_product_id])
        assert both.issues == []
        receipts = both.by_kind(DocumentKind.ITEM_RECEIPT)
        assert len(receipts) == 2 and len({d.key for d in receipts}) == 2
        assert {d.po_number for d in receipts} == {first.po_number}
        found = (await sl.existing(receipts)).found
        (duplicate,) = [d for d in receipts if d.key in found]  # the true duplicate, and only it
        assert duplicate.origin.record_id == first.unposted_product_id
        new = [d for d in receipts if d.key not in found]
        assert [r.posted for r in await _post(sl, both, new)] == [True]
        # run again: both are recognised, each as its own voucher
        again = (await sl.existing(receipts)).found
        assert set(again) == {d.key for d in receipts} and len(set(again.values())) == 2
    with manage_company.session() as s:
        vouchers = s.rows("SELECT RefNbr, InvcNbr, PONbr FROM APDoc WHERE PONbr = ?", first.po_number)
        assert len(vouchers) == 2 and len({v["invcnbr"] for v in vouchers}) == 2
