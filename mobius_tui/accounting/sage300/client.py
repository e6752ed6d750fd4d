"""A small async client of the Sage 300 Web API (httpx).

Every request carries Basic auth with the user id upper-cased (Sage stores user ids upper case) and
``Content-Type: application/json`` (the server answers 500 without it, even on GET). Reads follow
``@odata.nextLink`` and are retried after 429 (honouring ``Retry-After``), 5xx and broken connections,
since reading twice is harmless. Writes are not idempotent on this API: a write is retried only after
a 429 (the server refused it before doing anything); a timeout, dropped connection or 5xx raises
:class:`UncertainWrite` so the caller looks the record up before trying again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

API_PATH = "v1.0/-"


class WebApiError(Exception):
    """The server answered with an error (its ``code`` is what to branch on, per Sage)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code}, HTTP {status})")
        self.status = status
        self.code = code
        self.message = message


class UncertainWrite(Exception):
    """A write whose outcome is unknown: the server may or may not have stored it."""


def encode(body: Any) -> bytes:
    """JSON with Decimal written as exact JSON numbers (never through float)."""
    marks: dict[str, str] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, Decimal):
            token = f"\x00{len(marks)}\x00"
            marks[token] = format(value, "f")
            return token
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return value

    text = json.dumps(walk(body), ensure_ascii=False)
    for token, number in marks.items():
        text = text.replace(json.dumps(token), number, 1)
    return text.encode("utf-8")


def decode(content: bytes) -> Any:
    return json.loads(content, parse_float=Decimal) if content else None


def quoted(value: str) -> str:
    """An OData string literal: single quotes, inner quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def _error(response: httpx.Response) -> WebApiError:
    code, message = "", ""
    try:
        body = decode(response.content) or {}
    except ValueError:
        body = {}
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            code = str(err.get("code") or "")
            msg = err.get("message")
            message = str(msg.get("value", "")) if isinstance(msg, dict) else str(msg or "")
    if not message:
        message = response.reason_phrase or f"HTTP {response.status_code}"
    return WebApiError(response.status_code, code or "General", message)


class WebApiClient:
    def __init__(self, base_url: str, company: str, user: str, password: str, *, timeout: float = 120.0,
                 verify: bool | str = True, attempts: int = 4, max_connections: int = 8) -> None:
        root = base_url.rstrip("/")
        self.company = company
        self.root = f"{root}/{API_PATH}"
        self.attempts = attempts
        self.http = httpx.AsyncClient(
            auth=httpx.BasicAuth(user.upper(), password),
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            verify=verify,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    def url(self, module: str, resource: str) -> str:
        return f"{self.root}/{quote(self.company, safe='')}/{module}/{resource}"

    async def _pause(self, attempt: int, response: httpx.Response | None = None) -> None:
        delay = min(0.2 * 2 ** attempt, 5.0)
        if response is not None and response.headers.get("retry-after", "").isdigit():
            delay = float(response.headers["retry-after"])
        await asyncio.sleep(delay)

    async def _read(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        last: Exception | None = None
        for attempt in range(self.attempts):
            try:
                response = await self.http.get(url, params=params)
            except httpx.TransportError as exc:
                last = exc
                if attempt + 1 < self.attempts:
                    await self._pause(attempt)
                continue
            if response.status_code == 429 or response.status_code >= 502:
                last = _error(response)
                if attempt + 1 < self.attempts:
                    await self._pause(attempt, response)
                continue
            return response
        assert last is not None
        raise last

    async def get_all(self, module: str, resource: str, params: Mapping[str, str] | None = None) -> list[dict]:
        """Every record of a feed, following ``@odata.nextLink`` (or stepping ``$skip`` without one)."""
        url: str | None = self.url(module, resource)
        query: dict[str, str] | None = dict(params or {})
        out: list[dict] = []
        while url:
            response = await self._read(url, query)
            if response.status_code != 200:
                raise _error(response)
            body = decode(response.content) or {}
            page = body.get("value", [])
            out.extend(page)
            url = body.get("@odata.nextLink") or body.get("odata.nextLink")
            query = None  # the link carries the options
        return out

    async def get_one(self, module: str, resource: str, params: Mapping[str, str] | None = None) -> dict | None:
        response = await self._read(self.url(module, resource), params)
        if response.status_code == 404:
            err = _error(response)
            if err.code == "RecordNotFound":
                return None
            raise err
        if response.status_code != 200:
            raise _error(response)
        return decode(response.content)

    async def get_root(self) -> Any:
        response = await self._read(f"{self.root}/")
        if response.status_code != 200:
            raise _error(response)
        return decode(response.content)

    async def _write(self, method: str, url: str, body: Any) -> httpx.Response:
        content = encode(body)
        for attempt in range(self.attempts):
            try:
                response = await self.http.request(method, url, content=content)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise UncertainWrite(f"no answer from Sage 300 ({type(exc).__name__})") from exc
            if response.status_code == 429 and attempt + 1 < self.attempts:
                await self._pause(attempt, response)
                continue
            if response.status_code >= 500:
                raise UncertainWrite(f"Sage 300 answered HTTP {response.status_code}: {_error(response).message}")
            if response.status_code >= 400:
                raise _error(response)
            return response
        raise _error(response)

    async def post(self, module: str, resource: str, body: Any) -> dict:
        response = await self._write("POST", self.url(module, resource), body)
        return decode(response.content) or {}

    async def patch(self, module: str, resource: str, body: Any) -> None:
        await self._write("PATCH", self.url(module, resource), body)
