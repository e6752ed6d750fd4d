"""The large answers of Manage (a GLExport is tens of MB) are read as a stream: decoded while they
arrive to the same records as the whole decode, with the same error messages, however the body is
cut into pieces; a cut-off export is asked for again; the GLExport that ``POST /batches`` may
answer with is not kept."""

from __future__ import annotations

import json

import httpx
import msgspec
import pytest

from mobius_tui.documents.convert import PlanOptions, PlanReader, plan_from_glexport
from mobius_tui.manage import ManageError
from mobius_tui.manage.client import BATCH_REPLY_KEPT
from mobius_tui.manage.lean import GLExportStream, decode_glexport
from mobius_tui.manage.models import CreateAccountingBatchRequest, ExportAccountingBatchRequest
from mobius_tui.service.pipeline import converter_fields
from tests.manage.manage_mock import Recorder

EVERYTHING = ExportAccountingBatchRequest(exportInvoicesFlag=True, exportExpensesFlag=True, exportProductsFlag=True)
CHUNK = 16 * 1024


class Chunks(httpx.AsyncByteStream):
    """A response body sent in chunks; ``cut_after``: the connection breaks after that many."""

    def __init__(self, body: bytes, cut_after: int | None = None) -> None:
        self.body, self.cut_after, self.sent = body, cut_after, 0

    async def __aiter__(self):
        for start in range(0, len(self.body), CHUNK):
            if self.cut_after is not None and self.sent >= self.cut_after:
                raise httpx.ReadError("connection reset by peer")
            self.sent += 1
            yield self.body[start:start + CHUNK]


def streamed(body: bytes, size: int, keep: frozenset[str] | None = None):
    stream = GLExportStream(keep)
    for start in range(0, len(body), size):
        stream.feed(body[start:start + size])
    return stream.close()


@pytest.mark.parametrize("size", [7, 1000, 4096, 65536, 10**9])
def test_a_streamed_glexport_has_the_records_of_the_whole_decode(manage_sandbox, size):
    body = manage_sandbox.store.export_json(EVERYTHING)
    for keep in (None, converter_fields()):
        whole = decode_glexport(body, keep)
        assert whole.transactions and whole.expenses and whole.purchaseTransactions and whole.customers
        assert streamed(body, size, keep) == whole
    # white space anywhere JSON allows it, escaped keys, fields of no interest, nulls
    spaced = (b' \n{ "transactions" :\t[ {"id": 1, "detail": [{"total": 1.50}, {"total": -2e1}]} ,\r\n'
              b' {"id": 2,"memo":"a ] } , [ \\" b"} ] , "expenses": null, "vendors": [], "\\u0063ustomers": [{}],'
              b' "someday": {"x": [1, {"y": "}"}]}, "exportSettings": {"a": [1, 2]}, "unknown": 12.5,'
              b' "later": [{"a": [1]}, 2, "x", [3]]} \n')
    for size in (1, 2, 3, 5, 64, 10**9):
        assert streamed(spaced, size) == decode_glexport(spaced)
    assert decode_glexport(spaced).transactions[1].memo == 'a ] } , [ " b'
    for empty in (b"", b"  ", b"{}", b" { } "):
        assert streamed(empty, 1) == decode_glexport(empty)


@pytest.mark.parametrize("body", [
    b'{"transactions": [{"id": 1}, {"id": 2, "detail": [{"total": "lots"}]}]}',
    b'{"transactions": [{"id": 1}, "not a record"]}',
    b'{"expenses": [{"id": 3}], "transactions": 7}',
    b'{"customers": [{"company": {"id": "x"}}]}',
    b'{"exportSettings": 1, "transactions": [{"id": 1, "currency": [1]}]}',
    b'[]',
    b'"text"',
])
def test_a_wrong_type_is_told_at_the_same_path(body):
    with pytest.raises(msgspec.ValidationError) as whole:
        decode_glexport(body)
    for size in (1, 4, 10**9):
        with pytest.raises(msgspec.ValidationError) as pieces:
            streamed(body, size)
        assert str(pieces.value) == str(whole.value)


@pytest.mark.parametrize("body", [
    b'{"transactions": [{"id": 1}, {"id": 2',  # cut off
    b'{"transactions": [{"id": 1}, {"id": 2}]',
    b'{"transactions": [{"id": 1.}]}',
    b'{"transactions": [{"id": 1} {"id": 2}]}',
    b'{"transactions": [{"id": 1},]}',
    b'{"transactions" [{"id": 1}]}',
    b'{"transactions": [], }',
    b'{"transactions": []} x',
    b'{"transactions": [], "memo": tru}',
    b'{"later": [1 2], "transactions": []}',
    b'<html>Service unavailable</html>',
])
def test_a_malformed_or_truncated_glexport_is_refused_as_the_whole_decode_refuses_it(body):
    with pytest.raises(msgspec.DecodeError):
        decode_glexport(body)
    for size in (1, 5, 10**9):
        with pytest.raises(msgspec.DecodeError):
            streamed(body, size)


