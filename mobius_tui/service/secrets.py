"""Secrets: the OS keyring per profile and field, or environment variables where no keyring works.

Environment variables win when set (a cron job states its secrets explicitly). Manage's own
secrets use fixed names (:data:`MANAGE_ENV`); a package's secret fields use ``AccountingPackage.env_var``.
Nothing here ever prints a value: :class:`Secrets` hides them in ``repr`` and ``str``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from typing import Any, TypeVar

from mobius_tui.accounting.base import AccountingPackage
from mobius_tui.service.profiles import Profile, secret_fields

SERVICE = "mobius-tui"
REDACTED = "***"

_T = TypeVar("_T")
MANAGE_ENV = {"private_key": "MOBIUS_PRIVATE_KEY", "integrator_password": "MOBIUS_INTEGRATOR_PASSWORD"}


class SecretsError(RuntimeError):
    """A secret is missing or cannot be stored; the message names the field and the ways to supply it."""


class Secrets(Mapping[str, str]):
    """Field name → secret value. Never shows a value when printed or logged."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = {k: v for k, v in (values or {}).items() if v}

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({', '.join(f'{k}=***' for k in sorted(self._values))})"

    __str__ = __repr__

    def values_for_redaction(self) -> list[str]:
        return [v for v in self._values.values() if v]


def redact(text: str, values: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``***`` (longest first, so a secret that
    contains another is hidden whole)."""
    present = [v for v in values if v and v in text]  # most texts name none: nothing to sort or copy
    for value in sorted(set(present), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def redact_data(data: _T, values: Iterable[str]) -> _T:
    """``data`` with :func:`redact` applied to every string inside it: dataclass fields (an event),
    lists, tuples and dict keys and values. Enums, numbers and dates pass through unchanged."""
    secrets = [v for v in values if v]
    return _redacted(data, secrets) if secrets else data


@functools.cache
def _init_fields(kind: type) -> tuple[str, ...]:
    """The fields ``dataclasses.replace`` takes, once per dataclass (an event type)."""
    return tuple(f.name for f in dataclasses.fields(kind) if f.init)


def _redacted(data: Any, secrets: list[str]) -> Any:
    if isinstance(data, Enum):  # a StrEnum is a str, but its value is never a secret
        return data
    if isinstance(data, str):
        return redact(data, secrets)
    if isinstance(data, dict):
        return {_redacted(k, secrets): _redacted(v, secrets) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a named tuple
        return type(data)(*(_redacted(v, secrets) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(_redacted(v, secrets) for v in data)
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        changes = {}
        for name in _init_fields(type(data)):
            old = getattr(data, name)
            new = _redacted(old, secrets)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(data, **changes) if changes else data
    return data


def keyring_status() -> tuple[bool, str]:
    """Whether a usable keyring backend exists, and in words why not."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install must not stop the app
        return False, f"the keyring module cannot start ({type(exc).__name__}: {exc})"
    if isinstance(backend, fail.Keyring):
        return False, (
            "no keyring backend is available on this machine (common over SSH); supply secrets through "
            "environment variables instead"
        )
    try:
        priority = float(getattr(backend, "priority", 1))
    except Exception:
        priority = 1.0
    if priority < 1:
        return False, f"the only keyring backend ({type(backend).__name__}) is not considered secure"
    return True, f"keyring backend {type(backend).__name__}"


def _username(profile: str, field: str) -> str:
    return f"{profile}:{field}"


def get_secret(profile: str, field: str) -> str | None:
    usable, _ = keyring_status()
    if not usable:
        return None
    import keyring

    try:
        return keyring.get_password(SERVICE, _username(profile, field))
    except Exception:
        return None


def set_secret(profile: str, field: str, value: str) -> None:
    usable, reason = keyring_status()
    if not usable:
        raise SecretsError(f"Cannot save the {field} of profile {profile!r} in the keyring: {reason}.")
    import keyring

    try:
        keyring.set_password(SERVICE, _username(profile, field), value)
    except Exception as exc:
        raise SecretsError(f"The keyring refused to save the {field} of profile {profile!r} ({type(exc).__name__}).") from None


def delete_secret(profile: str, field: str) -> None:
    usable, _ = keyring_status()
    if not usable:
        return
    import keyring

    try:
        keyring.delete_password(SERVICE, _username(profile, field))
    except Exception:
        pass  # nothing stored is fine


def secret_env_vars(profile: Profile, package_cls: type[AccountingPackage] | None) -> dict[str, str]:
    """Secret field → the environment variable that can supply it."""
    out = {name: MANAGE_ENV[name] for name in profile.manage_secret_names()}
    out.update({f.name: package_cls.env_var(f) for f in secret_fields(package_cls)})
    return out


def load_secrets(profile: Profile, package_cls: type[AccountingPackage] | None) -> Secrets:
    """Every secret the profile needs, from the environment or the keyring (missing ones left out)."""
    values: dict[str, str] = {}
    for name, env in secret_env_vars(profile, package_cls).items():
        value = os.environ.get(env) or get_secret(profile.name, name)
        if value:
            values[name] = value
    return Secrets(values)


def missing_secrets(profile: Profile, package_cls: type[AccountingPackage] | None, secrets: Secrets) -> list[str]:
    """One readable line per required secret that is not there."""
    required = {f.name for f in secret_fields(package_cls) if f.required} | set(profile.manage_secret_names())
    usable, reason = keyring_status()
    where = "the keyring" if usable else f"no keyring ({reason})"
    return [
        f"The {name.replace('_', ' ')} for profile {profile.name!r} is missing: save it in the login screen, "
        f"or set the environment variable {env} ({where})."
        for name, env in secret_env_vars(profile, package_cls).items()
        if name in required and name not in secrets
    ]


def forget_secrets(profile: Profile, package_cls: type[AccountingPackage] | None) -> None:
    for name in secret_env_vars(profile, package_cls):
        delete_secret(profile.name, name)
