"""Documents are written a group per transaction: a document failing inside a group leaves the others,
a crash before a group's commit leaves nothing of the group in SL, and the multi-row INSERTs that
carry a group write every value exactly."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest

from mobius_tui.accounting.base import PostStatus
from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.accounting.dynamics_sl.sql import to_decimal

from . import docs
from .fixtures import fresh_company

# Groups start at one document and double: these seven post as [1], [2, 3], [4, 5, 6, 7].
NUMBERS = [f"INV2100{n}" for n in range(1, 8)]


def _plain_invoice(number: str):
    return docs.invoice(number, lines=[
        docs.Line("4100-10", D("450.00"), "Remote support", D("3"), D("150.00"), taxable=True),
        docs.Line("4200-20", D("57.60"), "M365", D("2"), D("28.80"), item=docs.M365, taxable=True)])


def _run(inventory_at: int | None = None) -> list:
    """Seven invoices; the one at ``inventory_at`` (0-based) sells a laptop and so has a cost GL batch."""
    return [docs.invoice(n) if i == inventory_at else _plain_invoice(n) for i, n in enumerate(NUMBERS)]


async def test_a_document_the_database_refuses_mid_group_leaves_the_rest_of_the_group(sl, company):
    invoices = _run(inventory_at=4)
    with company.session() as s:
        # A stray GL line where the 5th invoice's cost batch (the first GL number) will land.
        s.insert("GLTran", {"Module": "GL", "BatNbr": "000001", "LineNbr": 1, "CpnyID": "MOBIUS"})
        s.commit()
    ref = await sl.reference()
    results = [r async for r in sl.post(docs.plan(*invoices), invoices, ref)]
    assert [r.status for r in results] == [PostStatus.POSTED] * 4 + [PostStatus.FAILED] + [PostStatus.POSTED] * 2
    assert "gltran" in results[4].error.lower()
    posted = [inv for inv, r in zip(invoices, results) if r.posted]
    with company.session() as s:
        batch = s.one("SELECT * FROM Batch WHERE Module = 'AR'")
        assert batch["status"] == "B"
        assert to_decimal(batch["crtot"]) == to_decimal(batch["ctrltot"]) == sum(i.document_total for i in posted)
        rows = s.rows("SELECT RefNbr, BatSeq FROM ARDoc WHERE BatNbr = ? ORDER BY BatSeq", batch["batnbr"])
        assert [r["refnbr"] for r in rows] == [i.number for i in posted]
        assert [int(r["batseq"]) for r in rows] == list(range(6))  # the failed one's place was given back
        assert s.scalar("SELECT COUNT(*) FROM RefNbr WHERE RefNbr = ?", NUMBERS[4]) == 0
        assert s.scalar("SELECT COUNT(*) FROM ARTran WHERE RefNbr = ?", NUMBERS[4]) == 0
        # Its cost batch and number went back too: no GL batch, no gap in the counter.
        assert s.scalar("SELECT COUNT(*) FROM Batch WHERE Module = 'GL'") == 0
        assert s.scalar("SELECT LastBatNbr FROM GLSetup WHERE SetupId = 'GL'") == "000000"


async def test_a_document_failing_before_any_sql_mid_group_gives_its_numbers_back(sl, company):
    invoices = _run()
    invoices[3] = docs.invoice(NUMBERS[3])  # sells a laptop: cost batch 000001
    invoices[5] = docs.invoice(NUMBERS[5], currency="EUR", customer="C00106", taxes=[], receivable="1210-00")
    invoices[6] = docs.invoice(NUMBERS[6])  # the next cost batch: 000002
    ref = await sl.reference()
    results = [r async for r in sl.post(docs.plan(*invoices), invoices, ref)]
    assert [r.posted for r in results] == [True] * 5 + [False, True], results
    assert "no EUR to CAD rate" in results[5].error
    with company.session() as s:
        assert [r["batnbr"] for r in s.rows("SELECT BatNbr FROM Batch WHERE Module = 'GL' ORDER BY BatNbr")] == [
            "000001", "000002"]
        assert s.scalar("SELECT COUNT(*) FROM ARDoc") == 6


class Crash(BaseException):
    """The process dying: nothing after it runs, no handler catches it."""


async def test_a_crash_before_a_groups_commit_leaves_nothing_of_the_group(company):
    invoices = _run(inventory_at=4)
    seen = []
    async with DynamicsSL(company.settings) as sl:
        ref = await sl.reference()
        session = sl.session
        commit, commits = session.commit, []

        def commit_or_crash() -> None:
            commits.append(1)
            if len(commits) == 3:  # the third group: invoices 4 to 7, all written, not committed
                raise Crash()
            commit()

        session.commit = commit_or_crash
        with pytest.raises(Crash):
            async for result in sl.post(docs.plan(*invoices), invoices, ref):
                seen.append(result)
    # Only committed documents were reported; closing the dead session rolled the group back.
    assert [(r.document_key, r.status) for r in seen] == [(i.key, PostStatus.POSTED) for i in invoices[:3]]
    with company.session() as s:
        assert [r["refnbr"] for r in s.rows("SELECT RefNbr FROM ARDoc ORDER BY RefNbr")] == NUMBERS[:3]
        assert s.scalar("SELECT COUNT(*) FROM RefNbr") == 3
        assert s.scalar("SELECT COUNT(*) FROM ARTran") == 3 * 2
        batch = s.one("SELECT * FROM Batch WHERE Module = 'AR'")
        assert to_decimal(batch["crtot"]) == sum(i.document_total for i in invoices[:3])
        assert s.scalar("SELECT COUNT(*) FROM Batch WHERE Module = 'GL'") == 0
        assert s.scalar("SELECT LastBatNbr FROM GLSetup WHERE SetupId = 'GL'") == "000000"
    async with DynamicsSL(company.settings) as sl:
        found = await sl.existing(invoices)
    assert set(found.found) == {i.key for i in invoices[:3]}


async def test_values_common_to_all_rows_are_written_exactly(company):
    day = datetime(2025, 5, 14, 10, 30)
    rows = [{"Module": "GL", "BatNbr": "009999", "LineNbr": n, "TranDesc": "O'Brien & Co", "ExtRefNbr": "a?b",
             "RefNbr": "é-1" if n == 2 else "x", "DrAmt": D("12.34"), "CrAmt": D("1000.07") * n, "TranDate": day,
             "CpnyID": "MOBIUS"} for n in (1, 2, 3)]
    with company.session() as s:
        s.insert("GLTran", rows)
        s.commit()
        back = s.rows("SELECT * FROM GLTran WHERE BatNbr = '009999' ORDER BY LineNbr")
        assert [(r["trandesc"], r["extrefnbr"], r["refnbr"]) for r in back] == [
            ("O'Brien & Co", "a?b", "x"), ("O'Brien & Co", "a?b", "é-1"), ("O'Brien & Co", "a?b", "x")]
        assert {r["dramt"] for r in back} == {12.34}
        assert [to_decimal(r["cramt"]) for r in back] == [D("1000.07"), D("2000.14"), D("3000.21")]
        # A date written into the SQL reads back, and compares, as a bound one does.
        assert {r["trandate"] for r in back} == {day}
        assert s.scalar("SELECT COUNT(*) FROM GLTran WHERE TranDate = ?", day) == 3
        assert {r["applieddate"] for r in back} == {datetime(1900, 1, 1)}  # a blank left out


@pytest.fixture
def pg_company(templates, tmp_path):
    clone = fresh_company(templates, "postgres", tmp_path)
    yield clone
    clone.drop()


async def test_a_connection_lost_at_a_groups_commit_leaves_its_documents_unreported(pg_company):
    invoices = _run()
    async with DynamicsSL(pg_company.settings) as sl:
        ref = await sl.reference()
        session = sl.session
        pid = session.scalar("SELECT pg_backend_pid()")
        session.rollback()
        commit, commits = session.commit, []

        def commit_after_the_server_went_away() -> None:
            commits.append(1)
            if len(commits) == 3:
                with pg_company.session() as admin:
                    admin.scalar("SELECT pg_terminate_backend(?, 5000)", pid)  # waits until it is gone
            commit()

        session.commit = commit_after_the_server_went_away
        results = [r async for r in sl.post(docs.plan(*invoices), invoices, ref)]
    # Whether the third group committed is unknown to the adapter: it reports nothing for it, and the
    # service settles those documents with existing().
    assert [(r.document_key, r.status) for r in results] == [(i.key, PostStatus.POSTED) for i in invoices[:3]]
    async with DynamicsSL(pg_company.settings) as sl:
        found = await sl.existing(invoices)
    assert set(found.found) == {i.key for i in invoices[:3]}


async def test_a_group_of_long_invoices_on_postgresql_goes_in_whole(pg_company):
    """A group's lines need more parameters than psqlODBC reads in one statement's description: the
    INSERTs are split so that the connection survives and every line is written."""
    lines = [docs.Line("4100-10", D("10.00") + n, f"Support visit {n}", D(1), D("10.00") + n, taxable=True)
             for n in range(250)]
    invoices = [docs.invoice(f"INV3{n:04d}", lines=lines) for n in range(7)]  # the 3rd group: 4 x 250 lines
    async with DynamicsSL(pg_company.settings) as sl:
        ref = await sl.reference()
        results = [r async for r in sl.post(docs.plan(*invoices), invoices, ref)]
    assert [r.error for r in results if not r.posted] == []
    with pg_company.session() as s:
        assert s.scalar("SELECT COUNT(*) FROM ARTran") == 7 * 250
        batch = s.one("SELECT * FROM Batch WHERE Module = 'AR'")
        assert to_decimal(batch["crtot"]) == sum(i.document_total for i in invoices)


async def test_a_statement_refused_while_the_next_documents_are_built_leaves_the_rest(sl, company):
    """Groups of 1, 2, 4 ... 64: the 7th group's first rows are inserted by the second thread while
    its later documents are built. One of those rows is refused: the group is written again one
    document at a time and only that document fails."""
    numbers = [f"INV4{n:04d}" for n in range(127)]
    refused = 63 + 10  # in the 7th group's first hand-over
    invoices = [docs.invoice(n) if i == refused else _plain_invoice(n) for i, n in enumerate(numbers)]
    with company.session() as s:
        s.insert("GLTran", {"Module": "GL", "BatNbr": "000001", "LineNbr": 1, "CpnyID": "MOBIUS"})
        s.commit()
    ref = await sl.reference()
    results = [r async for r in sl.post(docs.plan(*invoices), invoices, ref)]
    assert [r.document_key for r in results] == [i.key for i in invoices]
    assert [i for i, r in enumerate(results) if not r.posted] == [refused]
    assert "gltran" in results[refused].error.lower()
    posted = [inv for inv, r in zip(invoices, results) if r.posted]
    with company.session() as s:
        batch = s.one("SELECT * FROM Batch WHERE Module = 'AR'")
        assert batch["status"] == "B"
        assert to_decimal(batch["crtot"]) == sum(i.document_total for i in posted)
        assert s.scalar("SELECT COUNT(*) FROM ARDoc") == s.scalar("SELECT COUNT(*) FROM RefNbr") == 126
        assert s.scalar("SELECT COUNT(*) FROM ARTran") == 126 * 2
        assert s.scalar("SELECT COUNT(*) FROM Batch WHERE Module = 'GL'") == 0
