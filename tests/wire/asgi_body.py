"""The request body of an ASGI call, for the small loopback apps the transport tests and benchmarks serve."""

from __future__ import annotations

from typing import Any


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body
