"""The Sage 300 Web API as an ASGI app: ``/Sage300WebApi/v1.0/-/{COMPANY}/{MODULE}/{Resource}``.

What it reproduces: Basic auth on every request (ADMIN refused unless allowed, user ids case
sensitive as Sage stores them upper case, per-module Web API rights answered 403), ``Content-Type``
required on every request (500 without it, as the real server answers), modules that are not
activated answered 404, key segments (``('1200')``, ``(66)``, ``(A='x',B=1)``), ``('$process')`` and
``('$template')``, OData feeds with ``@odata.nextLink`` paging at a configurable page size, the
error envelope, 201 with the inserted record on POST and no body after PATCH or a process call.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from mobius_tui.sandbox.sage300.books import Books
from mobius_tui.sandbox.sage300.errors import ApiError, bad_payload
from mobius_tui.sandbox.sage300.odata import QueryError, parse_query
from mobius_tui.sandbox.sage300.schema import BY_PATH, PROCESSES, Entity
from mobius_tui.sandbox.sage300.store import dumps, key_text, loads

PREFIX = "/Sage300WebApi/v1.0/-"
_RESOURCE = re.compile(r"^([A-Za-z0-9]+)(?:\((.*)\))?$")


@dataclass
class ApiSettings:
    companies: dict[str, Books]
    users: dict[str, str] = field(default_factory=lambda: {"WEBAPI": "WEBAPI"})  # user id → password
    rights: dict[str, frozenset[str]] = field(default_factory=dict)  # user id → modules; absent = all
    modules: frozenset[str] = frozenset({"GL", "AR", "AP", "IC", "TX", "CS"})  # activated modules
    page_size: int = 100
    allow_admin: bool = False  # the server's AllowWebApiAccessForAdmin (false by default)
    company_names: dict[str, str] = field(default_factory=dict)


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json; charset=utf-8")


def _error(exc: ApiError) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="Sage300WebApi"'} if exc.status == 401 else None
    return Response(dumps(exc.body()), status_code=exc.status, media_type="application/json; charset=utf-8",
                    headers=headers)


def _parse_key(entity: Entity, raw: str) -> str:
    """``'1200'``, ``66`` or ``Name='x',Other=1`` → the store key (values in key order)."""
    parts: list[str] = []
    current, quoted, i = "", False, 0
    while i < len(raw):
        ch = raw[i]
        if ch == "'" and quoted and i + 1 < len(raw) and raw[i + 1] == "'":
            current += "''"
            i += 2
            continue
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)

    def value(text: str) -> str:
        text = text.strip()
        return text[1:-1].replace("''", "'") if len(text) >= 2 and text[0] == text[-1] == "'" else text

    named: dict[str, str] = {}
    for index, part in enumerate(parts):
        name, eq, rest = part.partition("=")
        if eq and not name.strip().startswith("'"):
            named[name.strip()] = value(rest)
        elif index < len(entity.keys):
            named[entity.keys[index]] = value(part)
    missing = [k for k in entity.keys if k not in named]
    if missing or len(named) != len(entity.keys):
        raise ApiError(400, "InvalidEntityKey",
                       f"The key of {entity.name} is ({', '.join(entity.keys)}); every segment is required.")
    values = [named[k] for k in entity.keys]
    if entity.numeric_key and not values[0].isdigit():
        raise ApiError(400, "InvalidEntityKey", f"The key of {entity.name} is a number.")
    return key_text(values)


_ROOT_METHODS = ("GET", "HEAD")
_METHODS = ("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE")


class Sage300Api:
    """The Web API as an ASGI app. Its one route (everything under ``PREFIX``) is matched here
    rather than by a Starlette router and middleware stack, which cost more CPU per request than
    the handling itself; what a path outside it or a method it does not take gets is the same
    plain 404 / 405 Starlette's router gave."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path in (PREFIX, PREFIX + "/"):
            rest, methods = "", _ROOT_METHODS
        elif path.startswith(PREFIX + "/"):
            rest, methods = path[len(PREFIX) + 1:], _METHODS
        else:
            await PlainTextResponse("Not Found", 404)(scope, receive, send)
            return
        if scope["method"] not in methods:
            await PlainTextResponse("Method Not Allowed", 405, headers={"Allow": ", ".join(methods)})(
                scope, receive, send)
            return
        response = await self.handle(Request(scope, receive), rest)
        await response(scope, receive, send)

    async def handle(self, request: Request, rest: str) -> Response:
        try:
            return await self._handle(request, rest)
        except ApiError as exc:
            return _error(exc)

    def _login(self, request: Request) -> str:
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("application/json"):
            raise ApiError(500, "InternalServerError", "An error has occurred.")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic" or not token:
            raise ApiError(401, "Unauthorized", "Authorization has been denied for this request.")
        try:
            user, _, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(401, "Unauthorized", "Authorization has been denied for this request.") from None
        if user.upper() == "ADMIN" and not self.settings.allow_admin:
            raise ApiError(401, "Unauthorized", "The ADMIN user is not allowed to use the Web API.")
        if self.settings.users.get(user) != password:
            raise ApiError(401, "Unauthorized", "Invalid user ID or password.")
        return user

    async def _handle(self, request: Request, rest: str) -> Response:
        user = self._login(request)
        rest = rest.strip("/")
        if not rest:
            if request.method != "GET":
                raise ApiError(405, "MethodNotAllowed", "Only GET is allowed here.")
            return _json({"value": [{"Name": code, "Description": self.settings.company_names.get(code, code)}
                                    for code in self.settings.companies]})
        segments = rest.split("/")
        if len(segments) != 3:
            raise ApiError(404, "ResourceNotFound", f"No resource matches '{rest}'.")
        company, module, resource = segments
        books = self.settings.companies.get(company)
        if books is None:
            raise ApiError(404, "ResourceNotFound", f"Company {company} does not exist.")
        if module not in self.settings.modules:
            raise ApiError(404, "ResourceNotFound", f"The {module} module is not activated for company {company}.")
        allowed = self.settings.rights.get(user)
        if allowed is not None and module not in allowed:
            raise ApiError(403, "Forbidden", f"User {user} does not have the Sage 300 Web API right for {module}.")
        if resource == "$metadata":
            return self._metadata(module)
        match = _RESOURCE.match(resource)
        if not match:
            raise ApiError(404, "ResourceNotFound", f"No resource matches '{resource}'.")
        name, raw_key = match.group(1), match.group(2)
        base = f"{str(request.base_url).rstrip('/')}{PREFIX}/{company}/{module}"
        if raw_key is not None and raw_key.strip("'") in ("$process", "$template"):
            return await self._special(request, books, module, name, raw_key.strip("'"))
        entity = BY_PATH.get((module, name))
        if entity is None:
            raise ApiError(404, "ResourceNotFound", f"The resource {module}/{name} does not exist.")
        if request.method not in entity.verbs:
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not allowed on {name}.")
        if request.method == "GET":
            if raw_key is None:
                return self._feed(request, books, entity, base)
            query = self._query(request, entity, single=True)
            return _json(books.one(entity, _parse_key(entity, raw_key), query.select))
        body = await self._body(request)
        if request.method == "POST":
            if raw_key is not None:
                raise ApiError(400, "InvalidAction", f"POST to {name}({raw_key}) is not a known action.")
            return _json(books.insert(entity, body), 201)
        if raw_key is None:
            raise ApiError(400, "InvalidEntityKey", f"{request.method} needs the key of the {name} record.")
        if request.method in ("PATCH", "PUT"):
            books.patch(entity, _parse_key(entity, raw_key), body)
            return Response(status_code=204)
        raise ApiError(405, "MethodNotAllowed", f"DELETE is not allowed on {name} in this sandbox.")

    def _query(self, request: Request, entity: Entity, single: bool = False):  # noqa: ANN202
        params = dict(request.query_params)
        if single:
            params = {k: v for k, v in params.items() if k == "$select"}
        try:
            return parse_query(params, entity.all_fields, entity.qualified_type)
        except QueryError as exc:
            raise ApiError(400, "InvalidParameters", str(exc)) from None

    def _feed(self, request: Request, books: Books, entity: Entity, base: str) -> Response:
        query = self._query(request, entity)
        rows = books.collection(entity, query)
        window = rows[query.skip:]
        if query.top is not None:
            window = window[:query.top]
        page = window[:self.settings.page_size]
        body: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{entity.name}",
                                "value": [books.with_children(entity, k, b, query.select) for k, b in page]}
        if query.count:
            body["@odata.count"] = len(rows)
        if len(window) > len(page):
            params = {k: v for k, v in request.query_params.items() if k not in ("$skip", "$top")}
            params["$skip"] = str(query.skip + len(page))
            if query.top is not None:
                params["$top"] = str(query.top - len(page))
            body["@odata.nextLink"] = f"{base}/{entity.name}?{urlencode(params)}"
        return _json(body)

    async def _body(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        try:
            body = loads(raw) if raw else {}
        except ValueError:
            raise bad_payload("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise bad_payload("The request body must be a JSON object.")
        return body

    async def _special(self, request: Request, books: Books, module: str, name: str, action: str) -> Response:
        if request.method != "POST":
            raise ApiError(405, "MethodNotAllowed", f"{name}('{action}') takes POST.")
        if action == "$template":
            entity = BY_PATH.get((module, name))
            if entity is None:
                raise ApiError(404, "ResourceNotFound", f"The resource {module}/{name} does not exist.")
            return _json({f: None for f in sorted(entity.fields)} | {c.name: [] for c in entity.children})
        process = PROCESSES.get((module, name))
        if process is None:
            raise ApiError(404, "ResourceNotFound", f"{module}/{name} has no $process action.")
        params = await self._body(request)
        unknown = set(params) - process.parameters
        if unknown:
            raise bad_payload(f"Unknown parameter(s) for {name}: {', '.join(sorted(unknown))}.")
        every = params.get("PostAllBatches", params.get("ProcessAllBatches", "Donotpostallbatches"))
        first = params.get("PostBatchFrom", params.get("FromBatch"))
        last = params.get("PostBatchTo", params.get("ToBatch"))
        if every == "Postallbatches":
            books.post_batches(module, None, None)
        else:
            if first is None:
                raise bad_payload("Give the first batch to post (or post all batches).")
            books.post_batches(module, int(first), int(last if last is not None else first))
        return Response(status_code=204)

    def _metadata(self, module: str) -> Response:
        sets = [e for e in BY_PATH.values() if e.module == module]
        lines = ['<?xml version="1.0" encoding="utf-8"?>',
                 '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>',
                 f'<Schema Namespace="Sage.CA.SBS.ERP.Sage300.{module}.WebApi.Models" '
                 'xmlns="http://docs.oasis-open.org/odata/ns/edm">']
        for e in sets:
            keys = "".join(f'<PropertyRef Name="{k}"/>' for k in e.keys)
            props = "".join(f'<Property Name="{f}"/>' for f in sorted(e.fields))
            children = "".join(f'<Property Name="{c.name}" Type="Collection(Sage.CA.SBS.ERP.Sage300.{module}.WebApi.'
                               f'Models.{c.name})"/>' for c in e.children)
            lines.append(f'<EntityType Name="{e.type_name or e.name}"><Key>{keys}</Key>{props}{children}</EntityType>')
        namespace = f"Sage.CA.SBS.ERP.Sage300.{module}.WebApi.Models"
        lines.append('<EntityContainer Name="Container">' + "".join(
            f'<EntitySet Name="{e.name}" EntityType="{namespace}.{e.type_name or e.name}"/>' for e in sets)
            + "</EntityContainer>")
        lines.append("</Schema></edmx:DataServices></edmx:Edmx>")
        return Response("".join(lines), media_type="application/xml")
