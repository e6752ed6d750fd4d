"""Headless command line: the same use cases as the screens, for scripts, cron jobs and consoles.

Commands: ``export`` (run a new batch), ``rerun`` (a previous batch), ``sync-payments``, ``check``
(the mapping report), ``batches list|show``, ``finish`` (complete an interrupted run),
``profiles``, ``where`` (the file paths), ``demo``, ``sandbox``. With no command, the terminal app opens.

Connection: ``--profile NAME`` (or MOBIUS_TUI_PROFILE; the only profile when there is one), any
field overridable by a flag; package fields are ``--pkg-<name>`` flags built from the chosen
package's settings. Secrets never go on the command line: they come from the keyring or from
environment variables (MOBIUS_PRIVATE_KEY, MOBIUS_INTEGRATOR_PASSWORD, and each secret package
field's own variable, listed by ``--help`` once a package is chosen).

Output: human progress on stderr, the result on stdout; ``--json`` prints one JSON object per
event on stdout instead (the last one is ``{"event": "report", ...}``). Money totals there are per
currency and never added across currencies: ``"totals": {"posted": {"CAD": "123.45", "USD": "6.00"}}``,
amounts as strings, ``""`` standing for the company's home currency and ``{}`` for none at all.

Exit codes:
    0  success (everything posted; dry run or check found nothing wrong; payments synced)
    1  unexpected error, or the run posted but its Manage batch is not recorded yet: the result
       starts ``UNFINISHED:`` (``"outcome": "unfinished"`` with --json); run ``finish``
    2  partial: some documents posted (the Manage batch holds exactly those), others failed
    3  failed: the check found problems, the batch number was refused, or nothing could be
       posted; nothing was recorded in Manage
    4  configuration or authentication error (profile, secrets, login, unknown batch or run,
       a TLS certificate that is not accepted)
    5  another run holds the lock on the same books, or an interrupted run must be finished first;
       also a run in a package's import-file mode that wrote its file and waits for it to be
       imported: the result starts ``AWAITING IMPORT:`` (``"outcome": "awaiting_import"``) and says
       where the file is; import it in the package, then run ``finish`` (``--import-done`` once the
       import is over and the package refused some)
   64  usage error: an unknown command or flag, a bad value (a date not YYYY-MM-DD, a location id
       that is not a whole number above 0); nothing was done (EX_USAGE)
   75  temporary failure: Manage or the package did not answer (retries used up on dropped
       connections, 429 or 503, or a Retry-After longer than the client waits); try again later
       (EX_TEMPFAIL)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, TextIO

EXIT_SUCCESS, EXIT_UNEXPECTED, EXIT_PARTIAL, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED = 0, 1, 2, 3, 4, 5
EXIT_USAGE, EXIT_TEMPORARY = 64, 75  # sysexits.h EX_USAGE, EX_TEMPFAIL: what schedulers already know

SESSION_COMMANDS = ("export", "rerun", "sync-payments", "check", "batches", "finish")
_PROFILE_FIELDS = {
    "site": "Manage site (host name, e.g. na.myconnectwise.net)",
    "company_id": "Manage company id (as typed at the Manage login)",
    "client_id": "clientId of the integration (developer.connectwise.com)",
    "auth_type": "APIKey or MemberImpersonation",
    "public_key": "API public key (APIKey)",
    "member_identifier": "member to act as (MemberImpersonation)",
    "integrator_user": "integrator login (MemberImpersonation)",
    "package": "accounting package",
    "initials": "initials for suggested batch numbers",
}


class CliError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CliError):
    """The command line itself is wrong; ``usage`` is the synopsis of the command concerned."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(EXIT_USAGE, message)
        self.usage = usage


