"""The facade the screens and the command line call: one logged-in Manage + package connection.

    session = await Session.open(profile, secrets)      # LoginError says which side and why
    try:
        report = await session.run_export(options, emit)
    finally:
        await session.close()

Every use case takes an ``emit`` callable for events (see :mod:`mobius_tui.service.events`) and
returns a report. Errors raised instead of reported: :class:`LoginError`, :class:`LockHeld`
(another run on the same books), :class:`UnfinishedRuns` (finish the interrupted run first),
:class:`NotFoundError` (unknown batch or run), and Manage's own errors (:mod:`mobius_tui.manage.errors`)
when Manage stops answering mid-way.
"""

from __future__ import annotations

import socket
from datetime import date

from mobius_tui.accounting import registry
from mobius_tui.accounting.base import AccountingPackage, PackageError
from mobius_tui.manage import conditions
from mobius_tui.manage.auth import ApiKeyCredentials, ImpersonationCredentials
from mobius_tui.manage.client import ManageClient
from mobius_tui.manage.errors import ManageError
from mobius_tui.manage.settings import ManageSettings
from mobius_tui.service import batch_runs, doc_codec, payments, run_records
from mobius_tui.service import unposted as unposted_rows
from mobius_tui.service.context import Context
from mobius_tui.service.dates import SyncStart, start_date
from mobius_tui.service.errors import LoginError
from mobius_tui.service.events import Emit
from mobius_tui.service.lock import current_user, target_key
from mobius_tui.service.options import ExportOptions, suggest_batch_number
from mobius_tui.service.profiles import Profile, secret_fields
from mobius_tui.service.reports import (
    BatchRun,
    BatchSummary,
    DocumentState,
    LocationChoice,
    RunReport,
    RunSummary,
    StartChoice,
    SyncReport,
    Unposted,
    by_currency,
)
from mobius_tui.service.secrets import Secrets, missing_secrets, redact
from mobius_tui.wire.errors import TemporaryFailure


def manage_settings(profile: Profile, secrets: Secrets) -> ManageSettings:
    if profile.auth_type == "APIKey":
        credentials = ApiKeyCredentials(profile.public_key, secrets.get("private_key", ""))
    else:
        credentials = ImpersonationCredentials(
            profile.integrator_user, secrets.get("integrator_password", ""), profile.member_identifier
        )
    return ManageSettings(site=profile.site, company_id=profile.company_id, client_id=profile.client_id,
                          credentials=credentials)


def package_values(profile: Profile, package_cls: type[AccountingPackage], secrets: Secrets) -> dict:
    values = {f.name: f.default for f in package_cls.settings if f.default is not None}
    values.update(profile.package_values)
    values.update({f.name: secrets[f.name] for f in secret_fields(package_cls) if f.name in secrets})
    return values


