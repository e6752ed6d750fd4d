"""An ``httpx.AsyncBaseTransport`` that sends through aiohttp: httpx's API, aiohttp's speed.

httpx's own transport (httpcore on anyio) spends ~3 ms of client CPU per request; aiohttp's
C parser and plain asyncio streams a fraction of that (figures in
``tests/benchmarks/test_transport_bench.py``). Callers keep httpx's Request, Response and
exception classes, so the retry code in wire/ and manage/ is unchanged:

    client = httpx.AsyncClient(transport=AiohttpTransport(), trust_env=False)

What httpx's transport does, this one does too: certificates verified as httpx verifies them
(:func:`httpx.create_ssl_context`: certifi, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), proxies
from ``HTTP(S)_PROXY`` / ``NO_PROXY`` when ``trust_env``, a bounded keep-alive pool
(``httpx.Limits``), the connect / read / pool timeouts of each request, response bodies streamed
as they arrive (never decoded here: httpx undoes ``Content-Encoding`` itself), and every failure
raised as the httpx exception httpx's transport raises for it. Give the client ``trust_env=False``
so httpx does not put its own proxy transports in front of this one (proxies are honoured here).
HTTP/1.1 only; request bodies are read whole before sending (the clients send small JSON).

:meth:`AiohttpTransport.send` is the same request without httpx's Request and Response objects
(~50 µs of CPU a request, with reading the body through httpx's byte iterators): for a client's
writes, which look only at the status, a few headers and a small body. Its answer is an
:class:`Answer`; its failures are the same httpx exceptions.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ssl
import urllib.request
from collections.abc import AsyncIterator
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import httpx
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
CHUNK = 64 * 1024
HEADER_SETS_KEPT = 256  # converted header sets kept (they differ in Content-Length and renewed keys)


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    """httpx's per-request timeouts (``request.extensions["timeout"]``) in aiohttp's terms."""
    return timeout_of(request.extensions.get("timeout") or {})


def timeout_of(timeouts: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's timeouts (``httpx.Timeout.as_dict()``) in aiohttp's terms: its ``connect`` covers
    waiting for a pooled connection and opening one."""
    return _client_timeout(timeouts.get("connect"), timeouts.get("pool"), timeouts.get("read"))


@functools.lru_cache(maxsize=64)
def _client_timeout(connect: float | None, pool: float | None, read: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=None,
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=read,
    )