# --- parser ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, which this CLI uses for "partial": raise instead, so
    :func:`main` exits 64 (EX_USAGE). Subcommand parsers are made of the same class."""

    def error(self, message: str):  # noqa: ANN201 - never returns
        raise UsageError(f"{self.prog}: error: {message}", self.format_usage())


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31") from None


def _location_id(text: str) -> int:
    return _whole_number(text, "a Manage location id (System > Locations)")


def _count(text: str) -> int:
    return _whole_number(text, "a count")


def _whole_number(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}: give a whole number above 0")
    return value


def _connection_flags(parser: argparse.ArgumentParser, package: str | None) -> None:
    group = parser.add_argument_group("connection (override the profile)")
    group.add_argument("--profile", default=os.environ.get("MOBIUS_TUI_PROFILE"), help="profile name")
    for name, text in _PROFILE_FIELDS.items():
        choices = ("APIKey", "MemberImpersonation") if name == "auth_type" else None
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None, help=text, choices=choices)
    from mobius_tui.service.packages import find

    package_cls = find(package)
    if package_cls is None:
        return
    pkg = parser.add_argument_group(f"{package_cls.label} connection")
    for field in package_cls.settings:
        if field.secret:
            continue  # never on the command line; see the epilog for its environment variable
        kwargs: dict[str, Any] = {"dest": f"pkg_{field.name}", "default": None, "help": field.help or field.label}
        if field.choices:
            kwargs["choices"] = field.choices
        pkg.add_argument(f"--pkg-{field.name.replace('_', '-')}", **kwargs)
    secrets = [f"{package_cls.env_var(f)} ({f.label})" for f in package_cls.settings if f.secret]
    if secrets:
        parser.epilog = "Secret package fields come from the keyring or: " + ", ".join(secrets)


def _output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON event per line on stdout")
    parser.add_argument("--yes", "-y", action="store_true", help="answer yes to confirmations (needed without a terminal)")


def _selection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--location", type=_location_id, default=None, help="location id (default: all locations)")
    parser.add_argument("--thru", type=_iso_date, default=None, help="through date YYYY-MM-DD (default: today)")
    parser.add_argument("--invoices", action=argparse.BooleanOptionalAction, default=None, help="export invoices")
    parser.add_argument("--invoice-detail", choices=("Default", "Condensed", "Detailed"), default="Default",
                        help="detail of each invoice line's description: Default says only what it is "
                             "(e.g. 'Service'), Condensed adds brief details, Detailed the full text "
                             "(Manage's summarizeInvoices; default: Default)")
    parser.add_argument("--expenses", action=argparse.BooleanOptionalAction, default=None, help="export expenses")
    parser.add_argument("--inventory", action=argparse.BooleanOptionalAction, default=None,
                        help="export inventory (item receipts, adjustments, transfers)")
    for kind in ("invoice", "expense", "product"):
        parser.add_argument(f"--include-{kind}", action="append", default=[], metavar="ID",
                            help=f"only these {kind} ids (repeatable)")
        parser.add_argument(f"--exclude-{kind}", action="append", default=[], metavar="ID", help=f"leave out these {kind} ids")


def build_parser(package: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="mobius-tui", description=__doc__.split("\n\n")[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", dest="top_profile", default=None, help="profile for the terminal app")
    sub = parser.add_subparsers(dest="command")

    def session_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _connection_flags(p, package)
        _output_flags(p)
        return p

    export = session_parser("export", "run a new batch: export, check, post, record the Manage batch")
    _selection_flags(export)
    export.add_argument("--batch-number", default=None, help="batch number (default: the suggested date+initials+kind)")
    export.add_argument("--dry-run", action="store_true", help="show the full plan; write nothing anywhere")
    export.add_argument("--force", action="store_true", help="post documents the package already holds")

    rerun = session_parser("rerun", "post a previous batch again (skips documents already in the package)")
    rerun.add_argument("batch", help="batch number (batch identifier) in Manage")
    rerun.add_argument("--force", action="store_true", help="post documents the package already holds anyway")
    rerun.add_argument("--dry-run", action="store_true")

    sync = session_parser("sync-payments", "bring invoice payments from the package into Manage")
    sync.add_argument("--start", default="last-successful-run",
                      choices=("last-successful-run", "past-week", "past-two-weeks", "past-month", "custom"))
    sync.add_argument("--since", type=_iso_date, default=None, help="custom start date YYYY-MM-DD")
    sync.add_argument("--overwrite-manage-payments", action="store_true",
                      help="set Manage to the package's totals even over payments only Manage has (else: conflicts)")

    check = session_parser("check", "mapping report: check everything unposted against the package, post nothing")
    _selection_flags(check)

    batches = session_parser("batches", "Manage accounting batches")
    batches.add_argument("action", choices=("list", "show"))
    batches.add_argument("batch", nargs="?", help="batch number (for show)")
    batches.add_argument("--limit", type=_count, default=20)

    finish = session_parser("finish", "complete an interrupted run (records its Manage batch; never posts again)")
    finish.add_argument("run_id", nargs="?", help="run id (default: list the unfinished runs)")
    finish.add_argument("--list", action="store_true", help="list the unfinished runs of the profile's books (finish nothing)")
    finish.add_argument("--all", action="store_true", help="finish every unfinished run of the profile's books")
    finish.add_argument("--batch-number", default="",
                        help="record the run's Manage batch under this number (its own is taken by another batch)")
    finish.add_argument("--import-done", action="store_true",
                        help="the run's import file has been imported: documents still not in the package are not "
                             "posted (the package refused them); record the Manage batch of the others")

    profiles = sub.add_parser("profiles", help="list, show, add or delete profiles; store secrets in the keyring")
    profiles.add_argument("action", choices=("list", "show", "add", "delete", "set-secret", "authorize"))
    profiles.add_argument("name", nargs="?")
    profiles.add_argument("field", nargs="?", help="secret field for set-secret (value read from stdin)")
    profiles.add_argument("--listen", action="store_true", help="authorize: catch the browser's redirect on 127.0.0.1")
    profiles.add_argument("--business", default=None, help="authorize: the business id to post into")
    _connection_flags(profiles, package)
    _output_flags(profiles)

    where = sub.add_parser("where", help="where profiles, the run journal and logs are kept")
    where.add_argument("--json", action="store_true")

    demo = sub.add_parser(
        "demo", help="open the app against the built-in sandboxes (no real systems touched)",
        description="Start sandboxes of Manage and of every accounting package that runs here (Dynamics SL "
                    "needs pyodbc and the SQLite ODBC driver) on 127.0.0.1, with a made-up company's books, and "
                    "open the app with every login field filled in (press F8). Profiles, journal and logs live in a temporary folder "
                    "removed on exit: nothing touches real systems or your own profiles.")
    demo.add_argument("--size", type=_count, default=None,
                      help="number of invoices in the demo books (default: 60)")
    demo.add_argument("--seed", type=int, default=None,
                      help="seed of the generated books: the same seed gives the same company (default: 7)")

    sandbox = sub.add_parser("sandbox", help="run the sandbox servers on loopback until interrupted")
    sandbox.add_argument("--json", action="store_true", help="print one JSON line with URLs and demo credentials")
    sandbox.add_argument("--size", type=_count, default=None, help="number of invoices in the generated dataset")
    sandbox.add_argument("--seed", type=int, default=None, help="dataset seed")
    from mobius_tui import cli_unattended

    cli_unattended.register(sub)
    return parser


def _chosen_package(argv: list[str]) -> str | None:
    """The package named by --package or by the profile, to add its --pkg-* flags."""
    pre = _Parser(add_help=False)
    pre.add_argument("--package")
    pre.add_argument("--profile", default=os.environ.get("MOBIUS_TUI_PROFILE"))
    try:
        known, _ = pre.parse_known_args(argv)
    except UsageError:
        return None  # the full parser reports it, with the command's own usage
    if known.package:
        return known.package
    try:
        profile = _stored_profile(known.profile)
    except Exception:
        return None
    return profile.package if profile else None


def _stored_profile(name: str | None):
    from mobius_tui.service.profiles import list_profiles, load_profile

    if name:
        names = list_profiles()
        return load_profile(name) if name in names else None
    names = list_profiles()
    return load_profile(names[0]) if len(names) == 1 else None


# --- output -------------------------------------------------------------------------------


class Printer:
    """Events to the terminal: JSON lines on stdout, or readable lines on stderr.

    Every secret it has been told of (:meth:`hide`) is replaced by ``***`` in whatever it prints,
    error messages included: cron jobs keep both streams.
    """

    def __init__(self, as_json: bool, out: TextIO, err: TextIO) -> None:
        self.as_json, self.out, self.err = as_json, out, err
        self.secrets: list[str] = []

    def hide(self, values: list[str]) -> None:
        self.secrets += [v for v in values if v and v not in self.secrets]

    def __call__(self, event) -> None:  # noqa: ANN001 - an Event
        from mobius_tui.service import events as ev
        from mobius_tui.service.runlog import describe

        if self.as_json:
            self.json(event.to_json())
            return
        if isinstance(event, ev.Progress) and not (event.done == 0 and event.total):
            return
        if isinstance(event, ev.Finished):
            return  # the result is printed on stdout
        for line in describe(event):
            self._print(line, self.err)

    def json(self, obj: dict[str, Any]) -> None:
        from mobius_tui.service.secrets import redact_data

        # Scrubbed before encoding: JSON escaping could split a secret the text scrub would miss.
        print(json.dumps(redact_data(obj, self.secrets), default=str), file=self.out, flush=True)

    def result(self, lines: list[str], obj: dict[str, Any]) -> None:
        if self.as_json:
            self.json({"event": "report", **obj})
        else:
            for line in lines:
                self._print(line, self.out)

    def error(self, code: int, message: str) -> None:
        if self.as_json:
            self.json({"event": "error", "exit_code": code, "message": message})
        else:
            self._print(f"error: {message}", self.err)

    def _print(self, line: str, stream: TextIO) -> None:
        from mobius_tui.service.secrets import redact

        print(redact(line, self.secrets), file=stream, flush=True)


# --- commands -------------------------------------------------------------------------------


def _profile_from_args(args: argparse.Namespace):
    from mobius_tui.service.profiles import Profile

    profile = _stored_profile(args.profile)
    if args.profile and profile is None:
        from mobius_tui.service.profiles import ProfileError, list_profiles

        if not any(getattr(args, f, None) for f in ("site", "package")):
            known = ", ".join(list_profiles()) or "none yet"
            raise ProfileError(f"There is no profile named {args.profile!r} (profiles: {known}).")
    profile = profile or Profile(name=args.profile or "default")
    overrides = {f: getattr(args, f) for f in _PROFILE_FIELDS if getattr(args, f, None) is not None}
    profile = replace(profile, **overrides)
    pkg_values = {k[4:]: v for k, v in vars(args).items() if k.startswith("pkg_") and v is not None}
    if pkg_values:
        profile = replace(profile, package_values={**profile.package_values, **pkg_values})
    return profile


async def _open_session(args: argparse.Namespace, printer: Printer):
    from mobius_tui.service.errors import LoginError
    from mobius_tui.service.packages import find
    from mobius_tui.service.secrets import load_secrets
    from mobius_tui.service.session import Session

    profile = _profile_from_args(args)
    package_cls = find(profile.package)
    secrets = load_secrets(profile, package_cls)
    printer.hide(secrets.values_for_redaction())  # before connecting: a login error may quote one
    try:
        return await Session.open(profile, secrets)
    except LoginError as exc:
        absent = _absent_secrets(profile, package_cls, secrets, exc.system)
        if not absent:
            raise
        raise LoginError(exc.system, f"{absent} {exc}") from exc


def _absent_secrets(profile, package_cls, secrets, system: str) -> str:  # noqa: ANN001
    """What to say first when the package refused the login while one of its secrets was not supplied:
    optional secrets (a blank password is legal) are sent empty, and the refusal alone reads as a
    wrong password."""
    from mobius_tui.service.profiles import secret_fields
    from mobius_tui.service.secrets import SERVICE, keyring_status

    if package_cls is None or system != package_cls.label:
        return ""
    usable, reason = keyring_status()
    missing = []
    for field in secret_fields(package_cls):
        if field.name in secrets:
            continue
        keyring = (f"no keyring entry (service {SERVICE!r}, user '{profile.name}:{field.name}'; 'mobius-tui profiles "
                   f"set-secret {profile.name} {field.name}' saves one)" if usable else f"no keyring: {reason}")
        missing.append(f"The {field.label} of profile {profile.name!r} is missing: {package_cls.env_var(field)} "
                       f"is not set and there is {keyring}.")
    if not missing:
        return ""
    return " ".join(missing) + f" Supply it if this login needs one. {package_cls.label} said:"


def _confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CliError(EXIT_CONFIG, f"{question} Confirmation needed: pass --yes when running without a terminal.")
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise CliError(EXIT_FAILED, "Cancelled; nothing was done.")


def _options(args: argparse.Namespace, batch_number: str = ""):
    from mobius_tui.service.options import (
        ExportOptions,
        InvoiceDetail,
        RecordKind,
        Selection,
    )

    any_kind = any(v is not None for v in (args.invoices, args.expenses, args.inventory))
    selections = {
        RecordKind.INVOICE: Selection(args.include_invoice, args.exclude_invoice),
        RecordKind.EXPENSE: Selection(args.include_expense, args.exclude_expense),
        RecordKind.PROCUREMENT: Selection(args.include_product, args.exclude_product),
    }
    return ExportOptions(
        thru_date=args.thru or date.today(),
        location_id=args.location,
        invoices=bool(args.invoices) if any_kind else True,
        invoice_detail=InvoiceDetail(args.invoice_detail),
        expenses=bool(args.expenses),
        inventory=bool(args.inventory),
        selections=selections,
        batch_number=batch_number,
        force=bool(getattr(args, "force", False)),
    )


def _report_lines(report) -> list[str]:  # noqa: ANN001 - RunReport
    from mobius_tui.service.problems import describe_groups
    from mobius_tui.service.wording import counted, format_totals

    lines = [f"{_banner(report)}: {report.summary}"]
    if report.problems:
        lines += describe_groups(report.problems)
    for result in report.failed:
        lines.append(f"  failed: {result.label}: {result.error}")
    for result in report.not_posted:
        lines.append(f"  not posted (the package does not have it; run it again): {result.label}")
    for result in report.duplicates:
        lines.append(f"  already in the package: {result.label} ({result.reference})")
    for result in report.written:
        lines.append(f"  written for import: {result.label} ({result.reference})")
    if report.plan is not None and report.action in ("dry-run", "check"):
        lines.append(f"plan: {counted(len(report.plan.documents), 'document')}")
        # One figure per currency: amounts in different currencies are never added together.
        for kind, totals in sorted(report.plan.totals.items()):
            lines.append(f"  {kind}: {format_totals(totals)}")
        for account, nets in sorted(report.plan.accounts.items()):
            lines.append(f"  account {account}: {format_totals(nets)}")
    if report.log_path:
        lines.append(f"full log: {report.log_path}")
    return lines


def _banner(report) -> str:  # noqa: ANN001 - RunReport or SyncReport
    """The first word of the result, in step with the exit code: a run that posted but whose Manage
    batch is not recorded is not a success yet (exit 1), whatever the documents' outcome."""
    if getattr(report, "awaiting_import", False):
        return "AWAITING IMPORT"
    if getattr(report, "unfinished", False):
        return "UNFINISHED"
    return report.outcome.value.upper()


