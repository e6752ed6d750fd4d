"""Where the Sage sign-in is kept, and the one place that refreshes it.

Sage's refresh token rotates: every refresh returns a new one and the old one is dead. Two
processes refreshing with the same token, or a process that refreshes and then loses the answer,
lock the user out. So:

* the whole token set (access + refresh + expiries) is one keyring entry, written in one call
  (``mobius-tui`` / ``<profile>:oauth_tokens``, next to the profile's other secrets);
* a refresh happens under an exclusive file lock shared by every process on the machine, and
  re-reads the keyring once it holds the lock: if another process refreshed meanwhile, its
  tokens are used and no refresh is sent;
* the new set is saved before the lock is released.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import httpx
import platformdirs

from mobius_tui.accounting.sage_cloud.oauth import AuthorizationNeeded, OAuthConfig, Tokens, refresh

KEYRING_SERVICE = "mobius-tui"  # the service name of every secret of the product
TOKEN_FIELD = "oauth_tokens"


class TokenVault(Protocol):
    def load(self) -> Tokens | None: ...

    def save(self, tokens: Tokens) -> None: ...

    def clear(self) -> None: ...

    @contextmanager
    def locked(self) -> Iterator[None]: ...


class VaultUnavailable(Exception):
    """No keyring can keep the sign-in here."""


def lock_file(key: str) -> Path:
    """The lock file serialising refreshes of one sign-in (in the product's data folder)."""
    root = Path(os.environ.get("MOBIUS_TUI_DATA_DIR") or platformdirs.user_data_dir("mobius-tui"))
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
    return root / "locks" / f"sage-cloud-{safe}.oauth.lock"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class KeyringVault:
    """The token set in the OS keyring, under the profile's name."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.username = f"{key}:{TOKEN_FIELD}"

    def _keyring(self):  # noqa: ANN202
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or float(getattr(backend, "priority", 1)) < 1:
            raise VaultUnavailable(
                "Sage Business Cloud keeps its sign-in in the keyring because the refresh token changes on every "
                "refresh (an environment variable cannot be updated), and no usable keyring exists here. Run on a "
                "machine or session with a keyring (over SSH: an unlocked Secret Service, e.g. gnome-keyring).")
        return keyring

    def load(self) -> Tokens | None:
        raw = self._keyring().get_password(KEYRING_SERVICE, self.username)
        if not raw:
            return None
        try:
            return Tokens.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            return None

    def save(self, tokens: Tokens) -> None:
        self._keyring().set_password(KEYRING_SERVICE, self.username, json.dumps(tokens.to_json()))

    def clear(self) -> None:
        try:
            self._keyring().delete_password(KEYRING_SERVICE, self.username)
        except Exception:
            pass  # nothing stored is fine

    @contextmanager
    def locked(self) -> Iterator[None]:
        with file_lock(lock_file(self.key)):
            yield


class MemoryVault:
    """Tokens held by this process only (the demo's throw-away sign-in; adapter tests)."""

    def __init__(self, tokens: Tokens | None = None) -> None:
        self.tokens = tokens

    def load(self) -> Tokens | None:
        return self.tokens

    def save(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def clear(self) -> None:
        self.tokens = None

    @contextmanager
    def locked(self) -> Iterator[None]:
        yield


# Sign-in names whose tokens this process keeps itself instead of the keyring (the demo's profile).
_IN_PROCESS: dict[str, TokenVault] = {}


def keep_in_process(key: str, vault: TokenVault | None = None) -> TokenVault:
    return _IN_PROCESS.setdefault(key, vault or MemoryVault())


def vault_for(key: str) -> TokenVault:
    return _IN_PROCESS.get(key) or KeyringVault(key)


class TokenSource:
    """Gives a valid access token, refreshing it (serialised, rotation-safe) when it is about to lapse."""

    def __init__(self, config: OAuthConfig, vault: TokenVault, http: httpx.AsyncClient) -> None:
        self.config = config
        self.vault = vault
        self.http = http
        self._tokens: Tokens | None = None
        self._lock = asyncio.Lock()
        self.refreshed = 0  # refreshes this source sent

    @property
    def current(self) -> Tokens | None:
        return self._tokens

    async def access_token(self) -> str:
        tokens = self._tokens
        if tokens is None:
            tokens = self._tokens = await asyncio.to_thread(self._load)
        if tokens.fresh():
            return tokens.access_token
        return (await self.renew(tokens.access_token)).access_token

    def _load(self) -> Tokens:
        tokens = self.vault.load()
        if tokens is None:
            raise AuthorizationNeeded("This profile has not been authorised with Sage yet.")
        return tokens

    async def renew(self, stale: str) -> Tokens:
        """New tokens because ``stale`` lapsed or was refused (401). One refresh at a time, on this
        machine; a refresh another task or process already made is taken instead of refreshing again."""
        async with self._lock:
            if self._tokens is not None and self._tokens.access_token != stale and self._tokens.fresh():
                return self._tokens
            path_lock = self.vault.locked()
            await asyncio.to_thread(path_lock.__enter__)
            try:
                current = await asyncio.to_thread(self._load)
                if current.access_token != stale and current.fresh():
                    self._tokens = current
                    return current
                if current.refresh_expires_at <= time.time():
                    raise AuthorizationNeeded("The Sage sign-in has expired (refresh tokens live 31 days).")
                new = await refresh(self.http, self.config, current.refresh_token)
                # Saved before the lock is let go: the old refresh token is already dead.
                await asyncio.to_thread(self.vault.save, new)
                self.refreshed += 1
                self._tokens = new
                return new
            finally:
                path_lock.__exit__(None, None, None)
