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
from mobius_tui.wire.retry import NOT_SENT_ERRORS, RetryPolicy, parse_retry_after

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


class UncertainWrite(Exception):
    """A write whose outcome is unknown: Sage may or may not have stored it."""


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
        retry_after = parse_retry_after(response.headers.get("retry-after")) if response is not None else None
        request = f"{method} {httpx.URL(self.url(path)).path}"  # never the query: it may hold customer data
        if response is not None and retry_after is not None and not self.retry.waits_for(retry_after):
            raise SageError(response.status_code, "TooManyRequests",
                            self.retry.refusal("Sage Accounting", request, response.status_code, retry_after))
        delay = self.retry.delay(attempt, retry_after)
        log.warning("Sage Accounting %s: %s; retry %d of %d in %.1f s", request, reason, attempt,
                    self.retry.attempts - 1, delay)
        await self._sleep(delay)

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        attempts = max(1, self.retry.attempts)
        for attempt in range(1, attempts + 1):
            try:
                response = await self._send("GET", path, params, None)
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise
                await self._pause("GET", path, attempt, type(exc).__name__)
                continue
            if (response.status_code == 429 or response.status_code >= 500) and attempt < attempts:
                await self._pause("GET", path, attempt, f"HTTP {response.status_code}", response)
                continue
            if response.status_code != 200:
                raise error_of(response)
            return decode(response.content)
        raise AssertionError("unreachable")

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
        attempts = max(1, self.retry.attempts)
        for attempt in range(1, attempts + 1):
            try:
                response = await self._send(method, path, params, body)
            except NOT_SENT_ERRORS as exc:
                if attempt == attempts:
                    raise
                await self._pause(method, path, attempt, type(exc).__name__)
                continue
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise UncertainWrite(f"no answer from Sage Accounting ({type(exc).__name__})") from exc
            if response.status_code == 429 and attempt < attempts:
                await self._pause(method, path, attempt, "HTTP 429", response)
                continue
            if response.status_code >= 500:
                raise UncertainWrite(f"Sage Accounting answered HTTP {response.status_code}")
            if response.status_code >= 400:
                raise error_of(response)
            return decode(response.content) if response.content else None
        raise AssertionError("unreachable")

    async def post(self, path: str, body: Any) -> dict[str, Any]:
        return await self.write("POST", path, body) or {}
