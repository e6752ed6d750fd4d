"""Authorising a profile against the sandbox's real token flow, refreshing, and rotation across processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mobius_tui.accounting.base import PackageError
from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.tokens import KeyringVault
from mobius_tui.sandbox.sage_cloud import SageCloudSandbox, create_sandbox
from mobius_tui.service import oauth
from mobius_tui.service.errors import LoginError
from mobius_tui.service.profiles import Profile, load_profile, save_profile
from mobius_tui.service.secrets import Secrets

ROOT = Path(__file__).resolve().parents[2]


def make_profile(sb: SageCloudSandbox, name: str = "cloud") -> Profile:
    values = {k: v for k, v in sb.package_values.items() if k != "business_id"} | {"requests_per_minute": 0}
    profile = Profile(name=name, site="example.invalid", company_id="acme", client_id="cid", public_key="pub",
                      package="sage_cloud", package_values=values)
    save_profile(profile, SageCloud)
    return profile


def secrets_of(sb: SageCloudSandbox) -> Secrets:
    return Secrets(sb.secrets)


async def authorised(sb: SageCloudSandbox, name: str = "cloud") -> Profile:
    auth = oauth.start(make_profile(sb, name), secrets_of(sb))
    businesses = await oauth.complete(auth, sb.approve(auth.url))
    return oauth.choose_business(auth.profile, businesses[0][0], businesses)


async def test_authorise_by_pasting_the_redirect_then_choose_a_business(sandbox, app_dirs, file_keyring, registered):
    auth = oauth.start(make_profile(sandbox), secrets_of(sandbox))
    assert "state=" in auth.url and "scope=full_access" in auth.url and "filter=apiv3.1" in auth.url
    redirect = sandbox.approve(auth.url)
    businesses = await oauth.complete(auth, "  " + redirect + "\n")
    assert [name for _, name in businesses] == ["Sample MSP Ltd.", "Sample MSP Holdings Inc."]
    profile = oauth.choose_business(auth.profile, businesses[1][0], businesses)
    stored = load_profile("cloud")
    assert stored.package_values["business_id"] == businesses[1][0] == profile.package_values["business_id"]
    assert stored.package_values["token_key"] == "cloud"
    tokens = KeyringVault("cloud").load()
    assert tokens is not None and tokens.fresh()
    text = (Path(app_dirs[0]) / "profiles.json").read_text()
    assert tokens.refresh_token not in text and tokens.access_token not in text
    assert sandbox.secrets["client_secret"] not in text
    with pytest.raises(Exception, match="not one this sign-in reaches"):
        oauth.choose_business(profile, "f" * 32, businesses)


async def test_bare_code_works_and_bad_pastes_are_refused(sandbox, app_dirs, file_keyring, registered):
    auth = oauth.start(make_profile(sandbox), secrets_of(sandbox))
    code = httpx.URL(sandbox.approve(auth.url)).params["code"]
    assert await oauth.complete(auth, code)

    other = oauth.start(make_profile(sandbox), secrets_of(sandbox))
    foreign = sandbox.approve(auth.url)  # approved for the first sign-in: its state is not this one's
    with pytest.raises(LoginError, match="another sign-in"):
        await oauth.complete(other, foreign)
    with pytest.raises(LoginError, match="no code="):
        await oauth.complete(other, "http://127.0.0.1:8765/callback?state=" + other.pending.state)
    reused = oauth.start(make_profile(sandbox), secrets_of(sandbox))
    used = sandbox.approve(reused.url)
    await oauth.complete(reused, used)
    with pytest.raises(LoginError, match="works once"):
        await oauth.complete(reused, used)


async def test_expired_code_and_wrong_client_secret(dataset, app_dirs, file_keyring, registered):
    with create_sandbox(dataset, code_ttl=0.2) as sb:
        auth = oauth.start(make_profile(sb), secrets_of(sb))
        redirect = sb.approve(auth.url)
        await asyncio.sleep(0.3)
        with pytest.raises(LoginError, match="expired") as late:
            await oauth.complete(auth, redirect)
        assert "60 seconds" in str(late.value)
        wrong = oauth.start(make_profile(sb), Secrets({"client_secret": "not-the-secret"}))
        with pytest.raises(LoginError, match="invalid_client"):
            await oauth.complete(wrong, sb.approve(wrong.url))


async def test_token_refreshed_on_401_and_before_expiry(sandbox, app_dirs, file_keyring, registered):
    profile = await authorised(sandbox)
    values = {**profile.package_values, **sandbox.secrets}
    async with SageCloud(values) as package:
        before = KeyringVault("cloud").load()
        sandbox.oauth.expire_access_tokens()  # the server drops it early: a 401, one refresh, the call again
        ref = await package.reference()
        assert ref.base_currency == "CAD" and sandbox.oauth.refreshes == 1
        after = KeyringVault("cloud").load()
        assert after.refresh_token != before.refresh_token
        # Less than a minute left: refreshed before the call, no 401 needed.
        KeyringVault("cloud").save(type(after)(**{**after.to_json(), "expires_at": after.expires_at - 290}))
        package.client.tokens._tokens = None
        await package.reference()
        assert sandbox.oauth.refreshes == 2


async def test_dead_refresh_token_sends_the_user_back_to_authorise(sandbox, app_dirs, file_keyring, registered):
    profile = await authorised(sandbox)
    tokens = KeyringVault("cloud").load()
    httpx.post(sandbox.package_values["revoke_url"], data={"token": tokens.refresh_token})
    with pytest.raises(PackageError, match="Authorise again"):
        async with SageCloud({**profile.package_values, **sandbox.secrets}):
            pass


def test_listener_catches_the_redirect() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def scenario() -> str:
        task = asyncio.create_task(oauth.listen_for_redirect(f"http://127.0.0.1:{port}/callback", timeout=10))
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"http://127.0.0.1:{port}/callback?code=CA/abc&state=s1")
        assert answer.status_code == 200 and "close this window" in answer.text
        return await task

    assert asyncio.run(scenario()) == f"http://127.0.0.1:{port}/callback?code=CA/abc&state=s1"


_REFRESH_CHILD = """
import asyncio, json, sys, time
import httpx
from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.tokens import KeyringVault, TokenSource

