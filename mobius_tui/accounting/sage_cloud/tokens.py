"""Where the Sage sign-in is kept, and the one place that refreshes it.

Sage's refresh token rotates: every refresh returns a new one and the old one is dead. Two
processes refreshing with the same token, or a process that refreshes and then loses the answer,
lock the user out. So:

* the whole token set (access + refresh + expiries) is one keyring entry, written in one call
  (``mobius-tui`` / ``<profile>:oauth_tokens``, next to the profile's other secrets);
* a refresh happens under an exclusive file lock shared by every process on the machine, and
  re-reads the keyring once it holds the lock: if another process refreshed meanwhile, its
  tokens are used and no refresh is sent;
* the new set is saved before the lock is released;
* write-ahead: the keyring is slow to write (a D-Bus round trip, a thread hop), and a process
  killed between Sage's answer and that write would lose the only live refresh token. So the
  answer is first written, in the same step that reads it, to a pending file in the data folder
  (fsync'd, renamed into place, encrypted with a key kept in the keyring: no token in any file),
  and removed once the keyring holds the set. Whoever next takes the lock finds a pending set
  that replaces the token the keyring still holds, and moves it into the keyring. The window
  left is between the answer's last byte and that local write (no I/O to another process); a
  kill before the answer arrives is beyond any client's reach when refresh tokens are single-use.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import httpx
from cryptography.fernet import Fernet, InvalidToken

from mobius_tui import paths
from mobius_tui.accounting.sage_cloud.oauth import (
    AuthorizationNeeded,
    OAuthConfig,
    Tokens,
    refresh,
)

KEYRING_SERVICE = "mobius-tui"  # the service name of every secret of the product
TOKEN_FIELD = "oauth_tokens"
PENDING_KEY_FIELD = "oauth_pending_key"  # encrypts the write-ahead file


def fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class TokenVault(Protocol):
    def load(self) -> Tokens | None: ...

    def save(self, tokens: Tokens) -> None: ...

    def clear(self) -> None: ...

    @contextmanager
    def locked(self) -> Iterator[None]: ...

    # Write-ahead of a rotation (no-ops where nothing outlives the process).
    def prepare(self) -> None: ...

    def stage(self, tokens: Tokens, replaces: str) -> None: ...

    def unstage(self) -> None: ...

    def recover(self) -> None: ...


class VaultUnavailable(Exception):
    """No keyring can keep the sign-in here."""


def lock_file(key: str) -> Path:
    """The lock file serialising refreshes of one sign-in, with the product's other locks.

    ``mobius_tui.paths`` is the one definition of the product's folders, below every layer, so the
    sign-in's lock follows ``MOBIUS_TUI_DATA_DIR`` like every lock."""
    return paths.locks_dir() / f"sage-cloud-{_safe(key)}.oauth.lock"


def pending_file(key: str) -> Path:
    """The write-ahead file of a rotation not yet in the keyring (encrypted)."""
    return paths.data_dir() / "sage-cloud" / f"{_safe(key)}.pending"


def _safe(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    paths.ensure_private_dir(path.parent)
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
        pending_file(self.key).unlink(missing_ok=True)  # a rotation left behind must not sign it in again
        try:
            self._keyring().delete_password(KEYRING_SERVICE, self.username)
        except Exception:
            pass  # nothing stored is fine

    @contextmanager
    def locked(self) -> Iterator[None]:
        with file_lock(lock_file(self.key)):
            yield

    # --- write-ahead (called with the lock held) ------------------------------------------------

    def prepare(self) -> None:
        """Have the write-ahead key ready before a refresh is sent (a keyring write after the answer
        would widen the window the write-ahead closes)."""
        name = f"{self.key}:{PENDING_KEY_FIELD}"
        ring = self._keyring()
        key = ring.get_password(KEYRING_SERVICE, name)
        if not key:
            key = Fernet.generate_key().decode()
            ring.set_password(KEYRING_SERVICE, name, key)
        self._fernet = Fernet(key.encode())

    def stage(self, tokens: Tokens, replaces: str) -> None:
        record = json.dumps({"replaces": replaces, "tokens": tokens.to_json()}).encode()
        path = pending_file(self.key)
        paths.ensure_private_dir(path.parent)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, paths.PRIVATE_FILE)
        try:
            os.write(fd, self._fernet.encrypt(record))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)

    def unstage(self) -> None:
        pending_file(self.key).unlink(missing_ok=True)

    def recover(self) -> None:
        """Move a rotation a killed process left in the write-ahead file into the keyring."""
        path = pending_file(self.key)
        if not path.exists():
            return
        key = self._keyring().get_password(KEYRING_SERVICE, f"{self.key}:{PENDING_KEY_FIELD}")
        try:
            record = json.loads(Fernet(key.encode()).decrypt(path.read_bytes())) if key else None
            staged = Tokens.from_json(record["tokens"]) if record else None
        except (InvalidToken, ValueError, KeyError, TypeError):
            staged = None
        current = self.load()
        if staged is not None and (current is None or fingerprint(current.refresh_token) == record["replaces"]):
            self.save(staged)  # the keyring still holds the token that rotation killed
        path.unlink(missing_ok=True)


class MemoryVault:
    """Tokens held by this process only (the demo's throw-away sign-in; adapter tests)."""

    def __init__(self, tokens: Tokens | None = None) -> None:
        self.tokens = tokens

    def prepare(self) -> None:
        pass

    def stage(self, tokens: Tokens, replaces: str) -> None:
        pass

    def unstage(self) -> None:
        pass

    def recover(self) -> None:
        pass

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

    def __init__(self, config: OAuthConfig, vault: TokenVault, http: httpx.AsyncClient,
                 checkpoint: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.vault = vault
        self.http = http
        self.checkpoint = checkpoint or (lambda _where: None)  # tests stop the process at a named point
        self._tokens: Tokens | None = None
        self._lock = asyncio.Lock()
        self.refreshed = 0  # refreshes this source sent

    @property
    def current(self) -> Tokens | None:
        return self._tokens

    async def access_token(self) -> str:
        tokens = self._tokens
        if tokens is None:
            tokens = self._tokens = await asyncio.to_thread(self._first_load)
        if tokens.fresh():
            return tokens.access_token
        return (await self.renew(tokens.access_token)).access_token

    def _first_load(self) -> Tokens:
        """The stored set, after moving in a rotation a killed process left behind (under the lock)."""
        with self.vault.locked():
            self.vault.recover()
            return self._load()

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
                await asyncio.to_thread(self.vault.recover)
                current = await asyncio.to_thread(self._load)
                if current.access_token != stale and current.fresh():
                    self._tokens = current
                    return current
                if current.refresh_expires_at <= time.time():
                    raise AuthorizationNeeded("The Sage sign-in has expired (refresh tokens live 31 days).")
                await asyncio.to_thread(self.vault.prepare)
                new = await refresh(self.http, self.config, current.refresh_token)
                # The old refresh token is dead now: the new set is written ahead (in this step, no
                # thread hop) and then saved, both before the lock is let go.
                self.vault.stage(new, fingerprint(current.refresh_token))
                self.checkpoint("rotated")
                await asyncio.to_thread(self.vault.save, new)
                self.vault.unstage()
                self.refreshed += 1
                self._tokens = new
                return new
            finally:
                path_lock.__exit__(None, None, None)
