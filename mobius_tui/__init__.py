"""Mobius TUI: ConnectWise Manage accounting batches into accounting packages, payments back."""

__version__ = "0.1.0"
