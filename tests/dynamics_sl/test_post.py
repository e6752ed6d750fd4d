"""Posting every document kind into a sandbox SL company over real ODBC, read back from the tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

from mobius_tui.accounting.base import PostStatus
from mobius_tui.accounting.dynamics_sl.sql import to_decimal

from . import docs

async def _post(sl, plan):
    ref = await sl.reference()
    problems = [p for p in sl.check(plan, ref) if p.blocking]
    assert problems == [], [p.message() for p in problems]
    return [r async for r in sl.post(plan, plan.documents, ref)]

def _money(value) -> D:
    return to_decimal(value)

async def test_invoice_and_credit_memo_go_to_one_balanced_ar_batch(sl, company):
    inv, cm = docs.invoice("INV20001"), docs.invoice("CM20002", credit=True)
    results = await _post(sl, docs.plan(inv, cm))
    assert [r.status for r in results] == [PostStatus.POSTED, PostStatus.POSTED]
    with company.session() as s:
        ar = s.rows("SELECT * FROM Batch WHERE Module = 'AR'")
        assert len(ar) == 1
        batch = ar[0]
        assert (batch["status"], int(batch["rlsed"]), batch["editscrnnbr"], batch["jrnltype"]) == ("B", 0, "08010", "AR")
        assert _money(batch["crtot"]) == _money(batch["ctrltot"]) == inv.document_total + cm.document_total
        docs_rows = {r["refnbr"]: r for r in s.rows("SELECT * FROM ARDoc WHERE BatNbr = ?", batch["batnbr"])}
        assert docs_rows["INV20001"]["doctype"] == "IN" and docs_rows["CM20002"]["doctype"] == "CM"
        head = docs_rows["INV20001"]
        assert _money(head["origdocamt"]) == _money(head["docbal"]) == inv.document_total
        assert (head["bankacct"], head["banksub"], head["custid"], head["terms"]) == ("1200", "00", docs.CUSTOMER, "30")
        assert (int(head["opendoc"]), int(head["rlsed"]), head["docclass"], head["perpost"]) == (1, 0, "N", "202505")
        assert head["taxid00"] == "CRA-HST" and _money(head["taxtot00"]) == inv.taxes[0].amount
        assert head["discdate"] == datetime(1900, 1, 1) and head["perclosed"] == ""
        assert head["duedate"] == datetime(2025, 6, 13)
        lines = s.rows("SELECT * FROM ARTran WHERE RefNbr = 'INV20001' ORDER BY LineNbr")
        assert [(ln["acct"], ln["sub"], ln["drcr"]) for ln in lines] == [
            ("4100", "10", "C"), ("4200", "10", "C"), ("4200", "20", "C")]
        assert [int(ln["linenbr"]) for ln in lines] == [-32766, -32765, -32764]
        assert sum(_money(ln["tranamt"]) for ln in lines) + _money(head["taxtot00"]) == _money(head["origdocamt"])
        assert {ln["drcr"] for ln in s.rows("SELECT DrCr FROM ARTran WHERE RefNbr = 'CM20002'")} == {"D"}
        assert {r["doctype"] for r in s.rows("SELECT DocType FROM RefNbr")} == {"IN", "CM"}

async def test_inventory_invoice_gets_its_own_cost_gl_batch(sl, company):
    results = await _post(sl, docs.plan(docs.invoice("INV20001")))
    assert "cost GL batch" in results[0].reference
    with company.session() as s:
        gl = s.rows("SELECT * FROM Batch WHERE Module = 'GL'")
        assert len(gl) == 1 and gl[0]["status"] == "B" and gl[0]["editscrnnbr"] == "01010"
        lines = s.rows("SELECT * FROM GLTran WHERE BatNbr = ? AND Module = 'GL' ORDER BY LineNbr", gl[0]["batnbr"])
        assert [(ln["acct"], _money(ln["dramt"]), _money(ln["cramt"])) for ln in lines] == [
            ("5100", D("1212.50"), D(0)), ("1300", D(0), D("1212.50"))]
        assert _money(gl[0]["crtot"]) == _money(gl[0]["drtot"]) == D("1212.50")
        assert {ln["posted"] for ln in lines} == {"U"} and {ln["refnbr"] for ln in lines} == {"INV20001"}

async def test_receipts_and_expense_bills_are_vouchers_in_separate_batches(sl, company):
    rcpt, bill = docs.receipt(), docs.expense_bill()
    results = await _post(sl, docs.plan(rcpt, bill))
    assert all(r.posted for r in results)
    with company.session() as s:
        batches = s.rows("SELECT * FROM Batch WHERE Module = 'AP' ORDER BY BatNbr")
        assert len(batches) == 2
        vouchers = {r["invcnbr"]: r for r in s.rows("SELECT * FROM APDoc")}
        receipt_row = vouchers["VI-777"]
        assert (receipt_row["doctype"], receipt_row["vendid"], receipt_row["acct"], receipt_row["ponbr"]) == (
            "VO", "INGRAM", "2100", "PO30001")
        assert receipt_row["refnbr"] == "000001" and vouchers["700101"]["refnbr"] == "000002"
        lines = s.rows("SELECT * FROM APTran WHERE RefNbr = '000001' ORDER BY LineNbr")
        # Inventory items on the inventory asset account, others on COGS.
        assert [(ln["acct"], ln["sub"]) for ln in lines] == [("1300", "00"), ("5200", "10"), ("5300", "00")]
        assert sum(_money(ln["tranamt"]) for ln in lines) == rcpt.document_total - _money(receipt_row["taxtot00"])
        for batch in batches:
            total = _money(s.scalar("SELECT SUM(OrigDocAmt) FROM APDoc WHERE BatNbr = ?", batch["batnbr"]))
            assert _money(batch["crtot"]) == _money(batch["ctrltot"]) == total
        assert s.scalar("SELECT LastRefNbr FROM APSetup WHERE SetupId = 'AP'") == "000002"

async def test_expense_report_number_too_long_for_sl_becomes_the_expense_id(sl, company):
    bill = docs.expense_bill("EXP-mchen-20250630")
    [result] = await _post(sl, docs.plan(bill))
    assert result.posted, result
    with company.session() as s:
        row = s.one("SELECT InvcNbr, DocDesc FROM APDoc")
    assert row["invcnbr"] == f"E{bill.origin.record_id}" and row["docdesc"].startswith("EXP-mchen-20250630")
    assert (await sl.existing([bill])).found[bill.key] == result.reference


async def test_expense_journal_entries_are_one_gl_batch_each(sl, company):
    results = await _post(sl, docs.plan(docs.journal("700201"), docs.journal("700202", D("12.00"))))
    assert all(r.posted for r in results)
    with company.session() as s:
        batches = s.rows("SELECT * FROM Batch WHERE Module = 'GL' ORDER BY BatNbr")
        assert [b["status"] for b in batches] == ["B", "B"]
        for batch in batches:
            lines = s.rows("SELECT * FROM GLTran WHERE Module = 'GL' AND BatNbr = ?", batch["batnbr"])
            dr, cr = sum(_money(ln["dramt"]) for ln in lines), sum(_money(ln["cramt"]) for ln in lines)
            assert dr == cr == _money(batch["crtot"]) == _money(batch["drtot"])
            assert {ln["ledgerid"] for ln in lines} == {"ACTUAL"} and {ln["jrnltype"] for ln in lines} == {"GJ"}

async def test_adjustment_and_transfer_are_in_batches(sl, company):
    results = await _post(sl, docs.plan(docs.adjustment(), docs.transfer()))
    assert all(r.posted for r in results), results
    with company.session() as s:
        adj = s.rows("SELECT * FROM INTran WHERE TranType = 'AJ' ORDER BY LineNbr")
        assert [(ln["invtid"], D(str(ln["qty"])), _money(ln["tranamt"]), ln["acct"]) for ln in adj] == [
            ("LAPTOP-14", D("-2.0"), D("-2425.00"), "5400"), ("MON-27", D("3.0"), D("903.45"), "5400")]
        batch = s.one("SELECT * FROM Batch WHERE Module = 'IN' AND EditScrnNbr = '10030'")
        assert _money(batch["crtot"]) == D("-1521.55") and _money(batch["drtot"]) == D("1")
        trf = s.one("SELECT * FROM TrnsfrDoc")
        assert (trf["siteid"], trf["tositeid"], trf["refnbr"], trf["status"]) == ("1", "2", "TRF-8001", "I")
        line = s.one("SELECT * FROM INTran WHERE TranType = 'TR'")
        assert (int(line["invtmult"]), line["tositeid"], line["acct"], line["refnbr"]) == (
            -1, "2", "1300", trf["trnsfrdocnbr"])
        # Stock taken out by unreleased lines counts as allocated at the source site.
        site = s.one("SELECT QtyAllocIN, QtyAvail FROM ItemSite WHERE InvtID = 'LAPTOP-14' AND SiteID = '1'")
        assert (D(str(site["qtyallocin"])), D(str(site["qtyavail"]))) == (D("6.0"), D("94.0"))

async def test_transfer_credits_the_source_warehouse_account_when_it_differs(sl, company):
    trf = docs.transfer("TRF-8002")
    trf.lines = [replace(trf.lines[0], offset_account="1310-00")]
    assert sum(p.amount for p in trf.postings()) == 0
    results = await _post(sl, docs.plan(trf))
    assert results[0].posted, results
    with company.session() as s:
        line = s.one("SELECT * FROM INTran WHERE TranType = 'TR'")
        # The source side leaves the account Manage credited, not the item's (destination) account.
        assert (line["invtacct"], line["invtsub"], int(line["invtmult"])) == ("1310", "00", -1)
        assert (line["acct"], line["tositeid"], _money(line["tranamt"])) == ("1300", "2", D("4850.00"))


async def test_adjustment_lines_without_a_warehouse_use_the_item_default_site(sl, company):
    adj = docs.adjustment("ADJ-5002")
    adj.lines = [replace(ln, item=replace(ln.item, location_xref="")) for ln in adj.lines]
    results = await _post(sl, docs.plan(adj))
    assert results[0].posted, results
    with company.session() as s:
        sites = {r["invtid"]: r["siteid"] for r in s.rows("SELECT InvtID, SiteID FROM INTran WHERE TranType = 'AJ'")}
        defaults = {r["invtid"]: r["dfltsite"] for r in s.rows("SELECT InvtID, DfltSite FROM Inventory")}
    assert sites == {code: defaults[code] for code in sites} and set(sites) == {"LAPTOP-14", "MON-27"}


async def test_foreign_currency_invoice_converts_at_the_sl_rate(sl, company):
    inv = docs.invoice("INV20009", "C00106", currency="USD", taxes=[], receivable="1210-00")
    results = await _post(sl, docs.plan(inv))
    assert results[0].posted
    with company.session() as s:
        head = s.one("SELECT * FROM ARDoc WHERE RefNbr = 'INV20009'")
        assert head["curyid"] == "USD" and head["curymultdiv"] == "M"
        assert _money(head["curyorigdocamt"]) == inv.document_total
        assert _money(head["origdocamt"]) == (inv.document_total * D("1.37")).quantize(D("0.01"))
        batch = s.one("SELECT * FROM Batch WHERE Module = 'AR'")
        assert batch["curyid"] == "USD" and _money(batch["curycrtot"]) == inv.document_total

async def test_missing_customers_and_vendors_are_created_with_the_default_class(sl, company):
    inv = docs.invoice("INV20010", "C09999")
    rcpt = docs.receipt("PO30010", "NEWVEND")
    results = await _post(sl, docs.plan(inv, rcpt, customers=[docs.new_customer()], vendors=[docs.new_vendor()]))
    assert all(r.posted for r in results)
    with company.session() as s:
        cust = s.one("SELECT * FROM Customer WHERE CustId = 'C09999'")
        assert (cust["classid"], cust["aracct"], cust["terms"], cust["crtd_prog"]) == ("STD", "1200", "30", "08260")
        vend = s.one("SELECT * FROM Vendor WHERE VendId = 'NEWVEND'")
        assert (vend["classid"], vend["apacct"], vend["name"]) == ("STD", "2100", "New Supplier Ltd.")

async def test_one_failing_document_leaves_the_others_and_the_batch_total_right(sl, company):
    first = docs.invoice("INV20001")
    assert all(r.posted for r in await _post(sl, docs.plan(first)))
    again = [docs.invoice("INV20002"), docs.invoice("INV20001"), docs.invoice("INV20003")]
    ref = await sl.reference()
    results = [r async for r in sl.post(docs.plan(*again), again, ref)]
    assert [r.status for r in results] == [PostStatus.POSTED, PostStatus.FAILED, PostStatus.POSTED]
    assert "INV20001 is already used in Dynamics SL" in results[1].error
    with company.session() as s:
        batch_nbr = results[0].reference.split()[2]
        batch = s.one("SELECT * FROM Batch WHERE Module = 'AR' AND BatNbr = ?", batch_nbr)
        assert s.scalar("SELECT COUNT(*) FROM ARDoc WHERE BatNbr = ?", batch_nbr) == 2
        assert _money(batch["crtot"]) == again[0].document_total + again[2].document_total
        assert _money(batch["crtot"]) == _money(s.scalar("SELECT SUM(OrigDocAmt) FROM ARDoc WHERE BatNbr = ?",
                                                         batch_nbr))
        # The failed document left nothing behind (no second INV20001 row, no extra cost batch).
        assert s.scalar("SELECT COUNT(*) FROM ARDoc WHERE RefNbr = 'INV20001'") == 1
        assert s.scalar("SELECT COUNT(*) FROM Batch WHERE Module = 'GL'") == 3

async def test_a_document_sl_rejects_fails_with_a_readable_reason(sl, company):
    bad = docs.invoice("INV20011", lines=[docs.invoice().lines[0]])
    bad.lines[0] = type(bad.lines[0])("4100-10", bad.lines[0].amount, "x", item=docs.ItemRef("Z" * 31))
    ref = await sl.reference()
    results = [r async for r in sl.post(docs.plan(bad), [bad], ref)]
    assert results[0].status == PostStatus.FAILED
    assert "longer than artran.invtid allows (30 characters)" in results[0].error.lower()
    with company.session() as s:
        assert s.scalar("SELECT COUNT(*) FROM ARDoc") == 0 and s.scalar("SELECT COUNT(*) FROM Batch") == 0
        assert s.scalar("SELECT LastBatNbr FROM ARSetup WHERE SetupId = 'AR'") == "000000"

async def test_batch_numbers_come_from_the_setup_row_keeping_width_and_skipping_used_numbers(sl, company):
    with company.session() as s:
        s.execute("UPDATE GLSetup SET LastBatNbr = '0000041' WHERE SetupId = 'GL'")
        s.insert("Batch", {"Module": "GL", "BatNbr": "0000042", "CpnyID": "MOBIUS", "Status": "H"})
        s.commit()
    results = await _post(sl, docs.plan(docs.journal("700301"), docs.journal("700302")))
    assert [r.reference for r in results] == ["GL batch 0000043", "GL batch 0000044"]
    with company.session() as s:
        assert s.scalar("SELECT LastBatNbr FROM GLSetup WHERE SetupId = 'GL'") == "0000044"

async def test_every_column_gets_sl_blank_values_not_nulls(sl, company):
    await _post(sl, docs.plan(docs.invoice("INV20001")))
    with company.session() as s:
        row = s.one("SELECT * FROM ARDoc WHERE RefNbr = 'INV20001'")
        assert None not in row.values()
        assert row["user1"] == "" and row["s4future07"] == datetime(1900, 1, 1) and row["s4future03"] == 0
        assert row["crtd_user"] == "SYSADMIN" and row["crtd_prog"] == "08010"
