"""Expenses: journal form (expense debit, offset credit) and expense bills (member vendors)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mobius_tui.documents.convert import plan_from_glexport
from mobius_tui.documents.model import DocumentKind, JournalEntry, Posting, PurchaseDocument, RecordKind


def test_journal_expense_debits_the_expense_and_credits_the_offset(export):
    plan = plan_from_glexport(export("expenses"))
    assert plan.issues == []
    taxi, hotel = plan.documents
    assert isinstance(taxi, JournalEntry) and taxi.kind == DocumentKind.JOURNAL_ENTRY
    assert taxi.postings() == [
        Posting("6100", Decimal("42.50"), "Ground transportation"),
        Posting("2100", Decimal("-42.50"), "Expense offset"),
    ]
    assert taxi.imbalance() == 0 and taxi.total == Decimal("42.50")
    assert (taxi.number, taxi.date, taxi.source) == ("E6001", date(2025, 4, 10), "expense")
    assert taxi.description == "Jane Doe: Ground transportation"
    assert taxi.origin.record_kind == RecordKind.EXPENSE
    assert taxi.origin.gl_entry_ids == (6001, 6002)
    assert taxi.origin.label() == "expense E6001 (jdoe)"  # the number as posted
    assert hotel.origin.gl_entry_ids == (6003, 6004)
    assert hotel.total == Decimal("189.99")


def test_expense_bill_is_an_ap_bill_to_the_member_vendor(export):
    plan = plan_from_glexport(export("expense_bills"))
    assert plan.issues == []
    (bill,) = plan.documents
    assert isinstance(bill, PurchaseDocument) and bill.kind == DocumentKind.AP_BILL
    assert bill.employee
    assert (bill.vendor.account, bill.vendor.name, bill.vendor.manage_id) == ("EMP-JDOE", "Jane Doe", 31)
    assert (bill.number, bill.vendor_invoice_number, bill.payable_account) == ("EXP-JDOE-0430", "EXP-JDOE-0430", "2110")
    assert bill.document_total == Decimal("232.49")
    # the zero line is dropped; its entry id stays with the bill
    assert [(ln.account, ln.amount, ln.gl_type) for ln in bill.lines] == [
        ("6100", Decimal("42.50"), "EI"),
        ("6200", Decimal("189.99"), "EE"),
    ]
    assert bill.origin.gl_entry_ids == (7001, 7002, 7003, 7004)
    assert bill.imbalance() == 0
    assert [(v.account, v.is_member) for v in plan.vendors] == [("EMP-JDOE", True)]


def test_expense_bill_without_member_vendor_number_is_an_issue(export, raw):
    data = raw("expense_bills")
    del data["expenseBills"][0]["vendorNumber"]
    plan = plan_from_glexport(export(data))
    assert plan.documents == []
    (issue,) = plan.issues
    assert issue.origin is not None and issue.origin.number == "EXP-JDOE-0430"
    assert "Jane Doe has no vendor number" in issue.what
    assert "System > Members" in issue.fix


def test_journal_expense_without_offset_is_an_issue(export, raw):
    data = raw("expenses")
    del data["expenses"][1]["offset"]
    plan = plan_from_glexport(export(data))
    assert [d.number for d in plan.documents] == ["E6001"]
    assert [i.origin.record_id for i in plan.issues] == ["6003"]
    assert "no offset entry" in plan.issues[0].what


def test_journal_expense_whose_offset_does_not_match_is_unbalanced(export, raw):
    data = raw("expenses")
    data["expenses"][0]["offset"]["total"] = -40
    plan = plan_from_glexport(export(data))
    assert [d.number for d in plan.documents] == ["E6003"]
    (issue,) = plan.issues
    assert "does not balance" in issue.what and "2.50" in issue.what
