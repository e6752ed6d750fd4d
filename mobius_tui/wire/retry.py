"""When and how long to wait before repeating a failed HTTP request, for every client."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

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

    def waits_for(self, retry_after: float | None) -> bool:
        """False when the server asks for a longer pause than this policy allows."""
        return retry_after is None or retry_after <= self.max_retry_after

    def refusal(self, system: str, request: str, status: int, retry_after: float) -> str:
        """Why a request was not repeated although the server said when to try again."""
        return (
            f"{system} answered {request} with HTTP {status} and asked to wait {retry_after:.0f} s before "
            f"trying again, longer than the {self.max_retry_after:.0f} s this client waits. Try again later."
        )

    async def pause(self, retry_number: int, reason: str, response: httpx.Response | None, *, system: str,
                    method: str, url: str, log: logging.Logger, sleep: Callable[[float], Awaitable[None]],
                    too_long: Callable[[httpx.Response, str], Exception]) -> None:
        """Wait before retry ``retry_number`` (1-based) of ``method url``, logging why; when the
        server asks for a longer wait than this policy allows, raise ``too_long(response, why)``."""
        retry_after = parse_retry_after(response.headers.get("retry-after")) if response is not None else None
        request = f"{method} {httpx.URL(url).path}"  # never the query: it may hold customer data
        if response is not None and retry_after is not None and not self.waits_for(retry_after):
            raise too_long(response, self.refusal(system, request, response.status_code, retry_after))
        delay = self.delay(retry_number, retry_after)
        log.warning("%s %s: %s; retry %d of %d in %.1f s", system, request, reason, retry_number,
                    self.attempts - 1, delay)
        await sleep(delay)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "nan" and "inf" parse as floats but are no delay a server can mean.
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


# Waits before retry ``n`` of a request: ``(n, reason, the answer that asked for it or None)``; may raise.
Pause = Callable[[int, str, "httpx.Response | None"], Awaitable[None]]


async def send_read(send: Callable[[], Awaitable[httpx.Response]], attempts: int, pause: Pause,
                    busy: Callable[[int], bool]) -> httpx.Response:
    """The answer to a read, repeated (reading twice is harmless) after a transport failure or a
    ``busy`` status, up to ``attempts`` sends; the last one's failure or answer is the caller's."""
    attempts = max(1, attempts)
    for attempt in range(1, attempts + 1):
        try:
            response = await send()
        except httpx.TransportError as exc:
            if attempt == attempts:
                raise
            await pause(attempt, type(exc).__name__, None)
            continue
        if busy(response.status_code) and attempt < attempts:
            await pause(attempt, f"HTTP {response.status_code}", response)
            continue
        return response
    raise AssertionError("unreachable")