class Session:
    """A logged-in Manage + package connection."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.origin = run_records.Origin()  # set by ``schedule run``; the run history shows it

    @property
    def profile(self) -> Profile:
        return self._ctx.profile

    @property
    def package(self) -> AccountingPackage:
        return self._ctx.adapter

    @classmethod
    async def open(cls, profile: Profile, secrets: Secrets) -> Session:
        """Connect to both sides and prove both logins work; :class:`LoginError` otherwise."""
        problems = profile.problems()
        if problems:
            raise LoginError("profile", " ".join(problems))
        try:
            package_cls = registry.package_class(profile.package)
        except (KeyError, ImportError) as exc:
            raise LoginError("profile", str(exc.args[0]) if exc.args else str(exc)) from None
        missing = missing_secrets(profile, package_cls, secrets)
        if missing:
            raise LoginError("profile", " ".join(missing))
        try:
            manage = ManageClient(manage_settings(profile, secrets))
        except ManageError as exc:
            raise LoginError("Manage", str(exc)) from None
        adapter: AccountingPackage | None = None
        try:
            try:
                await manage.system_info()
            except ManageError as exc:
                raise LoginError("Manage", str(exc)) from None
            adapter = package_cls(package_values(profile, package_cls, secrets))
            try:
                await adapter.connect()
            except PackageError as exc:
                adapter = None
                if isinstance(exc, TemporaryFailure):
                    raise  # an outage, not a refused login: the caller says "try again later"
                raise LoginError(package_cls.label, str(exc)) from None
        except BaseException:
            await manage.aclose()
            raise
        target = target_key(profile.site, profile.company_id, profile.package,
                            package_cls.books_identity(profile.package_values))
        secret_values = secrets.values_for_redaction()
        return cls(Context(profile=profile, manage=manage, adapter=adapter, target=target, redact=secret_values))

    def error_text(self, exc: BaseException) -> str:
        """What to show of an error raised by this session: its text with every secret scrubbed."""
        return redact(str(exc).strip() or type(exc).__name__, self._ctx.redact)

    async def close(self) -> None:
        try:
            await self._ctx.adapter.close()
        finally:
            try:
                await self._ctx.manage.aclose()
            finally:
                self._ctx.close()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def locations(self) -> list[LocationChoice]:
        """Only locations with unposted records; the screen adds "all locations" itself."""
        return await unposted_rows.locations(self._ctx.manage)

    async def unposted(self, location_id: int | None, thru: date) -> Unposted:
        return await unposted_rows.unposted(self._ctx.manage, location_id, thru)

    def suggest_batch_number(self, options: ExportOptions, today: date | None = None) -> str:
        """Date + the profile's initials + -I/-E/-P. Uniqueness is checked when the run starts."""
        return suggest_batch_number(options, self.profile.initials, today or date.today())

    async def free_batch_number(self, options: ExportOptions) -> str:
        """The suggestion for the options' through date, with -1, -2 … while Manage already has it.
        A run still checks its number when it starts: someone may take it meanwhile."""
        base = suggest_batch_number(options, self.profile.initials, options.thru_date)
        found = await self._ctx.manage.batches(conditions.like("batchIdentifier", f"{base}*"))
        taken = {b.batchIdentifier for b in found if b.batchIdentifier}
        return suggest_batch_number(options, self.profile.initials, options.thru_date, taken)

    async def run_export(self, options: ExportOptions, emit: Emit, *, dry_run: bool = False) -> RunReport:
        return self._recorded(await batch_runs.new_batch(self._ctx, options, emit, dry_run=dry_run))

    async def rerun(self, batch_identifier: str, emit: Emit, *, force: bool = False, dry_run: bool = False) -> RunReport:
        return self._recorded(await batch_runs.rerun(self._ctx, batch_identifier, emit, force=force, dry_run=dry_run))

    def _recorded(self, report: RunReport) -> RunReport:
        if report.action == "dry-run":  # writes nothing anywhere, the journal included
            return report
        run_records.record_run(self._ctx.journal, report, target=self._ctx.target, profile=self.profile.name,
                               origin=self.origin)
        return report

    def record_refusal(self, action: str, message: str) -> str:
        """A run that could not start (lock held, an unfinished run in the way), for the run history."""
        return run_records.record_refusal(self._ctx.journal, action, self.error_text(Exception(message)),
                                          target=self._ctx.target, profile=self.profile.name, origin=self.origin)

    async def recent_batches(self, limit: int = 20) -> list[BatchSummary]:
        batches = await self._ctx.manage.batches()
        batches.sort(key=lambda b: b.id or 0, reverse=True)
        return [
            BatchSummary(int(b.id), b.batchIdentifier or "", bool(b.exportInvoicesFlag), bool(b.exportExpensesFlag),
                         bool(b.exportProductsFlag), bool(b.closedFlag))
            for b in batches[:limit]
        ]

    async def sync_payments(self, start: StartChoice, emit: Emit, custom: date | None = None,
                            today: date | None = None, *, overwrite_manage_payments: bool = False) -> SyncReport:
        """``today`` (default: the clock's) dates the start choices and the Last Successful Run it records;
        ``overwrite_manage_payments`` sets Manage to the package's totals even over payments only Manage has."""
        report = await payments.sync_payments(self._ctx, start, emit, custom, today,
                                              overwrite_manage_payments=overwrite_manage_payments)
        run_records.record_sync(self._ctx.journal, report, target=self._ctx.target, profile=self.profile.name,
                                origin=self.origin)
        return report

    def sync_start(self, start: StartChoice, custom: date | None = None, today: date | None = None) -> SyncStart:
        """Where a sync with these choices would start, said before it runs (the same rule it runs by)."""
        today = today or date.today()
        last = None
        if self._ctx.journal_exists():
            profile = self._ctx.profile
            last = self._ctx.journal.last_payment_sync(current_user(), socket.gethostname(), profile.site,
                                                       profile.company_id)
        return SyncStart(start, start_date(start, today, last_success=last, custom=custom), last)

    async def mapping_report(self, emit: Emit, options: ExportOptions | None = None) -> RunReport:
        return await batch_runs.mapping_report(self._ctx, emit, options)

    def unfinished_runs(self) -> list[RunSummary]:
        """Interrupted runs on this profile's books (report them on start; ``finish`` them)."""
        if not self._ctx.journal_exists():
            return []
        return self._ctx.journal.unfinished(self._ctx.target)

    def recent_runs(self, limit: int = 20) -> list[RunSummary]:
        if not self._ctx.journal_exists():
            return []
        return self._ctx.journal.recent(limit)

    def batch_runs(self, limit: int = 50) -> dict[str, BatchRun]:
        """Batch number → its latest run on this computer (when, counts, outcome, posted totals)."""
        if not self._ctx.journal_exists():
            return {}
        out: dict[str, BatchRun] = {}
        journal = self._ctx.journal
        for run in journal.recent(limit):  # newest first
            if not run.batch_identifier or run.batch_identifier in out or run.action not in ("export", "rerun", "finish"):
                continue
            posted = [d for d in journal.documents(run.run_id) if d.state == DocumentState.POSTED]
            out[run.batch_identifier] = BatchRun(run, by_currency((doc_codec.currency_of(d.body), d.amount) for d in posted))
        return out

    async def finish(self, run_id: str, emit: Emit, *, batch_number: str = "", import_done: bool = False) -> RunReport:
        journal = self._ctx.journal if self._ctx.journal_exists() else None
        was_open = journal is not None and any(r.run_id == run_id for r in journal.unfinished())
        report = await batch_runs.finish(self._ctx, run_id, emit, batch_number=batch_number, import_done=import_done)
        if was_open:  # a run already finished is only reported on, not finished again
            run_records.record_finish(self._ctx.journal, report, target=self._ctx.target, profile=self.profile.name,
                                      origin=self.origin)
        return report
