"""Benchmark: 10,000 AR invoices (50,000 lines) posted to the PostgreSQL sandbox over psqlODBC.

Run on demand: .venv/bin/pytest tests/benchmarks/test_dynamics_sl_post.py -s
Goal: under 15 s on the reference machine; the figure is printed, not asserted.
"""

from __future__ import annotations

import time
from decimal import Decimal as D

import pytest

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.documents.model import Line
from mobius_tui.sandbox.dynamics_sl import PostgresServer, create_sandbox_company

from tests.dynamics_sl import docs

INVOICES = 10_000


@pytest.fixture(scope="module")
def company():
    with PostgresServer() as pg:
        yield create_sandbox_company("postgres", server=pg)


def _invoices() -> list:
    out = []
    for n in range(INVOICES):
        lines = [Line("4100-10", D("145.00") + n % 7, "Support", D(1), D("145.00") + n % 7, taxable=True),
                 Line("4300-10", D("1450.00"), "Agreement", taxable=True),
                 Line("4200-20", D("57.60"), "M365", D(2), D("28.80"), item=docs.M365, taxable=True),
                 Line("4400-10", D("35.00"), "Mileage"),
                 Line("4900-10", D("-25.00"), "Discount", taxable=True)]
        if n % 5 == 0:  # a fifth carry an inventory item and so a cost entry
            lines[2] = Line("4200-10", D("1649.00"), "Laptop", item=docs.LAPTOP, cost=D("1212.50"), taxable=True)
        out.append(docs.invoice(f"B{n + 1:07d}", lines=lines))
    return out


async def test_post_10000_invoices(company):
    invoices = _invoices()
    plan = docs.plan(*invoices)
    async with DynamicsSL(company.settings) as sl:
        ref = await sl.reference()
        started = time.perf_counter()
        posted = 0
        async for result in sl.post(plan, invoices, ref):
            posted += result.posted
        elapsed = time.perf_counter() - started
    lines = sum(len(i.lines) for i in invoices)
    print(f"\nDynamics SL / PostgreSQL: {posted} invoices, {lines} lines in {elapsed:.1f} s "
          f"({posted / elapsed:.0f} invoices/s)")
    assert posted == INVOICES
    with company.session() as s:
        assert s.scalar("SELECT COUNT(*) FROM ARTran") == lines
        total = sum((i.document_total for i in invoices), D(0))
        assert D(str(s.scalar("SELECT SUM(CrTot) FROM Batch WHERE Module = 'AR'"))).quantize(D("0.01")) == total
