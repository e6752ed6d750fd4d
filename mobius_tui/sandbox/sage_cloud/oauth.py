"""The OAuth 2.0 side of the sandbox: authorize (a consent page), token and revoke, as the sheet has them.

* ``GET /oauth2/auth/central`` shows a sign-in page for ``response_type=code``, a registered
  ``client_id`` and its exact ``redirect_uri``; posting the demo e-mail and password redirects to
  ``redirect_uri?code=…&country=ca&state=…`` (the code carries a ``CA/`` region prefix, as some
  integrators see it). A wrong client or callback is shown on the page, never redirected.
* ``POST /token`` (form body, client credentials in the body): ``authorization_code`` — single use,
  dead after ``code_ttl`` seconds (60), ``redirect_uri`` must match; ``refresh_token`` — single use:
  each refresh returns a new one and the old one is dead (``invalid_grant``). Wrong client secret:
  401 ``invalid_client``.
* ``POST /revoke`` (``token=<refresh token>``) kills the token and the access tokens it issued.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

AUTHORIZE_PATH = "/oauth2/auth/central"
TOKEN_PATH = "/token"
REVOKE_PATH = "/revoke"


@dataclass
class Client:
    secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class _Grant:
    client_id: str
    user: str
    scope: str
    expires_at: float
    redirect_uri: str = ""
    family: str = ""  # the refresh token chain a code or token belongs to
    used: bool = False


@dataclass
class OAuthServer:
    clients: dict[str, Client]
    users: dict[str, str]  # e-mail → password
    code_ttl: float = 60.0
    access_ttl: float = 300.0
    refresh_ttl: float = 2_678_400.0
    clock: Callable[[], float] = time.time
    codes: dict[str, _Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, _Grant] = field(default_factory=dict)
    access_tokens: dict[str, _Grant] = field(default_factory=dict)
    refreshes: int = 0  # refresh grants answered with new tokens
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- what the API asks -----------------------------------------------------------------

    def user_of(self, access_token: str) -> str | None:
        with self.lock:
            grant = self.access_tokens.get(access_token)
            if grant is None or grant.used or grant.expires_at <= self.clock():
                return None
            return grant.user

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far dies now (a run that outlives its token)."""
        with self.lock:
            for grant in self.access_tokens.values():
                grant.expires_at = 0

    def issue(self, client_id: str, user: str, scope: str = "full_access") -> dict[str, object]:
        """Tokens as the token endpoint gives them, without the browser (tests that need a login)."""
        with self.lock:
            return self._tokens(client_id, user, scope, secrets.token_hex(8))

    # --- endpoints ---------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params) if request.method == "GET" else await _form(request)
        client = self.clients.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if params.get("response_type") != "code":
            return _page("The response_type must be code.", status=400)
        if client is None:
            return _page("This application is not registered (unknown client_id).", status=400)
        if redirect_uri not in client.redirect_uris:
            return _page("The redirect_uri does not match a callback registered for this application.", status=400)
        if request.method == "GET":
            return _page("", params)
        if self.users.get(params.get("email", "")) != params.get("password"):
            return _page("Incorrect e-mail or password.", params, status=401)
        code = "CA/" + secrets.token_hex(16)
        with self.lock:
            self.codes[code] = _Grant(params["client_id"], params["email"], params.get("scope", "full_access"),
                                      self.clock() + self.code_ttl, redirect_uri)
        query = {"code": code, "country": "ca"}
        if params.get("state"):
            query["state"] = params["state"]
        return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await _form(request)
        client_id = form.get("client_id", "")
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.secret, form.get("client_secret", "")):
            return _oauth_error("invalid_client", "Client authentication failed.", 401)
        grant_type = form.get("grant_type")
        with self.lock:
            now = self.clock()
            if grant_type == "authorization_code":
                grant = self.codes.get(form.get("code", ""))
                if grant is None or grant.used or grant.client_id != client_id:
                    return _oauth_error("invalid_grant", "The authorization code is invalid or was already used.")
                grant.used = True
                if grant.expires_at <= now:
                    return _oauth_error("invalid_grant", "The authorization code has expired.")
                if form.get("redirect_uri") != grant.redirect_uri:
                    return _oauth_error("invalid_grant", "The redirect_uri does not match the authorization request.")
                return JSONResponse(self._tokens(client_id, grant.user, grant.scope, secrets.token_hex(8)))
            if grant_type == "refresh_token":
                grant = self.refresh_tokens.get(form.get("refresh_token", ""))
                if grant is None or grant.used or grant.client_id != client_id or grant.expires_at <= now:
                    return _oauth_error("invalid_grant", "The refresh token is invalid, expired or was already used.")
                grant.used = True
                self.refreshes += 1
                return JSONResponse(self._tokens(client_id, grant.user, grant.scope, grant.family))
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported.")

    async def revoke(self, request: Request) -> Response:
        form = await _form(request)
        with self.lock:
            grant = self.refresh_tokens.get(form.get("token", ""))
            if grant is not None:
                for table in (self.refresh_tokens, self.access_tokens):
                    for other in table.values():
                        if other.family == grant.family:
                            other.used = True
        return Response(status_code=200)

    def _tokens(self, client_id: str, user: str, scope: str, family: str) -> dict[str, object]:
        now = self.clock()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.access_tokens[access] = _Grant(client_id, user, scope, now + self.access_ttl, family=family)
        self.refresh_tokens[refresh] = _Grant(client_id, user, scope, now + self.refresh_ttl, family=family)
        return {"access_token": access, "scope": scope, "token_type": "bearer", "expires_in": int(self.access_ttl),
                "refresh_token": refresh, "refresh_token_expires_in": int(self.refresh_ttl),
                "requested_by_id": user}


async def _form(request: Request) -> dict[str, str]:
    """A form-encoded body (parsed here: Starlette's form parser needs an extra package)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _page(error: str, params: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in (params or {}).items() if k not in ("email", "password"))
    form = ("" if params is None else
            f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}'
            '<label>E-mail <input name="email"></label> <label>Password <input name="password" type="password">'
            '</label> <button type="submit">Allow access</button></form>')
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(f"<!doctype html><title>Sage Accounting sign in (sandbox)</title>"
                        f"<h1>Allow this application to use your Sage Accounting data?</h1>{message}{form}",
                        status_code=status)
