"""Retry, auth-header and error behaviour of the transport, against httpx.MockTransport."""

import base64
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.manage.manage_mock import BASE, Recorder, settings
from mobius_tui.manage import (
    AuthenticationFailed,
    ConfigurationError,
    ImpersonationCredentials,
    ManageClient,
    NotFound,
    RetryPolicy,
    Unavailable,
)
from mobius_tui.manage.models import CreateAccountingBatchRequest

INFO = httpx.Response(200, json={"version": "v2025.1", "isCloud": False})


async def test_headers_and_api_key_auth():
    rec = Recorder(INFO)
    async with rec.client() as manage:
        info = await manage.system_info()
    assert info.version == "v2025.1"
    (request,) = rec.requests
    assert str(request.url) == f"{BASE}/system/info"
    assert request.headers["clientId"] == "b5c7c2b1-0000-4000-8000-000000000001"
    assert request.headers["Accept"] == "application/vnd.connectwise.com+json; version=2025.1"
    user = base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode()
    assert user == "acme+pub:priv-SECRET"
    assert "x-cw-usertype" not in request.headers


async def test_429_honours_retry_after_then_succeeds(caplog):
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(503), INFO)
    with caplog.at_level(logging.WARNING, logger="mobius_tui.manage"):
        async with rec.client() as manage:
            await manage.system_info()
    assert len(rec.requests) == 3
    assert rec.waits[0] == 7
    assert 0.5 <= rec.waits[1] <= 1.0  # second backoff step: half to full of 2 x base delay
    assert "HTTP 429; retry 1 of 3" in caplog.text and "HTTP 503; retry 2 of 3" in caplog.text
    assert "priv-SECRET" not in caplog.text and "Authorization" not in caplog.text


async def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=4)
    waits = [policy.backoff(n) for n in range(1, 8)]
    for n, wait in enumerate(waits, start=1):
        ceiling = min(4, 0.5 * 2 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling


async def test_gives_up_with_a_clear_error():
    rec = Recorder(httpx.Response(502, text="<html><title>Bad gateway</title></html>"))
    async with rec.client() as manage:
        with pytest.raises(Unavailable) as info:
            await manage.system_info()
    assert len(rec.requests) == 4 and len(rec.waits) == 3
    message = str(info.value)
    assert "GET manage.example.com/v4_6_release/apis/3.0/system/info" in message
    assert "502" in message and "Bad gateway" in message and "after 4 attempts" in message


async def test_overlong_retry_after_is_not_waited_for():
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}))
    async with rec.client() as manage:
        with pytest.raises(Unavailable, match="wait 3600 s"):
            await manage.system_info()
    assert rec.waits == []


async def test_connection_errors_are_retried_then_reported():
    rec = Recorder(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), INFO)
    async with rec.client() as manage:
        await manage.system_info()
    assert len(rec.requests) == 3

    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    async with rec.client() as manage:
        with pytest.raises(Unavailable, match="could not be reached .* after 4 attempts .*refused"):
            await manage.system_info()


async def test_batch_post_is_not_repeated_blindly():
    batch = {"id": 9, "batchIdentifier": "B1", "exportInvoicesFlag": True}
    rec = Recorder(
        httpx.ReadTimeout("no answer"),  # POST: the server may have created it
        httpx.Response(200, json=[batch]),  # look-up by identifier finds it
    )
    request = CreateAccountingBatchRequest(batchIdentifier="B1", exportInvoicesFlag=True, processedRecordIds=[1, 2])
    async with rec.client() as manage:
        created, ours = await manage.create_batch(request)
    assert created.id == 9 and not ours  # the POST may have failed and another run created it: checked
    methods = [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in rec.requests]
    assert methods == [("POST", "batches"), ("GET", "batches")]
    assert rec.requests[1].url.params["conditions"] == 'batchIdentifier = "B1"'


async def test_batch_post_resent_only_after_lookup_finds_nothing():
    batch = {"id": 9, "batchIdentifier": "B1", "exportInvoicesFlag": True}
    rec = Recorder(
        httpx.Response(502),
        httpx.Response(200, json=[]),
        httpx.Response(201, json={}),
        httpx.Response(200, json=[batch]),
    )
    request = CreateAccountingBatchRequest(batchIdentifier="B1", exportInvoicesFlag=True, processedRecordIds=[1])
    async with rec.client() as manage:
        created, ours = await manage.create_batch(request)
    # the resend's answer was empty but 2xx: found by identifier, the only one there, so the one it created
    assert created.batchIdentifier == "B1" and ours
    assert [r.method for r in rec.requests] == ["POST", "GET", "POST", "GET"]
    assert json.loads(rec.requests[2].content)["processedRecordIds"] == [1]


