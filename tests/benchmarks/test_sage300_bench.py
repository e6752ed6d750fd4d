"""Benchmark: 2,000 invoices into the Sage 300 sandbox with 20 ms injected latency per request.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_sage300_bench.py -s -p no:cacheprovider``.
Prints the wall time of ``post()`` and its ratio to the N·t/c bound (N documents, t latency,
c concurrency): with one write per document the bound is the floor, the ratio the overhead. Printed
next to it: the machine's floor at the same t and c (``latency_floor.py``) and ``ratio / floor``.

``BENCH_PROFILE=FILE`` saves a cProfile (CPU time) of the client side of the post at concurrency 4.

The sandbox runs in a child process (as a real Sage server would be its own process); in the test
process its thread would compete with the client for the GIL and measure that instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import multiprocessing
import os
import sys
import time
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from tests.benchmarks.latency_floor import measure_floor

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.documents.model import DocumentKind
from mobius_tui.sandbox.dataset import generate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the Sage 300 plan builder
from sage300.plans import build_plan, only  # noqa: E402

INVOICES = 2000
SEED = 11
LATENCY_MS = 20


def _serve(pipe: Connection) -> None:
    from mobius_tui.sandbox.sage300 import create_sandbox

    with create_sandbox(generate(seed=SEED, invoices=INVOICES), today=lambda: date(2025, 7, 2)) as sb:
        sb.faults.latency_ms = LATENCY_MS
        statements = sb.books.store.count_statements()
        cpu = time.process_time()
        pipe.send(sb.settings)
        pipe.recv()  # until the benchmark is done
        pipe.send((sb.books.store.child_count("ARInvoiceBatches", "1"), time.process_time() - cpu, statements()))


@pytest.mark.parametrize("concurrency", [1, 4, 8])
async def test_post_2000_invoices_with_latency(concurrency: int) -> None:
    plan = only(build_plan(generate(seed=SEED, invoices=INVOICES), expenses=False, procurement=False),
                DocumentKind.SALES_INVOICE, DocumentKind.CREDIT_MEMO)
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        settings = ours.recv()
        async with Sage300(settings | {"concurrency": concurrency}) as package:
            ref = await package.reference()
            target = os.environ.get("BENCH_PROFILE") if concurrency == 4 else None
            profile = cProfile.Profile(time.process_time) if target else None
            cpu = time.process_time()
            started = time.perf_counter()
            with profile or contextlib.nullcontext():
                results = [r async for r in package.post(plan, plan.documents, ref)]
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            if profile is not None:
                profile.dump_stats(target)
        ours.send("done")
        stored, server_cpu, statements = ours.recv()
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    floor = await asyncio.to_thread(measure_floor, LATENCY_MS, concurrency)  # right after the run, same load
    posted = sum(r.posted for r in results)
    bound = len(plan.documents) * LATENCY_MS / 1000 / concurrency
    print(f"\nsage300 bench: {len(plan.documents)} documents, latency {LATENCY_MS} ms, concurrency {concurrency}: "
          f"wall {wall:.2f} s, bound N*t/c {bound:.2f} s, wall/bound {wall / bound:.2f}, bound/wall {bound / wall:.2f} "
          f"(target >= 0.90), posted {posted}; client: {cpu * 1000 / len(plan.documents):.2f} ms CPU a document; sandbox: {server_cpu * 1000 / len(plan.documents):.2f} ms CPU and "
          f"{statements / len(plan.documents):.1f} SQLite statements a document (reference reads included); "
          f"load {Path('/proc/loadavg').read_text().split()[:3]}")
    print(f"  {floor.line()}; bound/wall {bound / wall:.3f} = {bound / wall / floor.ratio:.3f} of the floor")
    assert posted == stored == len(plan.documents)