def _report_json(report) -> dict[str, Any]:  # noqa: ANN001 - RunReport
    """The report event: ``outcome`` says "unfinished" when the exit code says 1 for it."""
    obj = report.to_json()
    if report.unfinished:
        obj["outcome"] = "awaiting_import" if report.awaiting_import else "unfinished"
    obj["exit_code"] = _exit_for(report)
    return obj


def _exit_for(report) -> int:  # noqa: ANN001 - RunReport or SyncReport
    from mobius_tui.service.events import Outcome

    if getattr(report, "awaiting_import", False):  # expected: a person imports the file, then finish
        return EXIT_LOCKED
    if getattr(report, "unfinished", False):
        return EXIT_UNEXPECTED
    return {Outcome.SUCCESS: EXIT_SUCCESS, Outcome.PARTIAL: EXIT_PARTIAL, Outcome.FAILED: EXIT_FAILED}[report.outcome]


async def _session_command(args: argparse.Namespace, printer: Printer) -> int:
    session = await _open_session(args, printer)
    try:
        unfinished = session.unfinished_runs()
        if unfinished and args.command != "finish":
            for run in unfinished:
                printer(_log(f"unfinished run {run.run_id} (batch {run.batch_identifier}, {run.posted} posted): "
                             f"'mobius-tui finish {run.run_id}' completes it", "warning"))
        handler = _HANDLERS[args.command]
        return await handler(session, args, printer)
    finally:
        await session.close()


