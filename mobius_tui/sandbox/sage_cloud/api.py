"""The Sage Accounting v3.1 API of the sandbox (``/v3.1/...``), field for field as the fact sheet has it.

* ``Authorization: Bearer`` on every call; a dead or unknown token is 401 ``AuthorizationFailure``;
  a business whose subscription lapsed is 401 with "No active subscription. (MSE)".
* ``X-Business`` picks the business; without it the lead business (the first) answers.
* Lists: ``page`` / ``items_per_page`` (20 by default, at most 200; past the end gives the last
  page), the envelope ``$total`` ``$page`` ``$next`` (relative) ``$back`` ``$itemsPerPage``
  ``$items``; items carry ``id`` ``displayed_as`` ``$path`` unless ``attributes`` asks for more.
* ``purchase_invoices`` (supplier contacts only; ``due_date`` required; ``vendor_reference``) and
  ``other_payments`` (``payment_lines`` out of a bank account; no ``search`` filter, as in the spec).
* Deleted records (a receipt deleted with ``DELETE /contact_payments/{key}``) leave the lists and
  404 on a read; ``deleted_since`` lists those deleted after the moment given.
* Errors are an array of ``{$severity, $dataCode, $message, $source}``; validation is 422
  ``RecordInvalid`` with ``$source`` naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mobius_tui.sandbox.sage_cloud.oauth import OAuthServer
from mobius_tui.sandbox.sage_cloud.store import Business, NotFound, RecordInvalid
from mobius_tui.wire.json import dumps, loads

API_PREFIX = "/v3.1"
DEFAULT_PAGE = 20
MAX_PAGE = 200
_BRIEF = ("id", "displayed_as", "$path")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, source: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.source = status, code, message, source

    def response(self) -> Response:
        body = [{"$severity": "error", "$dataCode": self.code, "$message": self.message, "$source": self.source}]
        return Response(dumps(body), status_code=self.status, media_type="application/json")


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def _when(text: str) -> datetime:
    """A date or a datetime with offset, as ``updated_or_created_since`` takes it."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else \
        datetime.combine(date.fromisoformat(text), datetime.min.time())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _contains(needle: str, *values: Any) -> bool:
    return any(needle.lower() in str(v).lower() for v in values if v is not None)


def _search(collection: str, record: dict[str, Any], term: str) -> bool:
    if collection == "contacts":
        return _contains(term, record.get("name"), record.get("reference"))
    if collection in ("sales_invoices", "sales_credit_notes"):
        return _contains(term, record.get("reference"), record["contact"].get("displayed_as"),
                         record.get("invoice_number") or record.get("credit_note_number"))
    if collection == "purchase_invoices":
        return _contains(term, record.get("reference"), record.get("vendor_reference"),
                         record["contact"].get("displayed_as"))
    if collection == "ledger_accounts":
        return _contains(term, record.get("nominal_code"), record.get("name"))
    if collection in ("products", "services"):
        return _contains(term, record.get("item_code"), record.get("description"))
    return _contains(term, record.get("displayed_as"), record.get("reference"))


def _filters(collection: str, params: dict[str, str]) -> list[Callable[[dict[str, Any]], bool]]:
    out: list[Callable[[dict[str, Any]], bool]] = []
    # Deleted records are listed only when asked for with deleted_since (which excludes the moment given).
    if gone := params.get("deleted_since"):
        try:
            after = _when(gone)
        except ValueError:
            raise ApiError(422, "RecordInvalid", f"{gone!r} is not a date or date-time", "deleted_since") from None
        out.append(lambda r, after=after: bool(r.get("deleted_at")) and _when(r["deleted_at"]) > after)
    else:
        out.append(lambda r: not r.get("deleted_at"))
    if term := params.get("search"):
        out.append(lambda r, term=term: _search(collection, r, term))
    if since := params.get("updated_or_created_since"):
        try:
            moment = _when(since)
        except ValueError:
            raise ApiError(422, "RecordInvalid", f"{since!r} is not a date or date-time",
                           "updated_or_created_since") from None
        out.append(lambda r, moment=moment: _when(r["updated_at"]) >= moment)
    for param, field in (("contact_id", "contact"), ("status_id", "status"), ("transaction_type_id", "transaction_type")):
        if wanted := params.get(param):
            out.append(lambda r, wanted=wanted, field=field: (r.get(field) or {}).get("id") == wanted)
    if contact_type := params.get("contact_type_id"):
        out.append(lambda r, t=contact_type: any(c["id"] == t for c in r.get("contact_types", [])))
    if scope := params.get("visible_in"):
        out.append(lambda r, scope=scope: bool(r.get(f"visible_in_{scope}")))
    if first := params.get("from_date"):
        out.append(lambda r, first=first: r.get("date", "") >= first)
    if last := params.get("to_date"):
        out.append(lambda r, last=last: r.get("date", "") <= last)
    return out


def _shape(record: dict[str, Any], attributes: str | None) -> dict[str, Any]:
    if attributes == "all":
        return record
    wanted = set(_BRIEF) | {a.strip() for a in (attributes or "").split(",") if a.strip()}
    return {k: v for k, v in record.items() if k in wanted}


LISTS = ("contacts", "ledger_accounts", "tax_rates", "products", "services", "bank_accounts", "sales_invoices",
         "sales_credit_notes", "purchase_invoices", "other_payments", "contact_payments", "contact_allocations")
