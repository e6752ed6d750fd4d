"""The two kinds of failure every client tells apart from the rest, whichever system it talks to.

A caller (the command line, a screen) needs to know whether to try again later or to fix the
setup: :class:`TemporaryFailure` is the first, :class:`CertificateError` is always the second.
Each client raises its own error classes and mixes one of these in.
"""

from __future__ import annotations

import ssl


class TemporaryFailure(Exception):
    """The system could not be reached or kept failing after the retries (dropped connections,
    429, 503), or asked to wait longer than the client waits. Nothing in the setup is wrong:
    the same run will work once the system answers again."""


class CertificateError(Exception):
    """The server's TLS certificate was not accepted (self-signed, issued by a private authority,
    expired, or for another host name). A setup problem, never retried: repeating the request
    cannot change the certificate."""


def certificate_failure(exc: BaseException) -> str | None:
    """Why the TLS certificate behind ``exc`` was refused, or None when ``exc`` is not about one.

    httpx wraps the ``ssl`` error (``httpx.ConnectError`` ← httpcore ← ``ssl.SSLCertVerificationError``),
    so the whole chain of causes is searched."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            text = str(current)
            return text.split("certificate verify failed:", 1)[-1].split("(_ssl", 1)[0].strip() or text
        current = current.__cause__ or current.__context__
    return None


def certificate_advice(host: str, reason: str) -> str:
    """The one sentence every client says about a refused certificate."""
    return (
        f"The TLS certificate of {host} was not accepted ({reason}). This is a setup problem, not an outage: "
        "check that the address is the server's real host name and that its certificate has not expired; "
        "if the certificate comes from a private authority, set the environment variable SSL_CERT_FILE "
        "to a PEM bundle that holds that authority."
    )