def _log(message: str, level: str = "info"):
    from mobius_tui.service.events import Level, LogLine

    return LogLine(message, Level(level))


async def _cmd_export(session, args, printer) -> int:  # noqa: ANN001
    options = _options(args)
    number = args.batch_number if args.batch_number is not None else session.suggest_batch_number(options)
    options.batch_number = number
    if not args.dry_run:
        _confirm(args, f"Post batch {number} to {session.package.label}?")
    report = await session.run_export(options, printer, dry_run=args.dry_run)
    printer.result(_report_lines(report), _report_json(report))
    return _exit_for(report)


async def _cmd_rerun(session, args, printer) -> int:  # noqa: ANN001
    if not args.dry_run:
        extra = " Documents already in the package WILL be posted again." if args.force else ""
        _confirm(args, f"Rerun batch {args.batch} into {session.package.label}?{extra}")
    report = await session.rerun(args.batch, printer, force=args.force, dry_run=args.dry_run)
    printer.result(_report_lines(report), _report_json(report))
    return _exit_for(report)


async def _cmd_check(session, args, printer) -> int:  # noqa: ANN001
    report = await session.mapping_report(printer, _options(args))
    printer.result(_report_lines(report), _report_json(report))
    return _exit_for(report)


async def _cmd_sync(session, args, printer) -> int:  # noqa: ANN001
    from mobius_tui.service.dates import StartDateError
    from mobius_tui.service.events import jsonable
    from mobius_tui.service.reports import StartChoice
    from mobius_tui.service.wording import format_totals

    choice = StartChoice(args.start)
    if args.since is not None:
        choice = StartChoice.CUSTOM
    try:
        report = await session.sync_payments(choice, printer, custom=args.since,
                                             overwrite_manage_payments=args.overwrite_manage_payments)
    except StartDateError as exc:
        raise CliError(EXIT_CONFIG, str(exc)) from None
    lines = [f"{report.outcome.value.upper()}: {report.summary}"]
    if report.totals.get("paid"):
        lines.append(f"  payments set in Manage: {format_totals(report.totals['paid'])}")
    lines += [f"  unknown to Manage: {r.package_number}" for r in report.unknown]
    obj = {"run_id": report.run_id, "outcome": report.outcome.value, "summary": report.summary,
           "since": report.since.isoformat(), "advanced_last_success": report.advanced_last_success,
           "totals": jsonable(report.totals),
           "results": [{"package_number": r.package_number, "manage_number": r.manage_number, "action": r.action.value,
                        "amount": str(r.amount), "currency": r.currency,
                        "paid_on": r.paid_on.isoformat() if r.paid_on else None,
                        "message": r.message} for r in report.results]}
    printer.result(lines, obj)
    return _exit_for(report)


