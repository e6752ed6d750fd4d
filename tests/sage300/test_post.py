"""Posting every document kind to the sandbox over HTTP, with faults, and the duplicate guard."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

from mobius_tui.accounting.base import PostStatus
from mobius_tui.accounting.sage300 import Sage300, payloads
from mobius_tui.documents.model import DocumentKind, Plan, SalesDocument
from mobius_tui.sandbox.dataset import Dataset
from mobius_tui.sandbox.sage300 import Sage300Sandbox, create_sandbox
from mobius_tui.sandbox.sage300.schema import BY_PATH

from .conftest import TODAY, post_all
from .plans import only

BROKEN = {"EXP700004", "EXP700005", "VI-64767"}  # the dataset's deliberately unmapped documents


def postable(plan: Plan) -> Plan:
    return Plan(documents=[d for d in plan.documents if d.number not in BROKEN], customers=plan.customers,
                vendors=plan.vendors)


def entries(sb: Sage300Sandbox, entity: str, number: int | str) -> list[dict]:
    return sb.books.store.children(entity, str(number))


async def test_every_document_kind_posts_into_open_batches(adapter: Sage300, sandbox: Sage300Sandbox,
                                                           full_plan: Plan) -> None:
    plan = postable(full_plan)
    results = await post_all(adapter, plan)
    assert {r.status for r in results.values()} == {PostStatus.POSTED}
    assert set(results) == {d.key for d in plan.documents}
    kinds = Counter(d.kind for d in plan.documents)
    ar = entries(sandbox, "ARInvoiceBatches", 1)
    assert len(ar) == kinds[DocumentKind.SALES_INVOICE] + kinds[DocumentKind.CREDIT_MEMO]
    assert Counter(e["DocumentType"] for e in ar) == {"Invoice": kinds[DocumentKind.SALES_INVOICE],
                                                      "CreditNote": kinds[DocumentKind.CREDIT_MEMO]}
    sales = [d for d in plan.documents if isinstance(d, SalesDocument)]
    expected_total = sum((-d.total if d.kind == DocumentKind.CREDIT_MEMO else d.total for d in sales), Decimal(0))
    assert sandbox.books.store.get("ARInvoiceBatches", "1")["BatchTotal"] == expected_total
    ap = entries(sandbox, "APInvoiceBatches", 1)
    assert len(ap) == kinds[DocumentKind.AP_BILL] + kinds[DocumentKind.ITEM_RECEIPT]
    assert len(entries(sandbox, "GLJournalBatches", "000001")) == kinds[DocumentKind.JOURNAL_ENTRY]
    assert sandbox.books.store.count("ICAdjustments") == kinds[DocumentKind.INVENTORY_ADJUSTMENT]
    assert sandbox.books.store.count("ICTransfers") == kinds[DocumentKind.INVENTORY_TRANSFER]
    # each batch is opened when the first document needing it is posted, so their order varies
    assert sorted((b.target, b.status) for b in adapter.batches) == [("AP", "Open"), ("AR", "Open"), ("GL", "Open")]
    assert sandbox.books.store.get("ARInvoiceBatches", "1")["BatchStatus"] == "Open"
    # the customer the dataset leaves out was created from the plan
    assert sandbox.books.store.get("ARCustomers", "C00107")["CustomerName"] == "Zèbre Numérique S.E.N.C."
    invoice = results["sales_invoice:INV10001"]
    assert invoice.reference == "AR batch 1 / INV10001"


async def test_ready_to_post_and_one_failure_does_not_stop_the_rest(sandbox: Sage300Sandbox, full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.AP_BILL, DocumentKind.SALES_INVOICE)
    async with Sage300(sandbox.settings | {"ready_to_post": True}) as package:
        results = await post_all(package, plan)
        failed = {k: r.error for k, r in results.items() if not r.posted}
        assert set(failed) == {"ap_bill:EXP700004", "ap_bill:EXP700005"}
        assert failed["ap_bill:EXP700004"] == "Sage 300 refused it: Account 6400-20 does not exist."
        assert sum(r.posted for r in results.values()) == len(plan.documents) - 2
        assert sorted((b.target, b.status) for b in package.batches) == [("AP", "ReadyToPost"), ("AR", "ReadyToPost")]
    assert sandbox.books.store.get("APInvoiceBatches", "1")["BatchStatus"] == "ReadyToPost"


async def test_without_inventory_control_adjustments_and_transfers_go_to_the_gl(dataset: Dataset,
                                                                                full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.INVENTORY_ADJUSTMENT, DocumentKind.INVENTORY_TRANSFER)
    with create_sandbox(dataset, modules=("GL", "AR", "AP", "TX"), today=lambda: TODAY) as sb:
        async with Sage300(sb.settings) as package:
            results = await post_all(package, plan)
            assert all(r.posted for r in results.values())
            headers = entries(sb, "GLJournalBatches", "000001")
            assert sorted(h["DocumentNumber"] for h in headers) == sorted(d.number for d in plan.documents)
            assert all(sum(line["Amount"] for line in h["JournalDetails"]) == 0 for h in headers)
            found = await package.existing(plan.documents)
            assert set(found.found) == {d.key for d in plan.documents}


async def test_duplicate_guard(adapter: Sage300, sandbox: Sage300Sandbox, full_plan: Plan) -> None:
    plan = postable(full_plan)
    assert (await adapter.existing(plan.documents)).found == {}
    first = only(plan, DocumentKind.SALES_INVOICE, DocumentKind.AP_BILL, DocumentKind.JOURNAL_ENTRY,
                 DocumentKind.INVENTORY_ADJUSTMENT, limit=None)
    await post_all(adapter, first)
    found = await adapter.existing(plan.documents)
    assert set(found.found) == {d.key for d in first.documents}
    assert found.found["sales_invoice:INV10001"] == "AR batch 1 / INV10001"
    sandbox.post_batch("AR", 1)  # posted documents are found too
    found = await adapter.existing(plan.documents)
    assert found.found["sales_invoice:INV10001"] == "AR posted, batch 1 / INV10001"
    # the server itself refuses the same AR number twice
    again = await post_all(adapter, only(plan, DocumentKind.SALES_INVOICE, limit=1))
    assert again["sales_invoice:INV10001"].error == "Sage 300 refused it: Document number 'INV10001' already exists."


async def test_journal_duplicates_are_read_from_open_batches_and_our_posted_ones(adapter: Sage300,
                                                                                sandbox: Sage300Sandbox,
                                                                                full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.JOURNAL_ENTRY)
    ours, typed_open, typed_posted = plan.documents[:2], plan.documents[2], plan.documents[3]
    ref = await adapter.reference()
    await post_all(adapter, replace(plan, documents=ours), reference=ref)
    sandbox.post_batch("GL", "000001")
    journals = BY_PATH[("GL", "GLJournalBatches")]
    # Entries keyed by hand in Sage 300 under the same numbers, one batch left open, one posted.
    sandbox.books.insert(journals, {"Description": "Accruals",
                                    "JournalHeaders": [payloads.journal_header(typed_open, ref)]})
    posted = sandbox.books.insert(journals, {"Description": "Old accruals",
                                             "JournalHeaders": [payloads.journal_header(typed_posted, ref)]})
    sandbox.post_batch("GL", posted["BatchNumber"])
    found = await adapter.existing(plan.documents)
    assert set(found.found) == {ours[0].key, ours[1].key, typed_open.key}
    assert sorted(found.found[d.key] for d in ours) == [f"GL batch 000001 / entry 0000{n}" for n in (1, 2)]
    assert found.found[typed_open.key] == "GL batch 000002 / entry 00001"
    # Posted batches other programs made are not read: their history would grow without bound.
    assert typed_posted.key not in found


async def test_dropped_connection_after_commit_does_not_post_twice(adapter: Sage300, sandbox: Sage300Sandbox,
                                                                   full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.SALES_INVOICE, limit=3)
    sandbox.faults.only("PATCH", "ARInvoiceBatches").drop_after_commit_next = 2
    results = await post_all(adapter, plan)
    assert [k for k, *_ in sandbox.faults.injected] == ["drop_after_commit", "drop_after_commit"]
    assert all(r.posted for r in results.values())
    numbers = [e["DocumentNumber"] for e in entries(sandbox, "ARInvoiceBatches", 1)]
    assert sorted(numbers) == sorted(d.number for d in plan.documents)  # each exactly once


async def test_dropped_ic_post_and_batch_creation_are_looked_up(adapter: Sage300, sandbox: Sage300Sandbox,
                                                                full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.INVENTORY_TRANSFER, DocumentKind.JOURNAL_ENTRY)
    sandbox.faults.only("POST", None).drop_after_commit_next = 2  # the GL batch, then the first transfer
    results = await post_all(adapter, plan)
    assert all(r.posted for r in results.values())
    assert sandbox.books.store.count("GLJournalBatches") == 1
    transfers = [b for _, b in sandbox.books.store.scan("ICTransfers")]
    assert sorted(t["Reference"] for t in transfers) == sorted(d.number for d in plan.by_kind(
        DocumentKind.INVENTORY_TRANSFER))


async def test_refused_before_arrival_throttled_and_5xx_are_sent_again(adapter: Sage300, sandbox: Sage300Sandbox,
                                                                        full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.SALES_INVOICE, limit=4)
    faults = sandbox.faults.only("PATCH", "ARInvoiceBatches")
    faults.drop_next, faults.throttle_next, faults.retry_after, faults.error_next = 1, 1, 0, 1
    results = await post_all(adapter, plan)
    assert all(r.posted for r in results.values())
    assert sorted(k for k, *_ in faults.injected) == ["drop", "error", "throttle"]
    numbers = [e["DocumentNumber"] for e in entries(sandbox, "ARInvoiceBatches", 1)]
    assert sorted(numbers) == sorted(d.number for d in plan.documents)


async def test_outcome_unknown_gets_no_result_and_is_never_resent_blind(adapter: Sage300, sandbox: Sage300Sandbox,
                                                                        full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.SALES_INVOICE, limit=1)
    ref = await adapter.reference()
    # The PATCH commits and its connection drops; every look-up of the batch is dropped as well.
    sandbox.faults.only(None, "ARInvoiceBatches(1)").drop_after_commit_next = 50
    results = await post_all(adapter, plan, reference=ref)
    kinds = [(kind, method) for kind, method, _ in sandbox.faults.injected]
    assert kinds[0] == ("drop_after_commit", "PATCH") and {m for _, m in kinds[1:]} == {"GET"}
    # Neither posted nor failed nor skipped: Sage 300 holds it, but nobody could confirm that.
    assert results == {}
    assert "INV10001 may be in AR batch 1" in adapter.unknown["sales_invoice:INV10001"]
    assert len(entries(sandbox, "ARInvoiceBatches", 1)) == 1  # stored once, never sent again
    sandbox.faults.clear()
    found = await adapter.existing(plan.documents)  # what the service asks next
    assert found.found == {"sales_invoice:INV10001": "AR batch 1 / INV10001"}


async def test_failed_every_time_and_not_there_when_asked_is_failed(adapter: Sage300, sandbox: Sage300Sandbox,
                                                                    full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.SALES_INVOICE, limit=1)
    sandbox.faults.only("PATCH", "ARInvoiceBatches").error_next = 3  # every send answered 503; reads answer
    results = await post_all(adapter, plan)
    result = results["sales_invoice:INV10001"]
    assert result.status == PostStatus.FAILED and adapter.unknown == {}
    assert result.error.startswith("Sage 300 did not store it: Sage 300 answered HTTP 503")
    assert entries(sandbox, "ARInvoiceBatches", 1) == []


async def test_nothing_sent_to_a_server_that_went_away_is_skipped(dataset: Dataset, full_plan: Plan) -> None:
    plan = only(full_plan, DocumentKind.SALES_INVOICE, limit=2)
    with create_sandbox(dataset, today=lambda: TODAY) as sb:
        async with Sage300(sb.settings) as package:
            ref = await package.reference()
            sb.server.stop()  # no connection can be opened any more: nothing can have been stored
            results = await post_all(package, plan, reference=ref)
            assert {r.status for r in results.values()} == {PostStatus.SKIPPED}
            assert set(results) == {d.key for d in plan.documents}
            assert results["sales_invoice:INV10001"].error == (
                "The A/R invoice batch could not be created in Sage 300: could not connect to Sage 300 (ConnectError)")
            assert package.unknown == {}
