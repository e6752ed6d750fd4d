"""When and how long to wait before repeating a failed Manage request."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

# Statuses a busy or restarting server (or Cloudflare in front of a cloud site) answers with.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Statuses that mean the server did not act on the request, so even a POST may be repeated.
NOT_PROCESSED_STATUSES = frozenset({429, 503})

# Failures before any byte of the request reached the server: safe to repeat any request.
# Every other transport failure (timeouts, dropped connections) may have reached it.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts the first try; waits grow as ``base_delay * 2**n`` up to ``max_delay``,
    with full jitter in the upper half so clients started together spread out.
    A ``Retry-After`` longer than ``max_retry_after`` is not waited for: the call fails instead."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, retry_number: int) -> float:
        """Wait before retry ``retry_number`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def delay(self, retry_number: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 0.0)
        return self.backoff(retry_number)


def is_retryable_status(status: int, body: bytes) -> bool:
    # Manage reports some database timeouts as 500 with "timeout" in the text (reference §3.6).
    return status in RETRY_STATUSES or (status == 500 and b"timeout" in body.lower())


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