async def _cmd_batches(session, args, printer) -> int:  # noqa: ANN001
    batches = await session.recent_batches(limit=10_000 if args.action == "show" else args.limit)
    if args.action == "show":
        if not args.batch:
            raise CliError(EXIT_CONFIG, "Name the batch to show: mobius-tui batches show BATCH.")
        chosen = [b for b in batches if b.batch_identifier == args.batch]
        if not chosen:
            raise CliError(EXIT_CONFIG, f"Manage has no batch {args.batch!r}; see 'mobius-tui batches list'.")
        batches = chosen
    rows = [{"id": b.id, "batch_identifier": b.batch_identifier, "invoices": b.invoices, "expenses": b.expenses,
             "procurement": b.procurement, "closed": b.closed} for b in batches]
    lines = []
    for b in batches:
        kinds = "".join(k for k, on in (("I", b.invoices), ("E", b.expenses), ("P", b.procurement)) if on)
        lines.append(f"{b.id:>8}  {b.batch_identifier:<50}  {kinds}{'  closed' if b.closed else ''}")
    if args.action == "show":
        runs = [r for r in session.recent_runs(1000) if r.batch_identifier == args.batch]
        for run in runs:
            lines.append(f"  run {run.run_id} ({run.action}): {run.posted} posted, {run.failed} failed, "
                         f"{run.outcome or 'unfinished'}")
        rows[0]["runs"] = [{"run_id": r.run_id, "action": r.action, "posted": r.posted, "failed": r.failed,
                            "outcome": r.outcome} for r in runs]
    printer.result(lines, {"batches": rows})
    return EXIT_SUCCESS


