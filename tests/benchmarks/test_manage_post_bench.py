"""Benchmark: the Manage sandbox's CPU per payment POST, h11 on asyncio against httptools on uvloop.

Run on demand: ``.venv/bin/python -m pytest tests/benchmarks/test_manage_post_bench.py -q -s``
(``BENCH_REQUESTS=3000``). The sandbox runs in a child process, as in the payment sync benchmark;
bare aiohttp sends ``POST /finance/invoices/{id}/payments`` at concurrency 4 and the sandbox's own
CPU seconds are read before and after. Target: under 0.6 ms of sandbox CPU per POST, so that a
payment sync of 10,000 invoices measures the client.
"""

from __future__ import annotations

import asyncio
import base64
import multiprocessing
import os
import time
from multiprocessing.connection import Connection

import aiohttp

from mobius_tui.sandbox.manage import DEMO

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
CONCURRENCY = 4


def _serve(pipe: Connection, fast: bool) -> None:
    from mobius_tui.sandbox.faults import Faults
    from mobius_tui.sandbox.manage.app import API_ROOT, create_app
    from mobius_tui.sandbox.manage.store import ManageStore
    from mobius_tui.sandbox.server import serve

    store = ManageStore(size=REQUESTS, seed=9, history=False)
    with serve(create_app(store, Faults()), fast=fast) as server:
        pipe.send((server.url + API_ROOT, [i.id for i in store.dataset.invoices]))
        while pipe.recv() == "cpu":
            pipe.send(time.process_time())


async def _post_all(api: str, ids: list[int], pipe: Connection) -> float:
    headers = {"clientId": DEMO.client_id, "Content-Type": "application/json",
               "Authorization": "Basic " + base64.b64encode(f"{DEMO.company_id}+{DEMO.public_key}:{DEMO.private_key}".encode()).decode()}
    async with aiohttp.ClientSession(headers=headers) as session:
        queue = iter(ids)

        async def worker() -> None:
            for invoice_id in queue:
                async with session.post(f"{api}/finance/invoices/{invoice_id}/payments",
                                        data=b'{"amount":"1.00","type":"P","paymentDate":"2026-01-02T00:00:00Z"}') as r:
                    assert r.status == 201, await r.text()
                    await r.read()

        pipe.send("cpu")
        before = pipe.recv()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        pipe.send("cpu")
        return (pipe.recv() - before) / len(ids) * 1000


def test_sandbox_cpu_per_payment_post() -> None:
    figures = {}
    for fast in (False, True):
        ours, theirs = multiprocessing.Pipe()
        server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs, fast), daemon=True)
        server.start()
        try:
            api, ids = ours.recv()
            started = time.perf_counter()
            figures[fast] = asyncio.run(_post_all(api, ids, ours)), len(ids) / (time.perf_counter() - started)
        finally:
            ours.send("done")
            server.join(10)
    print(f"\n{REQUESTS} payment POSTs to the Manage sandbox, concurrency {CONCURRENCY}, load {os.getloadavg()[0]:.2f}:")
    for fast, (cpu_ms, rate) in figures.items():
        name = "httptools on uvloop" if fast else "h11 on asyncio"
        print(f"  {name:20s} sandbox CPU {cpu_ms:.2f} ms/POST, {rate:.0f} POSTs/s")
    print("  target: under 0.6 ms of sandbox CPU per POST")
