"""The Web API client's writes skip httpx's client layer (client.py, ``_send``): they must still
carry what that layer would add — Basic auth with the user upper-cased, the JSON content type,
the session cookie the server handed out — and read back what the server answers."""

from __future__ import annotations

import base64
import json
from typing import Any

from mobius_tui.accounting.sage300.client import WebApiClient
from tests.wire.asgi_body import read_body
from mobius_tui.sandbox.server import serve


class _Recorder:
    """A server that hands out a session cookie on its first answer and records every request."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = await read_body(receive)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.seen.append({"method": scope["method"], "path": scope["path"], "headers": headers, "body": body})
        answer = json.dumps({"BatchNumber": len(self.seen), "Amount": 12.50}).encode()
        out = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
        if len(self.seen) == 1:
            out.append((b"set-cookie", b"ASP.NET_SessionId=abc123; Path=/; HttpOnly"))
        status = 200 if scope["method"] == "GET" else 201
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": answer})


async def test_writes_carry_auth_content_type_and_the_session_cookie() -> None:
    app = _Recorder()
    with serve(app) as server:
        client = WebApiClient(server.url, "SAMLTD", "jdoe", "s3cret")
        try:
            first = await client.post("AR", "ARInvoiceBatches", {"Description": "x"})
            await client.patch("AR", "ARInvoiceBatches(1)", {"Invoices": [{"DocumentNumber": "INV-1"}]})
            await client.get_one("AR", "ARInvoiceBatches(1)")
        finally:
            await client.aclose()
    post, patch, read = app.seen
    token = "Basic " + base64.b64encode(b"JDOE:s3cret").decode()
    assert [r["method"] for r in app.seen] == ["POST", "PATCH", "GET"]
    assert post["path"] == "/v1.0/-/SAMLTD/AR/ARInvoiceBatches"
    assert patch["path"] == "/v1.0/-/SAMLTD/AR/ARInvoiceBatches(1)"
    for request in app.seen:
        assert request["headers"]["authorization"] == token
        assert request["headers"]["content-type"].startswith("application/json")
    assert "cookie" not in post["headers"]
    assert patch["headers"]["cookie"] == "ASP.NET_SessionId=abc123"  # written back by a write...
    assert read["headers"]["cookie"] == "ASP.NET_SessionId=abc123"  # ...and kept for the reads
    assert json.loads(patch["body"]) == {"Invoices": [{"DocumentNumber": "INV-1"}]}
    assert first["BatchNumber"] == 1 and str(first["Amount"]) == "12.5"
