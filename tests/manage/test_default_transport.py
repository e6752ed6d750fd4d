"""The Manage client's own transport (AiohttpTransport under httpx) against the real sandbox:
it is the default, keeps its connections alive, and its timeouts reach the retry code as the
httpx timeouts that code knows."""

from __future__ import annotations

import httpx
import pytest

from mobius_tui.manage import Unavailable
from mobius_tui.wire.fast_transport import AiohttpTransport
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
