"""Posting a run to Sage 300: master records, one batch per ledger, then one write per document.

Documents may still be arriving while the first ones post (the service hands each over once its
duplicate check cleared it). Each customer or vendor a document needs (created when the plan
carries it) and each A/R, A/P and G/L batch (created empty, one per ledger) is made once, when the
first document needing it arrives, and every document needing it waits for it; then each document
goes as a single PATCH that inserts it into its batch (I/C documents: a single POST), with bounded
concurrency. Nothing is read per document on the way.

POST and PATCH are not idempotent here. After a timeout, a dropped connection or a 5xx the document
is looked up (in its batch, or by reference for I/C) before it is sent again, never sent blind. Each
document gets the result the server made certain: POSTED when it holds the document, FAILED when it
refused it (or every attempt failed and the look-up says it is not there), SKIPPED when it was never
sent (its batch or customer could not be created, or no connection could be opened). A document whose write may have been stored but could not be confirmed
gets no result at all: the service then asks ``existing()`` about it, or leaves the run to be finished.

Batches stay open for review unless ``ready_to_post``; then each batch that received documents is
set Ready To Post at the end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from mobius_tui.accounting.base import PostResult, PostStatus
from mobius_tui.accounting.sage300 import payloads
from mobius_tui.accounting.sage300.client import UncertainWrite, WebApiClient, WebApiError, quoted
from mobius_tui.accounting.sage300.payloads import Target
from mobius_tui.accounting.sage300.reference import Party, Sage300Reference
from mobius_tui.documents.model import (
    Document,
    InventoryAdjustment,
    Plan,
    PurchaseDocument,
    SalesDocument,
)
from mobius_tui.wire.json import dumps as encode
from mobius_tui.wire.writes import LookBeforeResend, NotSent, NotStored, OutcomeUnknown

_BATCH_RESOURCE = {Target.AR: "ARInvoiceBatches", Target.AP: "APInvoiceBatches", Target.GL: "GLJournalBatches"}
_ENTRIES = {Target.AR: "Invoices", Target.AP: "Invoices", Target.GL: "JournalHeaders"}
_LEDGER = {Target.AR: "A/R invoice", Target.AP: "A/P invoice", Target.GL: "G/L journal"}
BATCH_DESCRIPTION = "ConnectWise Manage"  # how every batch this program creates is described (and found again)

log = logging.getLogger(__name__)


@dataclass
class PostOptions:
    ready_to_post: bool = False
    concurrency: int = 4
    attempts: int = 3  # sends of one document at most, each after a look-up found nothing
    customer_group: str = ""
    vendor_group: str = ""


@dataclass
class BatchInfo:
    """A batch this run created, for the run summary ("review A/R batch 12 in Sage 300")."""

    target: str
    number: str
    description: str
    documents: int = 0
    status: str = "Open"
    error: str = ""


def _key_segment(target: Target, number: str) -> str:
    return f"{_BATCH_RESOURCE[target]}({quoted(number) if target == Target.GL else number})"


@dataclass
class Poster:
    client: WebApiClient
    ref: Sage300Reference
    options: PostOptions
    description: str  # unique per run: how a batch whose creation got no answer is found again
    today: date = field(default_factory=date.today)
    batches: list[BatchInfo] = field(default_factory=list)
    attempted: set[str] = field(default_factory=set)  # documents whose write may have reached the server
    unknown: dict[str, str] = field(default_factory=dict)  # document key → why its outcome stayed unknown
    received: list[Document] = field(default_factory=list)  # every document handed to run(), in order
    _shared: dict[tuple[str, str], asyncio.Future[Any]] = field(default_factory=dict)  # masters and batches being made
    _parties: tuple[dict, dict] = field(default_factory=lambda: ({}, {}))

    def __post_init__(self) -> None:
        self._writes = LookBeforeResend("Sage 300", WebApiError, self.options.attempts)

    async def run(self, plan: Plan, documents: AsyncIterable[Document]) -> AsyncIterator[PostResult]:
        """Post the documents as they arrive; results come as they are known. A master record or a
        batch is created when the first document that needs it arrives, once, and every document
        needing it waits for it."""
        self._parties = ({c.account: c for c in plan.customers if c.account},
                         {v.account: v for v in plan.vendors if v.account and not v.is_member})
        slots = asyncio.Semaphore(max(1, self.options.concurrency))
        # Bodies built ahead of a free slot: enough that a freed slot sends at once, few enough
        # that building them never delays the answers of the requests in flight.
        ahead = asyncio.Semaphore(2 * max(1, self.options.concurrency))
        finished: asyncio.Queue[asyncio.Future[PostResult | None] | None] = asyncio.Queue()
        tasks: list[asyncio.Future[PostResult | None]] = []

        async def one(doc: Document) -> PostResult | None:
            where = payloads.target(doc, self.ref.inventory)
            blocked = await self._master(doc, slots)
            if blocked is not None:
                return PostResult(doc.key, blocked[0], error=blocked[1])
            batch = await self._once(("batch", where.value), lambda: self._batch(where, slots)) if where != Target.IC else None
            if isinstance(batch, str):
                return PostResult(doc.key, PostStatus.SKIPPED, error=batch)
            result = await self._document(doc, where, batch, slots, ahead)
            if result is not None and result.posted and batch is not None:
                batch.documents += 1
            return result

        async def feed() -> None:
            try:
                async for doc in documents:
                    self.received.append(doc)
                    task = asyncio.ensure_future(one(doc))
                    task.add_done_callback(finished.put_nowait)
                    tasks.append(task)
            finally:
                finished.put_nowait(None)

        feeder = asyncio.ensure_future(feed())
        fed, answered = False, 0
        try:
            while not fed or answered < len(tasks):
                item = await finished.get()
                if item is None:
                    fed = True
                    await feeder  # a failing feed raises here
                    continue
                answered += 1
                result = item.result()
                if result is not None:
                    yield result
        finally:
            feeder.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(feeder, return_exceptions=True)  # the document stream is left at rest
        if self.options.ready_to_post:
            await self._ready()

    async def _once(self, key: tuple[str, str], make: Callable[[], Awaitable[Any]]) -> Any:
        """The outcome of ``make()``, run once for ``key`` however many documents ask at once."""
        task = self._shared.get(key)
        if task is None:
            task = self._shared[key] = asyncio.ensure_future(make())
        return await asyncio.shield(task)

    # --- master records ---------------------------------------------------------------------

    async def _master(self, doc: Document, slots: asyncio.Semaphore) -> tuple[PostStatus, str] | None:
        """Create the customer or vendor ``doc`` needs when Sage 300 lacks it and the plan carries
        it; the reason ``doc`` cannot be sent when that failed (FAILED when Sage 300 refused it,
        SKIPPED when its creation got no answer: the document itself is never sent then)."""
        customers, vendors = self._parties
        if isinstance(doc, SalesDocument):
            account, known, records, module, resource = (doc.customer.account, self.ref.customers, customers,
                                                         "AR", "ARCustomers")
        elif isinstance(doc, PurchaseDocument) and not doc.employee:
            account, known, records, module, resource = (doc.vendor.account, self.ref.vendors, vendors,
                                                         "AP", "APVendors")
        else:
            return None
        if (module, account) not in self._shared and (account in known or account not in records):
            return None

        async def create() -> tuple[PostStatus, str] | None:  # from the first document that needs it
            record = records[account]
            body = (payloads.customer(record, self.options.customer_group) if module == "AR"
                    else payloads.vendor(record, self.options.vendor_group, self.ref.names.vendor_terms,
                                         doc.currency, payloads.vendor_terms(record, doc)))  # type: ignore[arg-type]
            async with slots:
                failed = await self._create_master(module, resource, account, body)
            if not failed:
                known[account] = known.get(account) or _party(body)
            return failed

        return await self._once((module, account), create)

    async def _create_master(self, module: str, resource: str, account: str,
                             body: dict[str, Any]) -> tuple[PostStatus, str] | None:
        noun = "customer" if module == "AR" else "vendor"

        async def found() -> bool:
            return await self.client.get_one(module, f"{resource}({quoted(account)})") is not None

        try:
            await self._writes.send(lambda: self.client.post(module, resource, body), found)
        except WebApiError as exc:
            if exc.code != "RecordDuplicate":
                return PostStatus.FAILED, f"Sage 300 refused to create {noun} {account}: {exc.message}"
        except NotStored as exc:
            return PostStatus.FAILED, f"Sage 300 did not create {noun} {account}: {exc}"
        except NotSent as exc:
            return PostStatus.SKIPPED, f"Not sent: creating {noun} {account} failed, {exc}."
        except OutcomeUnknown as exc:
            return PostStatus.SKIPPED, (f"Not sent: creating {noun} {account} got no answer from Sage 300 "
                                        f"({exc}); check whether it exists.")
        return None

    # --- batches ---------------------------------------------------------------------------

    async def _batch(self, where: Target, slots: asyncio.Semaphore) -> BatchInfo | str:
        resource = _BATCH_RESOURCE[where]
        description = f"{self.description} {where.value}"[:60]
        body: dict[str, Any] = {"Description": description}
        if where != Target.GL:
            body = {"BatchDate": self.today.isoformat(), **body}
        created: dict[str, Any] = {}

        async def create() -> None:
            created.update(await self.client.post(where.value, resource, body))

        async def found() -> bool:
            rows = await self.client.get_all(where.value, resource, {
                "$filter": f"Description eq {quoted(description)}", "$select": "BatchNumber"})
            if rows:
                created.update(rows[-1])
            return bool(rows)

        try:
            async with slots:
                await self._writes.send(create, found)
        except (WebApiError, OutcomeUnknown, NotSent, NotStored) as exc:
            reason = exc.message if isinstance(exc, WebApiError) else str(exc)
            return f"The {_LEDGER[where]} batch could not be created in Sage 300: {reason}"
        info = BatchInfo(where.value, str(created["BatchNumber"]), description)
        self.batches.append(info)
        return info

    async def _ready(self) -> None:
        for info in self.batches:
            if not info.documents:
                continue
            where = Target(info.target)
            body = self.ref.names.gl_ready_body() if where == Target.GL else {"BatchStatus": "ReadyToPost"}
            if body is None:
                info.error = "could not be set Ready To Post: this server's $metadata names no field for it"
                continue
            try:
                await self.client.patch(where.value, _key_segment(where, info.number), body)
                info.status = "ReadyToPost"
            except (WebApiError, UncertainWrite, httpx.HTTPError) as exc:
                info.error = f"could not be set Ready To Post: {exc}"

    # --- documents --------------------------------------------------------------------------

    async def _document(self, doc: Document, where: Target, batch: BatchInfo | None, slots: asyncio.Semaphore,
                        ahead: asyncio.Semaphore) -> PostResult | None:
        """The document's result, or None when Sage 300 may hold it but could not say so. Its body
        is built (under ``ahead``) before it waits for one of the ``slots``."""
        async with ahead:
            write, found, posted_as, label = self._prepare(doc, where, batch)
            await slots.acquire()
        try:
            self.attempted.add(doc.key)
            await self._writes.send(write, found)
        except WebApiError as exc:
            return PostResult(doc.key, PostStatus.FAILED, error=f"Sage 300 refused it: {exc.message}")
        except NotStored as exc:
            return PostResult(doc.key, PostStatus.FAILED, error=f"Sage 300 did not store it: {exc}")
        except NotSent as exc:
            return PostResult(doc.key, PostStatus.SKIPPED, error=f"Not sent: {exc}.")
        except OutcomeUnknown as exc:
            # Stored or not, nobody knows yet: no result, so it is neither counted as posted nor left
            # out of the Manage batch as failed; the service asks existing() about it.
            self.unknown[doc.key] = f"Sage 300 did not answer ({exc}); {doc.number} may be in {label}."
            log.warning("outcome of %s unknown: %s", doc.key, self.unknown[doc.key])
            return None
        finally:
            slots.release()
        suffix = posted_as[0] if posted_as else doc.number
        return PostResult(doc.key, PostStatus.POSTED, reference=f"{label} / {suffix}")

    def _prepare(self, doc: Document, where: Target, batch: BatchInfo | None) -> tuple[
            Callable[[], Awaitable[None]], Callable[[], Awaitable[bool]], list[str], str]:
        """The document's write, its look-up, where the write puts the number it was stored
        under, and what to call where it goes."""
        posted_as: list[str] = []
        if where == Target.IC:
            is_adjustment = isinstance(doc, InventoryAdjustment)
            resource = "ICAdjustments" if is_adjustment else "ICTransfers"
            body = (payloads.ic_adjustment(doc, self.ref) if is_adjustment  # type: ignore[arg-type]
                    else payloads.ic_transfer(doc))  # type: ignore[arg-type]
            number_field = "AdjustmentNumber" if is_adjustment else self.ref.names.transfer_number

            async def write() -> None:
                created = await self.client.post("IC", resource, body)
                posted_as.append(str((created.get(number_field) if number_field else None)
                                     or created.get("SequenceNumber", "")))

            async def found() -> bool:
                rows = await self.client.get_all("IC", resource, {
                    "$filter": f"Reference eq {quoted(body['Reference'])}",
                    "$select": ",".join(f for f in ("SequenceNumber", number_field) if f)})
                if rows:
                    posted_as.append(str((rows[0].get(number_field) if number_field else None)
                                         or rows[0]["SequenceNumber"]))
                return bool(rows)

            label = f"I/C {'adjustment' if is_adjustment else 'transfer'}"
        else:
            assert batch is not None
            content = encode({_ENTRIES[where]: [self._entry(doc, where)]})
            segment = _key_segment(where, batch.number)

            async def write() -> None:
                await self.client.patch(where.value, segment, content)

            async def found() -> bool:
                return await self._in_batch(where, segment, doc)

            label = f"{where.value} batch {batch.number}"
        return write, found, posted_as, label

    def _entry(self, doc: Document, where: Target) -> dict[str, Any]:
        if where == Target.AR:
            return payloads.ar_invoice(doc, self.ref)  # type: ignore[arg-type]
        if where == Target.AP:
            return payloads.ap_invoice(doc, self.ref)  # type: ignore[arg-type]
        return payloads.journal_header(doc, self.ref)

    async def _in_batch(self, where: Target, segment: str, doc: Document) -> bool:
        entries_name = _ENTRIES[where]
        batch = await self.client.get_one(where.value, segment, {"$select": entries_name}) or {}
        for entry in batch.get(entries_name) or []:
            if str(entry.get("DocumentNumber")) != doc.number:
                continue
            if where == Target.AP and isinstance(doc, PurchaseDocument) and entry.get("VendorNumber") != doc.vendor.account:
                continue
            return True
        return False


def _party(body: dict[str, Any]) -> Party:
    number = body.get("CustomerNumber") or body.get("VendorNumber")
    return Party(number, body.get("CurrencyCode", ""), body.get("TaxGroup", ""), body.get("Terms", ""))
