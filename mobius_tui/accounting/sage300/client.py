"""A small async client of the Sage 300 Web API (httpx).

Every request carries Basic auth with the user id upper-cased (Sage stores user ids upper case) and
``Content-Type: application/json`` (the server answers 500 without it, even on GET). Bodies go
through :mod:`mobius_tui.wire.json`, so amounts travel as exact JSON numbers both ways. Reads
follow ``@odata.nextLink`` and are retried after 429, 5xx and broken connections, since reading
twice is harmless. Writes are not idempotent on this API: a write is retried only when the server
surely did not act on it (a 429, or a connection never made); a timeout, dropped connection or 5xx
raises :class:`UncertainWrite` so the caller looks the record up before trying again. Waits follow
a :class:`~mobius_tui.wire.retry.RetryPolicy`: a ``Retry-After`` longer than the policy allows
fails at once instead of stalling the run.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
from multidict import CIMultiDict
from yarl import URL

from mobius_tui.wire.errors import TemporaryFailure
from mobius_tui.wire.fast_transport import AiohttpTransport, Answer, timeout_of
from mobius_tui.wire.json import dumps as encode
from mobius_tui.wire.json import loads as decode
from mobius_tui.wire.retry import RetryPolicy, send_read
from mobius_tui.wire.writes import UncertainWrite, send_write

log = logging.getLogger("mobius_tui.sage300")

API_PATH = "v1.0/-"
# Sage 300 answers quickly or not at all: shorter waits than the policy's defaults.
DEFAULT_RETRY = RetryPolicy(attempts=4, base_delay=0.2, max_delay=5.0)


class WebApiError(Exception):
    """The server answered with an error (its ``code`` is what to branch on, per Sage)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code}, HTTP {status})")
        self.status = status
        self.code = code
        self.message = message


class WebApiBusy(WebApiError, TemporaryFailure):
    """The server kept answering "busy" (429, 502-504) through the retries, or asked for a longer
    wait than the policy allows: nothing to fix, try again later."""


_BUSY = {429, 502, 503, 504}


def quoted(value: str) -> str:
    """An OData string literal: single quotes, inner quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def _error(response: httpx.Response | Answer) -> WebApiError:
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
    if response.status_code in _BUSY:
        return WebApiBusy(response.status_code, code or "TooManyRequests", message)
    return WebApiError(response.status_code, code or "General", message)


def _too_long(response: httpx.Response | Answer, why: str) -> WebApiBusy:
    return WebApiBusy(response.status_code, _error(response).code, why)


class WebApiClient:
    def __init__(self, base_url: str, company: str, user: str, password: str, *, timeout: float = 120.0,
                 verify: bool | str = True, retry: RetryPolicy = DEFAULT_RETRY, max_connections: int = 8,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        root = base_url.rstrip("/")
        self.company = company
        self.root = f"{root}/{API_PATH}"
        self.retry = retry
        self._sleep = sleep
        # httpx's own transport costs ~1.5 ms of CPU a request; posting is CPU-bound (wire/fast_transport.py).
        self._transport = AiohttpTransport(
            verify=verify, limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections))
        # Basic auth as a header of the client, not an httpx auth flow: the writes (``_send``) skip
        # the client layer and send these same headers.
        token = base64.b64encode(f"{user.upper()}:{password}".encode()).decode("ascii")
        self.http = httpx.AsyncClient(
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
                     "Authorization": f"Basic {token}"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            transport=self._transport,
            trust_env=False,  # proxies are honoured by the transport itself
        )
        # The writes' headers: the client's, less what aiohttp adds itself (Host, Content-Length).
        self._write_headers = CIMultiDict(
            (k, v) for k, v in self.http.headers.items() if k.lower() not in ("host", "content-length"))
        self._write_timeout = timeout_of(self.http.timeout.as_dict())
        self._targets: dict[str, URL] = {}

    async def aclose(self) -> None:
        await self.http.aclose()

    def url(self, module: str, resource: str) -> str:
        return f"{self.root}/{quote(self.company, safe='')}/{module}/{resource}"

    async def _pause(self, method: str, url: str, attempt: int, reason: str,
                     response: httpx.Response | Answer | None = None) -> None:
        """Wait before retry ``attempt`` (1-based), or raise when the server asks for too long a wait."""
        await self.retry.pause(attempt, reason, response, system="Sage 300", method=method, url=url, log=log,
                               sleep=self._sleep, too_long=_too_long)

    async def _read(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        return await send_read(lambda: self.http.get(url, params=params), self.retry.attempts,
                               lambda n, why, answer: self._pause("GET", url, n, why, answer),
                               lambda status: status == 429 or status >= 502)

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

    async def get_metadata(self, module: str) -> str:
        """The module's ``$metadata`` document (EDMX XML)."""
        response = await self._read(self.url(module, "$metadata"))
        if response.status_code != 200:
            raise _error(response)
        return response.text

    async def get_root(self) -> Any:
        response = await self._read(f"{self.root}/")
        if response.status_code != 200:
            raise _error(response)
        return decode(response.content)

    async def _send(self, method: str, url: str, content: bytes) -> Answer:
        """One write, straight to the transport with the client's headers, auth, timeouts and
        cookies. httpx's client layer (parsing the URL again, the auth flow, the cookie jar read
        on every answer) and its Request and Response objects cost ~0.5 ms of CPU a request, a
        large share of a document's when posting is latency-bound; a write is never redirected,
        so nothing else of it applies."""
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = URL(str(httpx.URL(url)), encoded=True)  # as httpx encodes it
        headers = self._write_headers
        if self.http.cookies:  # a Web API that keeps a session by cookie gets it back, as on reads
            request = httpx.Request(method, url)
            self.http.cookies.set_cookie_header(request)
            headers = CIMultiDict(headers)
            headers["Cookie"] = request.headers["Cookie"]
        answer = await self._transport.send(method, target, headers, content, self._write_timeout)
        if "set-cookie" in answer.headers:
            self.http.cookies.extract_cookies(answer.as_httpx())
        return answer

    async def _write(self, method: str, url: str, body: Any) -> Answer:
        """``body``: a value to send as JSON, or the bytes of one already encoded (built ahead)."""
        content = body if isinstance(body, bytes) else encode(body)
        response = await send_write(lambda: self._send(method, url, content), self.retry.attempts,
                                    lambda n, why, answer: self._pause(method, url, n, why, answer), "Sage 300")
        if response.status_code >= 500:
            raise UncertainWrite(f"Sage 300 answered HTTP {response.status_code}: {_error(response).message}")
        if response.status_code >= 400:
            raise _error(response)
        return response

    async def post(self, module: str, resource: str, body: Any) -> dict:
        response = await self._write("POST", self.url(module, resource), body)
        return decode(response.content) or {}

    async def patch(self, module: str, resource: str, body: Any) -> None:
        await self._write("PATCH", self.url(module, resource), body)
