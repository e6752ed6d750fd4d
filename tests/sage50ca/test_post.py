"""Posting through the real bridge (built with Mono against the stand-in SDK) into the MariaDB sandbox,
from a plan the Manage sandbox's GLExport produced through the real converter."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mobius_tui.accounting.base import PackageError, PostResult, PostStatus
from mobius_tui.accounting.sage50ca import Sage50
from mobius_tui.accounting.sage50ca.accounts import account_id
from mobius_tui.documents.model import DocumentKind, Plan


async def run(settings: dict, plan: Plan, docs=None) -> tuple[dict[str, PostResult], set[str]]:
    """Post ``docs`` (default: every document the check lets through); the results, and the keys
    existing() finds afterwards."""
    async with Sage50(settings) as s50:
        ref = await s50.reference()
        if docs is None:
            blocked = {p.document for p in s50.check(plan, ref) if p.blocking}
            docs = [d for d in plan.documents if d.origin not in blocked]
        results = {r.document_key: r async for r in s50.post(plan, docs, ref)}
        found = set((await s50.existing(docs)).found)
    return results, found


def unbalanced(company) -> list:
    """Journal entries whose lines do not sum to zero (dAmount is relative to the account's section)."""
    with company.connect() as conn:
        return conn.execute(
            "SELECT j.lId, SUM(CASE WHEN LEFT(LPAD(a.lAcctId, 8, '0'), 1) IN ('2', '3', '4') THEN -a.dAmount "
            "ELSE a.dAmount END) AS s FROM tjourent j JOIN tjentact a ON a.lJEntId = j.lId GROUP BY j.lId "
            "HAVING s <> 0").fetchall()


def one_of(plan: Plan, kind: DocumentKind, test=lambda d: True):
    return next(d for d in plan.documents if d.kind == kind and test(d))


async def test_the_whole_batch_posts_balanced_and_a_rerun_finds_every_document(settings, company, plan) -> None:
    results, found = await run(settings, plan)
    assert len(results) > 80 and all(r.posted for r in results.values()), \
        [r for r in results.values() if not r.posted]
    assert found == set(results) and not unbalanced(company)
    with company.connect() as conn:
        # Created while posting: the missing customer, and the missing product uppercased as a service item.
        assert conn.execute("SELECT COUNT(*) FROM tcustomr WHERE sName = 'Zèbre Numérique S.E.N.C.'").fetchone()[0] == 1
        assert conn.execute("SELECT bService FROM tinvent WHERE sPartCode = 'LEGACY-KIT'").fetchone()[0] == 1
        credit = one_of(plan, DocumentKind.CREDIT_MEMO)
        assert conn.execute("SELECT d.dAmount FROM tcustrdt d JOIN tcustr t ON t.lId = d.lCusTrId WHERE t.sSource = ?",
                            credit.number).fetchone()[0] == -credit.total
        invoice = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: not d.currency)
        assert conn.execute("SELECT d.dAmount FROM tcustrdt d JOIN tcustr t ON t.lId = d.lCusTrId WHERE t.sSource = ?",
                            invoice.number).fetchone()[0] == invoice.total
    # Sent again anyway: Sage refuses the used numbers, and the read-back names the entries already there.
    again, _ = await run(settings, plan, [invoice, credit])
    assert {k: r.reference for k, r in again.items()} == {k: results[k].reference for k in again}
    with company.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM tcustr WHERE sSource = ?", invoice.number).fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM tjourent").fetchone()[0] == len(results)


async def test_foreign_currency_invoice_and_pst_on_gst_amounts_as_manage_computed(settings, company, plan) -> None:
    usd = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: d.currency == "USD")
    pe = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: d.tax_code == "PE" and any(t.piggyback for t in d.taxes))
    results, _ = await run(settings, plan, [usd, pe])
    assert all(r.posted for r in results.values()), results
    with company.connect() as conn:
        taxes = dict(conn.execute("SELECT a.sName, t.dTaxAmt FROM tjenttax t JOIN ttaxauth a ON a.lId = t.lTaxAuthId "
                                  "JOIN tjourent j ON j.lId = t.lJEntId WHERE j.sSource = ?", pe.number).fetchall())
        assert taxes == {t.agency_xref: t.amount for t in pe.taxes}
        # The USD invoice's receivable is in USD on the customer; the GL carries CAD at Sage's rate.
        owed = conn.execute("SELECT d.dAmount FROM tcustrdt d JOIN tcustr t ON t.lId = d.lCusTrId WHERE t.sSource = ?",
                            usd.number).fetchone()[0]
        assert owed == usd.total
        ar = conn.execute("SELECT a.dAmount FROM tjentact a JOIN tjourent j ON j.lId = a.lJEntId WHERE j.sSource = ? "
                          "AND a.lAcctId = ?", usd.number, account_id("121000")).fetchone()[0]
        assert ar > usd.total  # converted at about 1.37


async def test_vendor_invoice_number_module(settings, company, plan) -> None:
    receipt = one_of(plan, DocumentKind.ITEM_RECEIPT, lambda d: d.vendor_invoice_number and not d.currency)
    results, found = await run({**settings, "vendor_invoice_module": True}, plan, [receipt])
    assert results[receipt.key].posted and found == {receipt.key}
    with company.connect() as conn:
        row = conn.execute("SELECT sSource, sRef FROM tventr").fetchone()
    assert tuple(row) == (receipt.vendor_invoice_number, receipt.po_number)


