"""``ManageClient``: the calls Mobius makes to ConnectWise Manage, returning models.py types.

    async with ManageClient(settings) as manage:
        info = await manage.system_info()
        invoices = await manage.unposted_invoices(location_id=3, thru_date=date(2025, 1, 31))

Lists are read completely (1000 rows per page, following ``Link``); the big ones use
forward-only paging. Filters go through :mod:`mobius_tui.manage.conditions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

import httpx
import msgspec
from pydantic import BaseModel, ValidationError

from mobius_tui.manage import conditions as c
from mobius_tui.manage.conditions import Condition
from mobius_tui.manage.errors import InvalidRequest, ManageError, NotFound, Unavailable
from mobius_tui.manage.lean import GLExportStream
from mobius_tui.manage.models import (
    AccountingBatch,
    AccountingPackageSetup,
    BatchEntry,
    BillingTerm,
    CatalogItem,
    Company,
    CompanyInfo,
    CreateAccountingBatchRequest,
    ExportAccountingBatchRequest,
    FinanceCurrency,
    GLAccount,
    GLExport,
    Info,
    Invoice,
    InvoicePayment,
    Location,
    Member,
    ProductType,
    TaxCode,
    TaxCodeLevel,
    UnpostedExpense,
    UnpostedInvoice,
    UnpostedProcurement,
    Warehouse,
    wire_value,
)
from mobius_tui.manage.paging import FORWARD_ONLY, PAGINATION_HEADER, next_link, path_and_query
from mobius_tui.manage.settings import ManageSettings
from mobius_tui.manage.transport import ManageTransport

log = logging.getLogger("mobius_tui.manage")

M = TypeVar("M", bound=BaseModel)

UNPOSTED_INVOICES = "/finance/accounting/unpostedinvoices"
UNPOSTED_EXPENSES = "/finance/accounting/unpostedexpenses"
UNPOSTED_PROCUREMENT = "/finance/accounting/unpostedprocurement"
BATCHES = "/finance/accounting/batches"
INVOICES = "/finance/invoices"
BATCH_IDENTIFIER_MAX = 50
# A created batch's own JSON is well under this; a longer answer to POST /batches is the batch's
# GLExport (as large as the run's export), of no use once the batch is known: it is not kept.
BATCH_REPLY_KEPT = 64 * 1024
YIELD_AFTER = 0.005  # seconds of decoding a GLExport between turns of the event loop
# Called each time a GLExport response is read: what to tell of each record (field, record).
Watch = Callable[[], Callable[[str, Any], None]]


def _and(*conditions: Condition | None) -> Condition | None:
    present = [condition for condition in conditions if condition is not None]
    return c.all_of(*present) if present else None


def _validate(model: type[M], data: Any, response: httpx.Response) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = response.request.url.path
        problems = "; ".join(
            f"{'/'.join(str(p) for p in error['loc']) or 'record'}: {error['msg']}" for error in exc.errors()[:3]
        )
        record = f" (id {data.get('id')})" if isinstance(data, dict) and "id" in data else ""
        raise ManageError(
            f"Manage sent a {model.__name__}{record} from GET {where} that does not match API version "
            f"{response.request.headers.get('Accept', '').rpartition('=')[2] or 'expected'}: {problems}. "
            "Check the record in Manage, or report it if the data looks right.",
            method=response.request.method,
            where=where,
        ) from None


class _BatchReply(msgspec.Struct):
    id: Any = None
    batchIdentifier: Any = None


def _names_batch(content: bytes, identifier: str) -> bool:
    """Whether a ``POST /batches`` answer is the created batch itself. Read without building the
    rest: servers may answer with the batch's whole GLExport, as large as the run's export."""
    try:
        reply = msgspec.json.decode(content, type=_BatchReply) if content.strip() else None
    except (msgspec.ValidationError, msgspec.DecodeError):
        return False
    return reply is not None and type(reply.id) is int and reply.batchIdentifier == identifier


async def _batch_reply(response: httpx.Response) -> tuple[httpx.Response, bytes] | None:
    """The answer to ``POST /batches`` when it is short enough to be the batch itself; None (read no
    further) when it is longer: then it is the batch's GLExport."""
    kept = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            kept += chunk
            if len(kept) > BATCH_REPLY_KEPT:
                return None
    except httpx.TransportError:  # the batch was created (2xx): it is looked up instead
        return None
    return response, bytes(kept)


