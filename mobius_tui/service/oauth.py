"""Authorising a profile whose package signs in with OAuth 2.0 (Sage Business Cloud Accounting).

Built for people on SSH: the screen or the command line shows the sign-in address (also offered
to the terminal's clipboard), the person opens it in any browser, allows access, and pastes the
address the browser lands on (or just the code) back. Where the browser runs on this machine, a
one-shot listener on the callback's 127.0.0.1 port catches the redirect instead.

    auth = start(profile, secrets)
    print(auth.url, CODE_NOTICE)
    businesses = await complete(auth, pasted)          # tokens saved in the keyring
    choose_business(auth.profile, businesses[0][0])    # saved in the profile

The package class provides the protocol (``begin_authorization``, ``finish_authorization``,
``businesses``); this module keeps the profile and the wording.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlparse

from mobius_tui.accounting.base import AccountingPackage, PackageError
from mobius_tui.service import packages
from mobius_tui.service.errors import LoginError
from mobius_tui.service.profiles import Profile, ProfileError, save_profile
from mobius_tui.service.secrets import Secrets, redact
from mobius_tui.service.session import package_values

CODE_NOTICE = ("After you allow access, paste the address your browser lands on (or just its code) within 60 "
               "seconds: Sage's code expires after one minute and works once. If it has expired, start the "
               "authorisation again.")
AUTHORISE_AGAIN = "The Sage sign-in has lapsed: authorise again (mobius-tui profiles authorize {name})."


def supports_oauth(package_cls: type[AccountingPackage] | None) -> bool:
    return package_cls is not None and hasattr(package_cls, "begin_authorization")


@dataclass
class Authorization:
    profile: Profile
    package_cls: Any
    values: dict[str, Any]
    pending: Any  # the package's pending authorization: url, state, started
    redact: list[str]

    @property
    def url(self) -> str:
        return self.pending.url

    @property
    def redirect_uri(self) -> str:
        return str(self.values.get("redirect_uri") or "")


def _package(profile: Profile) -> Any:
    package_cls = packages.package_class(profile.package)
    if not supports_oauth(package_cls):
        raise ProfileError(f"Profile {profile.name!r} uses {package_cls.label}, which signs in without "
                           "authorising; there is nothing to authorise.")
    return package_cls


def start(profile: Profile, secrets: Secrets) -> Authorization:
    package_cls = _package(profile)
    values = package_values(profile, package_cls, secrets)
    try:
        pending = package_cls.begin_authorization(values)
    except PackageError as exc:
        raise LoginError(package_cls.label, str(exc)) from None
    return Authorization(profile, package_cls, values, pending, secrets.values_for_redaction())


async def complete(auth: Authorization, pasted: str) -> list[tuple[str, str]]:
    """Trade what was pasted for tokens (kept in the keyring under the profile's name), record that
    name in the profile, and return the businesses the user reaches: (id, name)."""
    try:
        businesses = await auth.package_cls.finish_authorization(auth.values, auth.profile.name, auth.pending, pasted)
    except PackageError as exc:
        raise LoginError(auth.package_cls.label, redact(str(exc), auth.redact)) from None
    values = dict(auth.profile.package_values)
    values["token_key"] = auth.profile.name
    auth.profile = replace(auth.profile, package_values=values)
    save_profile(auth.profile, auth.package_cls)
    return businesses


def choose_business(profile: Profile, business_id: str, businesses: list[tuple[str, str]]) -> Profile:
    if business_id not in {b for b, _ in businesses}:
        known = ", ".join(f"{b} ({name})" for b, name in businesses) or "none"
        raise ProfileError(f"Business {business_id!r} is not one this sign-in reaches ({known}).")
    package_cls = _package(profile)
    updated = replace(profile, package_values={**profile.package_values, "business_id": business_id})
    save_profile(updated, package_cls)
    return updated


def authorize_unattended(profile: Profile, secrets: Secrets, approve: Callable[[str], str]) -> Profile:
    """Authorise where a program, not a person, allows access (the demo on its sandbox's consent
    page). The sign-in is kept by this process only, and the first business is chosen."""
    package_cls = _package(profile)
    package_cls.keep_sign_in_in_process(profile.name)
    auth = start(profile, secrets)
    result: dict[str, Any] = {}

    def run() -> None:  # its own event loop: the caller may be inside one
        try:
            result["businesses"] = asyncio.run(complete(auth, approve(auth.url)))
        except BaseException as exc:  # handed to the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=run, name="oauth-unattended")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    businesses = result["businesses"]
    return choose_business(auth.profile, businesses[0][0], businesses)


def clipboard_escape(text: str) -> str:
    """OSC 52: terminals that support it put ``text`` on the clipboard (others ignore it)."""
    return f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\x07"


async def listen_for_redirect(redirect_uri: str, timeout: float = 300.0) -> str:
    """Serve one request on the callback's loopback port and return the full redirect address."""
    parsed = urlparse(redirect_uri)
    host = parsed.hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise LoginError("profile", f"The callback {redirect_uri} is not on this machine; paste the address instead.")
    got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await reader.readline()).decode("latin-1")
            while (await reader.readline()).strip():
                pass
            target = line.split(" ")[1] if line.count(" ") >= 2 else "/"
            body = b"<!doctype html><p>Mobius TUI has the sign-in. You can close this window.</p>"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
            if not got.done():
                got.set_result(f"{parsed.scheme}://{parsed.netloc}{target}")
        finally:
            writer.close()

    server = await asyncio.start_server(one, "127.0.0.1" if host == "localhost" else host, parsed.port or 80)
    try:
        return await asyncio.wait_for(got, timeout)
    except TimeoutError:
        raise LoginError("profile", f"No browser came back to {redirect_uri} within {timeout:.0f} s; "
                                    "authorise again.") from None
    finally:
        server.close()
        await server.wait_closed()
