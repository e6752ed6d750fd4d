"""OAuth 2.0 authorization code flow against Sage's authorize and token endpoints.

authlib supplies the protocol pieces (the authorization URL, ``state``, reading the redirect back
with its state check); the two token calls are plain form posts on our httpx client, with the client
credentials in the body as Sage wants them. authlib's httpx client is not used: in authlib 1.9 it is
deprecated (it warns on import), and its automatic refresh is per process, while a rotating
refresh token has to be refreshed under a lock shared by every process (see :mod:`.tokens`).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, urlparse

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import (
    MismatchingStateException,
    MissingCodeException,
    parse_authorization_code_response,
    prepare_grant_uri,
)

from mobius_tui.wire.json import loads

CODE_LIFETIME = 60  # seconds Sage gives a code before it is dead
REFRESH_LEEWAY = 60  # refresh when less than this is left of the access token


class AuthorizationNeeded(Exception):
    """The user must (re)authorise: nothing stored, or Sage refused the refresh token."""


class OAuthFailure(Exception):
    """The token endpoint refused a request for another reason (wrong client secret, bad code)."""

    def __init__(self, error: str, description: str, status: int) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class OAuthConfig:
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    redirect_uri: str
    revoke_url: str = ""
    scope: str = "full_access"
    timeout: float = 30.0


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds
    refresh_expires_at: float
    scope: str = ""

    @classmethod
    def from_response(cls, body: dict[str, Any], now: float | None = None) -> Tokens:
        now = time.time() if now is None else now
        return cls(str(body["access_token"]), str(body["refresh_token"]), now + float(body.get("expires_in") or 300),
                   now + float(body.get("refresh_token_expires_in") or 2_678_400), str(body.get("scope") or ""))

    def fresh(self, now: float | None = None, leeway: float = REFRESH_LEEWAY) -> bool:
        return (time.time() if now is None else now) < self.expires_at - leeway

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tokens:
        return cls(**{k: data[k] for k in ("access_token", "refresh_token", "expires_at", "refresh_expires_at")},
                   scope=data.get("scope", ""))


@dataclass(frozen=True)
class PendingAuthorization:
    url: str
    state: str
    started: float  # epoch seconds; the code the redirect carries lives CODE_LIFETIME seconds


def begin(config: OAuthConfig, now: float | None = None) -> PendingAuthorization:
    state = generate_token(24)
    url = prepare_grant_uri(config.authorize_url, config.client_id, "code", redirect_uri=config.redirect_uri,
                            scope=config.scope, state=state)
    return PendingAuthorization(url, state, time.time() if now is None else now)


def code_from(pasted: str, pending: PendingAuthorization) -> str:
    """The authorization code in what the user pasted: the whole redirect address, or the bare code."""
    text = pasted.strip()
    if not text:
        raise OAuthFailure("missing_code", "Nothing was pasted: paste the address the browser was sent to.", 0)
    if "://" not in text and not text.startswith("?") and "code=" not in text:
        return text  # the bare code (a region prefix such as CA/ is part of it)
    query = text if "://" in text else "https://x/?" + text.lstrip("?")
    params = dict(parse_qsl(urlparse(query).query))
    if "error" in params:
        raise OAuthFailure(params["error"], params.get("error_description", "Sage did not grant access."), 0)
    try:
        return parse_authorization_code_response(query, state=pending.state)["code"]
    except MismatchingStateException:
        raise OAuthFailure("state_mismatch", "The pasted address belongs to another sign-in (its state does not "
                           "match this one). Open the address shown now and paste what it redirects to.", 0) from None
    except MissingCodeException:
        raise OAuthFailure("missing_code", "The pasted address has no code= in it. Paste the whole address the "
                           "browser was sent to after allowing access.", 0) from None


async def _token_call(http: httpx.AsyncClient, config: OAuthConfig, form: dict[str, str]) -> Tokens:
    body = {**form, "client_id": config.client_id, "client_secret": config.client_secret}
    response = await http.post(config.token_url, data=body, headers={"Accept": "application/json"})
    try:
        data = loads(response.content) or {}
    except ValueError:
        data = {}
    if response.status_code != 200 or not isinstance(data, dict) or "error" in data or "access_token" not in data:
        error = str(data.get("error", "")) if isinstance(data, dict) else ""
        description = str(data.get("error_description", "")) if isinstance(data, dict) else ""
        if error == "invalid_grant" and form["grant_type"] == "refresh_token":
            raise AuthorizationNeeded(f"Sage refused the stored sign-in ({description or 'invalid_grant'}).")
        raise OAuthFailure(error or f"HTTP {response.status_code}", description, response.status_code)
    return Tokens.from_response(data)


async def exchange(http: httpx.AsyncClient, config: OAuthConfig, code: str) -> Tokens:
    return await _token_call(http, config, {"grant_type": "authorization_code", "code": code,
                                            "redirect_uri": config.redirect_uri})


async def refresh(http: httpx.AsyncClient, config: OAuthConfig, refresh_token: str) -> Tokens:
    return await _token_call(http, config, {"grant_type": "refresh_token", "refresh_token": refresh_token})


async def revoke(http: httpx.AsyncClient, config: OAuthConfig, refresh_token: str) -> None:
    if config.revoke_url:
        await http.post(config.revoke_url, data={"token": refresh_token})
