"""A product Manage has and SL has not: the dry run says it will be created, writes nothing; the run
creates it and posts the invoice that uses it (Manage sandbox over HTTP, SL sandbox over ODBC)."""

from __future__ import annotations

from datetime import date

import pytest

from mobius_tui.service.events import Outcome
from mobius_tui.service.options import ExportOptions


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_dry_run_notices_the_new_item_and_the_run_creates_it(manage_sandbox, new_env, engine):
    env = new_env(manage_sandbox, engine, include_missing=False)
    (gap,) = [g for g in manage_sandbox.store.dataset.missing_mappings if g.kind == "item"]
    expected = f"Item {gap.key} will be created as a non-stock item (Manage other charge)"
    async with await env.session() as session:
        dry = await session.run_export(ExportOptions(thru_date=date.today(), invoices=True, batch_number=""),
                                       env.emit, dry_run=True)
        assert dry.outcome == Outcome.SUCCESS, dry.summary
        assert any(g.cause == expected and not g.blocking for g in dry.problems)
        assert any(expected in line for line in dry.log_lines)
        assert env.count("SELECT COUNT(*) FROM Inventory WHERE InvtID = ?", gap.key) == 0  # nothing written
        report = await session.run_export(ExportOptions(thru_date=date.today(), invoices=True,
                                                        batch_number="20250101JD-I"), env.emit)
    assert report.outcome == Outcome.SUCCESS, report.summary
    assert set(gap.documents) <= set(env.ar_documents())
    with env.sl() as s:
        (item,) = s.rows("SELECT * FROM Inventory WHERE InvtID = ?", gap.key)
        assert int(item["stkitem"]) == 0
        assert s.scalar("SELECT COUNT(*) FROM ARTran WHERE InvtId = ?", gap.key) == len(gap.documents)
