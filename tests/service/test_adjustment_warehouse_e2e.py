"""A new inventory batch through the service: adjustment lines, which Manage's GLExport leaves without a
warehouse, post at Manage's default warehouse (read from Manage by the run), not the item's SL default site."""

from __future__ import annotations

from datetime import date

from mobius_tui.documents.model import RecordKind
from mobius_tui.service.events import Outcome
from mobius_tui.service.options import ExportOptions, Selection


async def test_adjustments_post_at_the_warehouse_manage_flags_as_default(manage_sandbox, new_env):
    env = new_env(manage_sandbox, "sqlite")
    default = next(w for w in manage_sandbox.store.dataset.warehouses if w.id == 1)
    other = next(w for w in manage_sandbox.store.dataset.warehouses if w.id != 1)
    with env.sl() as s:
        assert s.execute("UPDATE Inventory SET DfltSite = ? WHERE StkItem = 1", other.location_xref) > 0
        s.commit()
    adjustments = [p.unposted_product_id for p in manage_sandbox.store.dataset.procurements if p.type == "Adjustment"]
    options = ExportOptions(thru_date=date.today(), invoices=False, inventory=True, batch_number="20250101JD-P",
                            selections={RecordKind.PROCUREMENT: Selection(include=adjustments)})
    async with await env.session() as session:
        report = await session.run_export(options, env.emit)
    problems = [e for e in env.events if e.type == "check_failed"]
    assert report.outcome == Outcome.SUCCESS, (report.summary, problems)
    assert any(r.key.startswith("inventory_adjustment:") for r in report.posted)
    with env.sl() as s:
        sites = {r["siteid"] for r in s.rows("SELECT SiteID FROM INTran WHERE TranType = 'AJ'")}
    assert sites == {default.location_xref}
