"""Credentials for the two ways of signing in to the Manage API, and member-token bookkeeping.

* API keys: basic auth ``{companyId}+{publicKey}`` / ``{privateKey}`` (reference §2.1).
* Member impersonation: an integrator login (``x-cw-usertype: integrator``) asks
  ``POST /system/members/{member}/tokens`` for short-lived member keys, which are then used like
  API keys with ``x-cw-usertype: member`` and renewed before they expire (reference §2.3).

Secrets live in :class:`Secret`, whose repr and str never show the value, so credentials can be
logged, printed or put into exception text without leaking anything.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mobius_tui.manage.errors import ConfigurationError

_HIDDEN = "********"


class Secret:
    """A string that only :meth:`reveal` gives back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __repr__(self) -> str:
        return f"Secret('{_HIDDEN}')"

    def __str__(self) -> str:
        return _HIDDEN

    def __reduce__(self):
        raise TypeError("Secrets are not pickled, so they cannot end up in a file by accident.")


def _check_text(value: str, what: str, *, allow_colon: bool = False) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"The {what} is empty. Enter it in the Manage connection settings.")
    bad = any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or (not allow_colon and ":" in value)
    if bad:
        raise ConfigurationError(
            f"The {what} contains a character that cannot be sent to Manage "
            f"({'control characters' if allow_colon else 'a colon or control characters'}). "
            "Copy it again from Manage."
        )


@dataclass(frozen=True, repr=False)
class ApiKeyCredentials:
    """An API member's key pair (System > Members > API Members > API Keys)."""

    public_key: str
    private_key: Secret

    def __post_init__(self) -> None:
        object.__setattr__(self, "private_key", Secret(self.private_key))
        _check_text(self.public_key, "API public key")
        _check_text(self.private_key.reveal(), "API private key", allow_colon=True)

    def __repr__(self) -> str:
        return f"ApiKeyCredentials(public_key={self.public_key!r}, private_key={self.private_key!r})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class ImpersonationCredentials:
    """An integrator login allowed to use the Member API, acting as ``member_identifier``."""

    integrator_username: str
    integrator_password: Secret
    member_identifier: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "integrator_password", Secret(self.integrator_password))
        _check_text(self.integrator_username, "integrator user name")
        _check_text(self.integrator_password.reveal(), "integrator password", allow_colon=True)
        _check_text(self.member_identifier, "member to act as (member identifier)")
        if "/" in self.member_identifier or "?" in self.member_identifier or "#" in self.member_identifier:
            raise ConfigurationError(
                f"The member identifier {self.member_identifier!r} is not a Manage member id: "
                "use the member's login identifier as shown in System > Members."
            )

    def __repr__(self) -> str:
        return (
            f"ImpersonationCredentials(integrator_username={self.integrator_username!r}, "
            f"integrator_password={self.integrator_password!r}, member_identifier={self.member_identifier!r})"
        )

    __str__ = __repr__


Credentials = ApiKeyCredentials | ImpersonationCredentials


def basic_authorization(company_id: str, user: str, password: Secret) -> str:
    raw = f"{company_id}+{user}:{password.reveal()}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, repr=False)
class MemberToken:
    """Member keys issued by ``/system/members/{member}/tokens``; ``renew_at`` is when to replace them."""

    public_key: str
    private_key: Secret
    expires_at: datetime
    renew_at: datetime

    def __repr__(self) -> str:
        return f"MemberToken(public_key={self.public_key!r}, private_key={self.private_key!r}, expires_at={self.expires_at.isoformat()})"

    def needs_renewal(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.renew_at


# Token lifetime is not documented (UNCONFIRMED); used when ``expiration`` is missing or unreadable.
DEFAULT_TOKEN_LIFETIME = timedelta(minutes=15)


def make_member_token(
    public_key: str | None,
    private_key: str | None,
    expiration: str | None,
    *,
    margin: timedelta,
    now: datetime | None = None,
) -> MemberToken:
    """Build a token from the ``Token`` response; renewal happens ``margin`` before expiry
    (at most half-way through a short-lived token)."""
    now = now or datetime.now(UTC)
    if not public_key or not private_key:
        raise ConfigurationError(
            "Manage answered the member-token request without keys. Check that the integrator login "
            "has 'Member API' enabled and is allowed to act as this member."
        )
    expires_at = parse_expiration(expiration) or now + DEFAULT_TOKEN_LIFETIME
    lifetime = max(expires_at - now, timedelta(0))
    renew_at = expires_at - min(margin, lifetime / 2)
    return MemberToken(public_key, Secret(private_key), expires_at, renew_at)


def parse_expiration(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    # Manage writes UTC times with a "Z"; a bare time is read as UTC as well.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
