"""Products Manage has and SL has not, from a GLExport the Manage sandbox produced: created as SL items
(stock, non-stock, service) before the documents that use them, with a notice in the check."""

from __future__ import annotations

from mobius_tui.accounting.base import Severity
from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.documents.model import InventoryAdjustment, InventoryTransfer, ItemType, PurchaseDocument, SalesDocument

from .manage_plans import manage_plan


def _one_of_each_type(plan) -> dict[str, str]:
    """Item code per Manage product type, among the items the plan's documents use."""
    chosen: dict[str, str] = {}
    for doc in plan.documents:
        if isinstance(doc, SalesDocument | PurchaseDocument):
            for line in doc.lines:
                if line.item is not None and line.item.item_type in ItemType:
                    chosen.setdefault(line.item.item_type, line.item.code)
    return chosen


def _sites_of(plan, code: str) -> set[str]:
    sites = set()
    for doc in plan.documents:
        if isinstance(doc, SalesDocument | PurchaseDocument):
            sites |= {ln.item.location_xref for ln in doc.lines if ln.item and ln.item.code == code}
        elif isinstance(doc, InventoryTransfer):
            sites |= {s for ln in doc.lines if ln.item.code == code for s in (ln.from_location, ln.to_location)}
        elif isinstance(doc, InventoryAdjustment):
            sites |= {ln.item.location_xref for ln in doc.lines if ln.item.code == code and ln.item.location_xref}
    return sites - {""}


async def test_new_products_are_created_as_sl_items_before_their_documents(manage_sandbox, manage_company):
    plan = manage_plan(manage_sandbox, invoices=True, products=True)
    chosen = _one_of_each_type(plan)
    assert set(chosen) == set(ItemType), chosen  # the dataset uses every product type
    with manage_company.session() as s:  # products Manage has and SL has not
        for code in chosen.values():
            s.execute("DELETE FROM ItemSite WHERE InvtID = ?", code)
            s.execute("DELETE FROM Inventory WHERE InvtID = ?", code)
        s.commit()
    async with DynamicsSL(manage_company.settings) as sl:
        ref = await sl.reference()
        problems = sl.check(plan, ref)
        assert [p.message() for p in problems if p.blocking] == []
        notices = {p.cause for p in problems if p.severity == Severity.NOTICE}
        part, other = chosen[ItemType.INVENTORY_PART], chosen[ItemType.NON_INVENTORY_PART]
        assert f"Item {part} will be created as a stock item (Manage inventory part)" in notices
        assert f"Item {other} will be created as a non-stock item (Manage non-inventory part)" in notices
        assert f"Item {chosen[ItemType.SERVICE]} will be created as a non-stock service item (Manage service)" in notices
        assert f"Item {chosen[ItemType.OTHER_CHARGE]} will be created as a non-stock item (Manage other charge)" in notices
        results = [r async for r in sl.post(plan, plan.documents, ref)]
        assert all(r.posted for r in results), [r.error for r in results if not r.posted]
        assert (await sl.existing(plan.documents)).found.keys() == {d.key for d in plan.documents}
    with manage_company.session() as s:
        items = {r["invtid"]: r for r in s.rows("SELECT * FROM Inventory WHERE Crtd_Prog = '10250'")}
        assert set(items) == set(chosen.values())
        stock = items[part]
        assert (int(stock["stkitem"]), stock["valmthd"], stock["lotsertrack"], stock["transtatuscode"]) == (1, "A", "NN", "AC")
        assert stock["stkunit"] == stock["dfltsounit"] == stock["dfltpounit"] == "Each"
        assert (stock["invtacct"], stock["cogsacct"]) == ("1300", "5100")
        assert {r["siteid"] for r in s.rows("SELECT SiteID FROM ItemSite WHERE InvtID = ?", part)} == _sites_of(plan, part)
        assert stock["dfltsite"] in _sites_of(plan, part)
        for code in set(chosen.values()) - {part}:
            assert int(items[code]["stkitem"]) == 0 and items[code]["valmthd"] == "U"
            assert s.scalar("SELECT COUNT(*) FROM ItemSite WHERE InvtID = ?", code) == 0
        assert items[other]["stkunit"] == "Month"
        # units SL has no global conversion of get one of the item's own
        units = {(r["invtid"], r["fromunit"], r["tounit"]) for r in s.rows("SELECT * FROM INUnit WHERE UnitType = '3'")}
        assert (part, "Each", "Each") in units and (other, "Month", "Month") in units
        # the documents use them: an invoice line and a receipt line of the new stock item
        assert s.scalar("SELECT COUNT(*) FROM ARTran WHERE InvtId = ?", part) > 0
        assert s.scalar("SELECT COUNT(*) FROM APTran WHERE InvtID = ?", part) > 0
