"""Items 11/12/14 for Sage 300: a certificate the computer does not trust is a configuration error
that says so, plain http goes only to loopback, and "busy" answers are temporary failures with one
clear message (the command line maps TemporaryFailure to its own exit code)."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mobius_tui.accounting.base import PackageError
from mobius_tui.accounting.sage300 import Sage300
from mobius_tui.sandbox.sage300 import Sage300Sandbox
from mobius_tui.wire.errors import TemporaryFailure


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


@pytest.fixture
async def tls_server(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    """An HTTPS server on loopback with a self-signed certificate, answering every request with an empty feed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[1]), str(certificate[0]))

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readline() not in (b"\r\n", b""):
                pass
            body = b'{"value": []}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
        except (ssl.SSLError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}/Sage300WebApi"
    finally:
        server.close()


def _settings(base_url: str, **more: object) -> dict:
    return {"base_url": base_url, "company": "SAMLTD", "user": "WEBAPI", "password": "pw", **more}


async def test_an_untrusted_certificate_is_a_configuration_error_that_says_so(tls_server: str) -> None:
    with pytest.raises(PackageError) as info:
        async with Sage300(_settings(tls_server)):
            pass
    assert not isinstance(info.value, TemporaryFailure)
    text = str(info.value)
    assert "certificate this computer does not trust" in text and "CA bundle" in text
    assert "ConnectError" not in text


async def test_the_ca_bundle_setting_makes_the_certificate_trusted(tls_server: str,
                                                                   certificate: tuple[Path, Path]) -> None:
    async with Sage300(_settings(tls_server, ca_bundle=str(certificate[1]))) as package:
        assert package.client is not None


@pytest.mark.parametrize("url", ["http://sage.example.com/Sage300WebApi", "http://10.0.0.5:8080/Sage300WebApi"])
async def test_plain_http_to_another_host_is_refused_before_anything_is_sent(url: str) -> None:
    with pytest.raises(PackageError) as info:
        async with Sage300(_settings(url)):
            pass
    assert "plain http" in str(info.value) and "https://" in str(info.value)
    assert not isinstance(info.value, TemporaryFailure)


async def test_plain_http_to_loopback_is_accepted(sandbox: Sage300Sandbox) -> None:
    assert sandbox.settings["base_url"].startswith("http://127.0.0.1:")
    async with Sage300(sandbox.settings) as package:
        assert package.client is not None


async def test_a_long_retry_after_is_temporary_and_said_once(sandbox: Sage300Sandbox) -> None:
    sandbox.faults.throttle_next, sandbox.faults.retry_after = 1, 3600
    with pytest.raises(TemporaryFailure) as info:
        async with Sage300(sandbox.settings):
            pass
    text = str(info.value)
    assert text.count("Sage 300 answered") == 1 and text.count("Try again later") == 1
    assert "address" not in text and "asked to wait 3600 s" in text


async def test_busy_through_the_retries_is_temporary(sandbox: Sage300Sandbox) -> None:
    async with Sage300({**sandbox.settings}) as package:
        assert package.client is not None
        package.client.retry = type(package.client.retry)(attempts=2, base_delay=0.01, max_delay=0.02)
        sandbox.faults.retry_after = 0
        sandbox.faults.only("GET", "GLAccounts").throttle_next = 5
        with pytest.raises(TemporaryFailure) as info:
            await package.reference()
    text = str(info.value)
    assert "busy (HTTP 429" in text and text.count("Try again later") == 1 and "address" not in text
    assert isinstance(info.value, PackageError)


async def test_an_unreadable_ca_bundle_is_a_configuration_error(tls_server: str, tmp_path: Path) -> None:
    with pytest.raises(PackageError) as info:
        async with Sage300(_settings(tls_server, ca_bundle=str(tmp_path / "missing.pem"))):
            pass
    assert "CA bundle" in str(info.value) and not isinstance(info.value, TemporaryFailure)


async def test_no_server_at_the_address_is_temporary() -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TemporaryFailure) as info:
        async with Sage300(_settings(f"http://127.0.0.1:{port}/Sage300WebApi", timeout_seconds=5)):
            pass
    assert isinstance(info.value, PackageError) and "Cannot reach the Sage 300 Web API" in str(info.value)
