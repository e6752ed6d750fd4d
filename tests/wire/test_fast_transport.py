"""AiohttpTransport against real loopback servers: answers, keep-alive, streaming, and every
failure raised as the httpx exception the retry code expects."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading

import httpx
import pytest
from multidict import CIMultiDict
from yarl import URL

from tests.wire.asgi_body import read_body
from mobius_tui.sandbox.server import DropConnection, serve
from mobius_tui.wire.errors import certificate_failure
from mobius_tui.wire.fast_transport import AiohttpTransport, Answer, timeout_of
from mobius_tui.wire.retry import NOT_SENT_ERRORS
from tests.wire.tls_server import untrusted_tls_server


class App:
    """Answers by path; records (method, path, client port) of every request it gets."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []
        self.release = threading.Event()  # the server runs in its own thread

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        path = scope["path"]
        self.seen.append((scope["method"], path, scope["client"][1]))

        async def answer(status: int, content: bytes, *headers: tuple[bytes, bytes], more: bool = False) -> None:
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"), *headers]})
            await send({"type": "http.response.body", "body": content, "more_body": more})

        if path == "/echo":
            await answer(201, json.dumps({"method": scope["method"], "body": body.decode(),
                                          "headers": {k.decode(): v.decode() for k, v in scope["headers"]}}).encode())
        elif path == "/gzip":
            await answer(200, gzip.compress(b'{"amount":"12.50"}'), (b"content-encoding", b"gzip"))
        elif path == "/drop":
            raise DropConnection()
        elif path == "/stream":
            await answer(200, b'{"first":', more=True)
            for _ in range(500):  # the rest comes only once the client has read the start
                if self.release.is_set():
                    break
                await asyncio.sleep(0.01)
            await send({"type": "http.response.body", "body": b'"done"}'})
        elif path == "/cut":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b"x" * 10, "more_body": True})
            raise DropConnection()
        elif path == "/slow":
            await asyncio.sleep(1.0)
            await answer(200, b"{}")
        else:
            await answer(404, b'{"code":"NotFound"}')


@pytest.fixture
def app():
    app = App()
    with serve(app) as server:
        app.url = server.url
        yield app


def client(**kwargs) -> httpx.AsyncClient:  # noqa: ANN003
    timeout = kwargs.pop("timeout", httpx.Timeout(5.0))
    return httpx.AsyncClient(transport=AiohttpTransport(**kwargs), trust_env=False, timeout=timeout)


async def test_answers_headers_body_and_keep_alive(app) -> None:
    async with client() as http:
        for n in range(3):
            response = await http.post(f"{app.url}/echo", json={"n": n}, headers={"clientId": "abc"})
            assert response.status_code == 201
            answer = response.json()
            assert answer["method"] == "POST" and json.loads(answer["body"]) == {"n": n}
            assert answer["headers"]["clientid"] == "abc" and answer["headers"]["content-type"] == "application/json"
            assert response.headers["content-type"] == "application/json"
        assert (await http.get(f"{app.url}/nothing")).status_code == 404
    assert len({port for _, _, port in app.seen}) == 1  # one connection, kept alive


async def test_content_encoding_is_left_to_httpx(app) -> None:
    async with client() as http:
        response = await http.get(f"{app.url}/gzip")
    assert response.json() == {"amount": "12.50"}


async def test_the_body_streams_as_it_arrives(app) -> None:
    async with client() as http:
        async with http.stream("GET", f"{app.url}/stream") as response:
            chunks = response.aiter_bytes()
            first = await asyncio.wait_for(chunks.__anext__(), 3)  # before the server sent the rest
            assert first == b'{"first":'
            app.release.set()
            rest = b"".join([c async for c in chunks])
    assert json.loads(first + rest) == {"first": "done"}


