"""What this machine allows a latency-bound run: the ``limit/wall`` ratio of bare round trips.

A request with ``t`` ms of injected latency costs more than ``t``: the sandbox server's HTTP and
ASGI work, the client's, the loopback, and both processes waking from idle. This measures that
floor with nothing of the product in it: a trivial ASGI app behind the sandboxes' own server and
fault middleware, in a child process, answered ``{}``; bare aiohttp sends ``n`` POSTs at
concurrency ``c``. Its ``limit/wall`` is the most a client can reach here at that ``t`` and ``c``;
the benchmarks print it next to their own ratio so a figure can be read against the machine.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from tests.wire.asgi_body import read_body


@dataclass(frozen=True)
class Floor:
    latency_ms: int
    concurrency: int
    requests: int
    wall: float

    @property
    def ratio(self) -> float:
        return self.requests * self.latency_ms / 1000 / self.concurrency / self.wall

    @property
    def round_trip_ms(self) -> float:
        return self.wall * self.concurrency / self.requests * 1000

    def line(self) -> str:
        return (f"machine floor (bare aiohttp, trivial sandbox app, {self.requests} POSTs, t {self.latency_ms} ms, "
                f"c {self.concurrency}): round trip {self.round_trip_ms:.2f} ms, limit/wall {self.ratio:.3f}")


async def _trivial(scope: Any, receive: Any, send: Any) -> None:
    await read_body(receive)  # as every sandbox app reads it
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


def _serve(pipe: Connection, latency_ms: int) -> None:
    from mobius_tui.sandbox.faults import FaultMiddleware, Faults
    from mobius_tui.sandbox.server import serve

    with serve(FaultMiddleware(_trivial, Faults(latency_ms=latency_ms))) as server:
        pipe.send(server.url)
        pipe.recv()


async def _send(url: str, requests: int, concurrency: int) -> float:
    import aiohttp

    slots = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:
        async def one() -> None:
            async with slots, session.post(f"{url}/floor", data=b'{"amount": "1.00"}') as response:
                await response.read()

        await asyncio.gather(*(one() for _ in range(2 * concurrency)))  # connections open, loops warm
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        return time.perf_counter() - started


def measure_floor(latency_ms: int, concurrency: int, requests: int = 600) -> Floor:
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs, latency_ms), daemon=True)
    server.start()
    try:
        url = ours.recv()
        wall = asyncio.run(_send(url, requests, concurrency))
        ours.send("done")
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    return Floor(latency_ms, concurrency, requests, wall)


def test_machine_floor() -> None:
    """Run alone to see the floor: ``.venv/bin/pytest tests/benchmarks/latency_floor.py -s``."""
    import os

    for concurrency in (1, 4, 8):
        floor = measure_floor(20, concurrency)
        print(f"\n{floor.line()}; load {os.getloadavg()[0]:.2f}")
        assert floor.wall > 0
