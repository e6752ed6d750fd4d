"""Which Manage failures are temporary (try again later) and which are the setup's, through real
servers on loopback: the Manage sandbox and a TLS server with an untrusted certificate."""

from __future__ import annotations

import pytest

from mobius_tui.manage import ConfigurationError, Unavailable
from mobius_tui.manage.errors import CertificateRejected
from mobius_tui.wire.errors import CertificateError, TemporaryFailure
from tests.manage.test_client_sandbox import Waits, connect
from tests.wire.tls_server import untrusted_tls_server


async def test_a_refused_certificate_is_a_configuration_error_and_is_not_retried(manage_sandbox, tmp_path):
    waits = Waits()
    with untrusted_tls_server(tmp_path) as server:
        async with connect(manage_sandbox, site=server.url, waits=waits) as manage:
            with pytest.raises(CertificateRejected) as info:
                await manage.system_info()
        connections = server.connections
    assert isinstance(info.value, ConfigurationError) and isinstance(info.value, CertificateError)
    assert not isinstance(info.value, TemporaryFailure)
    assert connections == 1 and waits == []  # said at once: no retry can change a certificate
    message = str(info.value)
    assert "TLS certificate of 127.0.0.1" in message and "self-signed" in message and "not an outage" in message
    assert "unreachable" not in message


@pytest.mark.parametrize("fault", ["error_next", "drop_next", "throttle_next"])
async def test_retries_used_up_are_a_temporary_failure(manage_sandbox, fault):
    async with connect(manage_sandbox) as manage:
        await manage.company_info()
        setattr(manage_sandbox.faults, fault, 10)
        with pytest.raises(Unavailable) as info:
            await manage.system_info()
    assert isinstance(info.value, TemporaryFailure) and not isinstance(info.value, ConfigurationError)
    assert "after 4 attempts" in str(info.value) or "Gave up after 4 attempts" in str(info.value)


async def test_a_retry_after_longer_than_the_cap_is_a_temporary_failure(manage_sandbox):
    async with connect(manage_sandbox) as manage:
        await manage.company_info()
        manage_sandbox.faults.throttle_next, manage_sandbox.faults.retry_after = 1, 600
        with pytest.raises(TemporaryFailure, match="wait 600 s"):
            await manage.system_info()


async def test_an_unknown_host_is_a_configuration_error():
    import socket

    import httpx

    from mobius_tui.manage.errors import SiteNotFound
    from tests.manage.manage_mock import Recorder

    def no_such_host(request):
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    rec = Recorder(no_such_host)
    async with rec.client() as manage:
        with pytest.raises(SiteNotFound, match="could not be found") as info:
            await manage.system_info()
    assert isinstance(info.value, ConfigurationError) and not isinstance(info.value, TemporaryFailure)
    assert len(rec.requests) == 1 and rec.waits == []
