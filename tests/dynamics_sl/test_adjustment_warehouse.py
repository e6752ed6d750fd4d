"""Dynamics SL adjustments from a Manage GLExport go to Manage's warehouse, not the item's SL default site."""

from __future__ import annotations

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.documents.model import DocumentKind
from mobius_tui.sandbox.manage.harness import running_manage_sandbox
from tests.dynamics_sl.fixtures import fresh_company
from tests.sage300.from_manage import manage_plan, only


@pytest.mark.parametrize("engine", ["sqlite"])
async def test_adjustments_post_at_the_manage_default_warehouse(templates, tmp_path, engine: str) -> None:
    with running_manage_sandbox() as manage:
        plan = only(manage_plan(manage, invoices=False, expenses=False), DocumentKind.INVENTORY_ADJUSTMENT)
        default = next(w for w in manage.store.dataset.warehouses if w.id == 1)
        company = fresh_company(templates, engine, tmp_path, manage.store.dataset, include_missing=True)
    other = next(w for w in manage.store.dataset.warehouses if w.id != 1).location_xref
    with company.session() as s:
        assert s.execute("UPDATE Inventory SET DfltSite = ? WHERE StkItem = 1", other) > 0
        s.commit()
    assert plan.documents
    async with DynamicsSL(company.settings) as sl:
        ref = await sl.reference()
        assert [p.message() for p in sl.check(plan, ref) if p.blocking] == []
        results = [r async for r in sl.post(plan, plan.documents, ref)]
    assert results and all(r.posted for r in results), results
    with company.session() as s:
        sites = {r["siteid"] for r in s.rows("SELECT SiteID FROM INTran WHERE TranType = 'AJ'")}
    assert sites == {default.location_xref}
