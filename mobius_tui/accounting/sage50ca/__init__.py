"""Sage 50 Canadian Edition: reads over SQL from the company's MySQL database, writes through the SDK
bridge (or an Import Transactions file)."""

from mobius_tui.accounting.sage50ca.adapter import Sage50

__all__ = ["Sage50"]
