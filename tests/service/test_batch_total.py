"""One batch total everywhere: a credit memo counts negative and is named a credit memo, in the plan,
the report, the events and the JSON, and agrees with the Run New Batch table's net."""

from __future__ import annotations

from datetime import date

from mobius_tui.service.events import DocumentPosted, Outcome
from mobius_tui.service.options import ExportOptions
from mobius_tui.service.reports import by_currency

THRU = date.today()


async def test_credit_memos_are_negative_and_named_as_such_in_every_total(manage_sandbox, new_env):
    env = new_env(manage_sandbox, "sqlite")
    async with await env.session() as session:
        rows = (await session.unposted(None, THRU)).invoices
        credits = [r for r in rows if r.detail == "CreditMemo"]
        assert credits and all(r.amount < 0 for r in credits)  # as Manage lists them
        net = by_currency((r.currency, r.amount) for r in rows)
        options = ExportOptions(thru_date=THRU, invoices=True, batch_number="20250101JD-I")
        planned = await session.run_export(options, env.emit, dry_run=True)
        assert planned.plan.grand_totals() == net == planned.totals["documents"]
        memo_docs = [d for d in planned.plan.documents if d.kind == "credit_memo"]
        assert {d.number for d in memo_docs} >= {r.number for r in credits}
        assert all(d.total < 0 and d.label.startswith("credit memo ") for d in memo_docs)
        report = await session.run_export(options, env.emit)
    assert report.outcome == Outcome.SUCCESS, report.summary
    assert report.totals["posted"] == report.totals["documents"] == net
    posted = {e.label: e for e in env.events if isinstance(e, DocumentPosted)}
    for row in credits:
        event = posted[f"credit memo {row.number}"]
        assert event.amount == row.amount < 0
    assert report.to_json()["totals"]["posted"] == {c: str(a) for c, a in net.items()}
