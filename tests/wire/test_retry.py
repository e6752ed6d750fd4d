"""The shared retry policy: backoff bounds, Retry-After parsing, the longest wait accepted."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from mobius_tui.wire.retry import RetryPolicy, parse_retry_after

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


def test_retry_after_as_seconds_or_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Sun, 01 Jun 2025 12:01:30 GMT", now=NOW) == 90.0
    assert parse_retry_after("Sun, 01 Jun 2025 11:00:00 GMT", now=NOW) == 0.0


def test_unusable_retry_after_is_ignored() -> None:
    for value in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(value) is None, value


def test_a_server_asked_wait_is_kept_unless_longer_than_the_maximum() -> None:
    policy = RetryPolicy(max_retry_after=120, rng=random.Random(1))
    assert policy.delay(1, 30.0) == 30.0
    assert policy.waits_for(None) and policy.waits_for(120.0) and not policy.waits_for(3600.0)
    message = policy.refusal("Sage 300", "GET /v1.0/-/SAMLTD/GL/GLAccounts", 429, 3600.0)
    assert "asked to wait 3600 s" in message and "the 120 s this client waits" in message
    assert "GET /v1.0/-/SAMLTD/GL/GLAccounts" in message and "HTTP 429" in message


def test_backoff_doubles_within_jitter_and_stops_at_the_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.2, max_delay=1.0, rng=random.Random(3))
    for n in range(1, 8):
        ceiling = min(1.0, 0.2 * 2 ** (n - 1))
        assert ceiling / 2 <= policy.delay(n, None) <= ceiling
