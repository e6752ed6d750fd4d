"""The accounting packages the product knows, imported only when chosen."""

from __future__ import annotations

import importlib
import logging

from mobius_tui.accounting.base import AccountingPackage

log = logging.getLogger(__name__)

# name → "module:Class"; a package whose module is missing is simply not offered.
_PACKAGES: dict[str, str] = {
    "dynamics_sl": "mobius_tui.accounting.dynamics_sl:DynamicsSL",
    "sage300": "mobius_tui.accounting.sage300:Sage300",
    "sage50ca": "mobius_tui.accounting.sage50ca:Sage50",
    "sage_cloud": "mobius_tui.accounting.sage_cloud:SageCloud",
}


def package_class(name: str) -> type[AccountingPackage]:
    try:
        target = _PACKAGES[name]
    except KeyError:
        known = ", ".join(sorted(_PACKAGES))
        raise KeyError(f"Unknown accounting package {name!r}; choose one of: {known}.") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


def register(name: str, target: str) -> None:
    """Add a package (tests register their own)."""
    _PACKAGES[name] = target


def available() -> dict[str, type[AccountingPackage]]:
    """The packages that load; one whose module fails in any way is left out, with the reason logged."""
    out: dict[str, type[AccountingPackage]] = {}
    for name in list(_PACKAGES):
        try:
            out[name] = package_class(name)
        except Exception as exc:
            # A missing driver (pyodbc without unixODBC, say) or a broken adapter must not take the
            # other packages, or the login screen, down with it.
            log.warning("accounting package %s is not available: %s: %s", name, type(exc).__name__, exc)
    return out
