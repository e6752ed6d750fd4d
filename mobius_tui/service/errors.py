"""Errors the use cases raise (everything else comes back as a report)."""

from __future__ import annotations

from mobius_tui.accounting.base import PackageError
from mobius_tui.manage.errors import AuthenticationFailed, ConfigurationError, PermissionDenied
from mobius_tui.service.dates import StartDateError
from mobius_tui.service.lock import LockHeld
from mobius_tui.service.options import BatchNumberError
from mobius_tui.service.profiles import ProfileError
from mobius_tui.service.reports import RunSummary
from mobius_tui.service.secrets import SecretsError
from mobius_tui.wire.errors import CertificateError, TemporaryFailure

__all__ = ["CertificateError", "LockHeld", "LoginError", "ServiceError", "TemporaryFailure", "UnfinishedRuns",
           "NotFoundError", "is_configuration_error", "is_lock_error", "temporary_cause"]


class ServiceError(Exception):
    """A use case cannot start; the message says what and how to fix it."""


class LoginError(ServiceError):
    """Manage or the package refused the connection, or the profile cannot work (wrong site, key,
    password, missing secret)."""

    def __init__(self, system: str, message: str) -> None:
        self.system = system  # "Manage", the package label, or "profile"
        super().__init__(message)


class NotFoundError(ServiceError):
    """A batch or run the user named does not exist."""


class UnfinishedRuns(ServiceError):
    """A run on the same books was interrupted after posting; it must be finished first, or the
    records it posted would be exported and posted again."""

    def __init__(self, runs: list[RunSummary]) -> None:
        self.runs = runs
        names = ", ".join(f"{r.run_id} (batch {r.batch_identifier or '-'}, {r.posted} posted"
                          + (f", {r.written} written to an import file not imported yet" if r.written else "") + ")"
                          for r in runs)
        super().__init__(
            f"An earlier run on these books did not finish: {names}. Finish it first "
            f"('mobius-tui finish {runs[0].run_id}' or the Finish button); it records the Manage batch "
            "of what it posted and never posts again."
        )


def is_configuration_error(exc: BaseException) -> bool:
    """Whether the setup is at fault rather than the run: the profile, a secret, a login, a batch or
    run that does not exist, a bad option, or Manage refusing the credentials or their permissions."""
    return isinstance(exc, (LoginError, NotFoundError, ProfileError, SecretsError, BatchNumberError, StartDateError,
                            ConfigurationError, AuthenticationFailed, PermissionDenied, CertificateError))


def temporary_cause(exc: BaseException) -> TemporaryFailure | None:
    """The outage behind ``exc``, when trying again later is the fix.

    A login refused because Manage or the package did not answer is raised as a :class:`LoginError`
    (or a package's :class:`PackageError`) in place of the failure: the chain is followed through
    those wrappers only, so an error of another kind met while handling an outage is not taken for one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CertificateError):
            return None
        if isinstance(current, TemporaryFailure):
            return current
        if not isinstance(current, (ServiceError, PackageError)):
            return None
        current = current.__cause__ or current.__context__
    return None


def is_lock_error(exc: BaseException) -> bool:
    """Whether another run stands in the way: one holding the books' lock, or one to finish first."""
    return isinstance(exc, (LockHeld, UnfinishedRuns))
