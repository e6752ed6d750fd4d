"""Item 8: field names Sage's samples leave unconfirmed are read from the server's $metadata, and the
sandbox's terms follow the reference (A/P and A/R name theirs differently)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.accounting.sage300.check import check_plan
from mobius_tui.accounting.sage300.names import WireNames, entity_properties
from mobius_tui.documents.model import DocumentKind, Plan
from mobius_tui.sandbox.manage.harness import ManageSandbox, running_manage_sandbox
from mobius_tui.sandbox.sage300 import create_sandbox
from mobius_tui.sandbox.sage300.schema import BY_PATH

from .conftest import TODAY, post_all
from .from_manage import manage_plan, pick


@pytest.fixture(scope="module")
def manage() -> Iterator[ManageSandbox]:
    with running_manage_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def plan(manage: ManageSandbox) -> Plan:
    return manage_plan(manage)


def _rename(monkeypatch: pytest.MonkeyPatch, module: str, name: str, drop: str, add: str = "") -> None:
    entity = BY_PATH[(module, name)]
    monkeypatch.setitem(BY_PATH, (module, name), replace(entity, fields=(entity.fields - {drop}) | ({add} - {""})))


def test_sandbox_metadata_lists_entity_sets_and_their_fields(manage: ManageSandbox) -> None:
    with create_sandbox(manage.store.dataset) as sage, httpx.Client(auth=("WEBAPI", sage.settings["password"])) as http:
        xml = http.get(f"{sage.url}/v1.0/-/SAMLTD/AP/$metadata", headers={"Content-Type": "application/json"}).text
    found = entity_properties(xml)
    assert {"VendorNumber", "Terms"} <= found["APVendors"]
    assert {"MethodOfCalcForDueDate", "TermsPaymentSchedule"} <= found["APTerms"]
    assert not {"DueDateType", "NumberOfDaysToPay"} & found["APTerms"]


def test_terms_follow_the_reference(manage: ManageSandbox) -> None:
    with create_sandbox(manage.store.dataset) as sage:
        ap = sage.books.store.scan("APTerms")[0][1]
        ar = sage.books.store.scan("ARTerms")[0][1]
    assert ap["MethodOfCalcForDueDate"] == "DaysFromInvoiceDate" and "DueDateType" not in ap
    assert ap["TermsPaymentSchedule"][0]["PercentageDue"] == 100 and "NumberOfDaysToPay" not in ap
    assert ar["DueDateType"] == "DaysFromInvoiceDate" and ar["TermsPaymentSchedules"][0]["PercentDue"] == 100


async def test_names_come_from_the_servers_metadata(monkeypatch: pytest.MonkeyPatch, manage: ManageSandbox,
                                                    plan: Plan) -> None:
    # A server whose vendors call their terms TermsCode, whose G/L batches have only Status, and
    # whose transfers have no TransferNumber.
    _rename(monkeypatch, "AP", "APVendors", "Terms", "TermsCode")
    _rename(monkeypatch, "GL", "GLJournalBatches", "ReadyToPost")
    _rename(monkeypatch, "IC", "ICTransfers", "TransferNumber")
    with create_sandbox(manage.store.dataset, today=lambda: TODAY, include_missing=True) as sage:
        vendor = sage.books.store.get("APVendors", "SYNNEX")
        assert vendor is not None
        sage.books.store.delete("APVendors", "SYNNEX")  # created by the run, with its terms
        docs = [next(d for d in plan.documents if d.kind == DocumentKind.ITEM_RECEIPT and d.vendor.account == "SYNNEX"),
                next(d for d in plan.documents if d.kind == DocumentKind.JOURNAL_ENTRY),
                next(d for d in plan.documents if d.kind == DocumentKind.INVENTORY_TRANSFER)]
        async with Sage300({**sage.settings, "ready_to_post": True}) as package:
            ref = await package.reference()
            assert (ref.names.vendor_terms, ref.names.gl_ready, ref.names.transfer_number) == ("TermsCode", "Status", "")
            notices = [p.cause for p in check_plan(pick(plan, *docs), ref) if not p.blocking]
            assert any("ICTransfers has no TransferNumber field in this server's $metadata" in c for c in notices)
            assert [p.message() for p in check_plan(pick(plan, *docs), ref) if p.blocking] == []
            results = await post_all(package, pick(plan, *docs), reference=ref)
            assert all(r.posted for r in results.values()), results
            batches = {b.target: b for b in package.batches}
        created = sage.books.store.get("APVendors", "SYNNEX")
        gl = sage.books.store.get("GLJournalBatches", batches["GL"].number)
    assert docs[0].terms  # the receipt's terms xref: what the vendor is created with
    assert created is not None and created.get("TermsCode") == docs[0].terms and "Terms" not in created
    assert gl is not None and gl["Status"] == "ReadyToPost" and batches["GL"].status == "ReadyToPost"
    transfer = next(r for r in results.values() if r.document_key.startswith("inventory_transfer"))
    assert transfer.reference.startswith("I/C transfer / ")


def test_default_names_are_the_reference_ones() -> None:
    assert WireNames().gl_ready_body() == {"ReadyToPost": "Yes"}
    assert replace(WireNames(), gl_ready="Status").gl_ready_body() == {"Status": "ReadyToPost"}
    assert replace(WireNames(), gl_ready="").gl_ready_body() is None
