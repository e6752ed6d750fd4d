"""Benchmark: client CPU per request of the httpx transports, at the payment sync's concurrency.

Run on demand: ``.venv/bin/python -m pytest tests/benchmarks/test_transport_bench.py -q -s``
(``BENCH_REQUESTS=3000`` by default). A JSON POST answered 201 with a small JSON body, as the
payment writes are, over keep-alive connections to a server in a child process (so its CPU is
not counted here), ``CONCURRENCY`` requests at once. Figures: client CPU ms per request and
requests per second, for httpx's own transport, httpx over :class:`AiohttpTransport`, its
``send`` without httpx's objects, the Manage client's transport, and bare aiohttp (the floor).
Target: the transport the clients use costs under 1.5 ms of CPU per request.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import time
from datetime import datetime
from decimal import Decimal
from multiprocessing.connection import Connection

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

from mobius_tui.manage.auth import ApiKeyCredentials
from mobius_tui.manage.settings import ManageSettings
from mobius_tui.manage.transport import ManageTransport
from mobius_tui.wire.fast_transport import AiohttpTransport, timeout_of
from tests.wire.asgi_body import read_body

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
CONCURRENCY = 4
PAYMENT = {"type": "P", "amount": Decimal("12.50"), "paymentDate": datetime(2026, 1, 2), "invoice": {"id": 7}}
ANSWER = json.dumps({"id": 1, "amount": 12.5, "type": "P", "invoice": {"id": 7, "identifier": "INV-7"}}).encode()


async def _app(scope, receive, send) -> None:  # noqa: ANN001 - ASGI
    await read_body(receive)
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]})
    await send({"type": "http.response.body", "body": ANSWER})


def _serve(pipe: Connection) -> None:
    from mobius_tui.sandbox.server import serve

    with serve(_app) as server:
        pipe.send(server.url)
        pipe.recv()


async def _run(send, url: str) -> tuple[float, float]:  # noqa: ANN001
    body = json.dumps({"amount": "12.50", "paymentDate": "2026-01-02T00:00:00Z", "type": "P"}).encode()
    queue = iter(range(REQUESTS))

    async def worker() -> None:
        for n in queue:
            await send(f"{url}/finance/invoices/{n}/payments", body)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))  # warm: connections open
    queue = iter(range(REQUESTS))
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return (time.process_time() - cpu) / REQUESTS * 1000, REQUESTS / (time.perf_counter() - wall)


async def _httpx(url: str, transport: httpx.AsyncBaseTransport | None) -> tuple[float, float]:
    async with httpx.AsyncClient(transport=transport, trust_env=transport is None) as client:
        async def send(where: str, body: bytes) -> None:
            response = await client.post(where, content=body, headers={"Content-Type": "application/json"})
            assert response.status_code == 201 and json.loads(response.content)["id"] == 1

        return await _run(send, url)


async def _direct(url: str) -> tuple[float, float]:
    """AiohttpTransport.send: the same transport without httpx's Request and Response objects."""
    transport = AiohttpTransport()
    headers = CIMultiDict({"Content-Type": "application/json"})
    timeout = timeout_of(httpx.Timeout(5.0).as_dict())
    try:
        async def send(where: str, body: bytes) -> None:
            answer = await transport.send("POST", URL(where, encoded=True), headers, body, timeout)
            assert answer.status_code == 201 and json.loads(answer.content)["id"] == 1

        return await _run(send, url)
    finally:
        await transport.aclose()


async def _manage(url: str) -> tuple[float, float]:
    """The Manage client's own layer on top (headers, auth, retries, errors, the JSON answer)."""
    settings = ManageSettings(site=url, company_id="bench", client_id="bench-client",
                              credentials=ApiKeyCredentials("public", "private"), codebase="")
    transport = ManageTransport(settings)
    try:
        async def send(where: str, body: bytes) -> None:
            response = await transport.api("POST", where.removeprefix(f"{url}/apis/3.0"), body=PAYMENT,
                                           idempotent=False)
            assert response.status_code == 201 and transport.json(response)["id"] == 1

        return await _run(send, f"{url}/apis/3.0")
    finally:
        await transport.aclose()


async def _aiohttp(url: str) -> tuple[float, float]:
    async with aiohttp.ClientSession() as session:
        async def send(where: str, body: bytes) -> None:
            async with session.post(where, data=body, headers={"Content-Type": "application/json"}) as response:
                assert response.status == 201 and json.loads(await response.read())["id"] == 1

        return await _run(send, url)


def test_transport_cpu_per_request() -> None:
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        url = ours.recv()
        figures = {
            "httpx (httpcore/anyio)": asyncio.run(_httpx(url, None)),
            "httpx + AiohttpTransport": asyncio.run(_httpx(url, AiohttpTransport())),
            "AiohttpTransport.send": asyncio.run(_direct(url)),
            "ManageTransport.api": asyncio.run(_manage(url)),
            "bare aiohttp (floor)": asyncio.run(_aiohttp(url)),
        }
    finally:
        ours.send("done")
        server.join(10)
    print(f"\n{REQUESTS} POSTs, concurrency {CONCURRENCY}, load {os.getloadavg()[0]:.2f}:")
    for name, (cpu_ms, rate) in figures.items():
        print(f"  {name:26s} client CPU {cpu_ms:.2f} ms/request, {rate:.0f} requests/s")
    print("  target: the clients' transport under 1.5 ms CPU per request")
