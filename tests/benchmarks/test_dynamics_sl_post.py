"""Benchmark: 10,000 AR invoices (50,000 lines) posted to the PostgreSQL sandbox over psqlODBC.

Run on demand: .venv/bin/pytest tests/benchmarks/test_dynamics_sl_post.py -s
Goal: under 15 s on the reference machine; the figure is printed, not asserted. Printed too: this
process's CPU (building rows, the ODBC driver) and the PostgreSQL server's, with the load; and the
same post through the service's posting step, which journals every result on disk as it arrives.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal as D
from pathlib import Path

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.documents.model import Line
from mobius_tui.sandbox.dynamics_sl import PostgresServer, create_sandbox_company

from mobius_tui.service import pipeline
from mobius_tui.service.context import Context
from mobius_tui.service.journal import Journal
from mobius_tui.service.runlog import RunLog

from tests.dynamics_sl import docs

INVOICES = 10_000


@pytest.fixture(scope="module")
def server():
    with PostgresServer() as pg:
        yield pg


@pytest.fixture(scope="module")
def company(server):
    return create_sandbox_company("postgres", server=server)


def _server_cpu(server: PostgresServer) -> float:
    """CPU seconds of the sandbox's PostgreSQL processes (the postmaster and its backends)."""
    directory, ticks = str(server.directory).encode(), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            mine = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = Path(f"/proc/{stat[1]}/cmdline").read_bytes() if stat[1] != "0" else b""
        except OSError:
            continue
        if directory in mine or directory in parent:
            ticks += int(stat[11]) + int(stat[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _invoices(prefix: str = "B") -> list:
    out = []
    for n in range(INVOICES):
        lines = [Line("4100-10", D("145.00") + n % 7, "Support", D(1), D("145.00") + n % 7, taxable=True),
                 Line("4300-10", D("1450.00"), "Agreement", taxable=True),
                 Line("4200-20", D("57.60"), "M365", D(2), D("28.80"), item=docs.M365, taxable=True),
                 Line("4400-10", D("35.00"), "Mileage"),
                 Line("4900-10", D("-25.00"), "Discount", taxable=True)]
        if n % 5 == 0:  # a fifth carry an inventory item and so a cost entry
            lines[2] = Line("4200-10", D("1649.00"), "Laptop", item=docs.LAPTOP, cost=D("1212.50"), taxable=True)
        out.append(docs.invoice(f"{prefix}{n + 1:07d}", lines=lines))
    return out


async def test_post_10000_invoices(company, server):
    invoices = _invoices()
    plan = docs.plan(*invoices)
    async with DynamicsSL(company.settings) as sl:
        ref = await sl.reference()
        cpu, server_cpu = time.process_time(), _server_cpu(server)
        started = time.perf_counter()
        posted = 0
        async for result in sl.post(plan, invoices, ref):
            posted += result.posted
        elapsed = time.perf_counter() - started
        cpu, server_cpu = time.process_time() - cpu, _server_cpu(server) - server_cpu
    lines = sum(len(i.lines) for i in invoices)
    print(f"\nDynamics SL / PostgreSQL: {posted} invoices, {lines} lines in {elapsed:.1f} s "
          f"({posted / elapsed:.0f} invoices/s; target < 15 s), load {_load()}; CPU: this process "
          f"{cpu:.1f} s, PostgreSQL {server_cpu:.1f} s")
    assert posted == INVOICES
    with company.session() as s:
        assert s.scalar("SELECT COUNT(*) FROM ARTran") == lines
        total = sum((i.document_total for i in invoices), D(0))
        assert D(str(s.scalar("SELECT SUM(CrTot) FROM Batch WHERE Module = 'AR'"))).quantize(D("0.01")) == total


async def test_post_10000_invoices_through_the_service(company, server, tmp_path):
    invoices = _invoices("S")
    plan = docs.plan(*invoices)
    async with DynamicsSL(company.settings) as sl:
        ref = await sl.reference()
        with Journal(tmp_path / "journal.db") as journal:
            ctx = Context(profile=None, manage=None, adapter=sl, target="bench", _journal=journal)  # type: ignore[arg-type]
            checked = pipeline.Checked(plan, ref, [], to_post=list(invoices))
            run_id = journal.start_run("export", "bench", pipeline.journal_documents(checked))
            started = time.perf_counter()
            await pipeline.post(ctx, run_id, checked, RunLog(lambda event: None))
            elapsed = time.perf_counter() - started
            posted = sum(d.state == "posted" for d in journal.documents(run_id))
    print(f"\nDynamics SL / PostgreSQL through the service (each result journaled on disk): {posted} invoices in "
          f"{elapsed:.1f} s ({posted / elapsed:.0f} invoices/s; target < 15 s), load {_load()}")
    assert posted == INVOICES