async def _cmd_finish(session, args, printer) -> int:  # noqa: ANN001
    unfinished = session.unfinished_runs()
    if args.list or (not args.run_id and not args.all):
        lines = [f"{r.run_id}  {r.action}  batch {r.batch_identifier}  {r.posted} posted, {r.unresolved} unknown"
                 + (f", {r.written} waiting for import" if r.written else "") for r in unfinished] or ["No unfinished runs."]
        printer.result(lines, {"unfinished": [r.run_id for r in unfinished]})
        return EXIT_SUCCESS
    if args.batch_number and not args.run_id:
        raise CliError(EXIT_CONFIG, "--batch-number names the batch of one run: give its run id, not --all.")
    if args.all and not unfinished:
        printer.result(["Nothing to finish: no run on these books is unfinished."], {"unfinished": [], "finished": []})
        return EXIT_SUCCESS
    run_ids = [args.run_id] if args.run_id else [r.run_id for r in unfinished]
    worst = EXIT_SUCCESS
    for run_id in run_ids:
        report = await session.finish(run_id, printer, batch_number=args.batch_number, import_done=args.import_done)
        printer.result(_report_lines(report), _report_json(report))
        worst = max(worst, _exit_for(report))
    return worst


_HANDLERS: dict[str, Callable] = {
    "export": _cmd_export, "rerun": _cmd_rerun, "check": _cmd_check, "sync-payments": _cmd_sync,
    "batches": _cmd_batches, "finish": _cmd_finish,
}