CREATES = {"contacts": "contact", "sales_invoices": "sales_invoice", "sales_credit_notes": "sales_credit_note",
           "purchase_invoices": "purchase_invoice", "other_payments": "other_payment",
           "contact_payments": "contact_payment", "contact_allocations": "contact_allocation"}


class SageApi:
    def __init__(self, businesses: dict[str, Business], oauth: OAuthServer) -> None:
        self.businesses = businesses
        self.oauth = oauth

    def routes(self) -> list[Route]:
        return [Route(API_PREFIX + "/{rest:path}", self.handle, methods=["GET", "POST", "PUT", "DELETE"])]

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except ApiError as exc:
            return exc.response()
        except RecordInvalid as exc:
            return ApiError(422, "RecordInvalid", exc.message, exc.source).response()
        except NotFound as exc:
            return ApiError(404, "RecordNotFound", f"{exc} not found").response()

    def _user(self, request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self.oauth.user_of(token) if scheme.lower() == "bearer" and token else None
        if user is None:
            raise ApiError(401, "AuthorizationFailure", "The access token is missing, invalid or expired.")
        return user

    def _business(self, request: Request) -> Business:
        wanted = request.headers.get("x-business")
        business = self.businesses.get(wanted) if wanted else next(iter(self.businesses.values()))
        if business is None:
            raise ApiError(404, "RecordNotFound", f"Business {wanted} not found or not accessible to this user.",
                           "X-Business")
        if not business.subscription_active:
            raise ApiError(401, "AuthorizationFailure", "No active subscription. (MSE)")
        return business

    async def _handle(self, request: Request) -> Response:
        self._user(request)
        parts = request.path_params["rest"].strip("/").split("/")
        method = request.method
        params = dict(request.query_params)
        if parts[0] == "businesses":
            return self._businesses(parts, params)
        business = self._business(request)
        name = parts[0]
        if name in ("financial_settings", "invoice_settings") and len(parts) == 1 and method == "GET":
            return _json(getattr(business, name))
        if name == "invoice_settings" and len(parts) == 1 and method == "PUT":
            return _json(business.update_invoice_settings(await self._body(request, "invoice_settings")))
        if name not in LISTS or len(parts) > 2:
            raise ApiError(404, "RecordNotFound", f"No resource {request.url.path}.")
        if len(parts) == 1:
            if method == "GET":
                return self._list(business, name, params, request.url.path)
            if method == "POST" and name in CREATES:
                body = await self._body(request, CREATES[name])
                return _json(self._create(business, name, body), 201)
            raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed on /{name}.")
        key = parts[1]
        if method == "GET":
            record = business.get(name, key)
            if record.get("deleted_at"):
                raise NotFound(f"{name}/{key}")
            return _json(record)
        if method == "PUT" and name == "contacts":
            return _json(business.update_contact(key, await self._body(request, "contact")))
        if method == "DELETE" and name in ("sales_invoices", "sales_credit_notes"):
            return _json(business.void(name, key, params.get("void_reason", "")))
        if method == "DELETE" and name == "contact_payments":
            business.delete_payment(key)
            return Response(status_code=204)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed on /{name}/{{key}}.")

    def _businesses(self, parts: list[str], params: dict[str, str]) -> Response:
        if len(parts) == 1:
            items = [b.summary() for b in self.businesses.values()]
            return _json(self._page("/businesses", [_shape(i, params.get("attributes")) for i in items], params))
        key = parts[1]
        business = next(iter(self.businesses.values())) if key == "lead" else self.businesses.get(key)
        if business is None:
            raise ApiError(404, "RecordNotFound", f"Business {key} not found.")
        return _json(business.summary())

    def _list(self, business: Business, name: str, params: dict[str, str], path: str) -> Response:
        checks = _filters(name, params)
        with business.lock:
            rows = [r for r in business.table(name).values() if all(c(r) for c in checks)]
            items = [dict(_shape(r, params.get("attributes"))) for r in rows]
        return _json(self._page(f"/{name}", items, params))

    def _page(self, path: str, items: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
        try:
            size = min(MAX_PAGE, max(1, int(params.get("items_per_page") or DEFAULT_PAGE)))
            page = max(1, int(params.get("page") or 1))
        except ValueError:
            raise ApiError(422, "RecordInvalid", "page and items_per_page are whole numbers", "page") from None
        last = max(1, -(-len(items) // size))
        page = min(page, last)
        rest = {k: v for k, v in params.items() if k not in ("page", "items_per_page")}

        def link(n: int) -> str:
            return f"{path}?{urlencode({'page': n, 'items_per_page': size, **rest})}"

        return {"$total": len(items), "$page": page, "$next": link(page + 1) if page < last else None,
                "$back": link(page - 1) if page > 1 else None, "$itemsPerPage": size,
                "$items": items[(page - 1) * size: page * size]}

    async def _body(self, request: Request, root: str) -> dict[str, Any]:
        try:
            body = loads(await request.body())
        except ValueError:
            raise ApiError(422, "RecordInvalid", "The request body is not valid JSON.", "base") from None
        if not isinstance(body, dict) or not isinstance(body.get(root), dict):
            raise ApiError(422, "RecordInvalid", f"The body must be {{\"{root}\": {{...}}}}.", "base")
        return body[root]

    def _create(self, business: Business, name: str, body: dict[str, Any]) -> dict[str, Any]:
        if name == "contacts":
            return business.create_contact(body)
        if name == "contact_payments":
            return business.create_payment(body)
        if name == "contact_allocations":
            return business.create_allocation(body)
        if name == "other_payments":
            return business.create_other_payment(body)
        return business.create_artefact(CREATES[name], body)