async def test_send_answers_without_httpx_objects_with_the_same_errors(app) -> None:
    transport = AiohttpTransport()
    timeout = timeout_of(httpx.Timeout(5.0, read=0.2).as_dict())
    headers = CIMultiDict({"Content-Type": "application/json", "clientId": "abc"})

    async def send(method: str, path: str, content: bytes | None = None) -> Answer:
        return await transport.send(method, URL(f"{app.url}{path}", encoded=True), headers, content, timeout)

    try:
        for n in range(3):
            echoed = await send("POST", "/echo", json.dumps({"n": n}).encode())
            assert echoed.status_code == 201 and echoed.headers["Content-Type"] == "application/json"
            seen = json.loads(echoed.content)
            assert json.loads(seen["body"]) == {"n": n} and seen["headers"]["clientid"] == "abc"
            assert seen["headers"]["content-length"] == str(len(seen["body"])) and seen["headers"]["host"]
        assert json.loads((await send("GET", "/gzip")).content) == {"amount": "12.50"}  # decoded, as httpx does
        missing = await send("GET", "/nothing")
        assert (missing.status_code, missing.reason_phrase, missing.text) == (404, "Not Found", '{"code":"NotFound"}')
        assert len({port for _, _, port in app.seen}) == 1  # every body read: the connection went back
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await send("GET", "/cut")
        with pytest.raises(httpx.RemoteProtocolError) as dropped:
            await send("DELETE", "/drop")
        assert dropped.value.request.method == "DELETE" and dropped.value.__cause__ is not None
        with pytest.raises(httpx.ReadTimeout):
            await send("GET", "/slow")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))  # bound, not listening: refused
            with pytest.raises(httpx.ConnectError) as refused:
                await transport.send("POST", URL(f"http://127.0.0.1:{s.getsockname()[1]}/x"), headers, b"{}",
                                     timeout)
        assert isinstance(refused.value, NOT_SENT_ERRORS)
    finally:
        await transport.aclose()
    assert [m for m, p, _ in app.seen if p == "/drop"] == ["DELETE"]  # never repeated by aiohttp


async def test_refused_connection_is_a_connect_error_not_sent() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        async with client() as http:
            with pytest.raises(httpx.ConnectError) as info:
                await http.get(f"http://127.0.0.1:{port}/")
    assert isinstance(info.value, NOT_SENT_ERRORS)


async def test_dropped_connection_is_a_remote_protocol_error_and_never_repeated(app) -> None:
    async with client() as http:
        await http.get(f"{app.url}/echo")  # a kept-alive connection, which aiohttp would retry on
        with pytest.raises(httpx.RemoteProtocolError):
            await http.delete(f"{app.url}/drop")
    assert [m for m, p, _ in app.seen if p == "/drop"] == ["DELETE"]  # the caller decides about repeating


async def test_body_cut_off_is_a_transport_error(app) -> None:
    async with client() as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await http.get(f"{app.url}/cut")


async def test_read_timeout(app) -> None:
    async with client(timeout=httpx.Timeout(5.0, read=0.2)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{app.url}/slow")


async def test_waiting_for_a_pooled_connection_times_out_as_not_sent(app) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with client(limits=limits, timeout=httpx.Timeout(5.0, connect=0.1, pool=0.1)) as http:
        slow = asyncio.create_task(http.get(f"{app.url}/slow"))
        await asyncio.sleep(0.2)  # holds the only connection
        with pytest.raises(httpx.ConnectTimeout) as info:
            await http.get(f"{app.url}/echo")
        assert isinstance(info.value, NOT_SENT_ERRORS)
        assert (await slow).status_code == 200


async def test_untrusted_certificate_is_refused_as_httpx_refuses_it(tmp_path) -> None:
    with untrusted_tls_server(tmp_path) as server:
        async with client() as http:
            with pytest.raises(httpx.ConnectError) as info:
                await http.get(f"{server.url}/")
        assert certificate_failure(info.value) is not None
        async with client(verify=str(server.cert)) as http:  # trusted: the handshake passes
            with pytest.raises(httpx.TransportError) as info:
                await http.get(f"{server.url}/")
        assert certificate_failure(info.value) is None


def test_proxies_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = AiohttpTransport()
    proxy, auth = transport._proxy(httpx.URL("https://api-na.example/v4_6_release/apis/3.0"))
    assert str(proxy) == "http://proxy.example:3128" and auth == {"Proxy-Authorization": "Basic dXNlcjpzZWNyZXQ="}
    assert transport._proxy(httpx.URL("https://internal.example/x")) == (None, None)
    assert transport._proxy(httpx.URL("http://plain.example/x")) == (None, None)
    assert AiohttpTransport(trust_env=False)._proxies == {}