def _cmd_profiles(args: argparse.Namespace, printer: Printer) -> int:
    from dataclasses import asdict

    from mobius_tui.service import packages
    from mobius_tui.service import profiles as pr
    from mobius_tui.service import secrets as sec

    if args.action == "list":
        names = pr.list_profiles()
        printer.result(names or ["No profiles yet: mobius-tui profiles add NAME --site ... --package ..."], {"profiles": names})
        return EXIT_SUCCESS
    if not args.name:
        raise CliError(EXIT_CONFIG, f"Name the profile: mobius-tui profiles {args.action} NAME.")
    if args.action == "show":
        profile = pr.load_profile(args.name)
        data = asdict(profile)
        printer.result([f"{k}: {v}" for k, v in data.items()], {"profile": data})
        return EXIT_SUCCESS
    if args.action == "delete":
        _confirm(args, f"Delete profile {args.name} and its saved secrets?")
        profile = pr.load_profile(args.name)
        sec.forget_secrets(profile, packages.find(profile.package))
        pr.delete_profile(args.name)
        printer.result([f"profile {args.name} deleted"], {"deleted": args.name})
        return EXIT_SUCCESS
    if args.action == "authorize":
        from mobius_tui.cli_oauth import authorize

        return authorize(args, printer)
    if args.action == "set-secret":
        if not args.field:
            raise CliError(EXIT_CONFIG, "Name the secret field: mobius-tui profiles set-secret NAME FIELD (value on stdin).")
        value = sys.stdin.readline().rstrip("\r\n")
        printer.hide([value])
        if not value:
            raise CliError(EXIT_CONFIG, f"No value for {args.field} on standard input.")
        sec.set_secret(args.name, args.field, value)
        printer.result([f"{args.field} of profile {args.name} saved in the keyring"], {"saved": args.field})
        return EXIT_SUCCESS
    args.profile = args.name  # add: start from the stored profile when it exists
    profile = replace(_profile_from_args(args), name=args.name)
    package_cls = packages.package_class(profile.package) if profile.package else None  # ProfileError: exit 4
    path = pr.save_profile(profile, package_cls)
    printer.result([f"profile {args.name} saved in {path}"], {"saved": args.name, "path": str(path)})
    return EXIT_SUCCESS


