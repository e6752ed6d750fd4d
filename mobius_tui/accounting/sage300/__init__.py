"""Sage 300 over the Sage 300 Web API (REST, OData, Basic auth)."""

from mobius_tui.accounting.sage300.adapter import Sage300

__all__ = ["Sage300"]
