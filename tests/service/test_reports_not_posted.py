"""Documents found missing from the package after an interrupted posting are listed by name in the
report, its JSON and the command line's summary, apart from the ones the package refused."""

from __future__ import annotations

from decimal import Decimal

from mobius_tui.cli import _report_lines
from mobius_tui.service.events import Outcome
from mobius_tui.service.reports import DocumentResult, DocumentState, RunReport


def test_not_posted_documents_are_listed_by_name():
    results = [
        DocumentResult("sales_invoice:1", "invoice 1", DocumentState.POSTED, Decimal("5"), "R1"),
        DocumentResult("sales_invoice:2", "invoice 2", DocumentState.NOT_POSTED, Decimal("6"), error="not in the package"),
        DocumentResult("sales_invoice:3", "invoice 3", DocumentState.FAILED, Decimal("7"), error="no customer"),
    ]
    report = RunReport(run_id="r", action="finish", outcome=Outcome.PARTIAL, summary="s", results=results)
    assert [r.key for r in report.not_posted] == ["sales_invoice:2"]
    assert [r.key for r in report.failed] == ["sales_invoice:3"]
    data = report.to_json()
    assert data["not_posted"] == [{"key": "sales_invoice:2", "label": "invoice 2", "error": "not in the package"}]
    assert data["failed"] == [{"key": "sales_invoice:3", "error": "no customer"}]
    lines = _report_lines(report)
    assert any("not posted" in line and "invoice 2" in line for line in lines)
    assert any(line.startswith("  failed: invoice 3") for line in lines)
