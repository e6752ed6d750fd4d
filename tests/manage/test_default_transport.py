"""The Manage client's own transport (AiohttpTransport under httpx) against the real sandbox:
it is the default, keeps its connections alive, and its timeouts reach the retry code as the
httpx timeouts that code knows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from mobius_tui.manage import Unavailable
from mobius_tui.manage.auth import ApiKeyCredentials
from mobius_tui.manage.settings import ManageSettings
from mobius_tui.manage.transport import ManageTransport
from mobius_tui.sandbox.server import serve
from mobius_tui.wire.fast_transport import AiohttpTransport
from tests.wire.asgi_body import read_body
from tests.manage.test_client_sandbox import Waits, connect


async def test_the_default_transport_answers_and_keeps_one_connection(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        assert isinstance(manage._t._transport, AiohttpTransport)
        first = await manage.invoices_by_number([manage_sandbox.store.dataset.invoices[0].number],
                                                fields="id,invoiceNumber,payments")
        for _ in range(3):
            assert await manage.invoice_payments(first[0].id) is not None
        session = manage._t._transport._session
        assert session is not None and len(session.connector._conns) == 1  # one idle keep-alive connection


async def test_a_read_timeout_is_retried_then_a_temporary_failure(manage_sandbox):
    waits = Waits()
    manage_sandbox.faults.only("GET", "/payments").latency_ms = 1000
    invoice = manage_sandbox.store.dataset.invoices[0]
    async with connect(manage_sandbox, waits=waits, codebase="v4_6_release/",
                       timeout=httpx.Timeout(10.0, read=0.2)) as manage:
        with pytest.raises(Unavailable, match="timed out waiting for the answer"):
            await manage.invoice_payments(invoice.id)
    assert len(waits) == 3  # four attempts, three waits between them


class _Recorder:
    """Answers every request with ``{"id": 1}`` (companyinfo with a codebase) and records it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bytes, dict[str, str], bytes]] = []

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        body = await read_body(receive)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.seen.append((scope["method"], scope["path"], scope["query_string"], headers, body))
        answer = b'{"Codebase": "v4_6_release/", "id": 1}'
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"x-cw-request-id", b"r1")]})
        await send({"type": "http.response.body", "body": answer})


async def test_answers_read_whole_skip_httpx_objects_and_send_what_httpx_sends() -> None:
    """A read or write answered whole goes through AiohttpTransport.send, not httpx's Request and
    Response: the server must get the same request as through httpx's own transport."""
    recorder = _Recorder()
    sent: dict[str, list] = {}
    with serve(recorder) as server:
        for name, transport in (("direct", None), ("httpx", httpx.AsyncHTTPTransport())):
            settings = ManageSettings(site=server.url, company_id="acme", client_id="client-1",
                                      credentials=ApiKeyCredentials("pub", "priv"))
            manage = ManageTransport(settings, transport=transport)
            try:
                assert (manage._direct is not None) == (name == "direct")
                read = await manage.api("GET", "/finance/invoices", params={"conditions": 'invoiceNumber in ("A 1")',
                                                                             "pageSize": 2})
                assert manage.json(read) == {"Codebase": "v4_6_release/", "id": 1}
                assert read.headers.get("X-CW-Request-Id") == "r1" and read.request.url.path.endswith("/invoices")
                await manage.api("POST", "/finance/invoices/7/payments",
                                 body={"type": "P", "amount": Decimal("12.50"), "paymentDate": datetime(2026, 1, 2)},
                                 idempotent=False)
                await manage.api("PATCH", "/finance/invoices/7/payments/3",
                                 body=[{"op": "replace", "path": "/amount", "value": Decimal("1E+2")}])
                await manage.api("DELETE", "/finance/invoices/7/payments/3", idempotent=False)
            finally:
                await manage.aclose()
            sent[name], recorder.seen = recorder.seen, []
    assert len(sent["direct"]) == 5  # the codebase look-up, then the four requests
    for direct, through_httpx in zip(sent["direct"], sent["httpx"], strict=True):
        if direct[0] == "DELETE":  # aiohttp states an empty body (as it did under httpx's objects)
            assert direct[3].pop("content-length") == "0"
        assert direct == through_httpx