def _cmd_where(args: argparse.Namespace, printer: Printer) -> int:
    from mobius_tui import paths
    from mobius_tui.service import alerts, schedules
    from mobius_tui.service.secrets import keyring_status

    usable, reason = keyring_status()
    places = {
        "config_dir": str(paths.config_dir()), "profiles": str(paths.profiles_file()),
        "alerts": str(alerts.settings_file()), "schedules": str(schedules.schedules_file()),
        "data_dir": str(paths.data_dir()), "journal": str(paths.journal_file()),
        "logs": str(paths.logs_dir()), "locks": str(paths.locks_dir()),
        "keyring": ("usable: " if usable else "not usable: ") + reason,
    }
    printer.result([f"{k:<11} {v}" for k, v in places.items()], places)
    return EXIT_SUCCESS


def _exit_code_for(exc: BaseException) -> int | None:
    from mobius_tui.service.errors import (
        is_configuration_error,
        is_lock_error,
        temporary_cause,
    )

    if isinstance(exc, CliError):
        return exc.code
    if temporary_cause(exc) is not None:
        return EXIT_TEMPORARY
    if is_lock_error(exc):
        return EXIT_LOCKED
    if is_configuration_error(exc):
        return EXIT_CONFIG
    return None


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out, err = out or sys.stdout, err or sys.stderr
    try:
        package = _chosen_package(argv) if argv and argv[0] in (*SESSION_COMMANDS, "profiles") else None
        args = build_parser(package).parse_args(argv)
    except UsageError as exc:
        if "unrecognized arguments" in str(exc) and argv and argv[0] in (*SESSION_COMMANDS, "profiles", "where"):
            exc = UsageError(f"{exc} (see 'mobius-tui {argv[0]} --help')", exc.usage)  # the top parser reports them
        return _usage_error(exc, "--json" in argv, out, err)
    if args.command == "finish" and args.list and (args.run_id or args.all):
        refused = UsageError("mobius-tui finish: error: --list finishes nothing: leave out the run id and --all.", "")
        return _usage_error(refused, args.json, out, err)
    if args.command == "sandbox":
        from mobius_tui.sandbox.runner import run_forever

        return run_forever(json_output=args.json, size=args.size, seed=args.seed)
    if args.command == "demo":
        from mobius_tui.tui.demo import run_demo

        return run_demo(size=args.size, seed=args.seed)
    if args.command is None:
        return _open_app(args.top_profile, err)
    printer = Printer(bool(getattr(args, "json", False)), out, err)
    try:
        if args.command == "where":
            return _cmd_where(args, printer)
        if args.command == "profiles":
            return _cmd_profiles(args, printer)
        from mobius_tui import cli_unattended

        if args.command in cli_unattended.COMMANDS:
            return cli_unattended.run(args, printer)
        return asyncio.run(_session_command(args, printer))
    except KeyboardInterrupt:
        printer.error(EXIT_UNEXPECTED, "interrupted; if a run was posting, 'mobius-tui finish' completes it")
        return EXIT_UNEXPECTED
    except Exception as exc:
        code = _exit_code_for(exc)
        if code is None:
            printer.error(EXIT_UNEXPECTED, f"unexpected {type(exc).__name__}: {exc}")
            return EXIT_UNEXPECTED
        if code == EXIT_TEMPORARY:
            printer.error(code, f"temporary — try again later: {exc}")
        else:
            printer.error(code, str(exc))
        return code


def _usage_error(exc: UsageError, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Like argparse (the synopsis, then the error, on stderr) but exit 64; one JSON error event with --json."""
    if as_json:
        print(json.dumps({"event": "error", "exit_code": EXIT_USAGE, "message": str(exc)}), file=out, flush=True)
    else:
        print(f"{exc.usage}{exc}", file=err, flush=True)
    return EXIT_USAGE


def _open_app(profile: str | None, err: TextIO) -> int:
    try:
        from mobius_tui.tui.app import run
    except ImportError as exc:
        print(f"The terminal app cannot start ({exc}). Use a command instead; see 'mobius-tui --help'.", file=err)
        return EXIT_UNEXPECTED
    return run(profile)


if __name__ == "__main__":
    sys.exit(main())
