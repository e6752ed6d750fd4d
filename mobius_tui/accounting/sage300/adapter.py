"""Sage 300 through its Web API: the package adapter the service layer drives.

Login as seed 001 describes it, adapted to the Web API: the Web API address, the company chosen from
those the server offers, a Sage 300 user id (sent upper case; ADMIN is refused by the Web API unless
the server allows it) and its password.
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Coroutine, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from mobius_tui.accounting.base import (
    AccountingPackage,
    Capabilities,
    Existing,
    FieldKind,
    PackageError,
    PaymentStatus,
    PostResult,
    PostStatus,
    Problem,
    SettingField,
)
from mobius_tui.accounting.sage300.check import check_plan
from mobius_tui.accounting.sage300.client import WebApiBusy, WebApiClient, WebApiError, quoted
from mobius_tui.accounting.sage300.names import WireNames, load_names
from mobius_tui.accounting.sage300.payloads import Target, target
from mobius_tui.accounting.sage300.post import BATCH_DESCRIPTION, BatchInfo, PostOptions, Poster
from mobius_tui.accounting.sage300.reference import Sage300Reference, load_reference
from mobius_tui.documents.model import Document, DocumentKind, Plan, PurchaseDocument
from mobius_tui.wire.errors import CertificateError, TemporaryFailure, certificate_failure
from mobius_tui.wire.hosts import is_loopback

_SECURITY_FIX = ("Use a Sage 300 user (not ADMIN) whose security group has the 'Sage 300 Web API' right, and check "
                 "the user id and password.")
_FILTER_CHUNK = 40  # document numbers per $filter, to keep URLs short


def _ledger_key(where: Target, doc: Document) -> tuple[str, str]:
    """How an A/R or A/P document is told apart: its number, and on A/P its vendor too."""
    vendor = doc.vendor.account if where == Target.AP and isinstance(doc, PurchaseDocument) else ""
    return vendor, doc.number


def _chunks(docs: list[Document]) -> list[tuple[list[Document], list[str]]]:
    """The documents by number, _FILTER_CHUNK numbers at a time: (the documents, their numbers)."""
    by_number: dict[str, list[Document]] = {}
    for doc in docs:
        by_number.setdefault(doc.number, []).append(doc)
    numbers = sorted(by_number)
    out = []
    for start in range(0, len(numbers), _FILTER_CHUNK):
        chunk = numbers[start:start + _FILTER_CHUNK]
        out.append(([d for n in chunk for d in by_number[n]], chunk))
    return out


async def _each(documents: Sequence[Document]) -> AsyncIterator[Document]:
    for doc in documents:
        yield doc


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("yes", "1", "true")


def _day(value: Any) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


class Sage300(AccountingPackage):
    name: ClassVar[str] = "sage300"
    label: ClassVar[str] = "Sage 300"
    settings: ClassVar[tuple[SettingField, ...]] = (
        SettingField("base_url", "Web API address", "The Sage 300 Web API, e.g. https://sage.example.com/Sage300WebApi",
                     FieldKind.URL),
        SettingField("company", "Company ID", "The Sage 300 company to post into (the server lists its companies)",
                     FieldKind.CHOICE),
        SettingField("user", "User ID", "Sage 300 user in a security group with the Web API right (not ADMIN)"),
        SettingField("password", "Password", "Password of the Sage 300 user", FieldKind.PASSWORD, secret=True,
                     required=False, default=""),
        SettingField("ready_to_post", "Ready to post", "Set the batches Ready To Post instead of leaving them open "
                     "for review", FieldKind.BOOLEAN, required=False, default=False),
        SettingField("concurrency", "Parallel requests", "Requests in flight at once (1-8; Sage advises a few)",
                     FieldKind.INTEGER, required=False, default=4),
        SettingField("customer_group", "Customer group", "A/R customer group for customers the run creates "
                     "(blank: the server's default)", required=False, default=""),
        SettingField("vendor_group", "Vendor group", "A/P vendor group for vendors the run creates "
                     "(blank: the server's default)", required=False, default=""),
        SettingField("timeout_seconds", "Timeout (seconds)", "How long to wait for one answer; the first call after "
                     "the server idles can be slow", FieldKind.INTEGER, required=False, default=120),
        SettingField("ca_bundle", "CA bundle", "Certificate bundle for a server with a private certificate",
                     required=False, default=""),
    )
    capabilities: ClassVar[Capabilities] = Capabilities(
        document_kinds=frozenset(DocumentKind),
        creates_customers=True,
        creates_vendors=True,
        creates_items=False,
        multi_currency=True,
        inventory=True,  # without Inventory Control, adjustments and transfers go as G/L journal entries
        expenses_as_journal=True,
        payments=True,
    )

    @classmethod
    def books_identity(cls, values: Mapping[str, Any]) -> str:
        # The same company reached through the same Web API, whoever logs in and however fast.
        base = str(values.get("base_url", "")).rstrip("/").lower()
        return f"base_url={base},company={str(values.get('company', '')).upper()}"

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.client: WebApiClient | None = None
        self.batches: list[BatchInfo] = []  # the batches the last post() created
        self.unknown: dict[str, str] = {}  # documents the last post() gave no result, and why
        self.names = WireNames()  # field names confirmed by the server's $metadata at connect

    # --- connection -----------------------------------------------------------------------

    @classmethod
    def _client(cls, values: Mapping[str, Any], company: str) -> WebApiClient:
        missing = [f.label for f in cls.settings if f.required and not values.get(f.name) and f.name != "company"]
        if missing:
            raise PackageError(f"Sage 300 settings incomplete: {', '.join(missing)}.", "Fill them in on the login screen.")
        _check_address(str(values["base_url"]))
        concurrency = max(1, min(8, int(values.get("concurrency") or 4)))
        try:
            return WebApiClient(
                str(values["base_url"]), company, str(values["user"]), str(values.get("password") or ""),
                timeout=float(values.get("timeout_seconds") or 120), verify=values.get("ca_bundle") or True,
                max_connections=concurrency + 2)
        except (OSError, ssl.SSLError) as exc:
            raise PackageError(f"The CA bundle {values.get('ca_bundle')!r} cannot be read ({exc}).",
                               "Set 'CA bundle' in the Sage 300 settings to a PEM file of trusted certificates.") from None

    @classmethod
    async def choices_for(cls, field_name: str, values: Mapping[str, Any]) -> tuple[str, ...]:
        if field_name != "company":
            return await super().choices_for(field_name, values)
        client = cls._client(values, "")
        try:
            body = await client.get_root()
        except WebApiError as exc:
            raise _login_error(exc, values) from None
        except httpx.HTTPError as exc:
            raise _unreachable(values, exc) from None
        finally:
            await client.aclose()
        rows = body.get("value", []) if isinstance(body, dict) else body or []
        names = [r if isinstance(r, str) else r.get("Name") or r.get("CompanyID") or r.get("name") for r in rows]
        return tuple(str(n) for n in names if n)

    async def connect(self) -> None:
        company = str(self.values.get("company") or "")
        if not company:
            raise PackageError("No Sage 300 company chosen.", "Pick the company from the list on the login screen.")
        self.client = self._client(self.values, company)
        try:
            await self.client.get_one("GL", "GLAccounts", {"$top": "1", "$select": "UnformattedAccount"})
            self.names = await load_names(self.client)
        except WebApiError as exc:
            await self.close()
            if exc.status == 404 and "ompany" in exc.message:
                raise PackageError(f"Sage 300 has no company {company}.",
                                   "Pick one of the companies the server lists.") from None
            raise _login_error(exc, self.values) from None
        except httpx.HTTPError as exc:
            await self.close()
            raise _unreachable(self.values, exc) from None

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def _require(self) -> WebApiClient:
        if self.client is None:
            raise PackageError("Not connected to Sage 300.", "Log in first.")
        return self.client

    # --- the run ------------------------------------------------------------------------------

    async def reference(self) -> Sage300Reference:
        try:
            return await load_reference(self._require(), str(self.values["user"]).upper(), self.names)
        except WebApiBusy as exc:
            raise _busy(exc) from None
        except WebApiError as exc:
            raise PackageError(f"Reading the Sage 300 setup failed: {exc.message}", _SECURITY_FIX) from None
        except httpx.HTTPError as exc:
            raise _unreachable(self.values, exc) from None

    def check(self, plan: Plan, reference: Sage300Reference) -> list[Problem]:
        return check_plan(plan, reference)

    def post(self, plan: Plan, documents: Sequence[Document], reference: Sage300Reference) -> AsyncIterator[PostResult]:
        return self.post_stream(plan, _each(documents), reference)

    async def post_stream(self, plan: Plan, documents: AsyncIterable[Document],
                          reference: Sage300Reference) -> AsyncIterator[PostResult]:
        poster = Poster(self._require(), reference, PostOptions(
            ready_to_post=bool(self.values.get("ready_to_post")),
            concurrency=self._concurrency(),
            customer_group=str(self.values.get("customer_group") or ""),
            vendor_group=str(self.values.get("vendor_group") or ""),
        ), description=f"{BATCH_DESCRIPTION} {date.today().isoformat()} #{secrets.token_hex(3)}")
        self.batches, self.unknown = poster.batches, poster.unknown
        done: set[str] = set()
        try:
            async for result in poster.run(plan, documents):
                done.add(result.document_key)
                yield result
        except (httpx.HTTPError, WebApiError) as exc:
            # Only a failure outside any one document lands here. What was never sent is skipped;
            # what may have been sent gets no result: the service looks it up.
            for doc in poster.received:
                if doc.key in done:
                    continue
                if doc.key in poster.attempted:
                    self.unknown.setdefault(doc.key, f"Sage 300 connection failed while it was sent: {exc}")
                else:
                    yield PostResult(doc.key, PostStatus.SKIPPED, error=f"Sage 300 connection failed: {exc}")

    def _concurrency(self) -> int:
        return max(1, min(8, int(self.values.get("concurrency") or 4)))

    async def existing(self, documents: Sequence[Document]) -> Existing:
        """Documents whose number Sage 300 already holds: in an unposted batch or posted."""
        found: dict[str, str] = {}
        async for _, part in self.existing_in_parts(documents):
            found.update(part.found)
        return Existing(found)

    async def existing_in_parts(self, documents: Sequence[Document]) -> AsyncIterator[tuple[list[Document], Existing]]:
        """The look-ups of :meth:`existing`, all started at once (as many in flight as posting
        sends), each part handed over as soon as every read its documents need has answered: an
        A/R or A/P part after its ledger's open batches and its chunk of posted documents, journal
        and inventory documents after the journal batches (and the I/C records)."""
        client = self._require()
        by_target: dict[Target, list[Document]] = {t: [] for t in Target}
        for doc in documents:
            by_target[target(doc, inventory=True)].append(doc)
        slots = asyncio.Semaphore(self._concurrency())

        async def limited(read: Coroutine[Any, Any, dict[str, str]]) -> dict[str, str]:
            try:
                async with slots:
                    return await read
            finally:
                read.close()  # cancelled while waiting for a slot: never started, closed without a warning

        parts: list[tuple[list[Document], list[asyncio.Future[dict[str, str]]]]] = []
        for where in (Target.AR, Target.AP):
            if docs := by_target[where]:
                open_batches = asyncio.ensure_future(limited(self._existing_open(client, where, docs)))
                for chunk_docs, numbers in _chunks(docs):
                    posted = asyncio.ensure_future(limited(self._existing_posted(client, where, chunk_docs, numbers)))
                    parts.append((chunk_docs, [open_batches, posted]))
        # Inventory documents go to the G/L when Inventory Control is absent: look in both.
        if journals := by_target[Target.GL] + by_target[Target.IC]:
            in_journals = asyncio.ensure_future(limited(self._existing_journals(client, journals)))
            if by_target[Target.GL]:
                parts.append((by_target[Target.GL], [in_journals]))
            if by_target[Target.IC]:
                in_inventory = asyncio.ensure_future(limited(self._existing_inventory(client, by_target[Target.IC])))
                parts.append((by_target[Target.IC], [in_journals, in_inventory]))
        reads = {id(r): r for _, part_reads in parts for r in part_reads}.values()
        try:
            for docs, part_reads in parts:
                found: dict[str, str] = {}
                for read in part_reads:
                    found.update(await asyncio.shield(read))  # a read shared by several parts runs once
                keys = {d.key for d in docs}
                yield docs, Existing({k: v for k, v in found.items() if k in keys})
        except WebApiBusy as exc:
            raise _busy(exc) from None
        except WebApiError as exc:
            raise PackageError(f"Looking for documents already in Sage 300 failed: {exc.message}", _SECURITY_FIX) from None
        except httpx.HTTPError as exc:
            raise _unreachable(self.values, exc) from None
        finally:
            for read in reads:
                read.cancel()
            await asyncio.gather(*reads, return_exceptions=True)

    async def _existing_open(self, client: WebApiClient, where: Target, docs: list[Document]) -> dict[str, str]:
        """The ledger's documents in an unposted batch (every open batch, read whole)."""
        module = where.value
        wanted = {_ledger_key(where, d): d.key for d in docs}
        found: dict[str, str] = {}
        open_batches = await client.get_all(module, f"{module}InvoiceBatches", {
            "$filter": "BatchStatus ne 'Posted'", "$select": "BatchNumber,Invoices"})
        for batch in open_batches:
            for entry in batch.get("Invoices") or []:
                key = (entry.get("VendorNumber") if where == Target.AP else "", str(entry.get("DocumentNumber")))
                if key in wanted:
                    found[wanted[key]] = f"{module} batch {batch['BatchNumber']} / {entry['DocumentNumber']}"
        return found

    async def _existing_posted(self, client: WebApiClient, where: Target, docs: list[Document],
                               numbers: list[str]) -> dict[str, str]:
        """The ledger's posted documents with one of ``numbers`` (one $filter of ``or`` terms)."""
        module = where.value
        party = "CustomerNumber" if where == Target.AR else "VendorNumber"
        wanted = {_ledger_key(where, d): d.key for d in docs}
        found: dict[str, str] = {}
        rows = await client.get_all(module, f"{module}PostedDocuments", {
            "$filter": " or ".join(f"DocumentNumber eq {quoted(n)}" for n in numbers),
            "$select": f"{party},DocumentNumber,BatchNumber"})
        for row in rows:
            key = (row.get(party) if where == Target.AP else "", str(row.get("DocumentNumber")))
            if key in wanted:
                found[wanted[key]] = f"{module} posted, batch {row.get('BatchNumber')} / {row['DocumentNumber']}"
        return found

    async def _existing_journals(self, client: WebApiClient, docs: list[Document]) -> dict[str, str]:
        """Journal entries by document number, in the batches that can hold the run's documents.

        A batch's entries come only with the batch (the Web API documents no filter on them, and
        GLPostedTransactions carries no document number), so the batches themselves are narrowed:
        every unposted batch, and of the posted ones only those this program created (their
        description starts with BATCH_DESCRIPTION): an earlier run's post of a document went through
        one of those, and the history of everything else stays unread. Not found: an entry keyed by
        hand under the same number into a batch that has since been posted, or a batch of ours
        whose description was changed in Sage 300."""
        wanted = {d.number: d.key for d in docs}
        found: dict[str, str] = {}
        select = "BatchNumber,JournalHeaders"
        batches = await client.get_all("GL", "GLJournalBatches", {"$filter": "Status ne 'Posted'", "$select": select})
        batches += await client.get_all("GL", "GLJournalBatches", {
            "$filter": f"Status eq 'Posted' and startswith(Description,{quoted(BATCH_DESCRIPTION)})",
            "$select": select})
        for batch in batches:
            for header in batch.get("JournalHeaders") or []:
                number = str(header.get("DocumentNumber") or "")
                if number in wanted:
                    found[wanted[number]] = f"GL batch {batch['BatchNumber']} / entry {header.get('EntryNumber')}"
        return found

    async def _existing_inventory(self, client: WebApiClient, docs: list[Document]) -> dict[str, str]:
        found: dict[str, str] = {}
        for kind, resource, number_field in ((DocumentKind.INVENTORY_ADJUSTMENT, "ICAdjustments", "AdjustmentNumber"),
                                             (DocumentKind.INVENTORY_TRANSFER, "ICTransfers", self.names.transfer_number)):
            wanted = {d.number: d.key for d in docs if d.kind == kind}
            numbers = sorted(wanted)
            for start in range(0, len(numbers), _FILTER_CHUNK):
                chunk = numbers[start:start + _FILTER_CHUNK]
                try:
                    rows = await client.get_all("IC", resource, {
                        "$filter": " or ".join(f"Reference eq {quoted(n)}" for n in chunk),
                        "$select": ",".join(f for f in ("Reference", "SequenceNumber", number_field) if f)})
                except WebApiError as exc:
                    if exc.status in (403, 404):
                        return found  # no Inventory Control: they went to the G/L, looked up there
                    raise
                for row in rows:
                    if row.get("Reference") in wanted:
                        number = (row.get(number_field) if number_field else None) or row.get("SequenceNumber")
                        found[wanted[row["Reference"]]] = f"I/C {number}"
        return found

    async def payments_since(self, since: date) -> list[PaymentStatus]:
        client = self._require()
        try:
            rows = await client.get_all("AR", "ARPostedDocuments", {
                "$filter": f"LastActivityDate ge {since.isoformat()}T00:00:00Z and DocumentType eq 'Invoice'",
                "$select": "CustomerNumber,DocumentNumber,CustomerCurrencyInvoiceAmount,CustomerCurrencyAmountDue,"
                           "FullyPaid,DatePaid,LastActivityDate,CurrencyCode"})
        except WebApiBusy as exc:
            raise _busy(exc) from None
        except WebApiError as exc:
            raise PackageError(f"Reading A/R posted documents failed: {exc.message}", _SECURITY_FIX) from None
        except httpx.HTTPError as exc:
            raise _unreachable(self.values, exc) from None
        out: list[PaymentStatus] = []
        for row in rows:
            total = Decimal(str(row.get("CustomerCurrencyInvoiceAmount") or 0))
            due = Decimal(str(row.get("CustomerCurrencyAmountDue") or 0))
            paid = total - due
            full = _flag(row.get("FullyPaid")) or (due == 0 and paid > 0)
            out.append(PaymentStatus(
                document_number=str(row["DocumentNumber"]), total=total, paid=paid, balance=due,
                date_paid_in_full=_day(row.get("DatePaid")) if full else None,
                last_payment_date=_day(row.get("LastActivityDate")) if paid else None,
                currency=str(row.get("CurrencyCode") or "")))
        return out