async def test_codebase_lookup_and_reresolve_on_unexpected_404():
    infos = iter(["v2024_1/", "v2025_1/"])

    def company_info(request):
        return httpx.Response(200, json={"CompanyName": "Acme", "Codebase": next(infos), "IsCloud": True})

    def api(request):
        if request.url.path.startswith("/v2024_1/"):
            return httpx.Response(404, text="Cannot route. Codebase/company is invalid")
        return INFO

    rec = Recorder(lambda r: company_info(r) if r.url.path.startswith("/login/") else api(r))
    async with rec.client(codebase=None, site="na.myconnectwise.net") as manage:
        await manage.system_info()
    paths = [r.url.path for r in rec.requests]
    assert paths == [
        "/login/companyinfo/acme",
        "/v2024_1/apis/3.0/system/info",
        "/login/companyinfo/acme",
        "/v2025_1/apis/3.0/system/info",
    ]
    assert rec.requests[0].url.host == "api-na.myconnectwise.net"
    assert "Authorization" not in rec.requests[0].headers


async def test_json_404_is_a_plain_not_found():
    rec = Recorder(httpx.Response(404, json={"code": "NotFound", "message": "Batch 5 not found"}))
    async with rec.client() as manage:
        with pytest.raises(NotFound, match="Batch 5 not found"):
            await manage.batch(5)
    assert len(rec.requests) == 1


async def test_unknown_company_is_a_configuration_error():
    rec = Recorder(httpx.Response(200, text="Cannot route. Codebase/company is invalid"))
    async with rec.client(codebase=None) as manage:
        with pytest.raises(ConfigurationError, match="does not know the company id 'acme'"):
            await manage.system_info()


async def test_member_impersonation_token_flow_and_renewal():
    issued = []

    def handler(request):
        if request.url.path.endswith("/tokens"):
            n = len(issued) + 1
            issued.append(request)
            expires = datetime.now(UTC) + (timedelta(seconds=-60) if n == 1 else timedelta(hours=1))
            return httpx.Response(
                200, json={"publicKey": f"mpub{n}", "privateKey": f"mpriv{n}", "expiration": expires.isoformat()}
            )
        return INFO

    rec = Recorder(handler)
    creds = ImpersonationCredentials("integrator", "int-SECRET", "jdoe")
    async with rec.client(credentials=creds) as manage:
        await manage.system_info()  # token 1 (already expired: renewed next time)
        await manage.system_info()  # token 2
        await manage.system_info()  # token 2 reused
    token_call = issued[0]
    assert token_call.method == "POST" and token_call.url.path == "/v4_6_release/apis/3.0/system/members/jdoe/tokens"
    assert token_call.headers["x-cw-usertype"] == "integrator"
    assert base64.b64decode(token_call.headers["Authorization"][6:]).decode() == "acme+integrator:int-SECRET"
    assert len(issued) == 2
    api_calls = [r for r in rec.requests if not r.url.path.endswith("/tokens")]
    assert [r.headers["x-cw-usertype"] for r in api_calls] == ["member"] * 3
    users = [base64.b64decode(r.headers["Authorization"][6:]).decode() for r in api_calls]
    assert users == ["acme+mpub1:mpriv1", "acme+mpub2:mpriv2", "acme+mpub2:mpriv2"]


async def test_wrong_keys_are_reported_without_secrets():
    rec = Recorder(httpx.Response(401, json={"code": "ConnectWiseApi", "message": "UserNotAuthenticated"}))
    async with rec.client() as manage:
        with pytest.raises(AuthenticationFailed) as info:
            await manage.system_info()
    assert "UserNotAuthenticated" in str(info.value) and "API Keys" in str(info.value)
    assert "priv-SECRET" not in str(info.value) and "priv-SECRET" not in repr(info.value)
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"client_id": ""}, "client id is empty"),
        ({"company_id": "ac me"}, "company id"),
        ({"site": "http://manage.example.com"}, "unencrypted"),
        ({"page_size": 5000}, "page size"),
    ],
)
def test_bad_settings_refused(overrides, says):
    with pytest.raises(ConfigurationError, match=says):
        ManageClient(settings(**overrides))


def test_settings_repr_hides_secrets():
    assert "priv-SECRET" not in repr(settings())


@pytest.mark.parametrize("tail", ["/apis/3.0/finance/invoices/5/payments", "/a%20b/c?conditions=x%3D1#f", "/x#y?z",
                                  "/", ":443/other", "/p?q"])
def test_the_path_named_in_messages_is_the_urls_path(tail):
    from urllib.parse import urlsplit

    from mobius_tui.manage.transport import ManageTransport

    transport = ManageTransport(settings())
    url = transport.site.origin + tail
    assert transport._path_of(url) == urlsplit(url).path
    assert transport._path_of("https://elsewhere.example.com/x?y") == "/x"
