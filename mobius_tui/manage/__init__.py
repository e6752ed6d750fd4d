"""ConnectWise Manage: the REST client (:class:`ManageClient`) and the wire models (:mod:`.models`)."""

from mobius_tui.manage.auth import ApiKeyCredentials, ImpersonationCredentials, Secret
from mobius_tui.manage.client import ManageClient
from mobius_tui.manage.errors import (
    AuthenticationFailed,
    ConfigurationError,
    InvalidRequest,
    ManageError,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from mobius_tui.manage.settings import ManageSettings
from mobius_tui.wire.retry import RetryPolicy

__all__ = [
    "ApiKeyCredentials",
    "AuthenticationFailed",
    "ConfigurationError",
    "ImpersonationCredentials",
    "InvalidRequest",
    "ManageClient",
    "ManageError",
    "ManageSettings",
    "NotFound",
    "PermissionDenied",
    "RetryPolicy",
    "Secret",
    "Unavailable",
]
