"""Benchmark: payment sync of 10,000 invoices, Dynamics SL (SQLite) → the Manage sandbox.

Run on demand: ``.venv/bin/pytest tests/benchmarks/test_payment_sync_bench.py -s -p no:randomly``
(``BENCH_INVOICES=2000`` for a smaller run). Targets: under 10 s with no injected latency; with
20 ms latency per Manage request, at least 0.90 of the N·t/c limit (N requests, t latency,
c the Manage client's concurrency), printed as ``limit/wall``, next to the machine's floor for
the same t and c (``latency_floor.py``: bare aiohttp against a trivial app behind the same server)
and ``ratio/floor``, how much of what this machine allows the sync reaches.
``BENCH_PROFILE=FILE`` saves a cProfile of the client side of the first sync
(``BENCH_PROFILE_SYNC="second sync"``: of the second).

The Manage sandbox runs in a child process (a real Manage is its own process; in the test process
its thread would compete with the client for the GIL), served by httptools on uvloop
(``MOBIUS_SANDBOX_HTTP=h11`` for h11 on asyncio); the client sends through its own transport
(``wire/fast_transport.py``). On a loaded machine the wall times include waiting for a core:
compare them with the printed load and CPU seconds. It starts with no payments; SL holds every
invoice released, nine in ten paid in full yesterday and one in ten part paid. The first sync
creates one payment per invoice; the second finds everything right and writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import multiprocessing
import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from multiprocessing.connection import Connection
from types import SimpleNamespace

import pytest

from mobius_tui.sandbox.dataset import generate
from mobius_tui.sandbox.manage import DEMO
from mobius_tui.service.events import Outcome, Progress
from mobius_tui.service.reports import PaymentAction, StartChoice
from tests.benchmarks.latency_floor import measure_floor
from tests.dynamics_sl.fixtures import pg_server, sl_templates  # noqa: F401 - fixtures
from tests.service.harness import app_dirs, make_env  # noqa: F401 - fixtures

pytestmark = pytest.mark.timeout(3600)

INVOICES = int(os.environ.get("BENCH_INVOICES", "10000"))
SEED = 9
TODAY = date.today()


@contextlib.contextmanager
def _profiled(label: str) -> Iterator[None]:
    """``BENCH_PROFILE=FILE``: the client side of one sync (``BENCH_PROFILE_SYNC``, by default the
    first) under cProfile, saved to FILE."""
    target = os.environ.get("BENCH_PROFILE")
    if not target or label != os.environ.get("BENCH_PROFILE_SYNC", "first sync"):
        yield
        return
    profile = cProfile.Profile(time.process_time)  # CPU, not waiting for a core on a shared machine
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(target)


def _serve(pipe: Connection, latency_ms: int) -> None:
    from mobius_tui.sandbox.manage.harness import running_manage_sandbox

    with running_manage_sandbox(size=INVOICES, seed=SEED, history=False) as sb:
        for invoice in sb.store.dataset.invoices:  # a Manage with no payments yet
            for payment in sb.store.payments(invoice.id):
                sb.store.delete_payment(invoice.id, payment.id)
        sb.faults.latency_ms = latency_ms
        pipe.send(sb.url)
        while (asked := pipe.recv()) != "done":
            if asked == "cpu":  # the sandbox's own CPU seconds (its process, every thread)
                pipe.send(time.process_time())
            else:
                pipe.send(sum(len(sb.store.payments_of(i.id)) for i in sb.store.dataset.invoices))


def _seed_sl(env, dataset) -> int:
    """Every dataset invoice released in SL and paid (in full, or in part for one in ten)."""
    yesterday = datetime.combine(TODAY - timedelta(days=1), datetime.min.time())
    docs, adjustments = [], []
    for n, invoice in enumerate(dataset.invoices):
        if invoice.total <= 0:
            continue
        customer = f"C{invoice.company_id}"
        paid = invoice.total if n % 10 else (invoice.total / 2).quantize(Decimal("0.01"))
        docs.append({"CustId": customer, "DocType": "IN", "RefNbr": invoice.number, "BatNbr": f"B{n:06d}",
                     "CuryOrigDocAmt": invoice.total, "OrigDocAmt": invoice.total, "CuryDocBal": invoice.total - paid,
                     "DocBal": invoice.total - paid, "Rlsed": 1, "OpenDoc": int(paid < invoice.total),
                     "CuryId": invoice.currency or "CAD", "DocDate": yesterday, "LUpd_DateTime": yesterday})
        adjustments.append({"CustId": customer, "AdjdDocType": "IN", "AdjdRefNbr": invoice.number, "AdjgDocType": "PA",
                            "AdjgRefNbr": f"P{n:06d}", "CuryAdjdAmt": paid, "AdjgDocDate": yesterday,
                            "DateAppl": yesterday})
    with env.sl() as s:
        s.insert("ARDoc", docs)
        s.insert("ARAdjust", adjustments)
        s.commit()
    return len(docs)


@pytest.mark.parametrize("latency_ms", [0, 20])
async def test_payment_sync(latency_ms: int, tmp_path, sl_templates) -> None:  # noqa: F811
    dataset = generate(SEED, INVOICES)
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs, latency_ms), daemon=True)
    server.start()
    try:
        url = ours.recv()
        sandbox = SimpleNamespace(url=url, credentials=DEMO, store=SimpleNamespace(dataset=dataset))
        env = make_env(sandbox, tmp_path, sl_templates)
        invoices = _seed_sl(env, dataset)
        async with await env.session() as session:
            manage = session._ctx.manage
            figures = []
            for label in ("first sync", "second sync"):
                sent = manage.requests_sent
                ours.send("cpu")
                server_cpu = ours.recv()
                cpu = time.process_time()
                started = time.perf_counter()
                first_done: list[float] = []

                def emit(event, first_done=first_done) -> None:  # noqa: ANN001
                    if isinstance(event, Progress) and event.done and not first_done:
                        first_done.append(time.perf_counter() - started)
                    env.emit(event)

                with _profiled(label):
                    report = await session.sync_payments(StartChoice.PAST_WEEK, emit, today=TODAY)
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu
                ours.send("cpu")
                server_cpu = ours.recv() - server_cpu
                figures.append((label, report, wall, manage.requests_sent - sent, cpu, server_cpu,
                                first_done[0] if first_done else wall))
        ours.send("count")
        stored = ours.recv()
        ours.send("done")
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    concurrency = manage.settings.max_concurrency
    # Its own event loop, in a thread: this test runs in one.
    floor = await asyncio.to_thread(measure_floor, latency_ms, concurrency) if latency_ms else None
    print(f"\npayment sync, {invoices} invoices, Manage latency {latency_ms} ms, concurrency {concurrency}, "
          f"load {os.getloadavg()[0]:.2f}:")
    for label, report, wall, requests, cpu, server_cpu, first in figures:
        line = (f"  {label}: wall {wall:.2f} s (first 1% done at {first:.2f} s), {requests} Manage requests, CPU {cpu:.2f} s here (client, SL, "
                f"journal; {cpu / requests * 1000:.2f} ms per request) + {server_cpu:.2f} s in the Manage sandbox "
                f"({server_cpu / requests * 1000:.2f} ms per request); {report.summary}")
        if floor is not None:
            limit = requests * latency_ms / 1000 / concurrency
            line += (f"; limit N*t/c {limit:.2f} s, limit/wall {limit / wall:.3f}, "
                     f"ratio/floor {limit / wall / floor.ratio:.3f}")
        print(line)
    if floor is not None:
        print(f"  {floor.line()}")
    print("  targets: each sync < 10 s without latency; with latency limit/wall >= 0.90 where the requests "
          "bound the sync (the first: one write per invoice); the second makes O(pages) requests")
    first, second = figures[0][1], figures[1][1]
    assert first.outcome == Outcome.SUCCESS and first.count(PaymentAction.CREATED) == invoices == stored
    assert second.count(PaymentAction.UNCHANGED) == invoices
