"""Fault injection for every sandbox: an ASGI middleware driven by a mutable ``Faults`` object.

Tests change the ``Faults`` attributes at run time; the middleware reads them on every request.
Everything is counter-based or seeded, so a test sees the same faults on every run.

    faults = Faults()
    app = FaultMiddleware(inner_app, faults)
    faults.throttle_next = 2            # the next 2 requests get 429 + Retry-After
    faults.only("POST", "/batches")     # ...but only requests matching this (case-insensitive)

Kinds (checked in this order; a request gets at most one fault):
  latency_ms            fixed delay before every matching request
  drop_next             abort the connection before the app runs (client: connection error)
  throttle_next         429 with ``Retry-After: retry_after`` seconds
  error_next            ``error_status`` (502/503/504) for the next N requests
  error_rate            fraction of requests answered with ``error_status`` (seeded by ``seed``)
  drop_after_commit_next  run the app (its state changes are committed), then abort the
                        connection instead of answering: the client cannot know it succeeded
  slow_body_chunk / slow_body_delay_ms  stream the response body in small chunks with pauses
"""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from mobius_tui.sandbox.server import DropConnection


@dataclass
class Faults:
    latency_ms: int = 0
    throttle_next: int = 0
    retry_after: int = 1
    error_next: int = 0
    error_status: int = 503
    error_rate: float = 0.0
    seed: int = 0
    drop_next: int = 0
    drop_after_commit_next: int = 0
    slow_body_chunk: int = 0  # bytes per chunk; 0 = off
    slow_body_delay_ms: int = 0
    method: str | None = None  # only requests with this method ...
    path_contains: str | None = None  # ... and whose path contains this (case-insensitive)
    injected: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, method, path)
    requests_seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _rng: random.Random | None = field(default=None, repr=False)

    def only(self, method: str | None = None, path_contains: str | None = None) -> Faults:
        self.method = method
        self.path_contains = path_contains
        return self

    def clear(self) -> None:
        """Back to no faults (the log of injected faults is kept)."""
        with self._lock:
            self.latency_ms = self.throttle_next = self.error_next = self.drop_next = 0
            self.drop_after_commit_next = self.slow_body_chunk = self.slow_body_delay_ms = 0
            self.error_rate = 0.0
            self.method = self.path_contains = None

    def _matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path_contains and self.path_contains.lower() not in path.lower())

    def _take(self, method: str, path: str) -> str | None:
        """The fault this request gets (consuming one count), or None."""
        with self._lock:
            self.requests_seen += 1
            if not self._matches(method, path):
                return None
            kind = None
            for name in ("drop_next", "throttle_next", "error_next"):
                if getattr(self, name) > 0:
                    setattr(self, name, getattr(self, name) - 1)
                    kind = name.removesuffix("_next")
                    break
            if kind is None and self.error_rate > 0:
                if self._rng is None:
                    self._rng = random.Random(self.seed)
                if self._rng.random() < self.error_rate:
                    kind = "error"
            if kind is None and self.drop_after_commit_next > 0:
                self.drop_after_commit_next -= 1
                kind = "drop_after_commit"
            if kind is None and self.slow_body_chunk > 0:
                kind = "slow_body"
            if kind is not None:
                self.injected.append((kind, method, path))
            return kind


class FaultMiddleware:
    def __init__(self, app: Any, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        f = self.faults
        if f.latency_ms and f._matches(scope["method"], scope["path"]):
            await asyncio.sleep(f.latency_ms / 1000)
        kind = f._take(scope["method"], scope["path"])
        if kind == "drop":
            raise DropConnection()
        if kind in ("throttle", "error"):
            status = 429 if kind == "throttle" else f.error_status
            body = (b'{"code":"TooManyRequests","message":"Rate limit exceeded, retry later."}' if status == 429
                    else b'{"code":"ServerError","message":"The server is temporarily unavailable."}')
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            if status == 429:
                headers.append((b"retry-after", str(f.retry_after).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if kind == "drop_after_commit":
            async def swallow(message: Any) -> None:
                return None

            await self.app(scope, receive, swallow)
            raise DropConnection()
        if kind == "slow_body":
            chunk = f.slow_body_chunk

            async def slow_send(message: Any) -> None:
                if message["type"] != "http.response.body":
                    await send(message)
                    return
                body = message.get("body", b"")
                more = message.get("more_body", False)
                for i in range(0, len(body), chunk):
                    await send({"type": "http.response.body", "body": body[i:i + chunk], "more_body": True})
                    await asyncio.sleep(f.slow_body_delay_ms / 1000)  # read live: clear() ends the crawl
                await send({"type": "http.response.body", "body": b"", "more_body": more})

            await self.app(scope, receive, slow_send)
            return
        await self.app(scope, receive, send)
