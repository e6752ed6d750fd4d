"""Benchmark: 1,000 invoices into the Sage Business Cloud sandbox with 20 ms injected latency per request.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_sage_cloud_bench.py -s -p no:cacheprovider``.
The plan is the real converter's, from the Manage sandbox's GLExport of 1,000 invoices. Prints the
wall time of ``post()`` and its ratio to the N·t/c bound (N documents, t latency, c concurrency):
one POST per document is the floor, the ratio is the overhead. The pacing limit is off here
(``requests_per_minute=0``); with the default 60 a minute, pacing, not latency, sets the time
(1,000 invoices ≈ 17 minutes).

The Sage sandbox runs in a child process, as a real server is its own process.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.oauth import Tokens
from mobius_tui.accounting.sage_cloud.tokens import MemoryVault
from mobius_tui.sandbox.dataset import generate

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.sage_cloud.plans import manage_plans, sales_only  # noqa: E402

INVOICES = 1000
SEED = 11
LATENCY_MS = 20


def _serve(pipe: Connection) -> None:
    from mobius_tui.sandbox.sage_cloud import create_sandbox

    with create_sandbox(generate(seed=SEED, invoices=INVOICES), include_missing=True) as sb:
        sb.faults.latency_ms = LATENCY_MS
        pipe.send((sb.settings, sb.oauth.issue(sb.package_values["client_id"], "demo@example.com")))
        pipe.recv()  # until the benchmark is done
        pipe.send(len(sb.business.table("sales_invoices")) + len(sb.business.table("sales_credit_notes")))


@pytest.mark.parametrize("concurrency", [1, 2, 4, 8])
async def test_post_1000_invoices_with_latency(concurrency: int) -> None:
    with manage_plans(seed=SEED, size=INVOICES) as full:
        plan = sales_only(full)
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        settings, issued = ours.recv()
        values = settings | {"concurrency": concurrency, "requests_per_minute": 0,
                             "token_vault": MemoryVault(Tokens.from_response(issued))}
        async with SageCloud(values) as package:
            ref = await package.reference()
            requests = package.client.requests
            started = time.perf_counter()
            results = [r async for r in package.post(plan, plan.documents, ref)]
            wall = time.perf_counter() - started
            requests = package.client.requests - requests
        ours.send("done")
        stored = ours.recv()
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    posted = sum(r.posted for r in results)
    bound = len(plan.documents) * LATENCY_MS / 1000 / concurrency
    print(f"\nsage_cloud bench: {len(plan.documents)} documents, {requests} requests, latency {LATENCY_MS} ms, "
          f"concurrency {concurrency}: wall {wall:.2f} s, bound N*t/c {bound:.2f} s, ratio {wall / bound:.2f}, "
          f"posted {posted}")
    assert posted == stored == len(plan.documents)
