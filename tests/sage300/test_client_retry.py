"""The Sage 300 client's waits follow the shared retry policy, against the sandbox over real HTTP."""

from __future__ import annotations

import random
import socket

import httpx
import pytest

from mobius_tui.accounting.sage300.client import UncertainWrite, WebApiClient, WebApiError
from mobius_tui.sandbox.sage300 import Sage300Sandbox
from mobius_tui.wire.retry import RetryPolicy

POLICY = RetryPolicy(attempts=3, base_delay=0.2, max_delay=1.0, max_retry_after=120, rng=random.Random(5))


class Waits(list):
    """Stands in for asyncio.sleep: records the waits the client asks for."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(sandbox: Sage300Sandbox, waits: Waits, base_url: str | None = None) -> WebApiClient:
    s = sandbox.settings
    return WebApiClient(base_url or s["base_url"], s["company"], s["user"], s["password"], retry=POLICY,
                        sleep=waits, timeout=10)


async def test_a_retry_after_beyond_the_maximum_fails_a_read_at_once(sandbox: Sage300Sandbox) -> None:
    sandbox.faults.throttle_next, sandbox.faults.retry_after = 1, 3600
    waits = Waits()
    api = client(sandbox, waits)
    try:
        with pytest.raises(WebApiError) as info:
            await api.get_all("GL", "GLAccounts")
    finally:
        await api.aclose()
    assert waits == [] and info.value.status == 429
    message = info.value.message
    assert "asked to wait 3600 s" in message and "120 s this client waits" in message
    assert "GET /Sage300WebApi/v1.0/-/SAMLTD/GL/GLAccounts" in message and "Try again later" in message


async def test_a_retry_after_within_the_maximum_is_honoured(sandbox: Sage300Sandbox) -> None:
    sandbox.faults.throttle_next, sandbox.faults.retry_after = 2, 2
    waits = Waits()
    api = client(sandbox, waits)
    try:
        accounts = await api.get_all("GL", "GLAccounts")
    finally:
        await api.aclose()
    assert waits == [2.0, 2.0] and accounts
    assert [kind for kind, *_ in sandbox.faults.injected] == ["throttle", "throttle"]


async def test_server_errors_on_reads_back_off_within_the_policy(sandbox: Sage300Sandbox) -> None:
    sandbox.faults.only("GET", "GLAccounts").error_next = 2
    waits = Waits()
    api = client(sandbox, waits)
    try:
        assert await api.get_all("GL", "GLAccounts")
    finally:
        await api.aclose()
    assert len(waits) == 2 and 0.1 <= waits[0] <= 0.2 and 0.2 <= waits[1] <= 0.4


async def test_a_throttled_write_is_never_stored_and_an_overlong_wait_fails_at_once(sandbox: Sage300Sandbox) -> None:
    customer = {"CustomerNumber": "RETRY1", "CustomerName": "Retry Ltd."}
    waits = Waits()
    api = client(sandbox, waits)
    try:
        sandbox.faults.only("POST", "ARCustomers").throttle_next = 1
        sandbox.faults.retry_after = 3600
        with pytest.raises(WebApiError, match="asked to wait 3600 s"):
            await api.post("AR", "ARCustomers", customer)
        assert waits == [] and await api.get_one("AR", "ARCustomers('RETRY1')") is None

        sandbox.faults.throttle_next, sandbox.faults.retry_after = 1, 1
        created = await api.post("AR", "ARCustomers", customer)
    finally:
        await api.aclose()
    assert created["CustomerNumber"] == "RETRY1" and waits == [1.0]


async def test_a_write_whose_connection_never_opened_is_repeated(sandbox: Sage300Sandbox) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits = Waits()
    api = client(sandbox, waits, base_url=f"http://127.0.0.1:{port}/Sage300WebApi")
    try:
        with pytest.raises(httpx.ConnectError):
            await api.post("AR", "ARCustomers", {"CustomerNumber": "NEVER"})
    finally:
        await api.aclose()
    assert len(waits) == POLICY.attempts - 1


async def test_a_write_dropped_after_the_server_acted_is_uncertain_not_repeated(sandbox: Sage300Sandbox) -> None:
    sandbox.faults.only("POST", "ARCustomers").drop_after_commit_next = 1
    waits = Waits()
    api = client(sandbox, waits)
    try:
        with pytest.raises(UncertainWrite):
            await api.post("AR", "ARCustomers", {"CustomerNumber": "ONCE1", "CustomerName": "Once Ltd."})
        assert (await api.get_one("AR", "ARCustomers('ONCE1')"))["CustomerName"] == "Once Ltd."
    finally:
        await api.aclose()
    assert waits == []
