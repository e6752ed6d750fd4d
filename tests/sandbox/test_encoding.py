"""The sandbox's fast encodings say byte for byte what the reference encoding (models -> to_wire ->
prune -> json.dumps) says: cached GLExport fragments, cached list rows, and the POST /batches reply
in each of its configurable forms."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobius_tui.manage import ApiKeyCredentials, ManageClient, ManageSettings
from mobius_tui.manage import models as m
from mobius_tui.sandbox.manage.encoding import dumps, prune, wire_json, wire_row
from mobius_tui.sandbox.manage.harness import running_manage_sandbox
from mobius_tui.sandbox.manage.store import ManageStore

ACC = "/finance/accounting"
ALL = {"exportInvoicesFlag": True, "exportExpensesFlag": True, "exportProductsFlag": True}


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.integers(0, 70),
       summarize=st.sampled_from([None, "Default", "Condensed", "Detailed"]), as_bill=st.booleans(),
       condensed_expenses=st.booleans(), cogs=st.booleans(), location=st.sampled_from([0, 1, 2]))
def test_cached_exports_equal_the_reference_encoding(seed: int, size: int, summarize: str | None, as_bill: bool,
                                                      condensed_expenses: bool, cogs: bool, location: int) -> None:
    store = ManageStore(":memory:", seed=seed, size=size)
    try:
        store.set_setup(transferExpensesAsBillFlag=as_bill, includeCogsEntriesFlag=cogs,
                        expenseFormat="Condensed" if condensed_expenses else "Default")
        req = m.ExportAccountingBatchRequest(**ALL, summarizeInvoices=summarize, locationId=location)
        for _ in range(2):  # cold, then from the fragment cache
            assert store.export_json(req) == dumps(store.export(req))
        for batch in store.batches():
            for option in (None, "Condensed", "Detailed"):
                assert store.batch_export_json(batch.id or 0, option) == dumps(store.batch_export(batch.id or 0, option))
    finally:
        store.close()


def test_fast_encoding_falls_back_where_the_encoders_differ() -> None:
    cases = [
        m.GLExportTransaction(id=1, detail=[], taxLevels=[]),  # empty lists are omitted
        m.Company(id=1, info={}),  # so are empty objects
        m.GLExportTransactionDetail(id=2, taxRate=Decimal("0.00001")),  # 1e-05 in Python, 0.00001 in Rust
        m.GLExportTransactionDetail(id=2, taxRate=Decimal("0.0000001")),  # 1e-07 in Python, 1e-7 in Rust
        m.GLExportTransactionDetail(id=3, total=Decimal("12345678901234567.5")),  # 1.2345678901234568e+16
        m.CompanyReference(id=4, name='Café "Ô" \\ / \n\t\x01\x7f\u2028 ✓'),  # escapes and non-ASCII
        m.CompanyReference(id=5, name="Suite 2e1"),  # looks like an exponent: slow path, same answer
    ]
    for model in cases:
        assert wire_json(model) == dumps(model)
        row = wire_row(model)
        assert row == prune(m.to_wire(model)) and row.json == dumps(model)


def test_list_pages_are_the_reference_encoding_of_their_rows(manage_sandbox) -> None:
    paths = [f"{ACC}/unpostedinvoices", f"{ACC}/unpostedexpenses", f"{ACC}/unpostedprocurement", "/finance/invoices",
             "/company/companies", "/finance/glAccounts", "/finance/taxCodes", f"{ACC}/batches/1/entries"]
    with manage_sandbox.client() as c:
        for path in paths:
            for params in ({"pageSize": 1000}, {"pageSize": 5, "page": 2}, {"fields": "id,company/name"}):
                r = c.get(path, params=params)
                if r.status_code == 400:  # a projection the model lacks
                    continue
                assert r.status_code == 200, (path, r.text)
                assert r.content == dumps(json.loads(r.content)), path
        one = c.get(f"{ACC}/unpostedinvoices", params={"pageSize": 1}).json()[0]
        assert c.get(f"{ACC}/unpostedinvoices/{one['id']}").content == dumps(one)


def test_the_export_is_sent_in_pieces_made_as_it_goes_out(manage_sandbox) -> None:
    """A large export goes out while the sandbox makes the rest (chunked), as a large server streams
    it; the bytes are the reference encoding all the same."""
    store = manage_sandbox.store
    req = m.ExportAccountingBatchRequest(**ALL)
    pieces = list(store.export_json_pieces(req))
    assert len(pieces) > 2 and b"".join(pieces) == dumps(store.export(req))
    with manage_sandbox.client() as c, c.stream("POST", f"{ACC}/export", json=ALL) as r:
        assert r.status_code == 200 and r.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in r.headers
        assert r.read() == b"".join(pieces)
        bad = c.post(f"{ACC}/export", json={**ALL, "summarizeInvoices": "Sometimes"})  # refused before a byte is sent
    assert bad.status_code == 400 and bad.json()["code"] == "InvalidObject"


@pytest.mark.parametrize("reply", ["glexport", "batch", "empty"])
async def test_every_batch_reply_form_records_the_batch_once(reply: str) -> None:
    with running_manage_sandbox(size=25, batch_reply=reply) as sandbox:
        store = sandbox.store
        invoices = [i.unposted_id for i in store.unposted_invoices()]
        ids = store.export_ids_for(store.export(m.ExportAccountingBatchRequest(
            exportInvoicesFlag=True, includedInvoiceIds=invoices[:5])))
        rest = store.export_ids_for(store.export(m.ExportAccountingBatchRequest(
            exportInvoicesFlag=True, excludedInvoiceIds=invoices[:5])))
        body = {"exportInvoicesFlag": True, "batchIdentifier": f"REPLY-{reply}", "processedRecordIds": ids[:1]}
        with sandbox.client() as c:
            partial = c.post(f"{ACC}/batches", json=body)  # a refusal looks the same in every form
            assert partial.status_code == 400 and partial.json()["code"] == "InvalidObject"
            r = c.post(f"{ACC}/batches", json={**body, "processedRecordIds": ids})
        assert r.status_code == 201
        batch = store.batch_by_identifier(f"REPLY-{reply}")
        assert batch is not None
        answer = r.json()
        if reply == "glexport":
            assert r.content == dumps(store.batch_export(batch.id or 0, None))
        elif reply == "batch":
            assert answer == m.to_wire(batch)
        else:
            assert answer == {}
        # the client accepts each form and returns the recorded batch, sent once
        c2 = sandbox.credentials
        client_settings = ManageSettings(site=sandbox.url, company_id=c2.company_id, client_id=c2.client_id,
                                         credentials=ApiKeyCredentials(c2.public_key, c2.private_key))
        async with ManageClient(client_settings) as manage:
            created, _ = await manage.create_batch(m.CreateAccountingBatchRequest(
                batchIdentifier=f"CLIENT-{reply}", exportInvoicesFlag=True, processedRecordIds=rest))
        assert created.batchIdentifier == f"CLIENT-{reply}" and created.id == store.batch_by_identifier(
            f"CLIENT-{reply}").id
        assert [b.batchIdentifier for b in store.batches()].count(f"CLIENT-{reply}") == 1
        assert store.unposted_counts()["invoices"] == 0