values = json.loads(sys.argv[1])
stale = sys.argv[2]
start_at = float(sys.argv[3])

async def main():
    async with httpx.AsyncClient() as http:
        source = TokenSource(SageCloud.oauth_config(values), KeyringVault("cloud"), http)
        while time.time() < start_at:
            await asyncio.sleep(0.005)
        tokens = await source.renew(stale)
        print(json.dumps({"refreshed": source.refreshed, "access": tokens.access_token}))

asyncio.run(main())
"""


async def test_two_processes_refreshing_at_once_keep_a_working_token(sandbox, app_dirs, file_keyring, registered):
    profile = await authorised(sandbox)
    stale = KeyringVault("cloud").load().access_token
    values = json.dumps({**profile.package_values, **sandbox.secrets})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    import time

    start_at = str(time.time() + 1.5)
    children = [subprocess.Popen([sys.executable, "-c", _REFRESH_CHILD, values, stale, start_at], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [c.communicate(timeout=60) for c in children]
    assert all(c.returncode == 0 for c in children), outs
    answers = [json.loads(out) for out, _ in outs]
    # One refreshed; the other found the new tokens in the keyring once it held the lock.
    assert sorted(a["refreshed"] for a in answers) == [0, 1] and sandbox.oauth.refreshes == 1
    assert answers[0]["access"] == answers[1]["access"]
    # The stored refresh token is the live one: the next refresh works.
    async with SageCloud({**profile.package_values, **sandbox.secrets}) as package:
        sandbox.oauth.expire_access_tokens()
        await package.reference()
    assert sandbox.oauth.refreshes == 2


_KILLED_AT_ROTATION_CHILD = """
import asyncio, json, os, signal, sys
import httpx
from mobius_tui.accounting.sage_cloud import SageCloud
from mobius_tui.accounting.sage_cloud.tokens import KeyringVault, TokenSource

values = json.loads(sys.argv[1])

def die(where):  # Sage has rotated the refresh token; the keyring has not been written yet
    if where == "rotated":
        os.kill(os.getpid(), signal.SIGKILL)

async def main():
    async with httpx.AsyncClient() as http:
        source = TokenSource(SageCloud.oauth_config(values), KeyringVault("cloud"), http, checkpoint=die)
        await source.renew(sys.argv[2])

asyncio.run(main())
"""


async def test_a_process_killed_after_the_rotation_leaves_a_sign_in_the_next_one_uses(sandbox, app_dirs,
                                                                                      file_keyring, registered):
    from mobius_tui.accounting.sage_cloud.tokens import pending_file

    profile = await authorised(sandbox)
    before = KeyringVault("cloud").load()
    values = json.dumps({**profile.package_values, **sandbox.secrets})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", _KILLED_AT_ROTATION_CHILD, values, before.access_token], env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -9, child.stderr
    # Sage rotated (the old refresh token is dead), the keyring still holds it: without the
    # write-ahead this sign-in would be lost.
    assert sandbox.oauth.refreshes == 1 and sandbox.oauth.refresh_tokens[before.refresh_token].used
    assert KeyringVault("cloud").load() == before
    staged = pending_file("cloud").read_bytes()
    assert staged and before.refresh_token.encode() not in staged
    assert not any(t.encode() in staged for t in sandbox.oauth.refresh_tokens)  # encrypted, not a token in a file
    # The next process signs in: the rotation is moved into the keyring, and it refreshes from there.
    async with SageCloud({**profile.package_values, **sandbox.secrets}) as package:
        sandbox.oauth.expire_access_tokens()
        await package.reference()
    assert sandbox.oauth.refreshes == 2 and not pending_file("cloud").exists()
    after = KeyringVault("cloud").load()
    assert after.refresh_token not in (before.refresh_token,) and not sandbox.oauth.refresh_tokens[after.refresh_token].used
