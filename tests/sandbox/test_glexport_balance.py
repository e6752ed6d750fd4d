"""Property: every GLExport the sandbox produces balances to the cent, in every section, for every
summarize option and expense mode, over many seeds and sizes; and batching what an export lists
posts exactly those documents."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobius_tui.manage import models as m
from mobius_tui.sandbox.manage.encoding import prune
from mobius_tui.sandbox.manage.store import ManageStore

ZERO = Decimal(0)
CENT = Decimal("0.01")


def assert_balanced(g: m.GLExport) -> None:
    for t in g.transactions or []:
        assert t.total + sum((d.total for d in t.detail or []), ZERO) == 0, t.documentNumber
        assert t.salesTax == sum((d.total for d in t.detail or [] if d.glTypeId == "ST"), ZERO) * -1
        assert (t.total < 0) == (t.documentType == "CREDIT MEMO") or t.total == 0
    for e in g.expenses or []:
        assert e.offset is not None and e.total + e.offset.total == 0
    for b in g.expenseBills or []:
        assert b.total + sum((d.total for d in b.detail or []), ZERO) == 0
    for p in g.purchaseTransactions or []:
        lines = [*(p.purchaseDetail or []), *(p.purchaseDetailTax or [])]
        assert p.total + sum((d.total for d in lines), ZERO) == 0, p.id
    for a in g.adjustmentTransactions or []:
        for d in a.adjustmentDetail or []:
            assert d.total == (Decimal(d.quantity) * d.cost).quantize(CENT)
    for tr in g.inventoryTransfers or []:
        assert tr.offset is not None and tr.total + tr.offset.total == 0
        assert tr.transferFromLocationXref != tr.transferToLocationXref
    for section in (g.transactions, g.expenses, g.expenseBills, g.purchaseTransactions, g.adjustmentTransactions,
                    g.inventoryTransfers):
        for doc in section or []:
            for value in _money(m.to_wire(doc)):
                assert Decimal(str(value)).as_tuple().exponent >= -2, f"{value} is not whole cents"


def _money(obj: object):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("total", "amount") and isinstance(v, (int, float)):
                yield v
            else:
                yield from _money(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _money(v)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.integers(1, 90),
       summarize=st.sampled_from(["Default", "Condensed", "Detailed"]), as_bill=st.booleans(),
       condensed_expenses=st.booleans(), setup_format=st.sampled_from(["Condensed", "Detailed"]))
def test_every_export_balances(seed: int, size: int, summarize: str, as_bill: bool, condensed_expenses: bool,
                               setup_format: str) -> None:
    store = ManageStore(":memory:", seed=seed, size=size)
    try:
        store.set_setup(transferExpensesAsBillFlag=as_bill, invoiceFormat=setup_format,
                        expenseFormat="Condensed" if condensed_expenses else "Default")
        req = m.ExportAccountingBatchRequest(exportInvoicesFlag=True, exportExpensesFlag=True, exportProductsFlag=True,
                                             summarizeInvoices=summarize)
        g = m.GLExport.model_validate(prune(m.to_wire(store.export(req))))  # what a client parses
        assert_balanced(g)
        if summarize == "Default":
            condensed_lines = any((d.id or 0) >= 900_000_000 for t in g.transactions or [] for d in t.detail or [])
            assert condensed_lines == (setup_format == "Condensed") or not g.transactions
        # batching every id of the export posts exactly those documents, and the batch re-exports balanced
        ids = store.export_ids_for(g)
        if ids:
            batch, _ = store.create_batch(m.CreateAccountingBatchRequest(
                batchIdentifier="P", exportInvoicesFlag=True, exportExpensesFlag=True, exportProductsFlag=True,
                processedRecordIds=ids), created_by="test")
            assert store.unposted_counts() == {"invoices": 0, "expenses": 0, "procurement": 0}
            again = store.batch_export(batch.id or 0, summarize)
            assert_balanced(again)
            assert {t.id for t in again.transactions or []} == {t.id for t in g.transactions or []}
            assert {p.id for p in again.purchaseTransactions or []} == {p.id for p in g.purchaseTransactions or []}
    finally:
        store.close()
