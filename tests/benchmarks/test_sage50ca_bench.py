"""Benchmark: 2,000 invoices through the Sage 50 bridge (the real bridge source built with Mono against
the stand-in SDK) into the MariaDB sandbox, from the Manage sandbox's GLExport.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_sage50ca_bench.py -s -p no:cacheprovider``.
Prints the time per document and how it splits between the bridge (the SDK's Post, one document at a
time: the SDK is a single-threaded, one-company-per-process singleton) and the SQL read-back that
confirms each post.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.accounting.sage50ca.ledger import find_existing
from mobius_tui.documents.model import DocumentKind
from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.sage50ca import MariaDBServer, create_sandbox_company
from mobius_tui.sandbox.sage50ca.build import build_bridge

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the plan from a GLExport
from sage50ca.plans import sandbox_plan  # noqa: E402

INVOICES = 2000
SEED = 11


async def test_post_2000_invoices_through_the_bridge(tmp_path) -> None:
    plan = sandbox_plan(size=INVOICES, seed=SEED)
    docs = [d for d in plan.documents if d.kind in (DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO)]
    bridge = build_bridge(tmp_path / "bridge")
    with MariaDBServer() as server:
        company = create_sandbox_company(server, tmp_path / "company", dataset=generate(SEED, INVOICES),
                                         include_missing=True)
        settings = {**company.settings, "bridge_path": str(bridge)}
        async with Sage50(settings) as s50:
            ref = await s50.reference()
            blocked = {p.document for p in s50.check(plan, ref) if p.blocking}
            docs = [d for d in docs if d.origin not in blocked]
            started = time.perf_counter()
            results = [r async for r in s50.post(plan, docs, ref)]
            wall = time.perf_counter() - started
            started = time.perf_counter()
            found = find_existing(s50.db, docs, False)
            read_back = time.perf_counter() - started
    posted = sum(r.posted for r in results)
    per_doc = wall / len(docs) * 1000
    print(f"\nSage 50: {len(docs)} invoices in {wall:.1f} s = {per_doc:.1f} ms per document; "
          f"read-back {read_back / len(docs) * 1000:.1f} ms of it, bridge and SDK the rest "
          f"({per_doc - read_back / len(docs) * 1000:.1f} ms)")
    assert posted == len(docs) == len(found)
