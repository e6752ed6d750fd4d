"""The accounting packages this installation offers, as the screens and the command line see them.

Each is its adapter class: ``name``, ``label`` and the ``settings`` (one :class:`SettingField` per
connection field, of a :class:`FieldKind`) that the login form and the ``--pkg-*`` flags are built from.
"""

from __future__ import annotations

from mobius_tui.accounting import registry
from mobius_tui.accounting.base import AccountingPackage, FieldKind, SettingField
from mobius_tui.service.profiles import ProfileError

__all__ = ["AccountingPackage", "FieldKind", "SettingField", "find", "installed", "package_class"]


def installed() -> dict[str, type[AccountingPackage]]:
    """Name → adapter class of every package that loads here (a broken one is left out and logged)."""
    return registry.available()


def package_class(name: str) -> type[AccountingPackage]:
    """The adapter class of ``name``; :class:`ProfileError` saying why when it is unknown or does not load."""
    try:
        return registry.package_class(name)
    except KeyError as exc:
        raise ProfileError(str(exc.args[0] if exc.args else exc)) from None
    except Exception as exc:  # the adapter's module or a driver it needs is missing or broken
        raise ProfileError(f"The accounting package {name!r} cannot be loaded here "
                           f"({type(exc).__name__}: {exc}).") from None


def find(name: str | None) -> type[AccountingPackage] | None:
    """The adapter class of ``name``, or None when there is no name or the package is not available."""
    if not name:
        return None
    try:
        return package_class(name)
    except ProfileError:
        return None
