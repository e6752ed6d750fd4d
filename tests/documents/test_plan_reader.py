"""Invoices planned while the GLExport is read (``PlanReader``) give the plan the converter gives
on the whole export, for exports the Manage sandbox produced; when the early work cannot be the
same (customers sent after invoices, other invoice options, a response read again), it is dropped."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import msgspec
import pytest

from mobius_tui.documents import convert
from mobius_tui.documents.convert import PlanOptions, PlanReader, plan_from_glexport
from mobius_tui.manage import models as m
from mobius_tui.manage.lean import GLExportStream
from mobius_tui.sandbox.manage.store import ManageStore
from mobius_tui.service.pipeline import converter_fields

EVERYTHING = {"exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}
PIECE = 8192


def _body(seed: int, summarize: str) -> bytes:
    store = ManageStore(":memory:", seed=seed, size=80)
    try:
        return store.export_json(m.ExportAccountingBatchRequest(
            **EVERYTHING, thruDate=datetime(2030, 1, 1), summarizeInvoices=summarize))
    finally:
        store.close()


def _read(body: bytes, watch) -> m.GLExport:
    stream = GLExportStream(converter_fields(), watch)
    for start in range(0, len(body), PIECE):
        stream.feed(body[start:start + PIECE])
    return stream.close()


@pytest.mark.parametrize(("seed", "summarize", "options"), [
    (3, "Detailed", PlanOptions()),
    (5, "Condensed", PlanOptions(home_currency="USD")),
    (8, "Detailed", PlanOptions(strip_invoice_prefix="INV", add_invoice_prefix="CW-", keep_zero_lines=True)),
])
def test_invoices_planned_as_they_arrive_give_the_plan_of_the_whole_export(seed, summarize, options,
                                                                           monkeypatch) -> None:
    body = _body(seed, summarize)
    reader = PlanReader(options)
    export = _read(body, reader.watch())
    assert reader.early == len(export.transactions) > 0  # all converted before the export was whole
    # the final options add what only inventory records read
    final = replace(options, procurement_entry_ids={"1-adjustment": [7]})
    with monkeypatch.context() as patched:  # the early invoices are kept: the whole export is not converted again
        patched.setattr(convert, "plan_from_glexport", None)
        planned = reader.plan(export, final)
    assert planned == plan_from_glexport(export, final)


def test_customers_after_the_invoices_are_planned_with_the_whole_export() -> None:
    body = _body(3, "Detailed")
    parts = msgspec.json.decode(body, type=dict[str, msgspec.Raw])
    order = ["transactions", *[k for k in parts if k != "transactions"]]  # the invoices first, customers after
    reordered = b"{" + b",".join(b'"%s":%s' % (k.encode(), bytes(parts[k])) for k in order) + b"}"
    reader = PlanReader(PlanOptions())
    export = _read(reordered, reader.watch())
    assert reader.early > 0
    assert reader.plan(export, PlanOptions()) == plan_from_glexport(export, PlanOptions())


def test_other_invoice_options_or_a_response_read_again_drop_the_early_invoices() -> None:
    body = _body(5, "Detailed")
    reader = PlanReader(PlanOptions())
    export = _read(body, reader.watch())
    other = PlanOptions(add_invoice_prefix="X-")
    planned = reader.plan(export, other)
    assert planned == plan_from_glexport(export, other) and any(d.number.startswith("X-") for d in planned.documents)

    reader = PlanReader(PlanOptions())
    half = GLExportStream(converter_fields(), reader.watch())
    half.feed(body[:len(body) // 2])  # the connection failed here: the client reads the response again
    assert reader.early > 0
    export = _read(body, reader.watch())
    assert reader.early == len(export.transactions)
    assert reader.plan(export, PlanOptions()) == plan_from_glexport(export, PlanOptions())
