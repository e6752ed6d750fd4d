"""Telling a refused TLS certificate from an outage, on a real TLS handshake over loopback."""

from __future__ import annotations

import httpx
import pytest

from mobius_tui.wire.errors import CertificateError, TemporaryFailure, certificate_advice, certificate_failure
from tests.wire.tls_server import untrusted_tls_server


def test_a_self_signed_certificate_is_recognised_through_httpx(tmp_path):
    with untrusted_tls_server(tmp_path) as server:
        with pytest.raises(httpx.ConnectError) as info:
            httpx.get(server.url, timeout=10)
    reason = certificate_failure(info.value)
    assert reason is not None and "self-signed" in reason, reason
    advice = certificate_advice("127.0.0.1", reason)
    assert "not an outage" in advice and "SSL_CERT_FILE" in advice


def test_other_connection_failures_are_not_certificate_failures():
    with pytest.raises(httpx.ConnectError) as info:
        httpx.get("http://127.0.0.1:9/", timeout=5)  # nothing listens on port 9
    assert certificate_failure(info.value) is None
    assert certificate_failure(ValueError("CERTIFICATE")) is None


def test_the_two_kinds_are_distinct():
    assert not issubclass(TemporaryFailure, CertificateError) and not issubclass(CertificateError, TemporaryFailure)
