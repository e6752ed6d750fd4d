"""HTTP layer of the Manage sandbox: routing, authentication and error bodies over ``ManageStore``.

``create_app(store, faults=None, client_ids=None, batch_reply="glexport") -> ASGI app``. Paths and
query keys match case-insensitively, as on the real server. Codebase ``v4_6_release/``; API root
``/v4_6_release/apis/3.0``; ``GET /login/companyinfo/{companyId}`` needs no authentication.

UNCONFIRMED choices (the reference leaves them open): a missing ``clientId`` header is a 401 with
code ``Unauthorized``; any non-empty clientId is accepted unless ``client_ids`` is given; an
integrator login calling anything but the tokens endpoint gets 403; ``POST /batches`` answers 201
with the batch's GLExport, as the API spec declares (``batch_reply="batch"`` answers the
AccountingBatch instead and ``"empty"`` an empty object, to test clients against the other
plausible answers); ``POST /export`` 200; payments POST 201; DELETE 204; unknown company in
companyinfo is a plain-text 404.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from mobius_tui.manage import models as m
from mobius_tui.sandbox.faults import FaultMiddleware, Faults
from mobius_tui.sandbox.manage import credentials as cred
from mobius_tui.sandbox.manage import wire
from mobius_tui.sandbox.manage.encoding import encode, wire_row
from mobius_tui.sandbox.manage.query import QueryError, count, in_texts, query_list
from mobius_tui.sandbox.manage.store import INVOICE_LOOKUP_FIELDS, ManageStore, StoreError

API_ROOT = "/v4_6_release/apis/3.0"
API_VERSION = "2025.1"
_request_ids = itertools.count(1)


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[m.ValidationError] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = m.ErrorResponseMessage(code=code, message=message, errors=errors or None)


def _unauthenticated() -> HttpError:
    return HttpError(401, "ConnectWiseApi", "UserNotAuthenticated")


def not_found(what: str) -> HttpError:
    return HttpError(404, "NotFound", f"{what} was not found.")


@dataclass
class Ctx:
    request: Request
    params: dict[str, str]  # query keys lower-cased
    args: tuple[str, ...]
    member: str

    @property
    def url(self) -> str:
        """The absolute URL of this path, without query (for Link headers; only lists need it)."""
        return str(self.request.url.replace(query=""))

    async def body(self) -> Any:
        raw = await self.request.body()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise HttpError(400, "InvalidObject", f"The request body is not valid JSON: {exc}.") from exc


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``content``: a model, wire rows, plain wire values, or a body already encoded (``bytes``)."""
    body = content if isinstance(content, bytes) else encode(content)
    return Response(body, status_code=status, media_type="application/json; charset=utf-8", headers=headers)


def _model_body(model: type[BaseModel], body: Any, resource: str) -> Any:
    if not isinstance(body, dict):
        raise HttpError(400, "InvalidObject", f"{resource} object is invalid: the body must be a JSON object.")
    try:
        return model.model_validate(body)
    except PydanticValidationError as exc:
        errors = [m.ValidationError(code="InvalidField", field="/".join(str(p) for p in e["loc"]),
                                    message=e["msg"], resource=resource) for e in exc.errors()]
        raise HttpError(400, "InvalidObject", f"{resource} object is invalid", errors) from exc


def _streamed_json(pieces: Iterator[bytes]) -> Response:
    """A large body sent while it is made (chunked, as a server streams a large export): each piece
    goes out before the next is made, so the client reads the first records meanwhile."""

    async def each() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    return StreamingResponse(each(), status_code=200, media_type="application/json; charset=utf-8")


