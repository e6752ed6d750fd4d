"""Run an ASGI app with uvicorn on 127.0.0.1 in a background thread.

``serve(app) -> RunningServer`` binds a free port, waits until the server accepts requests and
returns; ``RunningServer.url`` is ``"http://127.0.0.1:PORT"`` and ``.stop()`` shuts it down. It is a
context manager too. Every sandbox and every integration test uses it.

The server speaks HTTP/1.1 through a small subclass of uvicorn's protocol that lets an app
close the connection without sending any response (raise :class:`DropConnection`): that is how
the fault injector produces genuine connection errors on the client side.

uvicorn's httptools parser on uvloop is the default: it costs a sandbox request ~0.3 ms of CPU
against ~1.2 ms for h11 on asyncio (tests/benchmarks/test_manage_post_bench.py), so a benchmark
measures the client, not its stand-in. ``serve(app, fast=False)`` (or ``MOBIUS_SANDBOX_HTTP=h11``)
keeps the pure-Python pair.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class DropConnection(Exception):
    """Raised by an ASGI app to abort the TCP connection with no response at all."""


class _Droppable:
    """Mixed into a uvicorn protocol class: DropConnection aborts the TCP connection; no Nagle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            try:
                await inner(scope, receive, send)
            except DropConnection:
                self.transport.abort()
                if self.cycle is not None:
                    # Tells uvicorn the peer is gone, so it does not try to send a 500.
                    self.cycle.disconnected = True

        self.app = app

    def connection_made(self, transport: Any) -> None:
        # Headers and body leave in separate writes; without NODELAY, Nagle plus delayed ACKs
        # add ~40 ms to every keep-alive request.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


class _DroppableH11Protocol(_Droppable, H11Protocol):
    pass


class _DroppableHttpToolsProtocol(_Droppable, HttpToolsProtocol):
    pass


def _fast_default() -> bool:
    if os.environ.get("MOBIUS_SANDBOX_HTTP", "").lower() == "h11":
        return False
    return importlib.util.find_spec("uvloop") is not None and importlib.util.find_spec("httptools") is not None


class RunningServer:
    def __init__(self, server: uvicorn.Server, thread: threading.Thread, port: int) -> None:
        self._server = server
        self._thread = thread
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(app: Any, port: int = 0, startup_timeout: float = 15.0, fast: bool | None = None) -> RunningServer:
    """Start ``app`` on 127.0.0.1 (``port=0`` picks a free port) and return once it is ready.
    ``fast``: httptools on uvloop (default) or h11 on asyncio."""
    fast = _fast_default() if fast is None else fast
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, http=_DroppableHttpToolsProtocol if fast else _DroppableH11Protocol,
        loop="uvloop" if fast else "asyncio", lifespan="off", log_level="warning", access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"sandbox-server-{bound_port}")
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"sandbox server on 127.0.0.1:{bound_port} failed to start (see log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"sandbox server on 127.0.0.1:{bound_port} did not start in {startup_timeout}s")
        time.sleep(0.01)
    return RunningServer(server, thread, bound_port)
