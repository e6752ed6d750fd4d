"""Posting sales and purchase invoices, credit notes and other payments, a few at a time, never twice.

Sage has no idempotency key. Before a run the service asks :meth:`existing` (a search by
``reference``), so nothing already there is created; after a write whose answer was lost, the
document is searched for by its reference before it is sent again, and when that search fails too
the document gets no result (the service settles it later). A customer the run needs is created
once, after a search for its reference, under a per-customer lock; so is a company vendor (as a
supplier contact). Other payments have no ``search`` filter: they are looked up by their day.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from mobius_tui.accounting.base import PostResult, PostStatus
from mobius_tui.accounting.sage_cloud.client import SageClient, SageError
from mobius_tui.accounting.sage_cloud.oauth import AuthorizationNeeded
from mobius_tui.accounting.sage_cloud.payloads import (
    collection,
    contact_body,
    document_body,
    expense_split,
    other_payment_body,
    purchase_body,
)
from mobius_tui.accounting.sage_cloud.reference import CloudReference, Contact
from mobius_tui.documents.model import CustomerRecord, Document, JournalEntry, Plan, PurchaseDocument, VendorRecord
from mobius_tui.wire.writes import LookBeforeResend, NotSent, NotStored, OutcomeUnknown

log = logging.getLogger("mobius_tui.sage_cloud")

ATTEMPTS = 3
# A write whose answer was lost is looked up before it is sent again; an authorisation that must be
# renewed by hand stops the request before it leaves, like a connection never made.
WRITES = LookBeforeResend("Sage Accounting", SageError, ATTEMPTS, before_sending=(AuthorizationNeeded,))


def lookup_params(doc: Document) -> dict[str, Any]:
    """How to list the records among which ``doc`` would be (``search`` where the list has it)."""
    if isinstance(doc, JournalEntry):  # /other_payments has no search: the day narrows it
        day = doc.date.isoformat()
        return {"transaction_type_id": "OTHER_PAYMENT", "from_date": day, "to_date": day}
    return {"search": doc.number}


async def find_by_reference(client: SageClient, path: str, reference: str, attributes: str,
                            params: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The record whose ``reference`` is exactly this (``search`` matches broadly, so compare here)."""
    rows = await client.get_all(path, {**(params or {"search": reference}), "attributes": attributes})
    hits = [r for r in rows if r.get("reference") == reference
            and (r.get("status") or {}).get("id") != "VOID" and not r.get("deleted_at")]
    return hits[0] if hits else None