async def test_inventory_moves_post_their_value_and_a_worksheet_of_quantities(settings, plan) -> None:
    moves = plan.by_kind(DocumentKind.INVENTORY_ADJUSTMENT) + plan.by_kind(DocumentKind.INVENTORY_TRANSFER)
    results, found = await run(settings, plan, moves)
    assert all(r.posted and "quantities in" in r.reference for r in results.values()) and found == set(results)
    sheet = Path(next(iter(results.values())).reference.split("quantities in ", 1)[1])
    rows = sheet.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + sum(len(m.lines) for m in moves)


async def test_post_answering_false_for_a_committed_entry_counts_as_posted(settings, company, plan, monkeypatch) -> None:
    doc = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: not d.currency)
    monkeypatch.setenv("MOBIUS_S50_STANDIN_FAULTS", f"false:{doc.number}")
    results, _ = await run(settings, plan, [doc])
    assert results[doc.key].posted


async def test_bridge_ending_right_after_a_commit_is_restarted_and_nothing_lost(settings, company, plan,
                                                                               monkeypatch) -> None:
    docs = [d for d in plan.by_kind(DocumentKind.SALES_INVOICE) if not d.currency][:3]
    monkeypatch.setenv("MOBIUS_S50_STANDIN_FAULTS", f"exit:{docs[0].number}")
    results, found = await run(settings, plan, docs)
    # The first document's answer is lost but the read-back finds it; the bridge restarts for the others.
    assert all(r.posted for r in results.values()) and found == {d.key for d in docs}


async def test_a_bridge_that_hangs_times_out_with_a_clear_message_and_no_guess(settings, company, plan,
                                                                              monkeypatch) -> None:
    docs = [d for d in plan.by_kind(DocumentKind.SALES_INVOICE) if not d.currency][:2]
    monkeypatch.setenv("MOBIUS_S50_STANDIN_FAULTS", f"hang:{docs[0].number}")
    results, found = await run({**settings, "bridge_timeout": 3}, plan, docs)
    # No result for the hung document (its outcome is existing()'s to settle); the next one posts.
    assert set(results) == {docs[1].key} and results[docs[1].key].posted
    assert found == {docs[1].key} and not unbalanced(company)


def _children() -> list[int]:
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids += [int(p) for p in (task / "children").read_text().split()]
    return pids


async def test_bridge_killed_mid_post_leaves_nothing_half_written(settings, company, plan, monkeypatch) -> None:
    docs = [d for d in plan.by_kind(DocumentKind.SALES_INVOICE) if not d.currency][:2]
    monkeypatch.setenv("MOBIUS_S50_STANDIN_FAULTS", f"hang:{docs[0].number}")
    before = set(_children())

    def kill_bridge() -> None:
        time.sleep(4)
        for pid in set(_children()) - before:  # only the bridge this test started
            os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill_bridge, daemon=True).start()
    results, found = await run(settings, plan, docs)
    assert set(results) == {docs[1].key} and found == {docs[1].key} and not unbalanced(company)


async def test_an_alert_that_needs_an_answer_is_answered_no_and_reported(settings, plan, monkeypatch) -> None:
    doc = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: not d.currency)
    monkeypatch.setenv("MOBIUS_S50_STANDIN_FAULTS", f"ask:{doc.number}")
    results, found = await run(settings, plan, [doc])
    assert results[doc.key].status == PostStatus.FAILED and not found
    assert "quantity sold is more than the quantity on hand" in results[doc.key].error


async def test_wrong_sage_password_at_the_sdk_skips_everything(settings, plan) -> None:
    docs = plan.by_kind(DocumentKind.SALES_INVOICE)[:2]
    async with Sage50(settings) as s50:
        ref = await s50.reference()
        s50._settings = replace(s50.setup, sage_password="wrong")
        results = [r async for r in s50.post(plan, docs, ref)]
    assert [r.status for r in results] == [PostStatus.SKIPPED] * 2
    assert "refused the user name or password" in results[0].error and "wrong" not in results[0].error


async def test_a_bridge_that_is_not_built_is_refused_at_login(settings, tmp_path) -> None:
    with pytest.raises(PackageError, match="bridge is not built"):
        async with Sage50({**settings, "bridge_path": str(tmp_path / "Sage50Bridge.exe")}):
            pass


async def test_a_customer_that_cannot_be_created_fails_its_documents_only(settings, plan) -> None:
    zebre = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: d.customer.name.startswith("Zèbre"))
    other = one_of(plan, DocumentKind.SALES_INVOICE, lambda d: not d.currency and d is not zebre)
    long_name = "Z" * 60
    bad = replace(zebre, customer=replace(zebre.customer, name=long_name))
    plan2 = replace(plan, customers=[*plan.customers, replace(plan.customers[0], name=long_name)])
    results, _ = await run(settings, plan2, [bad, other])
    assert results[bad.key].status == PostStatus.FAILED and "could not be created" in results[bad.key].error
    assert results[other.key].posted
