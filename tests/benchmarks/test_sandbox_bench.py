"""Manage sandbox throughput at 10,000 invoices. Run on demand:

    .venv/bin/pytest tests/benchmarks/test_sandbox_bench.py -s -o addopts=""

Client and server share this process (the server runs in a thread), so each wall time below
includes the client's share: reading the body, and parsing it where the label says so.
"""

from __future__ import annotations

import time

from mobius_tui.manage import models as m
from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.manage.harness import running_manage_sandbox

ACC = "/finance/accounting"
ALL = {"exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}


def timed(label: str, fn):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - start:.3f}s")
    return out


def test_ten_thousand_invoices() -> None:
    ds = timed("generate 10k", lambda: generate(7, 10_000))
    assert len(ds.invoices) == 10_000
    with running_manage_sandbox(size=10_000) as sb, sb.client(timeout=120) as c:
        timed("first unposted page (1000, cold cache: builds all 10,000 rows)",
              lambda: c.get(f"{ACC}/unpostedinvoices", params={"pageSize": 1000}).raise_for_status())
        timed("another unposted page (1000, navigable)",
              lambda: c.get(f"{ACC}/unpostedinvoices", params={"pageSize": 1000, "page": 4}).raise_for_status())
        timed("walk all unposted invoices (forward-only, 10 pages)", lambda: _walk(c))
        timed("count with conditions", lambda: c.get(f"{ACC}/unpostedinvoices/count", params={
            "conditions": "currency/currencyCode='USD' and total > 1000"}).raise_for_status())
        timed("page of 1000 with conditions and orderBy", lambda: c.get(f"{ACC}/unpostedinvoices", params={
            "conditions": "total > 100", "orderBy": "total desc", "pageSize": 1000}).raise_for_status())
        timed("first /finance/invoices page (1000, cold: builds all 10,000)",
              lambda: c.get("/finance/invoices", params={"pageSize": 1000}).raise_for_status())
        export = timed("export everything (cold)", lambda: c.post(f"{ACC}/export", json=ALL).raise_for_status())
        print(f"  GLExport body: {len(export.content) / 1e6:.1f} MB")
        timed("export everything again (cached documents)",
              lambda: c.post(f"{ACC}/export", json=ALL).raise_for_status())
        g = timed("client: parse GLExport into models", lambda body=export.content: m.GLExport.model_validate_json(body))
        ids = sb.store.export_ids_for(g)
        del g, export
        timed(f"create batch of {len(ids)} entry ids (reply: the batch's GLExport)",
              lambda: c.post(f"{ACC}/batches", json={"batchIdentifier": "BENCH", **ALL,
                                                     "processedRecordIds": ids}).raise_for_status())
        assert sb.store.unposted_counts() == {"invoices": 0, "expenses": 0, "procurement": 0}
        batch_id = sb.store.batch_by_identifier("BENCH").id
        timed("re-export the batch (Condensed)", lambda: c.post(f"{ACC}/batches/{batch_id}/export", json={
            "summarizeInvoices": "Condensed"}).raise_for_status())
        timed("first entries page of the batch (1000, cold: builds all entries)",
              lambda: c.get(f"{ACC}/batches/{batch_id}/entries", params={"pageSize": 1000}).raise_for_status())
        timed("another entries page (1000)", lambda: c.get(f"{ACC}/batches/{batch_id}/entries", params={
            "pageSize": 1000, "page": 7}).raise_for_status())


def _walk(c) -> int:  # noqa: ANN001
    url = f"{ACC}/unpostedinvoices?pageSize=1000"
    n = 0
    while url:
        r = c.get(url, headers={"pagination-type": "forward-only"})
        n += len(r.json())
        link = r.headers.get("link", "")
        url = link.split(";")[0].strip("<>") if link else ""
    return n
