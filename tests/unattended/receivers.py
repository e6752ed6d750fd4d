"""Real receivers on loopback for alert tests: an SMTP server (aiosmtpd) and an HTTP server that
keeps every JSON POST."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (user, accepted)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802 - aiosmtpd hook
        self.box.messages.append(email.message_from_bytes(envelope.original_content, policy=default))
        self.box.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextmanager
def smtp_server(user: str = "", password: str = "") -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1; with ``user``, a login is required and only ``password`` passes."""
    box = Mailbox("127.0.0.1", free_port())

    def authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        box.logins.append((auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "", ok))
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

    # PLAIN only: one attempt per login, so a refusal comes back at once
    extra = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False,
             "auth_exclude_mechanism": ["LOGIN"]} if user else {}
    controller = Controller(_Handler(box), hostname=box.host, port=box.port, **extra)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Receiver:
    url: str
    posts: list[dict] = field(default_factory=list)
    status: int = 200


@contextmanager
def webhook_receiver(status: int = 200) -> Iterator[Receiver]:
    receiver = Receiver("", status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server hook
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.posts.append({"content_type": self.headers.get("Content-Type"), "json": json.loads(body)})
            reply = b"ok" if receiver.status < 300 else b"internal error"
            self.send_response(receiver.status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/secret-token-4f1c"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
