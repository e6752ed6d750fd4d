"""What the Manage client needs to know to reach one company's API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from mobius_tui.manage.auth import Credentials
from mobius_tui.wire.retry import RetryPolicy

# Pinned model version: field names change between versions (reference §1).
API_VERSION = "2025.1"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=60.0)


@dataclass(frozen=True)
class ManageSettings:
    """``site`` as typed by the user (see :mod:`mobius_tui.manage.site`); ``company_id`` is the
    company typed at the Manage login screen; ``client_id`` is the integration's clientId GUID
    from developer.connectwise.com. ``codebase`` skips the companyinfo lookup when set
    (e.g. ``"v4_6_release/"``)."""

    site: str
    company_id: str
    client_id: str
    credentials: Credentials
    api_version: str = API_VERSION
    codebase: str | None = None
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    page_size: int = 1000
    max_concurrency: int = 4
    # Member tokens are replaced this long before they expire.
    token_margin: timedelta = timedelta(minutes=2)
    # Manage refuses longer request URIs; chunked "in (...)" conditions stay under it.
    max_url_length: int = 2000
