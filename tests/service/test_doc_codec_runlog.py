import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from mobius_tui.documents.model import (
    DocumentKind, InventoryTransfer, ItemRef, ItemType, Line, MoveLine, Origin, Party, RecordKind, SalesDocument,
    TaxLevelAmount,
)
from mobius_tui.service import doc_codec
from mobius_tui.service import events as ev
from mobius_tui.service.runlog import RunLog, describe


def test_documents_survive_the_journal_exactly():
    origin = Origin(RecordKind.INVOICE, "17", "10452", (5, 6, 7))
    item = ItemRef("LAPTOP", ItemType.INVENTORY_PART, "Laptop", "5100", "1300", "TOR")
    doc = SalesDocument(
        DocumentKind.SALES_INVOICE, origin, "10452", date(2025, 3, 1), customer=Party("C001", "Acme", 9),
        receivable_account="1200", document_total=Decimal("113.00"),
        lines=[Line("4200", Decimal("100.00"), "Laptop", Decimal("1"), Decimal("100.00"), item, Decimal("70.00"))],
        taxes=[TaxLevelAmount(1, "HST", "CRA", Decimal("0.13"), Decimal("13.00"), account="2200")],
        due_date=date(2025, 3, 31),
    )
    back = doc_codec.loads(doc_codec.dumps(doc))
    assert back == doc and back.kind is DocumentKind.SALES_INVOICE and back.imbalance() == 0
    transfer = InventoryTransfer(DocumentKind.INVENTORY_TRANSFER, Origin(RecordKind.PROCUREMENT, "1-transfer", "T1", ()),
                                 "TRF1", date(2025, 1, 2), lines=[MoveLine(item, Decimal("2"), Decimal("140"))])
    assert doc_codec.loads(doc_codec.dumps(transfer)) == transfer


def test_a_stored_document_tells_its_currency_without_being_rebuilt():
    origin = Origin(RecordKind.INVOICE, "18", "10453", (8,))
    usd = SalesDocument(DocumentKind.SALES_INVOICE, origin, "10453", date(2025, 3, 1), customer=Party("C002", "Beta", 10),
                        receivable_account="1210", document_total=Decimal("6.00"), currency="USD",
                        lines=[Line("4200", Decimal("6.00"), "Labour")])
    assert doc_codec.currency_of(doc_codec.dumps(usd)) == "USD"
    assert doc_codec.currency_of(doc_codec.dumps(replace(usd, currency=""))) == ""  # the home currency
    assert doc_codec.currency_of("") == ""  # a journal row written without a body
    line = describe(ev.DocumentPosted("k", "invoice 10453", "AR 000123", Decimal("1234.5"), "USD"))
    assert line == ["posted invoice 10453 as AR 000123 (1,234.50 USD)"]


def test_the_journal_text_cannot_name_other_types():
    with pytest.raises(ValueError, match="unknown type"):
        doc_codec.loads(json.dumps({"$dc": "Popen", "args": "x"}))
    with pytest.raises(ValueError, match="not a document"):
        doc_codec.loads(json.dumps({"$dec": "1"}))


def test_run_log_keeps_lines_and_errors_and_scrubs_secrets(tmp_path):
    seen = []
    log = RunLog(seen.append, tmp_path / "run.log", redact=["s3cret"])
    log(ev.LogLine("connected with s3cret"))
    log(ev.DocumentFailed("k", "invoice 1", "refused"))

    def broken(_):
        raise RuntimeError("listener bug")

    log._emit = broken
    log(ev.Finished(ev.Outcome.PARTIAL, "1 of 2 posted"))  # a broken listener does not stop the run
    log.close()
    assert len(seen) == 2 and "s3cret" not in (tmp_path / "run.log").read_text()
    assert log.errors == ["FAILED invoice 1: refused"]
    assert log.errors_path().read_text() == "FAILED invoice 1: refused\n"
    assert "PARTIAL: 1 of 2 posted" in log.lines[-1]