def same_payment_date(payment: InvoicePayment, when: date | datetime | None) -> bool:
    """Whether the payment is dated ``when`` (None: no date), to the day."""
    if when is None or payment.paymentDate is None:
        return when is None and payment.paymentDate is None
    day = when.date() if isinstance(when, datetime) else when
    return payment.paymentDate.date() == day


class CreatedBatch(NamedTuple):
    batch: AccountingBatch
    # Known to be the batch this request created, with exactly the entries it sent: Manage's answer
    # to the POST named it, or Manage answered 2xx (so this POST created a batch under the
    # identifier) and lists no other under it. One found after a failed connection, or one of
    # several under the identifier, may be another's.
    ours: bool


class ManageClient:
    """Async client for one Manage company. Use as an async context manager."""

    def __init__(
        self,
        settings: ManageSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._t = ManageTransport(settings, transport=transport, sleep=sleep)
        self.settings = settings

    async def __aenter__(self) -> ManageClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._t.aclose()

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._t.requests_sent

    @property
    def requests_by_method(self) -> dict[str, int]:
        """HTTP requests sent so far per method ("GET", "POST", …), retries included."""
        return dict(self._t.requests_by_method)

    # --- generic reading -------------------------------------------------------------------

    async def _get(self, path: str, model: type[M], params: dict[str, Any] | None = None) -> M:
        response = await self._t.api("GET", path, params=params)
        return self._model(model, self._t.json(response), response)

    def _model(self, model: type[M], data: Any, response: httpx.Response) -> M:
        if not isinstance(data, dict):
            raise ManageError(
                f"Manage answered {response.request.method} {response.request.url.path} with "
                f"{type(data).__name__} where an object was expected. The site may not be a Manage API.",
                method=response.request.method,
                where=response.request.url.path,
            )
        return _validate(model, data, response)

    async def iter_pages(
        self,
        path: str,
        model: type[M] | None,
        *,
        conditions: Condition | None = None,
        order_by: str | None = None,
        fields: str | None = None,
        forward_only: bool = False,
        page_size: int | None = None,
    ) -> AsyncIterator[list[Any]]:
        """Every page of a list, as models (or plain dicts when ``model`` is None).

        Stops on a short page, or when ``Link`` names no next page. An endpoint that ignores
        forward-only paging (a full first page without any ``Link`` header) is read by page
        number instead. The next page is requested before this one is validated, so the
        server's latency overlaps the client's work.
        """
        size = min(page_size or self.settings.page_size, 1000)
        params: dict[str, Any] = {"pageSize": size}
        if conditions is not None:
            params["conditions"] = str(conditions)
        if order_by:
            params["orderBy"] = order_by
        if fields:
            params["fields"] = fields
        headers = {PAGINATION_HEADER: FORWARD_ONLY} if forward_only else None
        if not forward_only:
            params["page"] = 1
        response = await self._t.api("GET", path, params=params, headers=headers)
        followed: set[str] = set()
        page = 1
        while True:
            rows = self._t.json(response)
            if not isinstance(rows, list):
                raise ManageError(
                    f"Manage answered GET {response.request.url.path} with {type(rows).__name__} where a list "
                    "was expected. The site may not be a Manage API.",
                    method="GET",
                    where=response.request.url.path,
                )
            upcoming: asyncio.Task[httpx.Response] | None = None
            if len(rows) >= size:
                link = response.headers.get("link")
                url = next_link(link, forward_only=forward_only)
                page += 1
                if url is not None:
                    target = self._t.site.origin + path_and_query(url)
                    if target in followed:
                        raise ManageError(
                            f"Manage sent the same next-page link twice while listing {path}; stopping to "
                            "avoid a loop.",
                            method="GET",
                            where=path,
                        )
                    followed.add(target)
                    upcoming = asyncio.ensure_future(self._t.send("GET", target, headers=headers))
                elif link is None and (not forward_only or page == 2):
                    if forward_only:
                        log.info("Manage %s ignored forward-only paging; reading numbered pages", path)
                        forward_only, headers = False, None
                    params = {**params, "page": page}
                    upcoming = asyncio.ensure_future(self._t.api("GET", path, params=params))
            try:
                yield [_validate(model, row, response) for row in rows] if model is not None else rows
            except BaseException:
                if upcoming is not None:
                    upcoming.cancel()
                raise
            if upcoming is None:
                return
            response = await upcoming

    async def list_all(
        self,
        path: str,
        model: type[M],
        conditions: Condition | None = None,
        *,
        order_by: str | None = None,
        forward_only: bool = False,
        fields: str | None = None,
    ) -> list[M]:
        rows: list[M] = []
        async for page in self.iter_pages(
            path, model, conditions=conditions, order_by=order_by, forward_only=forward_only, fields=fields
        ):
            rows.extend(page)
        return rows

    async def _list_in(
        self,
        path: str,
        model: type[M],
        field: str,
        values: Iterable[Any],
        also: Condition | None = None,
        *,
        forward_only: bool = False,
        fields: str | None = None,
    ) -> list[M]:
        """``field in (values)`` (and ``also``), split so each request URL stays short enough.

        The chunks are read concurrently (the transport bounds how many are in flight) and
        returned in chunk order."""
        budget = await self._condition_budget(path, fields)
        chunks = c.in_chunks(field, values, max_encoded_length=budget, also=also)
        pages = await asyncio.gather(*(
            self.list_all(path, model, chunk, forward_only=forward_only, fields=fields) for chunk in chunks))
        return [row for page in pages for row in page]

    async def _condition_budget(self, path: str, fields: str | None = None) -> int:
        # The URL without conditions, with the longest paging parameters this client adds.
        params = {"pageSize": 1000, "page": 99999, "conditions": "", **({"fields": fields} if fields else {})}
        probe = httpx.URL(await self._t.base_url() + path, params=params)
        budget = self.settings.max_url_length - len(str(probe)) - 16
        if budget < 100:
            raise ManageError(f"The Manage URL for {path} is too long to add search conditions to it.")
        return budget

    async def count(self, path: str, conditions: Condition | None = None) -> int:
        params = {"conditions": str(conditions)} if conditions is not None else None
        response = await self._t.api("GET", f"{path}/count", params=params)
        data = self._t.json(response)
        return int(data.get("count") or 0) if isinstance(data, dict) else 0

    # --- connection ------------------------------------------------------------------------

    async def company_info(self) -> CompanyInfo:
        return await self._t.company_info()

    async def system_info(self) -> Info:
        """``GET /system/info``: proves the site, company, client id and credentials all work."""
        return await self._get("/system/info", Info)

    # --- unposted records ------------------------------------------------------------------

    @staticmethod
    def _unposted_filter(
        date_field: str, location_id: int | None, thru_date: date | datetime | None, extra: Condition | None
    ) -> Condition | None:
        by_location = c.eq("locationId", location_id) if location_id is not None else None
        if isinstance(thru_date, datetime):
            by_date = c.le(date_field, thru_date)
        elif thru_date is not None:
            # A date means the whole day: anything before the next midnight.
            by_date = c.lt(date_field, thru_date + timedelta(days=1))
        else:
            by_date = None
        return _and(extra, by_location, by_date)

    async def unposted_invoices(
        self,
        *,
        location_id: int | None = None,
        thru_date: date | datetime | None = None,
        ids: Iterable[int] | None = None,
        conditions: Condition | None = None,
    ) -> list[UnpostedInvoice]:
        """Closed invoices not yet in a GL batch, dated on or before ``thru_date``
        (UNCONFIRMED: the date compared is ``invoiceDate``)."""
        where = self._unposted_filter("invoiceDate", location_id, thru_date, conditions)
        return await self._unposted(UNPOSTED_INVOICES, UnpostedInvoice, where, "id", ids)

    async def unposted_expenses(
        self,
        *,
        location_id: int | None = None,
        thru_date: date | datetime | None = None,
        ids: Iterable[int] | None = None,
        conditions: Condition | None = None,
    ) -> list[UnpostedExpense]:
        """Expenses not yet in a GL batch (``dateExpense`` on or before ``thru_date``)."""
        where = self._unposted_filter("dateExpense", location_id, thru_date, conditions)
        return await self._unposted(UNPOSTED_EXPENSES, UnpostedExpense, where, "id", ids)

    async def unposted_procurement(
        self,
        *,
        location_id: int | None = None,
        thru_date: date | datetime | None = None,
        ids: Iterable[int] | None = None,
        product_ids: Iterable[str] | None = None,
        procurement_type: str | None = None,
        conditions: Condition | None = None,
    ) -> list[UnpostedProcurement]:
        """Purchases, adjustments and transfers not yet in a GL batch (``purchaseDate`` on or before
        ``thru_date``); ``product_ids`` are ``unpostedProductId`` values such as ``"3-PO12-purchase"``."""
        if ids is not None and product_ids is not None:
            raise InvalidRequest("Select unposted procurement by ids or by product ids, not both.")
        kind = c.eq("procurementType", procurement_type) if procurement_type else None
        where = self._unposted_filter("purchaseDate", location_id, thru_date, _and(conditions, kind))
        if product_ids is not None:
            return await self._unposted(UNPOSTED_PROCUREMENT, UnpostedProcurement, where, "unpostedProductId", product_ids)
        return await self._unposted(UNPOSTED_PROCUREMENT, UnpostedProcurement, where, "id", ids)

    async def _unposted(
        self, path: str, model: type[M], where: Condition | None, key: str, keys: Iterable[Any] | None
    ) -> list[M]:
        # Unposted lists can be long: forward-only paging keeps them consistent and cheap.
        if keys is not None:
            return await self._list_in(path, model, key, keys, where, forward_only=True)
        return await self.list_all(path, model, where, forward_only=True)

    async def unposted_locations(self) -> list[Location]:
        """The locations that own at least one unposted invoice, expense or procurement record,
        in name order. An id missing from ``/system/locations`` still appears (without a name)."""

        async def location_ids(path: str) -> set[int]:
            found: set[int] = set()
            async for page in self.iter_pages(path, None, fields="id,locationId", forward_only=True):
                found.update(row["locationId"] for row in page if isinstance(row.get("locationId"), int))
            return found

        sets = await asyncio.gather(
            location_ids(UNPOSTED_INVOICES), location_ids(UNPOSTED_EXPENSES), location_ids(UNPOSTED_PROCUREMENT)
        )
        wanted = set().union(*sets)
        if not wanted:
            return []
        known = {loc.id: loc for loc in await self.locations() if loc.id in wanted}
        result = [known.get(loc_id) or Location(id=loc_id) for loc_id in wanted]
        return sorted(result, key=lambda loc: ((loc.name or "").casefold(), loc.id))

    # --- accounting export and batches ---------------------------------------------------

    async def export(self, request: ExportAccountingBatchRequest, *, lean: bool = False,
                     keep: frozenset[str] | None = None, watch: Watch | None = None) -> GLExport:
        """``POST /finance/accounting/export``: the GL payload of the chosen records. Read-only
        on the server, so it is retried like a read. ``lean``: as compact read-only records
        (:mod:`mobius_tui.manage.lean`) holding only the fields named in ``keep`` (None: all),
        for planning a run; otherwise as models. ``watch`` (lean only): called each time the
        response is read (again, after a failure), it gives what is told of each record as it
        is decoded (``GLExportStream``)."""
        if not (request.exportInvoicesFlag or request.exportExpensesFlag or request.exportProductsFlag or request.exportPaymentsFlag):
            raise InvalidRequest(
                "An export must include invoices, expenses, payments or procurement: set one of the export flags."
            )
        return await self._gl_export("/finance/accounting/export", request, lean, keep, watch)

    async def _gl_export(self, path: str, body: Any, lean: bool, keep: frozenset[str] | None,
                         watch: Watch | None = None) -> GLExport:
        if not lean:
            response = await self._t.api("POST", path, body=body)
            data = self._t.json(response)
            return self._model(GLExport, data if data is not None else {}, response)
        # Decoded while it arrives, a record at a time: never the whole body in memory (httpx would
        # hold its chunks and their joined copy: 2 × 56 MB for a 50,000-line export), and never a
        # long call that keeps the GIL from the screen's thread.
        answered: list[tuple[httpx.Response, GLExportStream]] = []

        async def read(response: httpx.Response) -> GLExport:
            stream = GLExportStream(keep, watch() if watch is not None else None)
            answered.append((response, stream))
            turn = time.perf_counter()
            async for chunk in response.aiter_bytes():
                stream.feed(chunk)
                if time.perf_counter() - turn >= YIELD_AFTER:
                    await asyncio.sleep(0)
                    turn = time.perf_counter()
            return stream.close()

        try:
            return await self._t.api_streamed("POST", path, read, body=body)
        except msgspec.ValidationError as exc:
            response = answered[-1][0]
            raise ManageError(
                f"Manage sent a GLExport from {response.request.method} {response.request.url.path} that does not "
                f"match API version {self.settings.api_version}: {exc}. Check the record in Manage, or report it "
                "if the data looks right.",
                method=response.request.method,
                where=response.request.url.path,
            ) from None
        except msgspec.DecodeError:
            response, stream = answered[-1]
            raise self._t.not_json(response, stream.head) from None

    async def create_batch(self, request: CreateAccountingBatchRequest) -> CreatedBatch:
        """Record a batch: the GL entries in ``processedRecordIds`` leave the unposted lists.

        Returns the created batch as listed by Manage, and whether it is known to be the one this
        request created (``CreatedBatch.ours``). Never sent twice blindly: when the connection fails
        mid-request, the batch is looked up by ``batchIdentifier`` first.
        """
        identifier = (request.batchIdentifier or "").strip()
        if not identifier or len(identifier) > BATCH_IDENTIFIER_MAX:
            raise InvalidRequest(
                f"The batch identifier {identifier!r} must be 1 to {BATCH_IDENTIFIER_MAX} characters long."
            )
        if not request.processedRecordIds:
            raise InvalidRequest(f"Batch {identifier}: no GL entry ids to record (processedRecordIds is empty).")
        if not (request.exportInvoicesFlag or request.exportExpensesFlag or request.exportProductsFlag):
            raise InvalidRequest(
                f"Batch {identifier}: set exportInvoicesFlag, exportExpensesFlag or exportProductsFlag."
            )
        for attempt in range(1, self.settings.retry.attempts + 1):
            try:
                reply = await self._t.api_streamed("POST", BATCHES, _batch_reply, body=request, idempotent=False)
            except Unavailable as exc:
                if not exc.outcome_unknown:
                    raise
                existing = await self.find_batch(identifier)
                if existing is not None:
                    log.warning("Manage batch %s was created although the connection failed", identifier)
                    return CreatedBatch(existing, ours=False)
                if attempt == self.settings.retry.attempts:
                    raise
                log.warning("Manage batch %s was not created (%s); sending it again", identifier, exc)
                continue
            if reply is not None and _names_batch(reply[1], identifier):
                return CreatedBatch(AccountingBatch.model_validate(self._t.json(*reply)), ours=True)
            break
        listed = await self._batches_named(identifier)
        if not listed:
            raise ManageError(
                f"Manage accepted batch {identifier} but does not list it afterwards. Check Finance > "
                "Accounting Interface > Open Batches in Manage before running again.",
                method="POST",
                where=BATCHES,
            )
        return CreatedBatch(listed[0], ours=len(listed) == 1)

    async def batches(self, conditions: Condition | None = None) -> list[AccountingBatch]:
        return await self.list_all(BATCHES, AccountingBatch, conditions)

    async def batch(self, batch_id: int) -> AccountingBatch:
        return await self._get(f"{BATCHES}/{int(batch_id)}", AccountingBatch)

    async def find_batch(self, batch_identifier: str) -> AccountingBatch | None:
        exact = await self._batches_named(batch_identifier)
        return exact[0] if exact else None

    async def _batches_named(self, batch_identifier: str) -> list[AccountingBatch]:
        found = await self.batches(c.eq("batchIdentifier", batch_identifier))
        return [batch for batch in found if batch.batchIdentifier == batch_identifier]

    async def delete_batch(self, batch_id: int) -> None:
        """Remove a batch; its records become unposted again."""
        path = f"{BATCHES}/{int(batch_id)}"
        try:
            await self._t.api("DELETE", path, idempotent=False)
        except Unavailable as exc:
            # A repeated DELETE of a batch that is already gone would be a 404: look first.
            if not exc.outcome_unknown:
                raise
            try:
                await self.batch(batch_id)
            except NotFound:
                return
            await self._t.api("DELETE", path)

    async def export_batch(self, batch_id: int, request: ExportAccountingBatchRequest | None = None, *,
                           lean: bool = False, keep: frozenset[str] | None = None,
                           watch: Watch | None = None) -> GLExport:
        """``POST /batches/{id}/export``: the GL payload of an existing batch, for a rerun
        (``lean`` and ``watch`` as for :meth:`export`)."""
        body: ExportAccountingBatchRequest | dict = request if request is not None else {}
        return await self._gl_export(f"{BATCHES}/{int(batch_id)}/export", body, lean, keep, watch)

    async def batch_entries(self, batch_id: int) -> list[BatchEntry]:
        return await self.list_all(f"{BATCHES}/{int(batch_id)}/entries", BatchEntry)

    async def batch_entry_ids(self, batch_id: int) -> AsyncIterator[set[int]]:
        """The ids of a batch's entries, a page at a time (only ``id`` is read): a batch of a large
        run has a GL entry per line, too many to hold as models when only their ids matter."""
        pages = self.iter_pages(f"{BATCHES}/{int(batch_id)}/entries", None, fields="id")
        async with contextlib.aclosing(pages):
            async for rows in pages:
                yield {row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)}

    # --- invoices and payments -------------------------------------------------------------

    async def invoice(self, invoice_id: int) -> Invoice:
        return await self._get(f"{INVOICES}/{int(invoice_id)}", Invoice)

    async def invoices_by_number(self, numbers: Iterable[str], fields: str | None = None) -> list[Invoice]:
        """Invoices whose number is one of ``numbers``, read in chunked ``in`` conditions;
        ``fields`` (e.g. ``"id,invoiceNumber,payments"``) trims each record to what is needed."""
        wanted = [str(n) for n in numbers]
        if not wanted:
            return []
        return await self._list_in(INVOICES, Invoice, "invoiceNumber", wanted, fields=fields)

    async def invoice_payments(self, invoice_id: int) -> list[InvoicePayment]:
        return await self.list_all(f"{INVOICES}/{int(invoice_id)}/payments", InvoicePayment)

    async def set_invoice_payment(
        self, invoice_id: int, amount: Decimal, paid_on: date | datetime | None,
        *, current: list[InvoicePayment] | None = None,
    ) -> InvoicePayment | None:
        """Make the invoice's payments in Manage add up to ``amount`` (the total paid so far).

        Manage keeps one payment per invoice: the existing payment is updated, otherwise one of
        type ``P`` is added; a zero total removes it. ``paid_on`` None sends no payment date
        (Manage shows a "Date Paid" only for invoices paid in full). ``current``: the invoice's
        payments as just read, to save reading them again; after a failed attempt they are read
        afresh. Running it again changes nothing. Returns the payment as Manage now holds it
        (None when there is none).
        """
        amount = Decimal(amount)
        if not amount.is_finite() or amount < 0:
            raise InvalidRequest(f"Invoice {invoice_id}: the paid amount {amount} must be zero or more.")
        when = None if paid_on is None else (
            paid_on if isinstance(paid_on, datetime) else datetime(paid_on.year, paid_on.month, paid_on.day))
        known = current
        for attempt in range(1, self.settings.retry.attempts + 1):
            try:
                return await self._write_payment(int(invoice_id), amount, when, known)
            except Unavailable as exc:
                # The write may have happened: the next round reads the payments again first.
                if not exc.outcome_unknown or attempt == self.settings.retry.attempts:
                    raise
                known = None
                log.warning("Manage invoice %s payment: %s; checking again", invoice_id, exc)
        raise AssertionError("unreachable")

    async def _write_payment(self, invoice_id: int, amount: Decimal, when: datetime | None,
                             known: list[InvoicePayment] | None) -> InvoicePayment | None:
        path = f"{INVOICES}/{invoice_id}/payments"
        payments = sorted(known if known is not None else await self.invoice_payments(invoice_id),
                          key=lambda p: p.id or 0)
        ours = payments[-1] if payments else None
        others = sum((p.amount or Decimal(0) for p in payments[:-1]), Decimal(0))
        target = amount - others
        if target < 0:
            raise InvalidRequest(
                f"Invoice {invoice_id} has {len(payments)} payments in Manage adding up to more than the "
                f"{amount} paid; remove the extra payments in Manage (Finance > Invoice Search > Payments).",
            )
        if ours is None:
            if target == 0:
                return None
            body: dict[str, Any] = {"type": "P", "amount": target, "invoice": {"id": invoice_id}}
            if when is not None:
                body["paymentDate"] = wire_value(when)  # its wire text: the body is then plain JSON values
            response = await self._t.api("POST", path, body=body, idempotent=False)
            return self._model(InvoicePayment, self._t.json(response), response)
        if target == 0 and not others:
            await self._t.api("DELETE", f"{path}/{ours.id}", idempotent=False)
            return None
        if ours.amount == target and same_payment_date(ours, when):
            return ours
        operations = [
            {"op": "replace", "path": "/amount", "value": target},
            {"op": "replace", "path": "/paymentDate", "value": wire_value(when) if when is not None else None},
        ]
        response = await self._t.api("PATCH", f"{path}/{ours.id}", body=operations)
        return self._model(InvoicePayment, self._t.json(response), response)

    # --- reference data ----------------------------------------------------------------------

    async def companies(self, conditions: Condition | None = None) -> list[Company]:
        return await self.list_all("/company/companies", Company, conditions, forward_only=True)

    async def members(self, conditions: Condition | None = None) -> list[Member]:
        return await self.list_all("/system/members", Member, conditions, forward_only=True)

    async def gl_accounts(self, conditions: Condition | None = None) -> list[GLAccount]:
        return await self.list_all("/finance/glAccounts", GLAccount, conditions, forward_only=True)

    async def tax_codes(self, conditions: Condition | None = None) -> list[TaxCode]:
        return await self.list_all("/finance/taxCodes", TaxCode, conditions)

    async def tax_code_levels(self, tax_code_id: int) -> list[TaxCodeLevel]:
        return await self.list_all(f"/finance/taxCodes/{int(tax_code_id)}/taxCodeLevels", TaxCodeLevel)

    async def billing_terms(self, conditions: Condition | None = None) -> list[BillingTerm]:
        return await self.list_all("/finance/billingTerms", BillingTerm, conditions)

    async def catalog_items(self, conditions: Condition | None = None) -> list[CatalogItem]:
        return await self.list_all("/procurement/catalog", CatalogItem, conditions, forward_only=True)

    async def product_types(self, conditions: Condition | None = None) -> list[ProductType]:
        return await self.list_all("/procurement/types", ProductType, conditions)

    async def warehouses(self, conditions: Condition | None = None) -> list[Warehouse]:
        return await self.list_all("/procurement/warehouses", Warehouse, conditions)

    async def locations(self, conditions: Condition | None = None) -> list[Location]:
        return await self.list_all("/system/locations", Location, conditions)

    async def currencies(self, conditions: Condition | None = None) -> list[FinanceCurrency]:
        return await self.list_all("/finance/currencies", FinanceCurrency, conditions)

    async def accounting_package_setup(self) -> list[AccountingPackageSetup]:
        return await self.list_all("/finance/accountingPackageSetup", AccountingPackageSetup)