class Sage300CertificateRejected(PackageError, CertificateError):
    """The server's TLS certificate is not trusted here: a setup problem, never retried."""


class Sage300Unavailable(PackageError, TemporaryFailure):
    """Sage 300 could not be reached or stayed busy through the retries: try again later."""


def _check_address(url: str) -> None:
    """The Web API address must be https, as the password goes with every request; plain http is
    accepted only on this computer's loopback interface (the same rule as the Manage site)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise PackageError(f"The Sage 300 Web API address {url!r} is not a web address.",
                           "Enter it as https://server/Sage300WebApi.")
    if parts.scheme.lower() == "http" and not is_loopback(host):
        raise PackageError(f"The Sage 300 Web API address {url!r} uses plain http, which would send the Sage 300 "
                           "password unencrypted.", f"Use https://{parts.netloc}{parts.path} (plain http is only "
                           "accepted for this computer's loopback address).")


def _busy(exc: WebApiError) -> PackageError:
    # The client's text already says what was asked and how long the server wanted to wait.
    text = exc.message if "Try again later" in exc.message else (
        f"Sage 300 is busy (HTTP {exc.status}{', ' + exc.code if exc.code else ''}: {exc.message}) and stayed so "
        "through the retries.")
    return Sage300Unavailable(text, "" if "Try again later" in text else "Try again later.")


def _login_error(exc: WebApiError, values: Mapping[str, Any]) -> PackageError:
    if isinstance(exc, WebApiBusy):
        return _busy(exc)
    user = str(values.get("user") or "").upper()
    if exc.status == 401:
        if user == "ADMIN":
            return PackageError("Sage 300 refused ADMIN on the Web API (it is disabled for ADMIN by default).",
                                "Log in with a dedicated Sage 300 user in a security group with the 'Sage 300 Web "
                                "API' right.")
        return PackageError(f"Sage 300 refused the login of user {user}.", _SECURITY_FIX)
    if exc.status == 403:
        return PackageError(f"Sage 300 user {user} may not use the Web API here: {exc.message}",
                            "In Administrative Services > Security Groups grant the 'Sage 300 Web API' right for the "
                            "General Ledger, A/R and A/P (and I/C) to the user's group.")
    return PackageError(f"Sage 300 answered: {exc.message}", "Check the Web API address and company.")


def _unreachable(values: Mapping[str, Any], exc: Exception) -> PackageError:
    address = values.get("base_url")
    if reason := certificate_failure(exc):
        # A configuration error: retrying cannot help.
        return Sage300CertificateRejected(f"The Sage 300 Web API at {address} presented a certificate this computer does not trust "
                            f"({reason}).", "Put the certificate of the authority that signed it in a CA bundle file "
                            "and set 'CA bundle' in the Sage 300 settings, or have the server use a certificate from "
                            "a trusted authority.")
    detail = str(exc).strip()
    return Sage300Unavailable(f"Cannot reach the Sage 300 Web API at {address} ({type(exc).__name__}"
                              f"{': ' + detail if detail else ''}).",
                              "Check that the Web API site is running and the network, then try again.")
