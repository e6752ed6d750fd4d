"""Receipts numbered by PO, from a GLExport the Manage sandbox produced, into the Sage 300 sandbox:
each receipt of one purchase order is an A/P document of its own, and only a true duplicate is skipped."""

from __future__ import annotations

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.documents.model import DocumentKind
from mobius_tui.sandbox.sage300 import create_sandbox
from tests.dynamics_sl.manage_plans import manage_plan, receipts_on_one_po

from .conftest import TODAY, post_all


async def test_two_receipts_on_one_po_are_two_documents_and_a_rerun_finds_each(manage_sandbox):
    first, second = receipts_on_one_po(manage_sandbox.store.dataset)
    with create_sandbox(manage_sandbox.store.dataset, today=lambda: TODAY) as sandbox:
        async with Sage300(sandbox.settings) as sage:
            ref = await sage.reference()
            alone = manage_plan(manage_sandbox, product_ids=[first.unposted_product_id])
            assert [p.message() for p in sage.check(alone, ref) if p.blocking] == []
            assert [r.posted for r in (await post_all(sage, alone, reference=ref)).values()] == [True]
            # a later run has both: the second is a document of its own and not taken for the first
            both = manage_plan(manage_sandbox, product_ids=[first.unposted_product_id, second.unposted_product_id])
            assert both.issues == []
            receipts = both.by_kind(DocumentKind.ITEM_RECEIPT)
            assert len({d.number for d in receipts}) == 2 and {d.po_number for d in receipts} == {first.po_number}
            assert [p.message() for p in sage.check(both, ref) if p.blocking] == []
            found = (await sage.existing(receipts)).found
            (duplicate,) = [d for d in receipts if d.key in found]  # the true duplicate, and only it
            assert duplicate.origin.record_id == first.unposted_product_id
            new = [d for d in receipts if d.key not in found]
            assert [r.posted for r in (await post_all(sage, both, new, reference=ref)).values()] == [True]
            # run again: both are recognised, each as its own document
            again = (await sage.existing(receipts)).found
            assert set(again) == {d.key for d in receipts} and len(set(again.values())) == 2
