"""The HTTP layer of the Manage client: site, codebase, headers, auth, retries and errors.

:class:`ManageTransport` sends one logical request to the Manage API and returns the response
or raises a typed :mod:`~mobius_tui.manage.errors` error. The API methods live in
:mod:`mobius_tui.manage.client`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from multidict import CIMultiDict
from yarl import URL

from mobius_tui.manage.auth import (
    ApiKeyCredentials,
    MemberToken,
    basic_authorization,
    make_member_token,
)
from mobius_tui.manage.errors import (
    AuthenticationFailed,
    CertificateRejected,
    ConfigurationError,
    ManageError,
    NotFound,
    PermissionDenied,
    SiteNotFound,
    Unavailable,
    error_for_status,
    parse_error_body,
)
from mobius_tui.manage.models import CompanyInfo, to_wire_json
from mobius_tui.manage.retry import NOT_PROCESSED_STATUSES, is_retryable_status
from mobius_tui.manage.settings import ManageSettings
from mobius_tui.manage.site import parse_site
from mobius_tui.wire.errors import certificate_advice, certificate_failure
from mobius_tui.wire.fast_transport import AiohttpTransport, Answer, timeout_of
from mobius_tui.wire.json import loads
from mobius_tui.wire.retry import NOT_SENT_ERRORS, parse_retry_after
from mobius_tui.wire.urls import UrlMaker

log = logging.getLogger("mobius_tui.manage")

Auth = Literal["member", "integrator", "none"]
USER_AGENT = "mobius-tui"
_NO_HEADERS: dict[str, str] = {}
HAND_OVER_TURNS = 2
# Round trips at least this long are latency-bound: then the slot just freed is handed over first.
# Shorter ones mean a near server, where the client's CPU bounds a run and the extra turns of the
# loop would only add to it.
HAND_OVER_AFTER = 0.005
T = TypeVar("T")


def _check_setting(value: str, what: str, how: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ConfigurationError(f"The Manage {what} is empty. {how}")
    if any(ch.isspace() or ord(ch) < 32 or ch in ":/?#" for ch in value):
        raise ConfigurationError(f"The Manage {what} {value!r} contains spaces or one of : / ? #. {how}")
    return value


def _is_dns_failure(exc: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class ManageTransport:
    def __init__(
        self,
        settings: ManageSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.site = parse_site(settings.site)
        self.company_id = _check_setting(
            settings.company_id,
            "company id",
            "Enter the company id you type at the Manage login screen.",
        )
        self.client_id = _check_setting(
            settings.client_id,
            "client id",
            "Every integration needs a clientId: create one at developer.connectwise.com (ClientID) "
            "and enter it in the connection settings.",
        )
        if not 1 <= settings.page_size <= 1000:
            raise ConfigurationError(f"The Manage page size must be between 1 and 1000, not {settings.page_size}.")
        if settings.retry.attempts < 1:
            raise ConfigurationError("The Manage retry policy needs at least one attempt.")
        self.accept = f"application/vnd.connectwise.com+json; version={settings.api_version}"
        # Requests go straight to the transport: no redirects are followed and Manage sets no
        # cookies, and httpx's client layer (cookie jar, auth and redirect flows) would cost more
        # CPU per request than the transport itself. The types stay httpx's.
        self._transport = transport or AiohttpTransport()
        timeout = httpx.Timeout(settings.timeout).as_dict()
        self._extensions = {"timeout": timeout}
        # Answers read whole skip httpx's Request and Response when the transport is the fast one
        # (~50 µs of CPU a request); a streamed answer, or another transport, goes through httpx.
        self._direct = self._transport if isinstance(self._transport, AiohttpTransport) else None
        self._direct_timeout = timeout_of(timeout)
        self._headers = {"clientId": self.client_id, "User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
        self._sleep = sleep
        self._slots = asyncio.Semaphore(max(1, settings.max_concurrency))
        self._codebase: str | None = self._clean_codebase(settings.codebase) if settings.codebase is not None else None
        self._codebase_looked_up = False
        self._codebase_lock = asyncio.Lock()
        self._token: MemberToken | None = None
        self._token_lock = asyncio.Lock()
        self._urls: UrlMaker | None = None
        self._fixed_auth: dict[str, dict[str, str]] = {}
        self._member_auth: tuple[MemberToken, dict[str, str]] | None = None
        self._header_sets: dict[tuple[Any, ...], tuple[dict[str, str], httpx.Headers, CIMultiDict[str]]] = {}
        self.requests_sent = 0
        self.requests_by_method: Counter[str] = Counter()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def _hand_over(self) -> None:
        """Let a request waiting for the slot just freed leave before this one's answer is
        handled: on one event loop the handling (and the next request this caller builds) would
        otherwise run first, and every slot would stand idle that long per request. Two turns of
        the loop: one wakes the waiter, the next writes its request (aiohttp sends a body from a
        task of its own)."""
        if self._slots.locked():  # no slot free, or a waiter not yet woken for the one just freed
            for _ in range(HAND_OVER_TURNS):
                await asyncio.sleep(0)

    async def _send_once(self, request: httpx.Request, stream: bool) -> httpx.Response:
        """One request through the transport; the body read unless ``stream`` and 2xx."""
        response = await self._transport.handle_async_request(request)
        response.request = request
        if not stream or response.status_code >= 300:
            try:
                await response.aread()  # closes it
            except BaseException:
                await response.aclose()
                raise
        return response

    # --- where ---------------------------------------------------------------------------

    @staticmethod
    def _clean_codebase(codebase: str) -> str:
        codebase = codebase.strip().strip("/")
        if any(ch.isspace() or ch in "?#\\" for ch in codebase) or ".." in codebase:
            raise ConfigurationError(f"The Manage codebase {codebase!r} is not valid (expected e.g. 'v4_6_release/').")
        return f"{codebase}/" if codebase else ""

    async def base_url(self) -> str:
        codebase = await self.codebase()
        base = f"{self.site.origin}/{codebase}apis/3.0"
        if self._urls is None or self._urls.base != base:
            self._urls = UrlMaker(base)
        return base

    def _path_of(self, url: str) -> str:
        """``urlsplit(url).path``, without parsing the URL when it is on the site."""
        origin = self.site.origin
        if url.startswith(origin) and url[len(origin):len(origin) + 1] == "/":
            return url[len(origin):].partition("#")[0].partition("?")[0]
        return urlsplit(url).path

    def _url(self, url: str) -> httpx.URL:
        return self._urls(url) if self._urls is not None else httpx.URL(url)

    async def codebase(self, *, refresh: bool = False) -> str:
        if self._codebase is not None and not refresh:
            return self._codebase
        async with self._codebase_lock:
            if self._codebase is None or refresh:
                info = await self.company_info()
                self._codebase = self._clean_codebase(info.Codebase or "")
                self._codebase_looked_up = True
        return self._codebase

    async def company_info(self) -> CompanyInfo:
        """``GET /login/companyinfo/{company}``: no auth; tells the codebase the API lives under."""
        url = f"{self.site.origin}/login/companyinfo/{quote(self.company_id, safe='')}"
        unknown = ConfigurationError(
            f"Manage at {self.site.host} does not know the company id {self.company_id!r}. "
            "Enter the company id exactly as typed at the Manage login screen, and check the site address."
        )
        try:
            response = await self.send("GET", url, auth="none", accept="application/json")
        except NotFound:
            raise unknown from None
        except (AuthenticationFailed, PermissionDenied) as exc:
            raise ConfigurationError(
                f"Manage at {self.site.host} refused the company lookup ({exc.status}). "
                "Check that the site address points at a ConnectWise Manage server."
            ) from None
        try:
            data = loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not data.get("Codebase"):
            raise unknown
        return CompanyInfo.model_validate(data)

    # --- who -----------------------------------------------------------------------------

    def _auth_hint(self, auth: Auth) -> str:
        creds = self.settings.credentials
        if auth == "integrator":
            return (
                f"Check the company id ({self.company_id}), the integrator user name and password "
                "(System > Setup Tables > Integrator Login) and the client id."
            )
        if isinstance(creds, ApiKeyCredentials):
            return (
                f"Check the company id ({self.company_id}), the public and private API keys "
                "(System > Members > API Members > API Keys) and the client id."
            )
        return (
            f"The member keys issued for {creds.member_identifier!r} were refused; check that the member "
            "is active and the integrator login may act for it, and the client id."
        )

    async def _auth_headers(self, auth: Auth) -> dict[str, str]:
        """The auth headers (made once per key pair: the same dict while the keys stay; never mutate it)."""
        creds = self.settings.credentials
        if auth == "none":
            return _NO_HEADERS
        if auth == "integrator" or isinstance(creds, ApiKeyCredentials):
            made = self._fixed_auth.get(auth)
            if made is None:
                if auth == "integrator":
                    made = {
                        "Authorization": basic_authorization(self.company_id, creds.integrator_username,
                                                             creds.integrator_password),
                        "x-cw-usertype": "integrator",
                    }
                else:
                    made = {"Authorization": basic_authorization(self.company_id, creds.public_key, creds.private_key)}
                self._fixed_auth[auth] = made
            return made
        token = await self.member_token()
        if self._member_auth is None or self._member_auth[0] is not token:
            self._member_auth = (token, {
                "Authorization": basic_authorization(self.company_id, token.public_key, token.private_key),
                "x-cw-usertype": "member",
            })
        return self._member_auth[1]

    def _request_headers(self, auth_headers: dict[str, str], accept: str | None, has_body: bool,
                         headers: Mapping[str, str] | None) -> tuple[httpx.Headers, CIMultiDict[str]]:
        """Every header of a request, made once per combination, as httpx and as aiohttp take them
        (both copy them per request, never change them)."""
        key = (id(auth_headers), accept, has_body, tuple(headers.items()) if headers else ())
        made = self._header_sets.get(key)
        if made is None or made[0] is not auth_headers:
            merged = {**self._headers, "Accept": accept or self.accept, **auth_headers}
            if has_body:
                merged["Content-Type"] = "application/json"
            if headers:
                merged.update(headers)
            if len(self._header_sets) > 64:  # renewed tokens leave old combinations behind
                self._header_sets.clear()
            made = self._header_sets[key] = (auth_headers, httpx.Headers(merged), CIMultiDict(merged))
        return made[1], made[2]

    async def member_token(self, *, renew: bool = False) -> MemberToken:
        """Member keys for impersonation, fetched once and renewed before they expire."""
        if self._token is not None and not renew and not self._token.needs_renewal():
            return self._token
        async with self._token_lock:
            stale = self._token
            if stale is not None and not stale.needs_renewal() and not renew:
                return stale
            creds = self.settings.credentials
            path = f"/system/members/{quote(creds.member_identifier, safe='')}/tokens"
            url = await self.base_url() + path
            try:
                response = await self.send(
                    "POST", url, auth="integrator", body={"memberIdentifier": creds.member_identifier}
                )
            except NotFound:
                raise ConfigurationError(
                    f"Manage has no member {creds.member_identifier!r} to act as. Enter the member's "
                    "identifier as shown in System > Members."
                ) from None
            except PermissionDenied:
                raise PermissionDenied(
                    f"The integrator login may not act as member {creds.member_identifier!r} (403). In Manage, "
                    "System > Setup Tables > Integrator Login: set Access Level to 'All records' and enable "
                    "'Member API'.",
                    status=403,
                    method="POST",
                    where=path,
                ) from None
            data = loads(response.content) or {}
            if not isinstance(data, dict):
                data = {}
            self._token = make_member_token(
                data.get("publicKey"),
                data.get("privateKey"),
                data.get("expiration"),
                margin=self.settings.token_margin,
            )
            log.info("Manage member token for %s issued, valid until %s", creds.member_identifier, self._token.expires_at)
            return self._token

    # --- sending -------------------------------------------------------------------------

    async def api(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool = True,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response | Answer:
        """A request to ``{base}{path}``; re-resolves the codebase once if the route is gone.
        ``stream``: as for :meth:`send`."""
        url = await self.base_url() + path
        try:
            return await self.send(method, url, params=params, body=body, idempotent=idempotent, headers=headers,
                                   stream=stream)
        except NotFound as exc:
            # A 404 without Manage's JSON error body means the route itself is unknown: hosted
            # codebases move between releases, so ask companyinfo again once.
            if exc.code is not None or not self._codebase_looked_up:
                raise
            old = self._codebase
            if await self.codebase(refresh=True) == old:
                raise
            log.warning("Manage codebase changed from %r to %r; repeating %s %s", old, self._codebase, method, path)
            url = await self.base_url() + path
            return await self.send(method, url, params=params, body=body, idempotent=idempotent, headers=headers,
                                   stream=stream)

    async def api_streamed(
        self,
        method: str,
        path: str,
        consume: Callable[[httpx.Response], Awaitable[T]],
        *,
        body: Any = None,
        idempotent: bool = True,
    ) -> T:
        """``consume(response)`` for the 2xx answer to a request to ``{base}{path}``, its body not
        yet read: ``consume`` takes it in piece by piece (``response.aiter_bytes()``), so an answer
        of tens of MB is never held whole twice over, or not at all when only its start matters.
        The response is closed afterwards, read to the end or not.

        A connection lost while reading the body is retried like one lost before the answer when
        the request is ``idempotent``; otherwise the server surely acted (it answered 2xx), and
        :class:`Unavailable` says the answer was lost."""
        policy = self.settings.retry
        attempt = 0
        while True:
            attempt += 1
            response = await self.api(method, path, body=body, idempotent=idempotent, stream=True)
            try:
                return await consume(response)
            except httpx.TransportError as exc:
                where = f"{self.site.host}{response.request.url.path}"
                reason = self._describe_exception(exc)
                if not idempotent:
                    raise Unavailable(
                        f"Manage carried out {method} {where}, but the connection broke while reading its answer "
                        f"({reason}).",
                        method=method,
                        where=where,
                    ) from None
                if attempt >= policy.attempts:
                    raise Unavailable(
                        f"Manage's answer to {method} {where} was cut off {attempt} times (last: {reason}). Check "
                        "the network, then try again.",
                        method=method,
                        where=where,
                    ) from None
                await self._wait(method, where, reason, attempt, None)
            finally:
                await response.aclose()

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        auth: Auth = "member",
        idempotent: bool = True,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response | Answer:
        """Send with retries; return a 2xx response or raise a typed error.

        ``stream``: a 2xx response is returned with its body unread (the caller reads and closes
        it); any other answer is read whole, as without ``stream``.

        ``idempotent=False`` requests are repeated only when the server surely did not act on
        them (connection refused, 429, 503); otherwise :class:`Unavailable` is raised with
        ``outcome_unknown`` set so the caller can look before trying again.
        """
        policy = self.settings.retry
        # Named in messages and logs: the site and the path, never the query or a header.
        where = f"{self.site.host}{self._path_of(url)}"
        content = to_wire_json(body) if body is not None else None
        renewed_token = False
        attempt = 0
        while True:
            attempt += 1
            request_headers, direct_headers = self._request_headers(await self._auth_headers(auth), accept,
                                                                    content is not None, headers)
            # Built before taking a slot: a slot is held only while the request is on the wire.
            request: httpx.Request | None = None
            if self._direct is None or stream:
                request = httpx.Request(method, self._url(url), params=params, content=content,
                                        headers=request_headers, extensions=self._extensions)
            else:
                target = self._url(url)
                target = URL(str(target.copy_merge_params(params) if params else target), encoded=True)
            try:
                async with self._slots:
                    self.requests_sent += 1
                    self.requests_by_method[method] += 1
                    sent_at = time.perf_counter()
                    if request is not None:
                        response = await self._send_once(request, stream)
                    else:  # read whole, without httpx's Request and Response (wire/fast_transport.py)
                        assert self._direct is not None
                        response = await self._direct.send(method, target, direct_headers, content,
                                                           self._direct_timeout)
                if time.perf_counter() - sent_at >= HAND_OVER_AFTER:
                    await self._hand_over()
            except httpx.TransportError as exc:
                reason = self._describe_exception(exc)
                refused_certificate = certificate_failure(exc)
                if refused_certificate is not None:
                    # Repeating cannot change the certificate: a setup problem, said at once.
                    raise CertificateRejected(
                        f"Manage {method} {where} was not sent. "
                        + certificate_advice(self.site.host, refused_certificate),
                        method=method,
                        where=where,
                    ) from None
                if _is_dns_failure(exc):
                    raise SiteNotFound(
                        f"The Manage site {self.site.host} could not be found ({str(exc) or 'no DNS answer'}). "
                        "Check the site address in the connection settings.",
                        method=method,
                        where=where,
                    ) from None
                sent = not isinstance(exc, NOT_SENT_ERRORS)
                if sent and not idempotent:
                    raise Unavailable(
                        f"The connection to Manage at {self.site.host} failed during {method} {where} ({reason}); "
                        "the request may or may not have been carried out.",
                        method=method,
                        where=where,
                        outcome_unknown=True,
                    ) from None
                if attempt >= policy.attempts:
                    raise Unavailable(
                        f"Manage at {self.site.origin} could not be reached for {method} {where} after "
                        f"{attempt} attempts (last: {reason}). Check the site address and the network, "
                        "then try again.",
                        method=method,
                        where=where,
                    ) from None
                await self._wait(method, where, reason, attempt, None)
                continue

            status = response.status_code
            if status < 300:
                return response
            request_id = response.headers.get("x-cw-request-id")
            if 300 <= status < 400:
                raise ConfigurationError(
                    f"Manage answered {method} {where} with a redirect ({status}) to "
                    f"{response.headers.get('location', 'an unknown place')}. Check the site address "
                    "(use the API host, with https).",
                    status=status,
                    method=method,
                    where=where,
                )
            if status == 401 and auth == "member" and self._token is not None and not renewed_token:
                # A member token can be revoked or expire early: get a new one once.
                renewed_token = True
                await self.member_token(renew=True)
                attempt -= 1
                continue
            if is_retryable_status(status, response.content):
                may_repeat = idempotent or status in NOT_PROCESSED_STATUSES
                error_body = parse_error_body(response.content, response.headers.get("content-type"))
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if may_repeat and attempt < policy.attempts:
                    if retry_after is not None and not policy.waits_for(retry_after):
                        raise Unavailable(
                            policy.refusal(f"Manage at {self.site.host}", f"{method} {where}", status, retry_after),
                            status=status,
                            code=error_body.code,
                            method=method,
                            where=where,
                            request_id=request_id,
                        )
                    await self._wait(method, where, f"HTTP {status}", attempt, retry_after)
                    continue
                if not may_repeat:
                    suffix = " The request may or may not have been carried out."
                else:
                    suffix = f" Gave up after {attempt} attempts." if attempt > 1 else ""
                error = error_for_status(
                    status, error_body, method=method, where=where, request_id=request_id, suffix=suffix
                )
                if isinstance(error, Unavailable):
                    error.outcome_unknown = not may_repeat
                raise error
            raise error_for_status(
                status,
                parse_error_body(response.content, response.headers.get("content-type")),
                method=method,
                where=where,
                request_id=request_id,
                auth_hint=self._auth_hint(auth),
            )

    async def _wait(self, method: str, where: str, reason: str, attempt: int, retry_after: float | None) -> None:
        policy = self.settings.retry
        delay = policy.delay(attempt, retry_after)
        log.warning(
            "Manage %s %s: %s; retry %d of %d in %.1f s",
            method,
            where,
            reason,
            attempt,
            policy.attempts - 1,
            delay,
        )
        await self._sleep(delay)

    @staticmethod
    def _describe_exception(exc: httpx.TransportError) -> str:
        kind = {
            httpx.ConnectError: "connection refused or unreachable",
            httpx.ConnectTimeout: "timed out connecting",
            httpx.ReadTimeout: "timed out waiting for the answer",
            httpx.WriteTimeout: "timed out sending the request",
            httpx.PoolTimeout: "timed out waiting for a free connection",
            httpx.RemoteProtocolError: "the server closed the connection",
            httpx.ReadError: "the connection broke while reading",
            httpx.WriteError: "the connection broke while sending",
        }.get(type(exc), type(exc).__name__)
        detail = str(exc).strip()
        if "SSL" in detail and ("WRONG_VERSION_NUMBER" in detail or "record layer" in detail):
            kind = "the server does not speak HTTPS at this address (a plain-http server answered)"
        return f"{kind}: {detail}" if detail and detail not in kind else kind

    def json(self, response: httpx.Response | Answer, content: bytes | None = None) -> Any:
        """The JSON of ``response`` (``content``: its body, read by the caller from a streamed response)."""
        body = response.content if content is None else content
        try:
            return loads(body)
        except ValueError:
            raise self.not_json(response, body) from None

    @staticmethod
    def not_json(response: httpx.Response | Answer, content: bytes | bytearray) -> ManageError:
        excerpt = bytes(content[:120]).decode("utf-8", errors="replace")
        return ManageError(
            f"Manage answered {response.request.method} {response.request.url.path} with something that is "
            f"not JSON ({response.headers.get('content-type', 'no content type')}: {excerpt!r}). "
            "Check that the site address points at the Manage API.",
            status=response.status_code,
            method=response.request.method,
            where=response.request.url.path,
        )
