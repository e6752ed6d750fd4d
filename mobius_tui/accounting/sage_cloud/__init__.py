"""Sage Business Cloud Accounting over its REST API v3.1, signed in with OAuth 2.0."""

from mobius_tui.accounting.sage_cloud.adapter import SageCloud

__all__ = ["SageCloud"]
