"""The Dynamics SL check reports a new Manage customer that SL holds under another ID and a near name."""

from __future__ import annotations

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.sandbox.manage.harness import running_manage_sandbox
from tests.dynamics_sl.fixtures import fresh_company
from tests.sage300.from_manage import manage_plan, pick


async def test_new_customer_with_a_near_name_in_sl_is_not_created_silently(templates, tmp_path) -> None:
    with running_manage_sandbox() as manage:
        plan = manage_plan(manage, expenses=False, products=False)
        company = fresh_company(templates, "sqlite", tmp_path, manage.store.dataset)
        missing = next(m for m in manage.store.dataset.missing_mappings if m.kind == "customer")
    with company.session() as s:
        row = s.one("SELECT * FROM Customer")
        assert row is not None
        columns = [c for c in row if c != "tstamp"]
        values = {**row, "custid": "ZEBRE", "name": "ZÈBRE NUMÉRIQUE s.e.n.c."}
        s.execute(f"INSERT INTO Customer ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                  *[values[c] for c in columns])
        s.commit()
    docs = pick(plan, *[d for d in plan.documents if d.number in missing.documents])
    assert docs.documents
    async with DynamicsSL(company.settings) as sl:
        found = sl.check(docs, await sl.reference())
    near = [p for p in found if "nearly the same name" in p.cause]
    assert len(near) == 1 and near[0].blocking, [p.message() for p in found]
    assert "customer ZEBRE" in near[0].fix and "to ZEBRE" in near[0].fix
    assert not any("will be created" in p.cause for p in found)