async def test_a_truncated_export_is_the_readable_not_json_error():
    body = b'{"transactions": [{"id": 1, "detail": [{"total": 1.5}]}, {"id": 2, "det'
    rec = Recorder(httpx.Response(200, stream=Chunks(body), headers={"content-type": "application/json"}))
    async with rec.client() as manage:
        with pytest.raises(ManageError, match=r"POST /v4_6_release/apis/3.0/finance/accounting/export with something "
                                              r"that is not JSON \(application/json: '\{\"transactions\""):
            await manage.export(EVERYTHING, lean=True)


async def test_an_export_cut_off_while_reading_is_asked_for_again(manage_sandbox):
    body = manage_sandbox.store.export_json(EVERYTHING)
    rec = Recorder(httpx.Response(200, stream=Chunks(body, cut_after=2)), httpx.Response(200, stream=Chunks(body)))
    reader = PlanReader(PlanOptions())
    reads: list[int] = []

    def watch():  # each read of the response starts the reader over
        reads.append(reader.early)
        return reader.watch()

    async with rec.client() as manage:
        export = await manage.export(EVERYTHING, lean=True, keep=converter_fields(), watch=watch)
    assert export == decode_glexport(body, converter_fields())
    assert [r.method for r in rec.requests] == ["POST", "POST"] and len(rec.waits) == 1
    # invoices were converted from the broken read; those are dropped and the full read's are kept
    assert len(reads) == 2 and reads[1] > 0 and reader.early == len(export.transactions)
    assert reader.plan(export, PlanOptions()) == plan_from_glexport(export, PlanOptions())

    rec = Recorder(lambda request: httpx.Response(200, stream=Chunks(body, cut_after=1)))
    async with rec.client() as manage:
        with pytest.raises(ManageError, match="answer to POST .*/finance/accounting/export was cut off 4 times"):
            await manage.export(EVERYTHING, lean=True)


async def test_a_batch_answered_with_its_glexport_is_looked_up_without_keeping_the_glexport(manage_sandbox):
    glexport = manage_sandbox.store.export_json(EVERYTHING)
    assert len(glexport) > 4 * BATCH_REPLY_KEPT
    stream = Chunks(glexport)
    batch = {"id": 9, "batchIdentifier": "B1", "exportInvoicesFlag": True}
    rec = Recorder(httpx.Response(201, stream=stream), httpx.Response(200, json=[batch]))
    request = CreateAccountingBatchRequest(batchIdentifier="B1", exportInvoicesFlag=True, processedRecordIds=[1, 2])
    async with rec.client() as manage:
        created, _ = await manage.create_batch(request)
    assert created.id == 9 and [r.method for r in rec.requests] == ["POST", "GET"]
    assert stream.sent * CHUNK <= BATCH_REPLY_KEPT + CHUNK  # read only until it was too long to be the batch


async def test_a_batch_answered_with_itself_or_cut_off():
    batch = {"id": 9, "batchIdentifier": "B1", "exportInvoicesFlag": True}
    request = CreateAccountingBatchRequest(batchIdentifier="B1", exportInvoicesFlag=True, processedRecordIds=[1])
    rec = Recorder(httpx.Response(201, stream=Chunks(json.dumps(batch).encode())))
    async with rec.client() as manage:
        created, answered = await manage.create_batch(request)
    assert created.id == 9 and answered  # the POST's own answer named it
    assert [r.method for r in rec.requests] == ["POST"]

    # created (2xx) but the answer is lost: looked up, never sent again; the only batch Manage
    # lists under the identifier is the one this POST created
    rec = Recorder(httpx.Response(201, stream=Chunks(b" " * 3 * CHUNK, cut_after=1)), httpx.Response(200, json=[batch]))
    async with rec.client() as manage:
        created, ours = await manage.create_batch(request)
    assert created.id == 9 and ours
    assert [r.method for r in rec.requests] == ["POST", "GET"]

    # two batches under the identifier: which one this POST created is unknown, the caller checks
    other = {"id": 5, "batchIdentifier": "B1", "exportInvoicesFlag": True}
    rec = Recorder(httpx.Response(201, stream=Chunks(b" " * 3 * CHUNK, cut_after=1)),
                   httpx.Response(200, json=[other, batch]))
    async with rec.client() as manage:
        created, ours = await manage.create_batch(request)
    assert created.id == 5 and not ours
