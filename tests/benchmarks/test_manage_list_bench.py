"""Benchmark: list 10,000 unposted invoices from the Manage sandbox with 20 ms latency per request.

Run on demand (benchmarks are excluded from the normal run):
    .venv/bin/python tests/benchmarks/test_manage_list_bench.py
or  .venv/bin/pytest tests/benchmarks/test_manage_list_bench.py -s -o addopts=""
"""

from __future__ import annotations

import asyncio
import time

from mobius_tui.manage import ApiKeyCredentials, ManageClient, ManageSettings
from mobius_tui.manage.client import UNPOSTED_INVOICES
from mobius_tui.manage.models import UnpostedInvoice
from mobius_tui.sandbox.manage.harness import running_manage_sandbox

INVOICES = 10_000
LATENCY_MS = 20


async def _measure(sandbox, forward_only: bool) -> tuple[int, int, float]:
    c = sandbox.credentials
    settings = ManageSettings(
        site=sandbox.url,
        company_id=c.company_id,
        client_id=c.client_id,
        credentials=ApiKeyCredentials(c.public_key, c.private_key),
    )
    async with ManageClient(settings) as manage:
        await manage.company_info()  # the codebase lookup is not part of the listing
        await manage.system_info()
        sent = manage.requests_sent
        started = time.perf_counter()
        rows = await manage.list_all(UNPOSTED_INVOICES, UnpostedInvoice, forward_only=forward_only)
        elapsed = time.perf_counter() - started
        return len(rows), manage.requests_sent - sent, elapsed


def run() -> list[str]:
    lines = []
    # The dataset keeps the last two invoices in an opening batch: generate two more.
    with running_manage_sandbox(size=INVOICES + 2) as sandbox:
        assert sandbox.store.unposted_counts()["invoices"] == INVOICES
        sandbox.faults.latency_ms = LATENCY_MS
        for forward_only in (True, False, True):
            rows, requests, elapsed = asyncio.run(_measure(sandbox, forward_only))
            assert rows == INVOICES
            mode = "forward-only" if forward_only else "navigable"
            lines.append(
                f"{mode:>12}: {rows} unposted invoices, {requests} requests, {elapsed:.2f} s wall "
                f"({LATENCY_MS} ms injected latency per request)"
            )
    return lines


def test_list_10000_unposted_invoices():
    for line in run():
        print(line)


if __name__ == "__main__":
    for line in run():
        print(line)
