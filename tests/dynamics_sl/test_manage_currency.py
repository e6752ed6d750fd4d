"""Foreign-currency documents from a GLExport the Manage sandbox produced, into a sandbox SL company:
base-currency amounts that add up, and new vendors created in their own currency."""

from __future__ import annotations

from decimal import Decimal as D

from mobius_tui.accounting.base import Severity
from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.accounting.dynamics_sl.codes import round_money
from mobius_tui.accounting.dynamics_sl.sql import to_decimal

from .manage_plans import manage_plan


async def _post(sl, plan):
    ref = await sl.reference()
    problems = sl.check(plan, ref)
    assert [p.message() for p in problems if p.blocking] == []
    results = [r async for r in sl.post(plan, plan.documents, ref)]
    assert all(r.posted for r in results), [r.error for r in results if not r.posted]
    return problems


def _taxes(row) -> D:
    return sum((to_decimal(row[f"taxtot0{n}"]) for n in range(4)), D(0))


async def test_base_amounts_of_foreign_invoices_and_vouchers_add_up(manage_sandbox, manage_company):
    plan = manage_plan(manage_sandbox, invoices=True, products=True)
    async with DynamicsSL(manage_company.settings) as sl:
        await _post(sl, plan)
    with manage_company.session() as s:
        ar = s.rows("SELECT * FROM ARDoc WHERE CuryId = 'USD'")
        ap = s.rows("SELECT * FROM APDoc WHERE CuryId = 'USD'")
        assert len(ar) >= 5 and ap
        for head in ar:
            lines = s.rows("SELECT TranAmt, CuryTranAmt FROM ARTran WHERE CustId = ? AND TranType = ? AND RefNbr = ?",
                           head["custid"], head["doctype"], head["refnbr"])
            _adds_up(head, lines)
        for head in ap:
            lines = s.rows("SELECT TranAmt, CuryTranAmt FROM APTran WHERE BatNbr = ? AND RefNbr = ?",
                           head["batnbr"], head["refnbr"])
            _adds_up(head, lines)
        for batch in s.rows("SELECT * FROM Batch WHERE CuryId = 'USD' AND Module IN ('AR', 'AP')"):
            table = "ARDoc" if batch["module"] == "AR" else "APDoc"
            total = s.scalar(f"SELECT SUM(OrigDocAmt) FROM {table} WHERE BatNbr = ?", batch["batnbr"])
            assert to_decimal(batch["crtot"]) == to_decimal(total)


def _adds_up(head, lines) -> None:
    rate = D(str(head["curyrate"]))
    name = head["refnbr"]
    # the total is the whole converted at once, as SL's screens keep it...
    assert to_decimal(head["origdocamt"]) == round_money(to_decimal(head["curyorigdocamt"]) * rate), name
    # ...and lines plus taxes make it, in the document's currency and in the base currency alike
    assert sum((to_decimal(ln["curytranamt"]) for ln in lines), D(0)) + sum(
        (to_decimal(head[f"curytaxtot0{n}"]) for n in range(4)), D(0)) == to_decimal(head["curyorigdocamt"]), name
    assert sum((to_decimal(ln["tranamt"]) for ln in lines), D(0)) + _taxes(head) == to_decimal(head["origdocamt"]), name
    # each line stays within a cent or so of its own conversion
    for ln in lines:
        assert abs(to_decimal(ln["tranamt"]) - round_money(to_decimal(ln["curytranamt"]) * rate)) <= D("0.05"), name


async def test_a_new_vendor_is_created_in_the_currency_of_its_documents(manage_sandbox, manage_company):
    usd = [p for p in manage_sandbox.store.dataset.procurements if p.type == "Purchase" and p.currency == "USD"]
    vendor = manage_sandbox.store.dataset.company(usd[0].vendor_company_id).vendor_identifier
    with manage_company.session() as s:  # a vendor Manage has and SL has not
        s.execute("DELETE FROM Vendor WHERE VendId = ?", vendor)
        s.commit()
    plan = manage_plan(manage_sandbox, product_ids=[p.unposted_product_id for p in usd])
    assert plan.documents and {d.currency for d in plan.documents} == {"USD"}
    async with DynamicsSL(manage_company.settings) as sl:
        problems = await _post(sl, plan)
    notices = [p for p in problems if p.severity == Severity.NOTICE and vendor in p.detail]
    assert any("currency of their documents" in p.cause and p.detail.endswith("USD") for p in notices)
    with manage_company.session() as s:
        (row,) = s.rows("SELECT CuryId FROM Vendor WHERE VendId = ?", vendor)
        assert row["curyid"] == "USD"
        assert {r["curyid"] for r in s.rows("SELECT CuryId FROM APDoc WHERE VendId = ?", vendor)} == {"USD"}
