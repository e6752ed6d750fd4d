"""Microsoft Dynamics SL over ODBC: unreleased batches written into the company database."""

from mobius_tui.accounting.dynamics_sl.adapter import DynamicsSL

__all__ = ["DynamicsSL"]
