"""Which failed Manage requests are worth repeating (the waiting itself: :mod:`mobius_tui.wire.retry`)."""

from __future__ import annotations

# Statuses a busy or restarting server (or Cloudflare in front of a cloud site) answers with.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Statuses that mean the server did not act on the request, so even a POST may be repeated.
NOT_PROCESSED_STATUSES = frozenset({429, 503})


def is_retryable_status(status: int, body: bytes) -> bool:
    # Manage reports some database timeouts as 500 with "timeout" in the text (reference §3.6).
    return status in RETRY_STATUSES or (status == 500 and b"timeout" in body.lower())
