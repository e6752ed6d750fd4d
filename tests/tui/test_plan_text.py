"""The dry-run plan and the rerun dialog as text: one figure per currency, labels capitalised."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from mobius_tui.service.events import Outcome
from mobius_tui.service.reports import DocumentResult, DocumentState, PlanLine, PlannedDocument, PlanSummary, RunReport
from mobius_tui.tui.plan_text import plan_lines
from mobius_tui.tui.screens.rerun import duplicate_text


def planned(number: str, total: str, currency: str, receivable: str) -> PlannedDocument:
    lines = (PlanLine(receivable, D(total)), PlanLine("4100-10", -D(total), "Services"))
    return PlannedDocument(f"sales_invoice:{number}", f"invoice {number}", "sales_invoice", number, date(2025, 6, 2),
                           "C001", D(total), lines, (), (1,), currency)


def test_plan_totals_and_accounts_are_split_by_currency():
    docs = [planned("INV1", "300000.00", "", "1200-00"), planned("INV2", "23000.00", "USD", "1210-00"),
            planned("INV3", "252.83", "USD", "1210-00")]
    plan = PlanSummary(documents=docs, totals={"sales_invoice": {"": D("300000.00"), "USD": D("23252.83")}},
                       accounts={"4100-10": {"USD": D("-23252.83"), "": D("-300000.00")}, "1210-00": {"USD": D("23252.83")},
                                 "1200-00": {"": D("300000.00")}})
    lines = plan_lines(plan)
    assert lines[:3] == ["3 documents would be posted.", "Total: 300,000.00 · 23,252.83 USD (credit memos count negative)",
                         "  sales invoice: 300,000.00 · 23,252.83 USD"]
    accounts = lines[lines.index("Accounts (debit +, credit -):") + 1:lines.index("Accounts (debit +, credit -):") + 5]
    assert accounts == [
        "  1200-00                    300,000.00",
        "  1210-00                     23,252.83 USD",
        "  4100-10                   -300,000.00",  # one line per currency: never -323,252.83
        "  4100-10                    -23,252.83 USD",
    ]
    assert "Invoice INV2 · sales invoice INV2 · 2025-06-02 · C001 · 23,000.00 USD" in lines
    # every posting line carries its document's currency
    assert "    4100-10                  -23,000.00 USD  Services" in lines


def test_a_failed_check_says_nothing_would_be_posted_and_one_document_is_singular():
    plan = PlanSummary(documents=[planned("INV1", "10.00", "CAD", "1200-00")], totals={"sales_invoice": {"CAD": D("10.00")}})
    assert plan_lines(plan)[0] == "1 document would be posted."
    assert plan_lines(plan, check_failed=True)[0] == (
        "1 document planned, but none would be posted: the check failed (see Problems).")


def test_the_rerun_dialog_totals_per_currency_and_lists_capitalised_labels():
    plan = PlanSummary(totals={"sales_invoice": {"CAD": D("10.00"), "USD": D("5.00")}, "sales_credit": {"CAD": D("-2.00")}})
    report = RunReport("r1", "check", Outcome.SUCCESS, "2 documents already in the package", plan=plan,
                       results=[DocumentResult("sales_invoice:INV1", "invoice INV1", DocumentState.DUPLICATE, D("10.00"), "AR-1")])
    assert plan.grand_totals() == {"CAD": D("8.00"), "USD": D("5.00")}
    assert duplicate_text(report).splitlines()[1:] == ["Already in the package (1):", "  Invoice INV1 as AR-1"]