class Poster:
    def __init__(self, client: SageClient, ref: CloudReference, plan: Plan, concurrency: int) -> None:
        self.client = client
        self.ref = ref
        self.records: dict[str, CustomerRecord] = {c.account: c for c in plan.customers}
        self.vendor_records: dict[str, VendorRecord] = {v.account: v for v in plan.vendors}
        # (contact type, account) → contact, or why it cannot be had
        self.contacts: dict[tuple[str, str], Contact | str] = {
            **{("CUSTOMER", k): c for k, c in ref.by_reference.items()},
            **{("VENDOR", k): c for k, c in ref.vendors_by_reference.items()}}
        self.contact_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.attempted: set[str] = set()
        self.unknown: dict[str, str] = {}

    async def run(self, documents: Sequence[Document]) -> AsyncIterator[PostResult]:
        tasks = [asyncio.ensure_future(self._bounded(doc)) for doc in documents]
        try:
            for next_done in asyncio.as_completed(tasks):
                result = await next_done
                if result is not None:
                    yield result
        finally:
            for task in tasks:
                task.cancel()

    async def _bounded(self, doc: Document) -> PostResult | None:
        async with self.slots:
            return await self.document(doc)

    async def _contact(self, doc: Document) -> str:
        """The Sage contact id of the document's customer or vendor; NotSent when it cannot be had."""
        if isinstance(doc, PurchaseDocument):
            kind, noun, party = "VENDOR", "vendor", doc.vendor
            record: CustomerRecord | VendorRecord | None = self.vendor_records.get(party.account)
        else:
            kind, noun, party = "CUSTOMER", "customer", doc.customer  # type: ignore[attr-defined]
            record = self.records.get(party.account)
        account = party.account
        lock = self.contact_locks.setdefault((kind, account), asyncio.Lock())
        async with lock:
            known = self.contacts.get((kind, account))
            if isinstance(known, Contact):
                return known.id
            if isinstance(known, str):
                raise NotSent(known)
            if isinstance(doc, PurchaseDocument) and doc.employee:  # the check stops these; never created
                raise NotSent(f"member {party.name} ({account}) is not a Sage supplier")
            body = contact_body(record, party.name, account, kind, doc.currency or self.ref.base_currency)

            async def found() -> Any:
                return await find_by_reference(self.client, "contacts", account, "name,reference,currency",
                                               {"search": account, "contact_type_id": kind})

            try:
                made = await found() or await WRITES.send(lambda: self.client.post("contacts", body), found)
            except SageError as exc:
                self.contacts[(kind, account)] = f"Sage refused to create {noun} {account}: {exc.message}" + (
                    f" ({exc.source})" if exc.source else "")
                raise NotSent(self.contacts[(kind, account)]) from None
            except (NotSent, NotStored, OutcomeUnknown) as exc:
                raise NotSent(f"{noun} {account} could not be created: {exc}") from None
            except httpx.HTTPError as exc:
                raise NotSent(f"{noun} {account} could not be looked up ({type(exc).__name__})") from None
            contact = Contact(made["id"], str(made.get("name") or ""), account,
                              str((made.get("currency") or {}).get("id") or ""))
            self.contacts[(kind, account)] = contact
            return contact.id

    def _body(self, doc: Document, contact_id: str) -> dict[str, Any]:
        if isinstance(doc, PurchaseDocument):
            vendor = self.vendor_records.get(doc.vendor.account)
            return purchase_body(doc, self.ref, contact_id, vendor.due_days if vendor else None)
        if isinstance(doc, JournalEntry):
            credits = expense_split(doc)[1]
            bank = self.ref.bank_for(credits[0].account) if len(credits) == 1 else None
            if bank is None:  # the check refuses these
                raise NotSent(f"expense {doc.number} is not paid from a Sage bank account")
            return other_payment_body(doc, self.ref, bank.id)
        return document_body(doc, self.ref, contact_id)  # type: ignore[arg-type]

    async def document(self, doc: Document) -> PostResult | None:
        """The document's result, or None when Sage may hold it but could not say."""
        try:
            contact_id = "" if isinstance(doc, JournalEntry) else await self._contact(doc)
            body = self._body(doc, contact_id)
        except (NotSent, AuthorizationNeeded) as exc:
            return PostResult(doc.key, PostStatus.SKIPPED, error=f"Not sent: {exc}")
        path = collection(doc)

        async def found() -> Any:
            return await find_by_reference(self.client, path, doc.number, "reference,displayed_as,status,deleted_at",
                                           lookup_params(doc))

        self.attempted.add(doc.key)
        try:
            made = await WRITES.send(lambda: self.client.post(path, body), found)
        except SageError as exc:
            where = f" (field {exc.source})" if exc.source and exc.source != "base" else ""
            return PostResult(doc.key, PostStatus.FAILED, error=f"Sage refused it: {exc.message}{where}")
        except NotStored as exc:
            return PostResult(doc.key, PostStatus.FAILED, error=f"Sage did not store it: {exc}")
        except NotSent as exc:
            return PostResult(doc.key, PostStatus.SKIPPED, error=f"Not sent: {exc}")
        except OutcomeUnknown as exc:
            self.unknown[doc.key] = f"Sage Accounting did not answer ({exc}); {doc.number} may be there."
            log.warning("outcome of %s unknown: %s", doc.key, self.unknown[doc.key])
            return None
        return PostResult(doc.key, PostStatus.POSTED, reference=str(made.get("displayed_as") or made.get("id")))
