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


def test_run_log_file_holds_errors_at_once_and_every_line_by_the_end(tmp_path, monkeypatch):
    from mobius_tui.service import runlog

    clock = [100.0]
    monkeypatch.setattr(runlog.time, "monotonic", lambda: clock[0])
    path = tmp_path / "run.log"
    log = RunLog(lambda _: None, path)
    log(ev.Started("r1", "sync-payments"))
    assert "sync-payments started" in path.read_text()
    log(ev.LogLine("invoice 1: paid"))
    log(ev.LogLine("invoice 2: paid"))
    assert "invoice 2" not in path.read_text()  # informational lines wait in the buffer ...
    clock[0] += runlog.FLUSH_EVERY
    log(ev.LogLine("invoice 3: paid"))
    assert "invoice 3: paid" in path.read_text()  # ... a fraction of a second at most
    log(ev.LogLine("invoice 4: paid"))
    log(ev.LogLine("invoice 5: refused", ev.Level.ERROR))
    assert "error: invoice 5: refused" in path.read_text()  # an error is written at once, with what came before
    log(ev.LogLine("invoice 6: paid"))
    log.close()
    assert path.read_text().count("\n") == 7
