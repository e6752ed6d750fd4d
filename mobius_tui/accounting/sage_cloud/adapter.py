"""Sage Business Cloud Accounting (API v3.1, OAuth 2.0): the package adapter the service layer drives.

Login is an OAuth authorization: the profile holds the app's client id (the client secret is a
secret field) and, once authorised, the chosen business and the name its sign-in is kept under in
the keyring. Posting covers sales invoices and credit notes, purchase invoices (procurement and
expense bills) and other payments (expenses paid by card); see :mod:`.check` for what is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

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
from mobius_tui.accounting.sage_cloud import oauth
from mobius_tui.accounting.sage_cloud.check import check_plan
from mobius_tui.accounting.sage_cloud.client import SageClient, SageError
from mobius_tui.accounting.sage_cloud.oauth import AuthorizationNeeded, OAuthConfig, OAuthFailure, PendingAuthorization
from mobius_tui.accounting.sage_cloud.payloads import POSTED_KINDS, collection
from mobius_tui.accounting.sage_cloud.post import Poster
from mobius_tui.accounting.sage_cloud.reference import CloudReference, load_reference
from mobius_tui.accounting.sage_cloud.tokens import TokenSource, TokenVault, VaultUnavailable, keep_in_process, vault_for
from mobius_tui.documents.model import Document, DocumentKind, JournalEntry, Plan
from mobius_tui.wire.fast_transport import AiohttpTransport

AUTHORISE_FIX = "Authorise again: 'mobius-tui profiles authorize PROFILE', or Authorise on the login screen."
DEFAULT_REDIRECT = "http://127.0.0.1:8765/callback"


def _int(values: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(values.get(name) if values.get(name) not in (None, "") else default)))
    except (TypeError, ValueError):
        return default


def _http_client(timeout: float, connections: int = 2) -> httpx.AsyncClient:
    """The one HTTP stack of this package, for the sign-in and the business list too (the same
    certificates and proxies as the posting client). Proxies: the transport honours them itself."""
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
                             transport=AiohttpTransport(limits=httpx.Limits(max_connections=connections)),
                             trust_env=False)


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


class SageCloud(AccountingPackage):
    name: ClassVar[str] = "sage_cloud"
    label: ClassVar[str] = "Sage Business Cloud Accounting"
    settings: ClassVar[tuple[SettingField, ...]] = (
        SettingField("client_id", "Client ID", "Client ID of the app registered at developer.sage.com"),
        SettingField("client_secret", "Client secret", "Client secret of that app", FieldKind.PASSWORD, secret=True),
        SettingField("redirect_uri", "Callback URL", "A callback URL registered for the app, exactly as registered",
                     FieldKind.URL, required=False, default=DEFAULT_REDIRECT),
        SettingField("business_id", "Business", "The Sage business to post into (listed after authorising)",
                     FieldKind.CHOICE, required=False, default=""),
        SettingField("token_key", "Sign-in name", "Name the keyring keeps this profile's Sage sign-in under "
                     "(set when you authorise)", required=False, default=""),
        SettingField("invoice_prefix", "Invoice prefix", "Business-wide prefix Sage puts before its invoice numbers "
                     "(up to 6 characters; blank: leave Sage's setting as it is)", required=False, default=""),
        SettingField("sage_plan", "Sage plan", "The business's plan: Accounting Start cannot create purchase invoices "
                     "through the API (procurement and expense bills are then refused)", FieldKind.CHOICE,
                     required=False, default="standard", choices=("plus", "standard", "start")),
        SettingField("concurrency", "Parallel requests", "Requests in flight at once (1-8)", FieldKind.INTEGER,
                     required=False, default=2),
        SettingField("requests_per_minute", "Requests per minute", "Sage publishes no v3.1 limit; 60 a minute is "
                     "the safe rate others report (0: no limit)", FieldKind.INTEGER, required=False, default=60),
        SettingField("api_url", "API address", "Sage Accounting API v3.1", FieldKind.URL, required=False,
                     default="https://api.accounting.sage.com/v3.1"),
        SettingField("authorize_url", "Authorize address", "Sage's sign-in page", FieldKind.URL, required=False,
                     default="https://www.sageone.com/oauth2/auth/central?filter=apiv3.1"),
        SettingField("token_url", "Token address", "Sage's token endpoint", FieldKind.URL, required=False,
                     default="https://oauth.accounting.sage.com/token"),
        SettingField("revoke_url", "Revoke address", "Sage's revoke endpoint", FieldKind.URL, required=False,
                     default="https://oauth.accounting.sage.com/revoke"),
        SettingField("timeout_seconds", "Timeout (seconds)", "How long to wait for one answer", FieldKind.INTEGER,
                     required=False, default=60),
    )
    capabilities: ClassVar[Capabilities] = Capabilities(
        document_kinds=POSTED_KINDS, creates_customers=True, creates_vendors=True, creates_items=False,
        multi_currency=True, inventory=False, expenses_as_journal=False, payments=True)

    @classmethod
    def books_identity(cls, values: Mapping[str, Any]) -> str:
        api = str(values.get("api_url") or cls._default("api_url")).rstrip("/").lower()
        return f"api_url={api},business_id={values.get('business_id', '')}"

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.http: httpx.AsyncClient | None = None
        self.client: SageClient | None = None
        self.unknown: dict[str, str] = {}

    # --- sign-in (used by the service's authorise flow) --------------------------------------

    @classmethod
    def _default(cls, name: str) -> Any:
        return next(f.default for f in cls.settings if f.name == name)

    @classmethod
    def oauth_config(cls, values: Mapping[str, Any]) -> OAuthConfig:
        def get(name: str) -> str:
            return str(values.get(name) or cls._default(name) or "")

        if not get("client_id") or not get("client_secret"):
            raise PackageError("The Sage app's client ID and client secret are needed to sign in.",
                               "Fill them in (the secret is kept in the keyring or MOBIUS_SAGE_CLOUD_CLIENT_SECRET).")
        return OAuthConfig(get("client_id"), get("client_secret"), get("authorize_url"), get("token_url"),
                           get("redirect_uri"), get("revoke_url"),
                           timeout=float(values.get("timeout_seconds") or 60))

    @classmethod
    def vault(cls, values: Mapping[str, Any], key: str = "") -> TokenVault:
        given = values.get("token_vault")
        if given is not None:  # a vault handed in (tests, or another store)
            return given
        key = key or str(values.get("token_key") or "")
        if not key:
            raise PackageError("This profile has not been authorised with Sage yet.", AUTHORISE_FIX)
        return vault_for(key)

    @classmethod
    def keep_sign_in_in_process(cls, key: str) -> None:
        """Keep this sign-in's tokens in memory instead of the keyring (the demo's throw-away sign-in)."""
        keep_in_process(key)

    @classmethod
    def begin_authorization(cls, values: Mapping[str, Any]) -> PendingAuthorization:
        return oauth.begin(cls.oauth_config(values))

    @classmethod
    async def finish_authorization(cls, values: Mapping[str, Any], key: str, pending: PendingAuthorization,
                                   pasted: str) -> list[tuple[str, str]]:
        """Trade the pasted redirect (or code) for tokens, keep them, and list the user's businesses."""
        config = cls.oauth_config(values)
        try:
            code = oauth.code_from(pasted, pending)
        except OAuthFailure as exc:
            raise PackageError(exc.description, "") from None
        async with _http_client(config.timeout) as http:
            try:
                tokens = await oauth.exchange(http, config, code)
            except OAuthFailure as exc:
                raise _oauth_error(exc) from None
            except httpx.HTTPError as exc:
                raise PackageError(f"Cannot reach Sage's token endpoint ({type(exc).__name__}).",
                                   "Check the network and the token address.") from None
            try:
                cls.vault(values, key).save(tokens)
            except VaultUnavailable as exc:
                raise PackageError(str(exc), "") from None
        return await cls.businesses({**values, "token_key": key})

    @classmethod
    async def businesses(cls, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(id, name) of every business the signed-in user reaches."""
        config = cls.oauth_config(values)
        async with _http_client(config.timeout) as http:
            tokens = TokenSource(config, cls.vault(values), http)
            client = SageClient(str(values.get("api_url") or cls._default("api_url")), "", tokens, http,
                                per_minute=0)
            try:
                rows = await client.get_all("businesses", {"attributes": "name"})
            except AuthorizationNeeded as exc:
                raise PackageError(f"{exc}", AUTHORISE_FIX) from None
            except SageError as exc:
                raise PackageError(f"Sage refused to list the businesses: {exc.message}", AUTHORISE_FIX) from None
            except VaultUnavailable as exc:
                raise PackageError(str(exc), "") from None
        return [(str(r["id"]), str(r.get("displayed_as") or r.get("name") or r["id"])) for r in rows]

    @classmethod
    async def choices_for(cls, field_name: str, values: Mapping[str, Any]) -> tuple[str, ...]:
        if field_name != "business_id":
            return await super().choices_for(field_name, values)
        return tuple(business_id for business_id, _ in await cls.businesses(values))

    # --- connection -----------------------------------------------------------------------------

    async def connect(self) -> None:
        config = self.oauth_config(self.values)
        business = str(self.values.get("business_id") or "")
        if not business:
            raise PackageError("No Sage business chosen for this profile.", AUTHORISE_FIX)
        vault = self.vault(self.values)
        concurrency = _int(self.values, "concurrency", 2, 1, 8)
        self.http = _http_client(config.timeout, concurrency + 2)
        self.client = SageClient(str(self.values.get("api_url") or self._default("api_url")), business,
                                 TokenSource(config, vault, self.http), self.http, concurrency=concurrency,
                                 per_minute=_int(self.values, "requests_per_minute", 60, 0, 100_000))
        try:
            await self.client.get("financial_settings")
        except BaseException as exc:
            await self.close()
            raise self._error(exc, "Signing in to Sage Accounting failed") from None

    async def close(self) -> None:
        if self.http is not None:
            await self.http.aclose()
        self.http = self.client = None

    def _require(self) -> SageClient:
        if self.client is None:
            raise PackageError("Not connected to Sage Accounting.", "Log in first.")
        return self.client

    def _error(self, exc: BaseException, doing: str) -> BaseException:
        if isinstance(exc, AuthorizationNeeded):
            return PackageError(f"{exc}", AUTHORISE_FIX)
        if isinstance(exc, VaultUnavailable):
            return PackageError(str(exc), "")
        if isinstance(exc, SageError):
            if exc.subscription_lapsed:
                return PackageError(f"Sage Accounting refused: {exc.message} The business's subscription or trial "
                                    "has lapsed.", "Renew the Sage subscription of this business, or choose another "
                                    "business.")
            if exc.status == 404 and exc.source == "X-Business":
                return PackageError("The chosen Sage business is not reachable with this sign-in.", AUTHORISE_FIX)
            return PackageError(f"{doing}: {exc.message}", "Check the profile's Sage settings.")
        if isinstance(exc, OAuthFailure):
            return PackageError(f"{doing}: Sage's token endpoint said {exc}.", AUTHORISE_FIX)
        if isinstance(exc, httpx.HTTPError):
            return PackageError(f"Cannot reach Sage Accounting ({type(exc).__name__}).",
                                "Check the network; try again later.")
        return exc

    # --- the run ----------------------------------------------------------------------------------

    async def reference(self) -> CloudReference:
        try:
            return await load_reference(self._require())
        except Exception as exc:
            raise self._error(exc, "Reading the Sage business's setup failed") from None

    def check(self, plan: Plan, reference: CloudReference) -> list[Problem]:
        problems = check_plan(plan, reference, purchase_invoices=str(self.values.get("sage_plan") or "") != "start")
        prefix = str(self.values.get("invoice_prefix") or "")
        if len(prefix) > 6:
            problems.append(Problem(f"Invoice prefix {prefix!r} is longer than the 6 characters Sage allows",
                                    "Shorten the profile's Invoice prefix."))
        return problems

    async def _set_prefix(self, reference: CloudReference) -> None:
        """Sage numbers invoices itself; the prefix it uses is one business-wide setting."""
        prefix = str(self.values.get("invoice_prefix") or "")
        if prefix and prefix != reference.invoice_prefix:
            await self._require().write("PUT", "invoice_settings",
                                        {"invoice_settings": {"sales_invoice_number_prefix": prefix}})
            reference.invoice_prefix = prefix

    async def post(self, plan: Plan, documents: Sequence[Document], reference: CloudReference) -> AsyncIterator[PostResult]:
        poster = Poster(self._require(), reference, plan, _int(self.values, "concurrency", 2, 1, 8))
        self.unknown = poster.unknown
        try:
            await self._set_prefix(reference)
        except Exception as exc:  # nothing was sent yet: every document is certainly not posted
            reason = self._scrub(str(self._error(exc, "Setting the invoice prefix in Sage failed")))
            for doc in documents:
                yield PostResult(doc.key, PostStatus.SKIPPED, error=f"Not sent: {reason}")
            return
        for doc in documents:
            if not _sendable(doc):  # the check refuses these; never sent
                yield PostResult(doc.key, PostStatus.SKIPPED, error="Not sent: Sage Business Cloud takes invoices, "
                                 "credit notes, purchase invoices and expenses paid from a bank account only.")
        async for result in poster.run([d for d in documents if _sendable(d)]):
            yield replace(result, error=self._scrub(result.error)) if result.error else result

    def _scrub(self, text: str) -> str:
        """Sage's text with the app's secret and the sign-in's tokens blanked (an answer may quote them)."""
        tokens = self.client.tokens.current if self.client is not None else None
        for secret in (str(self.values.get("client_secret") or ""), *((tokens.access_token, tokens.refresh_token)
                                                                      if tokens else ())):
            if secret:
                text = text.replace(secret, "***")
        return text

    async def existing(self, documents: Sequence[Document]) -> Existing:
        """Documents whose Manage number Sage holds as a reference (voided ones do not count)."""
        client = self._require()
        found: dict[str, str] = {}
        groups: dict[str, list[Document]] = {}
        for doc in documents:
            if _sendable(doc):
                groups.setdefault(collection(doc), []).append(doc)
        try:
            for path, docs in groups.items():
                wanted = {d.number: d.key for d in docs}
                params = {"from_date": min(d.date for d in docs).isoformat(), "attributes": "reference,status,deleted_at"}
                if path == "other_payments":
                    params["transaction_type_id"] = "OTHER_PAYMENT"
                rows = await client.get_all(path, params)
                for row in rows:
                    key = wanted.get(str(row.get("reference") or ""))
                    if key and (row.get("status") or {}).get("id") != "VOID" and not row.get("deleted_at"):
                        found[key] = str(row.get("displayed_as") or row["id"])
        except Exception as exc:
            raise self._error(exc, "Looking for documents already in Sage failed") from None
        return Existing(found)

    async def payments_since(self, since: date) -> list[PaymentStatus]:
        """Payment-centric: receipts and allocations changed or deleted since the day, then the invoices
        they touch.

        A payment need not change the invoice's ``updated_at`` (unconfirmed), so invoices are found
        through the payments, and each is re-read whole for its totals. Receipts and allocations
        deleted since the day (``deleted_since``, the sheet's way to catch reversals) lead to their
        invoices too, so a payment taken back lowers what is synced back. A deleted record that no
        longer names its invoices leads to its customer's invoices instead."""
        client = self._require()
        day = since.isoformat()
        try:
            rows: list[dict[str, Any]] = []
            for path, kind in (("contact_payments", {"transaction_type_id": "CUSTOMER_RECEIPT"}),
                               ("contact_allocations", {})):
                for when in ("updated_or_created_since", "deleted_since"):
                    found = await client.get_all(path, {**kind, when: day, "attributes": "allocated_artefacts,contact"})
                    rows += [{**r, "deleted": when == "deleted_since"} for r in found]
            ids: dict[str, None] = {}
            for row in rows:
                allocated_rows = row.get("allocated_artefacts") or []
                contact = (row.get("contact") or {}).get("id")
                if row["deleted"] and not allocated_rows and contact:
                    for invoice in await client.get_all("sales_invoices", {"contact_id": contact}):
                        ids.setdefault(str(invoice["id"]), None)
                for allocated in allocated_rows:
                    artefact = allocated.get("artefact") or {}
                    if artefact.get("id") and "credit_note" not in str(artefact.get("$path") or ""):
                        ids.setdefault(str(artefact["id"]), None)

            async def status(artefact_id: str) -> PaymentStatus | None:
                try:
                    invoice = await client.get(f"sales_invoices/{artefact_id}")
                except SageError as exc:
                    if exc.status == 404:  # a credit note or a since-deleted invoice
                        return None
                    raise
                if invoice.get("reference") is None and not invoice.get("invoice_number"):
                    return None
                total = Decimal(str(invoice.get("total_amount") or 0))
                balance = Decimal(str(invoice.get("outstanding_amount") or 0))
                paid = total - balance
                full = (invoice.get("status") or {}).get("id") == "PAID" and balance == 0
                return PaymentStatus(
                    document_number=str(invoice.get("reference") or invoice.get("invoice_number")), total=total,
                    paid=paid, balance=balance, date_paid_in_full=_day(invoice.get("last_paid")) if full else None,
                    last_payment_date=_day(invoice.get("last_paid")),
                    currency=str((invoice.get("currency") or {}).get("id") or ""))

            # One read per invoice (the API lists no invoices by id): in flight as the client allows.
            read = await asyncio.gather(*(status(i) for i in ids), return_exceptions=True)
            failed = next((r for r in read if isinstance(r, BaseException)), None)
            if failed is not None:
                raise failed
            out = [r for r in read if isinstance(r, PaymentStatus)]
            return out
        except Exception as exc:
            raise self._error(exc, "Reading payments from Sage failed") from None


def _sendable(doc: Document) -> bool:
    """A kind Sage can take from here (whether this document can, the check says)."""
    if doc.kind == DocumentKind.JOURNAL_ENTRY:
        return isinstance(doc, JournalEntry) and doc.source == "expense"
    return doc.kind in POSTED_KINDS


def _oauth_error(exc: OAuthFailure) -> PackageError:
    if exc.error == "invalid_client":
        return PackageError("Sage refused the app's client ID or client secret (invalid_client).",
                            "Check the client ID and secret against the app at developer.sage.com.")
    if exc.error == "invalid_grant":
        return PackageError(f"Sage refused the code ({exc.description or 'invalid_grant'}). A code lives "
                            f"{oauth.CODE_LIFETIME} seconds and works once.",
                            "Start again and paste the address within a minute of allowing access.")
    return PackageError(f"Sage's sign-in failed: {exc}.", "Start the authorisation again.")

