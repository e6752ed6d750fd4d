"""Sandbox throughput at 10,000 invoices. Run on demand: pytest tests/benchmarks -s"""

from __future__ import annotations

import time

from mobius_tui.manage import models as m
from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.manage.harness import running_manage_sandbox


def timed(label: str, fn):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - start:.3f}s")
    return out


def test_ten_thousand_invoices() -> None:
    ds = timed("generate 10k", lambda: generate(7, 10_000))
    assert len(ds.invoices) == 10_000
    with running_manage_sandbox(size=10_000) as sb, sb.client(timeout=120) as c:
        timed("first unposted page (1000, cold cache)",
              lambda: c.get("/finance/accounting/unpostedinvoices", params={"pageSize": 1000}).raise_for_status())
        timed("walk all unposted invoices (forward-only)", lambda: _walk(c))
        timed("count with conditions",
              lambda: c.get("/finance/accounting/unpostedinvoices/count",
                            params={"conditions": "currency/currencyCode='USD' and total > 1000"}).raise_for_status())
        export = timed("export everything", lambda: c.post("/finance/accounting/export", json={
            "exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}).raise_for_status())
        g = timed("parse GLExport", lambda: m.GLExport.model_validate(export.json()))
        ids = sb.store.export_ids_for(g)
        timed(f"create batch of {len(ids)} entry ids", lambda: c.post("/finance/accounting/batches", json={
            "batchIdentifier": "BENCH", "exportInvoicesFlag": True, "exportExpensesFlag": True,
            "exportProductsFlag": True, "processedRecordIds": ids}).raise_for_status())
        assert sb.store.unposted_counts() == {"invoices": 0, "expenses": 0, "procurement": 0}


def _walk(c) -> int:  # noqa: ANN001
    url = "/finance/accounting/unpostedinvoices?pageSize=1000"
    n = 0
    while url:
        r = c.get(url, headers={"pagination-type": "forward-only"})
        n += len(r.json())
        link = r.headers.get("link", "")
        url = link.split(";")[0].strip("<>") if link else ""
    return n
