"""Posting a run to Sage 300: master records, one batch per ledger, then one write per document.

Order: customers and vendors the documents need (created when the plan carries them), then the A/R,
A/P and G/L batches (created empty, one each), then every document as a single PATCH that inserts
it into its batch (I/C documents: a single POST), with bounded concurrency. Nothing is read per
document on the way.

POST and PATCH are not idempotent here. After a timeout, a dropped connection or a 5xx the document
is looked up (in its batch, or by reference for I/C) before it is sent again; when even the look-up
gets no answer the document is reported failed with where to look, never sent blind.

Batches stay open for review unless ``ready_to_post``; then each batch that received documents is
set Ready To Post at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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

_BATCH_RESOURCE = {Target.AR: "ARInvoiceBatches", Target.AP: "APInvoiceBatches", Target.GL: "GLJournalBatches"}
_ENTRIES = {Target.AR: "Invoices", Target.AP: "Invoices", Target.GL: "JournalHeaders"}
_LEDGER = {Target.AR: "A/R invoice", Target.AP: "A/P invoice", Target.GL: "G/L journal"}


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

    async def run(self, plan: Plan, documents: Sequence[Document]) -> AsyncIterator[PostResult]:
        blocked = await self._masters(plan, documents)
        routed: dict[Target, list[Document]] = {t: [] for t in Target}
        for doc in documents:
            routed[payloads.target(doc, self.ref.inventory)].append(doc)
        batch_of: dict[Target, BatchInfo | str] = {}
        for where in (Target.AR, Target.AP, Target.GL):
            if routed[where]:
                batch_of[where] = await self._batch(where)
        semaphore = asyncio.Semaphore(max(1, self.options.concurrency))

        async def one(doc: Document, where: Target) -> PostResult:
            if doc.key in blocked:
                return PostResult(doc.key, PostStatus.FAILED, error=blocked[doc.key])
            batch = batch_of.get(where)
            if isinstance(batch, str):
                return PostResult(doc.key, PostStatus.SKIPPED, error=batch)
            async with semaphore:
                result = await self._document(doc, where, batch)
            if result.posted and batch is not None:
                batch.documents += 1
            return result

        tasks = [asyncio.ensure_future(one(doc, where)) for where, docs in routed.items() for doc in docs]
        try:
            for finished in asyncio.as_completed(tasks):
                yield await finished
        finally:
            for task in tasks:
                task.cancel()
        if self.options.ready_to_post:
            await self._ready()

    # --- master records ---------------------------------------------------------------------

    async def _masters(self, plan: Plan, documents: Sequence[Document]) -> dict[str, str]:
        """Create the customers and vendors the documents need; document key → reason when one failed."""
        customers = {c.account: c for c in plan.customers if c.account}
        vendors = {v.account: v for v in plan.vendors if v.account and not v.is_member}
        failed: dict[str, str] = {}
        blocked: dict[str, str] = {}
        for doc in documents:
            if isinstance(doc, SalesDocument):
                account, known, records, module, resource = (doc.customer.account, self.ref.customers, customers,
                                                             "AR", "ARCustomers")
            elif isinstance(doc, PurchaseDocument) and not doc.employee:
                account, known, records, module, resource = (doc.vendor.account, self.ref.vendors, vendors,
                                                             "AP", "APVendors")
            else:
                continue
            if account in known or account not in records:
                continue
            if account not in failed:
                record = records[account]
                body = (payloads.customer(record, self.options.customer_group) if module == "AR"
                        else payloads.vendor(record, self.options.vendor_group))
                failed[account] = await self._create_master(module, resource, account, body)
                if not failed[account]:
                    known[account] = known.get(account) or _party(body)
            if failed[account]:
                blocked[doc.key] = failed[account]
        return blocked

    async def _create_master(self, module: str, resource: str, account: str, body: dict[str, Any]) -> str:
        noun = "customer" if module == "AR" else "vendor"

        async def found() -> bool:
            return await self.client.get_one(module, f"{resource}({quoted(account)})") is not None

        try:
            await self._send(lambda: self.client.post(module, resource, body), found)
        except WebApiError as exc:
            if exc.code != "RecordDuplicate":
                return f"Sage 300 refused to create {noun} {account}: {exc.message}"
        except _Unknown as exc:
            return f"Creating {noun} {account} got no answer from Sage 300 ({exc}); check whether it exists."
        return ""

    # --- batches ---------------------------------------------------------------------------

    async def _batch(self, where: Target) -> BatchInfo | str:
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
            await self._send(create, found)
        except (WebApiError, _Unknown) as exc:
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
            body = {"ReadyToPost": "Yes"} if where == Target.GL else {"BatchStatus": "ReadyToPost"}
            try:
                await self.client.patch(where.value, _key_segment(where, info.number), body)
                info.status = "ReadyToPost"
            except (WebApiError, UncertainWrite) as exc:
                info.error = f"could not be set Ready To Post: {exc}"

    # --- documents --------------------------------------------------------------------------

    async def _document(self, doc: Document, where: Target, batch: BatchInfo | None) -> PostResult:
        posted_as: list[str] = []
        if where == Target.IC:
            is_adjustment = isinstance(doc, InventoryAdjustment)
            resource = "ICAdjustments" if is_adjustment else "ICTransfers"
            body = payloads.ic_adjustment(doc) if is_adjustment else payloads.ic_transfer(doc)  # type: ignore[arg-type]
            number_field = "AdjustmentNumber" if is_adjustment else "TransferNumber"

            async def write() -> None:
                created = await self.client.post("IC", resource, body)
                posted_as.append(str(created.get(number_field) or created.get("SequenceNumber", "")))

            async def found() -> bool:
                rows = await self.client.get_all("IC", resource, {
                    "$filter": f"Reference eq {quoted(body['Reference'])}",
                    "$select": f"SequenceNumber,{number_field}"})
                if rows:
                    posted_as.append(str(rows[0].get(number_field) or rows[0]["SequenceNumber"]))
                return bool(rows)

            label = f"I/C {'adjustment' if is_adjustment else 'transfer'}"
        else:
            assert batch is not None
            entry = self._entry(doc, where)
            segment = _key_segment(where, batch.number)

            async def write() -> None:
                await self.client.patch(where.value, segment, {_ENTRIES[where]: [entry]})

            async def found() -> bool:
                return await self._in_batch(where, segment, doc)

            label = f"{where.value} batch {batch.number}"
        try:
            await self._send(write, found)
        except WebApiError as exc:
            return PostResult(doc.key, PostStatus.FAILED, error=f"Sage 300 refused it: {exc.message}")
        except _Unknown as exc:
            return PostResult(doc.key, PostStatus.FAILED, error=(
                f"Sage 300 did not answer ({exc}); look for {doc.number} in {label} before exporting it again."))
        suffix = posted_as[0] if posted_as else doc.number
        return PostResult(doc.key, PostStatus.POSTED, reference=f"{label} / {suffix}")

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

    async def _send(self, write: Callable[[], Awaitable[Any]], found: Callable[[], Awaitable[bool]]) -> None:
        """Write once; after an uncertain outcome look it up, and write again only if it is not there."""
        reason = ""
        for attempt in range(max(1, self.options.attempts)):
            if attempt:
                if await _look_up(found, reason):
                    return
                await asyncio.sleep(min(0.2 * 2 ** attempt, 2.0))
            try:
                await write()
                return
            except UncertainWrite as exc:
                reason = str(exc)
        if await _look_up(found, reason):
            return
        raise _Unknown(f"{reason} (sent {self.options.attempts} times, never found)")


async def _look_up(found: Callable[[], Awaitable[bool]], reason: str) -> bool:
    try:
        return await found()
    except Exception as exc:  # any failure here leaves the outcome unknown: never send again blind
        raise _Unknown(f"{reason}; the look-up failed too: {exc}") from exc


class _Unknown(Exception):
    """The outcome stayed unknown: never retried blind."""


def _party(body: dict[str, Any]) -> Party:
    number = body.get("CustomerNumber") or body.get("VendorNumber")
    return Party(number, body.get("CurrencyCode", ""), body.get("TaxGroup", ""), body.get("Terms", ""))
