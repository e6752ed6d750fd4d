"""Turning what a user types as "the Manage site" into the origin the API is reached at.

Accepted: ``host``, ``host:port``, or a URL pasted from the browser (``https://host/any/path?x``),
which is reduced to its scheme, host and port. The scheme is https. Plain ``http://`` is refused
unless the host is the loopback interface (127.0.0.0/8, ``localhost``, ``::1``), which is how the
local sandbox is reached: anywhere else the API keys would cross the network unencrypted.
ConnectWise cloud sites are used through their API hosts (``na.myconnectwise.net`` becomes
``api-na.myconnectwise.net``); on-premise hosts are used as given.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from mobius_tui.manage.errors import ConfigurationError
from mobius_tui.wire.hosts import is_loopback  # the one rule for plain http, shared with the packages

# User-facing cloud host -> API host (reference §1).
CLOUD_API_HOSTS = {
    "na.myconnectwise.net": "api-na.myconnectwise.net",
    "eu.myconnectwise.net": "api-eu.myconnectwise.net",
    "au.myconnectwise.net": "api-au.myconnectwise.net",
    "aus.myconnectwise.net": "api-aus.myconnectwise.net",
    "za.myconnectwise.net": "api-za.myconnectwise.net",
    "staging.connectwisedev.com": "api-staging.connectwisedev.com",
}

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_EXAMPLE = "e.g. na.myconnectwise.net or manage.example.com"


@dataclass(frozen=True)
class Site:
    scheme: str
    host: str
    port: int | None = None

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        port = f":{self.port}" if self.port is not None and self.port != default else ""
        return f"{self.scheme}://{host}{port}"

    def __str__(self) -> str:
        return self.origin


def parse_site(text: str) -> Site:
    """The API origin for a site typed by a user; :class:`ConfigurationError` if it cannot be one."""
    raw = (text or "").strip()
    if not raw:
        raise ConfigurationError(f"The Manage site is empty. Enter the host name of your Manage server ({_EXAMPLE}).")
    if any(ch.isspace() or ord(ch) < 32 for ch in raw):
        raise ConfigurationError(
            f"The Manage site {raw!r} contains spaces or control characters. Enter only the host name ({_EXAMPLE})."
        )
    has_scheme = "://" in raw
    try:
        parts = urlsplit(raw if has_scheme else f"https://{raw}")
        port = parts.port
        hostname = parts.hostname
    except ValueError as exc:
        raise ConfigurationError(
            f"The Manage site {raw!r} is not a valid host or URL ({exc}). Enter the host name ({_EXAMPLE})."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigurationError(
            f"The Manage site {raw!r} uses the scheme {scheme!r}; only https is supported. Enter the host name ({_EXAMPLE})."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            f"The Manage site must not contain a user name or password; enter only the host name ({_EXAMPLE}) "
            "and put the credentials in the profile's key fields."
        )
    if not hostname:
        raise ConfigurationError(f"The Manage site {raw!r} has no host name. Enter the host name ({_EXAMPLE}).")
    host = _valid_host(hostname.lower().rstrip("."), raw)
    if scheme == "http" and not is_loopback(host):
        raise ConfigurationError(
            f"The Manage site {raw!r} uses plain http, which would send the API keys unencrypted. "
            f"Use https://{host} (plain http is only accepted for this computer's loopback address)."
        )
    host = CLOUD_API_HOSTS.get(host, host)
    return Site(scheme=scheme, host=host, port=port)


def _valid_host(host: str, raw: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ConfigurationError(
            f"The Manage site {raw!r} is not a valid host name: use letters, digits, hyphens and dots ({_EXAMPLE})."
        )
    if labels[-1].isdigit():
        # Looks like a mangled IPv4 address (e.g. 10.0.0.256), not a name.
        raise ConfigurationError(f"The Manage site {raw!r} is not a valid IP address or host name ({_EXAMPLE}).")
    return host