Handler = Callable[[Ctx], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    accounting: bool = False  # needs the accounting security role
    integrator_ok: bool = False


BATCH_REPLIES = ("glexport", "batch", "empty")


class ManageApp:
    def __init__(self, store: ManageStore, client_ids: set[str] | None = None, batch_reply: str = "glexport") -> None:
        if batch_reply not in BATCH_REPLIES:
            raise ValueError(f"batch_reply must be one of {', '.join(BATCH_REPLIES)}, not {batch_reply!r}")
        self.store = store
        self.client_ids = client_ids
        self.batch_reply = batch_reply  # what POST /batches answers (UNCONFIRMED; see the module docstring)
        self.routes: list[Route] = []
        self._roles: dict[str, bool] | None = None
        self._register()

    # --- routing -------------------------------------------------------------------

    def add(self, method: str, path: str, handler: Handler, accounting: bool = False,
            integrator_ok: bool = False) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"([^/]+)", path.rstrip("/")) + "/?$"
        self.routes.append(Route(method, re.compile(regex, re.IGNORECASE), handler, accounting, integrator_ok))

    def collection(self, path: str, model: type[BaseModel], records: Callable[[Ctx], list[dict[str, Any]]],
                   name: str, accounting: bool = False) -> None:
        """GET list, /count and /{id} over wire dicts (``records`` may use ctx.args for parent ids)."""

        async def list_(ctx: Ctx) -> Response:
            rows, link = query_list(model, records(ctx), ctx.params, ctx.url,
                                    ctx.request.headers.get("pagination-type", "").lower() == "forward-only")
            return json_response(rows, headers={"Link": link} if link is not None else None)

        async def count_(ctx: Ctx) -> Response:
            return json_response(m.Count(count=count(model, records(ctx), ctx.params)))

        async def one(ctx: Ctx) -> Response:
            wanted = ctx.args[-1]
            for r in records(Ctx(ctx.request, ctx.params, ctx.args[:-1], ctx.member)):
                if str(r.get("id")) == wanted:
                    rows, _ = query_list(model, [r], {k: v for k, v in ctx.params.items() if k == "fields"},
                                         ctx.url, False)
                    return json_response(rows[0])
            raise not_found(f"{name} with id {wanted}")

        self.add("GET", path, list_, accounting)
        self.add("GET", path + "/count", count_, accounting)
        self.add("GET", path + "/{id}", one, accounting)

    def _register(self) -> None:
        s = self.store
        ds = s.dataset
        acc = "/finance/accounting"

        # unposted records and their taxable levels
        self.collection(acc + "/unpostedinvoices", m.UnpostedInvoice, lambda c: s.wire_rows(
            "uinv", s.unposted_invoices(), lambda i: i.unposted_id, lambda i: wire.unposted_invoice(ds, i)),
            "Unposted invoice", accounting=True)
        self.collection(acc + "/unpostedexpenses", m.UnpostedExpense, lambda c: s.wire_rows(
            "uexp", s.unposted_expenses(), lambda e: e.id, lambda e: wire.unposted_expense(ds, e)),
            "Unposted expense", accounting=True)
        self.collection(acc + "/unpostedprocurement", m.UnpostedProcurement, lambda c: s.wire_rows(
            "upro", s.unposted_procurements(), lambda p: p.id, lambda p: wire.unposted_procurement(ds, p)),
            "Unposted procurement", accounting=True)
        self.collection(acc + "/unpostedpayments", m.UnpostedPayments, lambda c: [], "Unposted payment",
                        accounting=True)

        def invoice_levels(c: Ctx) -> list[dict[str, Any]]:
            inv = s.invoices_by_unposted.get(_int(c.args[0]))
            if inv is None or not s._unbatched(inv):
                raise not_found(f"Unposted invoice with id {c.args[0]}")
            tc = ds.tax_code(inv.tax_code_id)
            return [m.to_wire(x) for x in wire.taxable_levels(tc, {t.level.level: t.amount for t in inv.taxes},
                                                              inv.unposted_id)]

        def expense_levels(c: Ctx) -> list[dict[str, Any]]:
            e = s.expenses_by_id.get(_int(c.args[0]))
            if e is None or not s._unbatched(e):
                raise not_found(f"Unposted expense with id {c.args[0]}")
            return [m.to_wire(x) for x in wire.taxable_levels(ds.tax_code(e.tax_code_id), {1: e.tax_amount}, e.id)]

        def procurement_levels(c: Ctx) -> list[dict[str, Any]]:
            p = s.procurements_by_id.get(_int(c.args[0]))
            if p is None or not s._unbatched(p):
                raise not_found(f"Unposted procurement with id {c.args[0]}")
            if p.tax_code_id is None:
                return []
            return [m.to_wire(x) for x in wire.taxable_levels(ds.tax_code(p.tax_code_id),
                                                              {t.level.level: t.amount for t in p.taxes}, p.id)]

        for sub, fn in (("unpostedinvoices", invoice_levels), ("unpostedexpenses", expense_levels),
                        ("unpostedprocurement", procurement_levels)):
            self.collection(f"{acc}/{sub}/{{parentId}}/taxableLevels", m.UnpostedInvoiceTaxableLevel, fn,
                            "Taxable level", accounting=True)

        # export and batches
        self.add("POST", acc + "/export", self.export, accounting=True)
        self.collection(acc + "/batches", m.AccountingBatch, lambda c: [m.to_wire(b) for b in s.batches()],
                        "Accounting batch", accounting=True)
        self.add("POST", acc + "/batches", self.create_batch, accounting=True)
        self.add("DELETE", acc + "/batches/{id}", self.delete_batch, accounting=True)
        self.add("POST", acc + "/batches/{id}/export", self.batch_export, accounting=True)

        def entries(c: Ctx) -> list[dict[str, Any]]:
            batch_id = _int(c.args[0])
            if s.batch(batch_id) is None:
                raise not_found(f"Accounting batch with id {c.args[0]}")
            return s.batch_entry_rows(batch_id)

        self.collection(acc + "/batches/{parentId}/entries", m.BatchEntry, entries, "Batch entry", accounting=True)

        # invoices and payments
        def invoices(c: Ctx) -> list[dict[str, Any]]:
            numbers = in_texts(c.params.get("conditions"), "invoiceNumber")
            chosen = ds.invoices if numbers is None else s.invoices_numbered(numbers)
            wanted = {f.strip().lower() for f in (c.params.get("fields") or "").split(",")}
            if numbers is not None and not c.params.get("orderby") and wanted <= set(INVOICE_LOOKUP_FIELDS):
                # An invoice looked up by number for a few fields, as a payment sync does: the
                # condition, the id order and the fields need nothing else (a real server reads
                # three columns, not the whole invoice).
                return s.invoice_lookup_rows(chosen)
            return s.invoice_rows(chosen)

        self.collection("/finance/invoices", m.Invoice, invoices, "Invoice")

        def payments(c: Ctx) -> list[dict[str, Any]]:
            return [m.to_wire(p) for p in s.payments(self._invoice(c.args[0]).id)]

        self.collection("/finance/invoices/{parentId}/payments", m.InvoicePayment, payments, "Payment")
        self.add("POST", "/finance/invoices/{parentId}/payments", self.add_payment, accounting=True)
        for verb in ("PUT", "PATCH"):
            self.add(verb, "/finance/invoices/{parentId}/payments/{id}", self.update_payment, accounting=True)
        self.add("DELETE", "/finance/invoices/{parentId}/payments/{id}", self.delete_payment, accounting=True)

        # reference data
        static: list[tuple[str, type[BaseModel], Callable[[], list[BaseModel]], str]] = [
            ("/company/companies", m.Company, lambda: [wire.company(ds, c) for c in ds.companies], "Company"),
            ("/system/members", m.Member, lambda: [wire.member(ds, mb) for mb in ds.members], "Member"),
            ("/finance/glAccounts", m.GLAccount, lambda: wire.gl_accounts(ds), "GL account"),
            ("/finance/taxCodes", m.TaxCode, lambda: [wire.tax_code(tc) for tc in ds.tax_codes], "Tax code"),
            ("/finance/billingTerms", m.BillingTerm, lambda: [
                m.BillingTerm(id=t.id, name=t.name, defaultFlag=t.id == 1, dueDays=t.due_days, termsXref=t.terms_xref)
                for t in ds.terms], "Billing term"),
            ("/procurement/catalog", m.CatalogItem, lambda: [wire.catalog_item(ds, i) for i in ds.items],
             "Catalog item"),
            ("/procurement/types", m.ProductType, lambda: [
                m.ProductType(id=p.id, name=p.name, inactiveFlag=False, typeXref=p.type_xref, defaultFlag=p.id == 4)
                for p in ds.product_types], "Product type"),
            ("/procurement/warehouses", m.Warehouse, lambda: [wire.warehouse(ds, wh) for wh in ds.warehouses],
             "Warehouse"),
            ("/system/locations", m.Location, lambda: [
                m.Location(id=loc.id, ownerLevelId=1, name=loc.name, payrollXref=loc.payroll_xref, locationFlag=True,
                           clientFlag=False,
                           structureLevel=m.CorporateStructureLevelReference(id=1, name="Location"))
                for loc in ds.locations], "Location"),
            ("/finance/currencies", m.FinanceCurrency, lambda: [
                m.FinanceCurrency(id=cur.id, currencyIdentifier=cur.code, name=cur.name, symbol=cur.symbol,
                                  displayIdFlag=False, displaySymbolFlag=True,
                                  currencyCode=m.CurrencyCodeReference(id=cur.id, name=cur.code),
                                  thousandsSeparator=",", decimalSeparator=".", negativeParenthesesFlag=False,
                                  rightAlign=False, numberOfDecimals=2)
                for cur in ds.currencies], "Currency"),
            ("/finance/accountingPackages", m.AccountingPackage, lambda: [
                m.AccountingPackage(id=6, identifier="Other", name="Mobius TUI")], "Accounting package"),
        ]
        for path, model, build, name in static:
            rows = [wire_row(x) for x in build()]
            self.collection(path, model, lambda c, rows=rows: rows, name)
        self.collection("/finance/accountingPackageSetup", m.AccountingPackageSetup,
                        lambda c: [m.to_wire(m.AccountingPackageSetup.model_validate(s.setup()))],
                        "Accounting package setup")

        def levels(c: Ctx) -> list[dict[str, Any]]:
            tcs = [tc for tc in ds.tax_codes if str(tc.id) == c.args[0]]
            if not tcs:
                raise not_found(f"Tax code with id {c.args[0]}")
            return [m.to_wire(x) for x in wire.tax_code_levels(tcs[0])]

        self.collection("/finance/taxCodes/{parentId}/taxCodeLevels", m.TaxCodeLevel, levels, "Tax code level")
        self.add("GET", "/system/info", self.info)
        self.add("POST", "/system/members/{memberIdentifier}/tokens", self.tokens, integrator_ok=True)

    # --- handlers ------------------------------------------------------------------

    async def info(self, ctx: Ctx) -> Response:
        return json_response(m.Info(version="v2025.1.10431", isCloud=False, serverTimeZone="Eastern Standard Time",
                                    licenseBits=[], maxWorkFlowRecordsAllowed=10000))

    async def tokens(self, ctx: Ctx) -> Response:
        ident = ctx.args[0]
        members = [mb for mb in self.store.dataset.members if mb.identifier.lower() == ident.lower()]
        if not members:
            raise not_found(f"Member '{ident}'")
        return json_response(self.store.issue_token(members[0].identifier), status=201)

    async def export(self, ctx: Ctx) -> Response:
        req = _model_body(m.ExportAccountingBatchRequest, await ctx.body(), "exportAccountingBatchRequest")
        return _streamed_json(self.store.export_json_pieces(req))

    async def create_batch(self, ctx: Ctx) -> Response:
        req = _model_body(m.CreateAccountingBatchRequest, await ctx.body(), "accountingBatch")
        batch = self.store.record_batch(req, created_by=ctx.member)
        if self.batch_reply == "batch":
            return json_response(batch, status=201)
        if self.batch_reply == "empty":
            return json_response(b"{}", status=201)
        return json_response(self.store.batch_export_json(batch.id or 0, None), status=201)

    def _batch_id(self, raw: str) -> int:
        batch_id = _int(raw)
        if self.store.batch(batch_id) is None:
            raise not_found(f"Accounting batch with id {raw}")
        return batch_id

    async def delete_batch(self, ctx: Ctx) -> Response:
        self.store.delete_batch(self._batch_id(ctx.args[0]))
        return Response(status_code=204)

    async def batch_export(self, ctx: Ctx) -> Response:
        batch_id = self._batch_id(ctx.args[0])
        body = await ctx.body()
        req = _model_body(m.ExportAccountingBatchRequest, body, "exportAccountingBatchRequest")
        return json_response(self.store.batch_export_json(batch_id, req.summarizeInvoices))

    def _invoice(self, raw: str) -> Any:
        inv = self.store.invoices_by_id.get(_int(raw))
        if inv is None:
            raise not_found(f"Invoice with id {raw}")
        return inv

    async def add_payment(self, ctx: Ctx) -> Response:
        inv = self._invoice(ctx.args[0])
        body = await ctx.body()
        if not isinstance(body, dict):
            raise HttpError(400, "InvalidObject", "payment object is invalid: the body must be a JSON object.")
        ref = body.get("invoice")
        if isinstance(ref, dict) and ref.get("id") not in (None, inv.id):
            raise HttpError(400, "InvalidObject", "payment object is invalid", [m.ValidationError(
                code="InvalidField", field="invoice/id", resource="payment",
                message=f"invoice/id {ref.get('id')} does not match invoice {inv.id} in the path.")])
        return json_response(self.store.add_payment(inv.id, body, ctx.member), status=201)

    async def update_payment(self, ctx: Ctx) -> Response:
        inv = self._invoice(ctx.args[0])
        body = await ctx.body()
        if ctx.request.method == "PATCH":
            if not isinstance(body, list):
                raise HttpError(400, "InvalidObject", "PATCH expects a JSON array of operations such as "
                                                      '[{"op":"replace","path":"/amount","value":450}].')
            changes: dict[str, Any] = {}
            for op in body:
                patch = _model_body(m.PatchOperation, op, "patchOperation")
                field = (patch.path or "").strip("/")
                if (patch.op or "").lower() not in ("replace", "add") or field not in ("amount", "paymentDate", "type"):
                    raise HttpError(400, "InvalidObject", f"Unsupported patch operation {patch.op!r} on "
                                                          f"{patch.path!r}; use replace on /amount, /paymentDate "
                                                          "or /type.")
                changes[field] = patch.value
        else:
            if not isinstance(body, dict):
                raise HttpError(400, "InvalidObject", "payment object is invalid: the body must be a JSON object.")
            changes = {k: body[k] for k in ("amount", "paymentDate", "type") if k in body}
            if "amount" not in changes:
                changes["amount"] = None  # PUT replaces the whole payment; amount is required
        updated = self.store.update_payment(inv.id, _int(ctx.args[1]), changes)
        if updated is None:
            raise not_found(f"Payment with id {ctx.args[1]} on invoice {inv.id}")
        return json_response(updated)

    async def delete_payment(self, ctx: Ctx) -> Response:
        inv = self._invoice(ctx.args[0])
        if not self.store.delete_payment(inv.id, _int(ctx.args[1])):
            raise not_found(f"Payment with id {ctx.args[1]} on invoice {inv.id}")
        return Response(status_code=204)

    # --- authentication ------------------------------------------------------------

    def _authenticate(self, request: Request, route: Route) -> str:
        """The member identifier the request acts as, or an HttpError."""
        if not request.headers.get("clientid"):
            raise HttpError(401, "Unauthorized", "The clientId header is missing. Send your integration's clientId "
                                                 "(a GUID from the ConnectWise developer portal) in a 'clientId' header.")
        if self.client_ids is not None and request.headers["clientid"] not in self.client_ids:
            raise HttpError(401, "Unauthorized", "The clientId is not registered for this site.")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            raise _unauthenticated()
        try:
            user, _, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _unauthenticated() from None
        company, _, login = user.partition("+")
        if company.lower() != cred.COMPANY_ID.lower() or not login:
            raise _unauthenticated()
        usertype = request.headers.get("x-cw-usertype", "").lower()
        if usertype == "integrator":
            if login != cred.INTEGRATOR_USERNAME or password != cred.INTEGRATOR_PASSWORD:
                raise _unauthenticated()
            if not route.integrator_ok:
                raise HttpError(403, "Forbidden", "An integrator login may only request member tokens "
                                                  "(POST /system/members/{memberIdentifier}/tokens); call the API "
                                                  "with the member keys it returns.")
            return cred.INTEGRATOR_USERNAME
        for key in cred.API_KEYS:
            if key.public_key == login and key.private_key == password:
                return key.member
        member, expired = self.store.token_member(login, password)
        if member is None or expired:
            raise _unauthenticated()
        return member

    def _has_role(self, member: str) -> bool:
        if self._roles is None:  # members never change while the sandbox runs
            self._roles = {mb.identifier: mb.accounting_role for mb in self.store.dataset.members}
        return self._roles.get(member, False)

    # --- ASGI ------------------------------------------------------------------------

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._dispatch(request)
        response.headers["x-cw-request-id"] = f"sandbox-{next(_request_ids)}"
        response.headers["api-current-version"] = API_VERSION
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        path = request.scope["path"]
        try:
            info = re.match(r"^/login/companyinfo/([^/]+)/?$", path, re.IGNORECASE)
            if info:
                return self._company_info(request, info.group(1))
            if not path.lower().startswith(API_ROOT.lower() + "/"):
                return Response("Cannot route. Codebase/company is invalid", status_code=404, media_type="text/plain")
            sub = path[len(API_ROOT):]
            # The first route of this method whose path matches; else 405 if another method's does.
            method = request.method
            route, mt = next(((r, mt) for r in self.routes if r.method == method
                              and (mt := r.pattern.match(sub))), (None, None))
            if route is None or mt is None:
                if not any(r.pattern.match(sub) for r in self.routes):
                    raise not_found(f"The resource {sub}")
                raise HttpError(405, "MethodNotAllowed", f"{request.method} is not allowed on {sub}.")
            member = self._authenticate(request, route)
            if route.accounting and not self._has_role(member):
                raise HttpError(403, "Forbidden", f"Member '{member}' lacks the security role for the accounting "
                                                  "interface (Finance > Accounting Interface / Invoicing). Ask an "
                                                  "administrator to grant it to this API member.")
            params = {k.lower(): v for k, v in request.query_params.items()} if request.scope["query_string"] else {}
            return await route.handler(Ctx(request, params, mt.groups(), member))
        except HttpError as exc:
            return json_response(exc.body, status=exc.status)
        except StoreError as exc:
            return json_response(exc.body, status=exc.status)
        except QueryError as exc:
            return json_response(m.ErrorResponseMessage(code="InvalidObject", message=str(exc)), status=400)

    def _company_info(self, request: Request, company_id: str) -> Response:
        if company_id.lower() != cred.COMPANY_ID.lower():
            return Response("Cannot route. Codebase/company is invalid", status_code=404, media_type="text/plain")
        host = request.headers.get("host", "127.0.0.1")
        return json_response(m.CompanyInfo(CompanyName=cred.COMPANY_ID, Codebase="v4_6_release/",
                                           VersionCode="v2025.1", VersionNumber="v4.6.10431",
                                           CompanyID=cred.COMPANY_ID, IsCloud=False, SiteUrl=host))


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise HttpError(404, "NotFound", f"{raw!r} is not a valid id.") from None


def create_app(store: ManageStore, faults: Faults | None = None, client_ids: set[str] | None = None,
               batch_reply: str = "glexport") -> Any:
    app = ManageApp(store, client_ids, batch_reply)
    return FaultMiddleware(app, faults) if faults is not None else app
