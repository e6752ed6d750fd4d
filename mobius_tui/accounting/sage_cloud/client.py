"""An async client of the Sage Accounting v3.1 API (httpx).

Every call carries ``Authorization: Bearer`` (from :class:`~.tokens.TokenSource`), ``X-Business``
(always: without it Sage picks the lead business, which can change) and JSON headers. A 401 is
answered by one refresh and one retry (the request was not acted on); a second 401 is an error.
Reads follow ``$next`` (relative to the v3.1 base, or absolute) and are retried after 429, 5xx and
broken connections. Writes have no idempotency key on this API: a write is repeated only when the
server surely did not act on it (429, 401, a connection never made); a timeout, dropped connection
or 5xx raises :class:`UncertainWrite` so the caller searches for the record before trying again.

Requests are bounded: at most ``concurrency`` in flight and at most ``per_minute`` started per
minute (the v3.1 limit is not published; see the adapter's defaults).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from mobius_tui.accounting.sage_cloud.tokens import TokenSource
from mobius_tui.wire.json import dumps as encode
from mobius_tui.wire.json import loads as decode
from mobius_tui.wire.retry import RetryPolicy, send_read
from mobius_tui.wire.writes import UncertainWrite, send_write

log = logging.getLogger("mobius_tui.sage_cloud")

DEFAULT_RETRY = RetryPolicy(attempts=5, base_delay=0.5, max_delay=20.0)
PAGE_SIZE = 200  # the API's maximum


class SageError(Exception):
    """Sage answered with its error array; ``code`` is ``$dataCode``, ``source`` is ``$source``."""

    def __init__(self, status: int, code: str, message: str, source: str = "") -> None:
        where = f" ({source})" if source else ""
        super().__init__(f"{message}{where} [{code}, HTTP {status}]")
        self.status, self.code, self.message, self.source = status, code, message, source

    @property
    def subscription_lapsed(self) -> bool:
        return self.status == 401 and "subscription" in self.message.lower()


def error_of(response: httpx.Response) -> SageError:
    """The first entry of Sage's error array (read defensively: a list, a dict, or nothing)."""
    try:
        body = decode(response.content)
    except ValueError:
        body = None
    entry = body[0] if isinstance(body, list) and body else body
    if isinstance(entry, dict):
        messages = [str(e.get("$message") or "") for e in body] if isinstance(body, list) else []
        message = "; ".join(m for m in messages if m) or str(entry.get("$message") or entry.get("message") or "")
        return SageError(response.status_code, str(entry.get("$dataCode") or entry.get("code") or "Error"),
                         message or response.reason_phrase, str(entry.get("$source") or ""))
    return SageError(response.status_code, "Error", response.reason_phrase or f"HTTP {response.status_code}")


def _too_long(response: httpx.Response, why: str) -> SageError:
    return SageError(response.status_code, "TooManyRequests", why)


class Pace:
    """At most ``per_minute`` request starts per minute, evenly spaced (0: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.gap = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock = clock
        self.next = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.gap:
            return
        async with self.lock:
            now = self.clock()
            start = max(now, self.next)
            self.next = start + self.gap
        if start > now:
            await asyncio.sleep(start - now)


class SageClient:
    def __init__(self, api_url: str, business_id: str, tokens: TokenSource, http: httpx.AsyncClient, *,
                 concurrency: int = 2, per_minute: int = 60, retry: RetryPolicy = DEFAULT_RETRY,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.root = api_url.rstrip("/")
        self.business_id = business_id
        self.tokens = tokens
        self.http = http
        self.retry = retry
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.pace = Pace(per_minute)
        self._sleep = sleep
        self.requests = 0

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return f"{self.root}/{path.lstrip('/')}"

    async def _send(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any) -> httpx.Response:
        """One request with a valid token; a 401 gets one refresh and one retry."""
        content = encode(body) if body is not None else None
        renewed = False
        while True:
            token = await self.tokens.access_token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if self.business_id:
                headers["X-Business"] = self.business_id
            if content is not None:
                headers["Content-Type"] = "application/json"
            await self.pace.wait()
            async with self.slots:
                self.requests += 1
                response = await self.http.request(method, self.url(path), params=params, content=content,
                                                   headers=headers)
            if response.status_code == 401 and not renewed and not error_of(response).subscription_lapsed:
                await self.tokens.renew(token)
                renewed = True
                continue
            return response

    async def _pause(self, method: str, path: str, attempt: int, reason: str,
                     response: httpx.Response | None = None) -> None:
        await self.retry.pause(attempt, reason, response, system="Sage Accounting", method=method,
                               url=self.url(path), log=log, sleep=self._sleep, too_long=_too_long)

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = await send_read(lambda: self._send("GET", path, params, None), self.retry.attempts,
                                   lambda n, why, answer: self._pause("GET", path, n, why, answer),
                                   lambda status: status == 429 or status >= 500)
        if response.status_code != 200:
            raise error_of(response)
        return decode(response.content)

    async def get_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a list, page after page (``$next`` carries the query on)."""
        query: dict[str, Any] | None = {"items_per_page": PAGE_SIZE, **(params or {})}
        next_path: str | None = path
        out: list[dict[str, Any]] = []
        while next_path:
            body = await self.get(next_path, query)
            if not isinstance(body, dict):
                raise SageError(200, "UnexpectedBody", f"{path} did not answer with a list envelope")
            out.extend(body.get("$items") or [])
            next_path, query = body.get("$next"), None
        return out

    async def write(self, method: str, path: str, body: Any = None,
                    params: Mapping[str, Any] | None = None) -> Any:
        response = await send_write(lambda: self._send(method, path, params, body), self.retry.attempts,
                                    lambda n, why, answer: self._pause(method, path, n, why, answer),
                                    "Sage Accounting")
        if response.status_code >= 500:
            raise UncertainWrite(f"Sage Accounting answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise error_of(response)
        return decode(response.content) if response.content else None

    async def post(self, path: str, body: Any) -> dict[str, Any]:
        return await self.write("POST", path, body) or {}