def to_httpx_error(exc: BaseException, request: httpx.Request, *, reading_body: bool = False) -> httpx.TransportError:
    """The httpx exception httpx's own transport raises for the same failure. The original stays
    the ``__cause__`` (a refused certificate or a DNS failure is found there by the callers)."""
    message = str(exc) or type(exc).__name__
    kind: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, (aiohttp.SocketTimeoutError, asyncio.TimeoutError, TimeoutError)):
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):  # refused, unreachable, DNS, TLS handshake
        kind = httpx.ConnectError
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        kind = httpx.RemoteProtocolError
        if not reading_body:
            message = "Server disconnected without sending a response."
    elif isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        kind = httpx.RemoteProtocolError  # cut-off body, malformed status line or headers
    elif isinstance(exc, (aiohttp.ClientOSError, OSError)):
        kind = httpx.ReadError
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    else:
        kind = httpx.ReadError if reading_body else httpx.RemoteProtocolError
    error = kind(message, request=request)
    error.__cause__ = getattr(exc, "os_error", None) if isinstance(exc, aiohttp.ClientConnectorError) else exc
    if error.__cause__ is None:
        error.__cause__ = exc
    return error


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read whole: what :meth:`AiohttpTransport.send` gives instead of an httpx Response
    (the same names for what it holds, so the retry and error code reads either)."""

    method: str
    url: str
    status_code: int
    reason_phrase: str
    headers: CIMultiDictProxy[str]
    content: bytes
    request_headers: Mapping[str, str] | None = None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def request(self) -> httpx.Request:
        """The request as httpx would have made it (built when asked: messages about an answer)."""
        return httpx.Request(self.method, self.url, headers=self.request_headers)

    def as_httpx(self) -> httpx.Response:
        """The same answer as an httpx Response (for httpx's cookie jar), bound to its request."""
        return httpx.Response(self.status_code, headers=list(self.headers.items()), content=self.content,
                              request=self.request)


class _Body(httpx.AsyncByteStream):
    """The response body as aiohttp receives it; closing before the end drops the connection."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    break
                yield chunk
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise to_httpx_error(exc, self._request, reading_body=True)  # noqa: B904 - the cause is set

    async def aclose(self) -> None:
        self._response.release()  # back to the pool when read to the end, else closed


class AiohttpTransport(httpx.AsyncBaseTransport):
    """``verify``: as httpx's (True, False, a CA bundle path or an ``ssl.SSLContext``);
    ``cert``: a client certificate file (or (file, key)); ``limits``: the pool's bound and
    keep-alive; ``trust_env``: proxies and ``SSL_CERT_FILE`` from the environment."""

    def __init__(self, *, verify: bool | str | ssl.SSLContext = True, cert: Any = None,
                 limits: httpx.Limits = DEFAULT_LIMITS, trust_env: bool = True) -> None:
        if isinstance(verify, str):
            verify = ssl.create_default_context(cafile=verify)
        self._ssl = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self._limits = limits
        # Read once: aiohttp's own trust_env looks up netrc and the proxy variables in a worker
        # thread on every request, two thread hops that cost more than the request itself.
        self._proxies = urllib.request.getproxies_environment() if trust_env else {}
        self._proxy_of: dict[tuple[str, str], tuple[URL | None, dict[str, str] | None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._header_sets: dict[tuple[tuple[bytes, bytes], ...], CIMultiDict[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _proxy(self, url: httpx.URL | URL) -> tuple[URL | None, dict[str, str] | None]:
        """The proxy for ``url`` from ``HTTP(S)_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY``, once per origin."""
        netloc = url.netloc.decode("ascii") if isinstance(url, httpx.URL) else url.raw_authority
        key = (url.scheme, netloc)
        if key not in self._proxy_of:
            raw = self._proxies.get(url.scheme) or self._proxies.get("all")
            if not raw or urllib.request.proxy_bypass_environment(url.host or "", self._proxies):
                self._proxy_of[key] = (None, None)
            else:
                proxy = URL(raw if "://" in raw else f"http://{raw}")
                auth = None
                if proxy.user:
                    token = base64.b64encode(f"{proxy.user}:{proxy.password or ''}".encode()).decode()
                    auth = {"Proxy-Authorization": f"Basic {token}"}
                self._proxy_of[key] = (proxy.with_user(None), auth)
        return self._proxy_of[key]

    def _headers_of(self, raw: list[tuple[bytes, bytes]]) -> CIMultiDict[str] | None:
        """httpx's headers as aiohttp takes them; a client sends the same few sets over and over
        (aiohttp copies them, never changes them)."""
        if not raw:
            return None
        key = tuple(raw)
        made = self._header_sets.get(key)
        if made is None:
            if len(self._header_sets) >= HEADER_SETS_KEPT:
                self._header_sets.clear()
            made = self._header_sets[key] = CIMultiDict(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
        return made

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the running event loop. A client used
        # again under a new loop (one asyncio.run after another) gets a new pool; the old loop's
        # connections died with it.
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._loop = loop
            keepalive = self._limits.keepalive_expiry
            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                limit_per_host=0,
                keepalive_timeout=keepalive if keepalive is not None else 5.0,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
                auto_decompress=False,  # httpx decodes Content-Encoding
                trust_env=False,  # proxies: see _proxy
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
            # aiohttp silently repeats a GET/PUT/DELETE whose keep-alive connection dropped; httpx
            # does not, and the callers decide what may be repeated (a DELETE that was carried out
            # must be looked at, not sent again). No public switch: tests/wire covers it.
            self._session._retry_connection = False
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        body = await request.aread()
        # httpx has already set Host, Content-Length and the rest; aiohttp sends them as given.
        headers = self._headers_of(request.headers.raw)
        proxy, proxy_headers = self._proxy(request.url) if self._proxies else (None, None)
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),  # exactly as httpx encoded it
                data=body or None,
                headers=headers,
                allow_redirects=False,
                timeout=_timeout(request),
                compress=None,
                chunked=None,
                proxy=proxy,
                proxy_headers=proxy_headers,
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise to_httpx_error(exc, request)  # noqa: B904 - the cause is set
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode("latin-1")},
        )

    async def send(self, method: str, url: URL, headers: CIMultiDict[str], content: bytes | None,
                   timeout: aiohttp.ClientTimeout) -> Answer:
        """One request, its answer read whole. ``url``: encoded as httpx encodes it (e.g.
        ``URL(str(httpx.URL(text)), encoded=True)``); ``headers``: every header but ``Host`` and
        ``Content-Length``, which aiohttp adds as httpx would; ``timeout``: :func:`timeout_of`.
        A ``Content-Encoding`` the answer carries is undone here as httpx undoes it."""
        session = self._open()
        proxy, proxy_headers = self._proxy(url) if self._proxies else (None, None)
        try:
            response = await session.request(method, url, data=content, headers=headers, allow_redirects=False,
                                             timeout=timeout, compress=None, chunked=None, proxy=proxy,
                                             proxy_headers=proxy_headers)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise to_httpx_error(exc, httpx.Request(method, str(url)))  # noqa: B904 - the cause is set
        try:
            body = await response.read()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise to_httpx_error(exc, httpx.Request(method, str(url)), reading_body=True)  # noqa: B904
        finally:
            response.release()  # back to the pool when read to the end, else closed
        answer = Answer(method, str(url), response.status, response.reason or "", response.headers, body, headers)
        if "content-encoding" in response.headers:  # decoded by httpx's own decoders, as on the other path
            answer = replace(answer, content=answer.as_httpx().content)
        return answer

    async def aclose(self) -> None:
        if self._session is not None and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = None
