"""Typed errors raised by the Manage client, built from Manage's error bodies.

Every message says what failed, where (site, method and path) and how to fix it. No message
ever carries a credential: requests authenticate through headers, and headers are never quoted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mobius_tui.wire.errors import CertificateError, TemporaryFailure

# What a member needs in Manage to work with the accounting interface (seed guides: login setup).
SECURITY_ROLE_HINT = (
    "In Manage, open System > Security Roles and check the role of the member these credentials "
    "belong to: the default Finance, Executive or Admin roles work; a custom role needs Add, Edit, "
    "Delete and Inquire levels set to 'All' on Finance > Accounting Interface (and access to "
    "Accounting Package and GL Accounts), plus Inquire level 'All' on System > API Reports."
)


@dataclass(frozen=True)
class FieldError:
    """One entry of ``errors[]`` in a Manage error body."""

    code: str | None = None
    message: str | None = None
    resource: str | None = None
    field: str | None = None
    details: str | None = None

    def __str__(self) -> str:
        where = ".".join(part for part in (self.resource, self.field) if part)
        text = self.message or self.code or "invalid"
        return f"{where}: {text}" if where else text


class ManageError(Exception):
    """Base class: something went wrong talking to ConnectWise Manage."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        method: str | None = None,
        where: str | None = None,
        field_errors: tuple[FieldError, ...] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.where = where
        self.field_errors = field_errors
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message


class ConfigurationError(ManageError):
    """The site, company id, client id or credentials in the settings cannot work."""


class CertificateRejected(ConfigurationError, CertificateError):
    """The site's TLS certificate was not accepted; never retried."""


class SiteNotFound(ConfigurationError):
    """The site's host name has no DNS answer: almost always a mistyped address."""


class AuthenticationFailed(ManageError):
    """401: Manage rejected the credentials."""


class PermissionDenied(ManageError):
    """403: the member is authenticated but its security role does not allow the call."""


class NotFound(ManageError):
    """404: the record or route does not exist."""


class InvalidRequest(ManageError):
    """400 (and other 4xx): Manage refused the request; ``field_errors`` say which fields."""


class Unavailable(ManageError, TemporaryFailure):
    """Manage could not be reached or kept failing (5xx, 429, timeouts) after the retries, or asked
    to wait longer than the client waits: a temporary failure, try again later.

    ``outcome_unknown`` is true when a non-idempotent request may have been carried out
    before the connection failed, so the caller must look before trying again.
    """

    def __init__(self, message: str, *, outcome_unknown: bool = False, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.outcome_unknown = outcome_unknown


@dataclass(frozen=True)
class ErrorBody:
    """What could be read out of an error response body, JSON or not."""

    code: str | None
    message: str | None
    field_errors: tuple[FieldError, ...]


_MAX_TEXT = 300


def parse_error_body(content: bytes, content_type: str | None = None) -> ErrorBody:
    """Read ``{code, message, errors[]}``; fall back to a short excerpt of text or HTML bodies."""
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return ErrorBody(None, None, ())
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        errors = data.get("errors")
        field_errors = tuple(
            FieldError(**{key: _as_text(item.get(key)) for key in FieldError.__dataclass_fields__})
            for item in (errors if isinstance(errors, list) else [])
            if isinstance(item, dict)
        )
        return ErrorBody(_as_text(data.get("code")), _as_text(data.get("message")), field_errors)
    if isinstance(data, str):
        return ErrorBody(None, _shorten(data), ())
    if "html" in (content_type or "").lower() or text.lstrip().startswith("<"):
        return ErrorBody(None, _html_excerpt(text), ())
    return ErrorBody(None, _shorten(text), ())


def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _html_excerpt(html: str) -> str:
    # A proxy or Cloudflare page: its <title> is the useful part.
    lower = html.lower()
    start, end = lower.find("<title>"), lower.find("</title>")
    if start != -1 and end > start:
        return _shorten(html[start + len("<title>") : end]) or "an HTML error page"
    return "an HTML error page"


def describe_body(body: ErrorBody) -> str:
    parts = [part for part in (body.code, body.message) if part]
    text = ": ".join(parts) if parts else "no details in the response"
    if body.field_errors:
        text += " (" + "; ".join(str(error) for error in body.field_errors) + ")"
    return text


def error_for_status(
    status: int,
    body: ErrorBody,
    *,
    method: str,
    where: str,
    request_id: str | None = None,
    auth_hint: str = "",
    suffix: str = "",
) -> ManageError:
    """The typed error for an unsuccessful response; ``suffix`` is appended to the message."""
    error = _error_for_status(status, body, method, where, request_id, auth_hint)
    if suffix:
        error.message += suffix
        error.args = (error.message,)
    return error


def _error_for_status(
    status: int, body: ErrorBody, method: str, where: str, request_id: str | None, auth_hint: str
) -> ManageError:
    details = describe_body(body)
    common = dict(
        status=status,
        code=body.code,
        method=method,
        where=where,
        field_errors=body.field_errors,
        request_id=request_id,
    )
    if status == 401:
        return AuthenticationFailed(
            f"Manage rejected the credentials for {method} {where} (401, {details}). "
            f"{auth_hint or 'Check the company id, the API keys and the client id in the profile.'}",
            **common,
        )
    if status == 403:
        return PermissionDenied(
            f"Manage refused {method} {where}: the member is not allowed to do this (403, {details}). "
            f"{SECURITY_ROLE_HINT}",
            **common,
        )
    if status == 404:
        return NotFound(
            f"Manage has nothing at {method} {where} (404, {details}). "
            "Check that the record still exists and that the site and company id are right.",
            **common,
        )
    if status == 429 or status >= 500:
        return Unavailable(
            f"Manage could not answer {method} {where} ({status}, {details}). "
            "The server is busy or failing; try again later, and check the Manage status page "
            "if it persists.",
            **common,
        )
    return InvalidRequest(
        f"Manage refused {method} {where} ({status}, {details}). "
        "Correct the fields named above in Manage or in the request and try again.",
        **common,
    )
