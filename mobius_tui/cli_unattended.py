"""Commands for running unattended: ``history``, ``alerts`` and ``schedule``.

Registered by :mod:`mobius_tui.cli` (``register`` adds the subcommands, ``run`` carries one out);
same output conventions and exit codes as every other command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mobius_tui.cli import EXIT_CONFIG, EXIT_LOCKED, EXIT_SUCCESS, EXIT_UNEXPECTED, EXIT_USAGE

if TYPE_CHECKING:
    from mobius_tui.cli import Printer

COMMANDS = ("history", "alerts", "schedule")


def register(sub: argparse._SubParsersAction) -> None:
    history = sub.add_parser("history", help="every run of this machine from the run journal",
                             description="Every run of this machine (new batches, reruns, finishes, payment syncs, "
                                         "interactive and scheduled), newest first. 'history show RUN' lists its documents.")
    history.add_argument("what", nargs="?", default="list", help="list (default) or show")
    history.add_argument("run_id", nargs="?", help="run id (for show)")
    history.add_argument("--json", action="store_true", help="one JSON object on stdout")
    history.add_argument("--since", default=None, help="runs started on or after this day (YYYY-MM-DD, today, yesterday)")
    history.add_argument("--until", default=None, help="runs started on or before this day")
    history.add_argument("--outcome", action="append", default=[],
                         help="success, partial, failed or unfinished (repeatable or comma-separated)")
    history.add_argument("--profile", action="append", default=[], help="only this profile's runs (repeatable)")
    origin = history.add_mutually_exclusive_group()
    origin.add_argument("--scheduled", dest="origin", action="store_const", const="scheduled", default="",
                        help="only runs started by a schedule")
    origin.add_argument("--interactive", dest="origin", action="store_const", const="interactive",
                        help="only runs started by a person")
    history.add_argument("--limit", type=int, default=50, help="at most this many runs (default 50)")
    history.add_argument("--save-log", type=Path, default=None, metavar="FILE", help="show: save the full log here")
    history.add_argument("--save-errors", type=Path, default=None, metavar="FILE",
                         help="show: save the list of errors here")


    alerts = sub.add_parser("alerts", help="e-mail and webhook alerts when an unattended run needs a person",
                            description="Alerts per profile: set, show, test or remove. The SMTP password and the "
                                        "webhook URL are secrets: 'mobius-tui profiles set-secret PROFILE smtp_password' "
                                        "(or webhook_url), or the environment variables MOBIUS_SMTP_PASSWORD and "
                                        "MOBIUS_ALERT_WEBHOOK_URL.")
    alerts.add_argument("action", choices=("set", "show", "test", "remove"))
    alerts.add_argument("profile", help="profile name")
    alerts.add_argument("--smtp-host", default=None)
    alerts.add_argument("--smtp-port", type=int, default=None, help="587 with STARTTLS (default) or 465 for TLS")
    alerts.add_argument("--starttls", action=argparse.BooleanOptionalAction, default=None,
                        help="upgrade the connection with STARTTLS before logging in (default: yes)")
    alerts.add_argument("--smtp-user", default=None, help="SMTP login (the password is the smtp_password secret)")
    alerts.add_argument("--mail-from", default=None, help="sender address")
    alerts.add_argument("--mail-to", default=None, help="recipients, comma-separated")
    alerts.add_argument("--webhook", action=argparse.BooleanOptionalAction, default=None,
                        help="POST alerts as JSON to the webhook_url secret")
    alerts.add_argument("--no-email", action="store_true", help="stop e-mailing alerts")
    alerts.add_argument("--on-success", action=argparse.BooleanOptionalAction, default=None,
                        help="also send a message when a run succeeds")
    alerts.add_argument("--json", action="store_true")

    schedule = sub.add_parser(
        "schedule", help="run a new batch and/or a payment sync on the machine's scheduler (systemd timer or cron)",
        description="add PROFILE installs a schedule (a systemd user timer where systemd runs, a crontab line "
                    "otherwise); list; remove NAME; run NAME runs it now, exactly as the scheduler does (never "
                    "prompts; exit 5 at once when another run holds the books).")
    schedule.add_argument("action", choices=("add", "list", "remove", "run"))
    schedule.add_argument("target", nargs="?", help="add: the profile; remove/run: the schedule name")
    schedule.add_argument("--name", default=None, help="add: the schedule's name (default: the profile's)")
    schedule.add_argument("--export", default=None, metavar="KINDS", help="invoices,expenses,procurement")
    schedule.add_argument("--thru", default="yesterday", help="yesterday (default), end-of-last-month or today")
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--every", default=None, help="15m, 30m, 1h, 6h ... (divides an hour or a day)")
    when.add_argument("--at", default=None, help="daily at HH:MM")
    schedule.add_argument("--sync-payments", action="store_true", help="bring payments back into Manage too")
    schedule.add_argument("--start", default="last-successful-run",
                          help="payment sync start: last-successful-run (default), past-week, past-two-weeks, past-month")
    schedule.add_argument("--env-file", default=None, metavar="FILE",
                          help="KEY=VALUE secrets for the run where no keyring works (must be chmod 600)")
    schedule.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, printer: Printer) -> int:
    from mobius_tui.cli import CliError

    handler = {"history": _cmd_history, "alerts": _cmd_alerts, "schedule": _cmd_schedule}[args.command]
    try:
        return handler(args, printer)
    except CliError as exc:  # answered here: under 'python -m mobius_tui.cli' the caller's CliError is another class
        printer.error(exc.code, str(exc))
        return exc.code


def _usage(message: str) -> Exception:
    from mobius_tui.cli import CliError

    return CliError(EXIT_USAGE, message)


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


# --- history ----------------------------------------------------------------------------------


def _cmd_history(args: argparse.Namespace, printer: Printer) -> int:
    from mobius_tui.cli import CliError
    from mobius_tui.service.history import History, HistoryError, HistoryFilter, parse_day

    if args.what not in ("list", "show"):
        raise _usage(f"Unknown history action {args.what!r}: use 'mobius-tui history' or 'mobius-tui history show RUN'.")
    if args.what == "show":
        if not args.run_id:
            raise _usage("Name the run to show: mobius-tui history show RUN (run ids are in 'mobius-tui history').")
        try:
            detail = History().run(args.run_id)
        except HistoryError as exc:
            raise CliError(EXIT_CONFIG, str(exc)) from None
        return _show(detail, args, printer)
    if args.limit < 1:
        raise _usage(f"--limit {args.limit} is not a number of runs: give 1 or more.")
    try:
        flt = HistoryFilter(
            since=parse_day(args.since, "--since") if args.since else None,
            until=parse_day(args.until, "--until") if args.until else None,
            outcomes=_split(args.outcome), profiles=_split(args.profile), origin=args.origin,
        )
    except HistoryError as exc:
        raise _usage(str(exc)) from None
    runs = History().runs(flt, limit=args.limit)
    lines = [run_line(r) for r in runs] or ["No runs match." if (args.since or args.outcome or args.profile or args.origin)
                                            else "No runs yet on this machine."]
    lines += [f"  finish needed: {r.finish_command}" for r in runs if r.needs_finish]
    printer.result(lines, {"runs": [r.to_json() for r in runs]})
    return EXIT_SUCCESS


def run_line(r) -> str:  # noqa: ANN001 - HistoryRun
    from mobius_tui.service.wording import format_totals

    counts = r.counts
    figures = (f"{counts.get('posted', 0)} posted, {counts.get('failed', 0) + counts.get('skipped', 0)} failed"
               if counts.get("documents") else "no documents")
    money = format_totals(r.totals.get("posted", {})) if r.totals.get("posted") else ""
    origin = f"  [scheduled {r.schedule}]" if r.origin == "scheduled" else ""
    batch = f"  batch {r.batch_identifier}" if r.batch_identifier else ""
    return (f"{r.started.astimezone():%Y-%m-%d %H:%M}  {r.run_id}  {r.kind:<12} {r.profile:<10} {r.outcome.upper():<10}"
            f"{batch}  {figures}{'  ' + money if money else ''}{origin}")


def _show(detail, args: argparse.Namespace, printer: Printer) -> int:  # noqa: ANN001 - RunDetail
    from mobius_tui.service.history import document_line

    run = detail.run
    lines = [run_line(run)]
    if run.summary:
        lines.append(f"  {run.summary}")
    if run.of_run:
        lines.append(f"  finished run {run.of_run}; its documents:")
    if run.manage_batch_id is not None:
        lines.append(f"  Manage batch {run.batch_identifier} (id {run.manage_batch_id})")
    lines += ["  " + document_line(d) for d in detail.documents]
    if run.needs_finish:
        lines.append(f"This run posted but did not record its Manage batch: {run.finish_command}")
    report = detail.report()
    saved = {}
    if args.save_log:
        saved["log"] = str(report.save_full_log(args.save_log))
        lines.append(f"full log saved to {saved['log']}")
    if args.save_errors:
        saved["errors"] = str(report.save_errors(args.save_errors))
        lines.append(f"list of errors saved to {saved['errors']}")
    if run.log_path:
        lines.append(f"full log: {run.log_path}")
    printer.result(lines, {"run": detail.to_json(), "saved": saved})
    return EXIT_SUCCESS


# --- alerts -----------------------------------------------------------------------------------


def _known_profile(name: str) -> None:
    from mobius_tui.service.profiles import load_profile

    load_profile(name)  # ProfileError (exit 4) names the profiles there are


def _cmd_alerts(args: argparse.Namespace, printer: Printer) -> int:
    from dataclasses import replace

    from mobius_tui.cli import CliError
    from mobius_tui.service import alerts as al

    _known_profile(args.profile)
    current = al.load_settings(args.profile)
    if args.action == "show":
        if current is None:
            printer.result([f"Profile {args.profile} sends no alerts: mobius-tui alerts set {args.profile} ..."],
                           {"alerts": None})
            return EXIT_SUCCESS
        printer.result(settings_lines(current), {"alerts": current.to_json()})
        return EXIT_SUCCESS
    if args.action == "remove":
        removed = al.remove_settings(args.profile)
        printer.result([f"alerts of profile {args.profile} {'removed' if removed else 'were not set'}"],
                       {"removed": removed})
        return EXIT_SUCCESS
    if args.action == "set":
        settings = current or al.AlertSettings(args.profile)
        smtp_flags = (args.smtp_host, args.smtp_port, args.starttls, args.smtp_user, args.mail_from, args.mail_to)
        if any(v is not None for v in smtp_flags):
            smtp = settings.smtp or al.SmtpSettings(host="")
            smtp = replace(
                smtp,
                host=args.smtp_host if args.smtp_host is not None else smtp.host,
                port=args.smtp_port if args.smtp_port is not None else smtp.port,
                starttls=args.starttls if args.starttls is not None else smtp.starttls,
                user=args.smtp_user if args.smtp_user is not None else smtp.user,
                sender=args.mail_from if args.mail_from is not None else smtp.sender,
                to=_split([args.mail_to]) if args.mail_to is not None else smtp.to,
            )
            settings = replace(settings, smtp=smtp)
        if args.no_email:
            settings = replace(settings, smtp=None)
        if args.webhook is not None:
            settings = replace(settings, webhook=args.webhook)
        if args.on_success is not None:
            settings = replace(settings, on_success=args.on_success)
        try:
            path = al.save_settings(settings)
        except al.AlertSettingsError as exc:
            raise _usage(str(exc)) from None
        printer.result([f"alerts of profile {args.profile} saved in {path}", *settings_lines(settings)],
                       {"alerts": settings.to_json(), "path": str(path)})
        return EXIT_SUCCESS
    # test
    if current is None:
        raise CliError(EXIT_CONFIG, f"Profile {args.profile} has no alerts to test: mobius-tui alerts set {args.profile} "
                                    "--smtp-host ... --mail-to ... (or --webhook).")
    deliveries = al.send(al.trial_alert(args.profile), current)
    lines = [f"{d.channel}: {'sent, ' if d.ok else 'FAILED: '}{d.message}" for d in deliveries]
    printer.result(lines, {"deliveries": [{"channel": d.channel, "ok": d.ok, "message": d.message} for d in deliveries]})
    return EXIT_SUCCESS if all(d.ok for d in deliveries) else EXIT_CONFIG


def settings_lines(settings) -> list[str]:  # noqa: ANN001 - AlertSettings
    from mobius_tui.service import alerts as al

    lines = []
    if settings.smtp is not None:
        s = settings.smtp
        login = f", login {s.user} (password: the {al.SMTP_PASSWORD} secret)" if s.user else ", no login"
        lines.append(f"e-mail: {s.host}:{s.port}{' STARTTLS' if s.starttls and s.port != 465 else ''}{login}, "
                     f"to {', '.join(s.to)}")
    if settings.webhook:
        lines.append(f"webhook: JSON POST to the {al.WEBHOOK_URL} secret")
    lines.append("on success too" if settings.on_success else "only when a run needs a person")
    return lines


# --- schedule ---------------------------------------------------------------------------------


def _cmd_schedule(args: argparse.Namespace, printer: Printer) -> int:
    from mobius_tui.cli import CliError
    from mobius_tui.service import schedules as sc

    try:
        if args.action == "list":
            return _schedule_list(printer)
        if not args.target:
            what = "profile" if args.action == "add" else "schedule"
            raise _usage(f"Name the {what}: mobius-tui schedule {args.action} {what.upper()}.")
        if args.action == "add":
            return _schedule_add(args, printer)
        if args.action == "remove":
            removed = sc.remove_schedule(args.target)
            printer.result([f"schedule {removed.name} removed ({removed.installed_as or 'not installed'})"],
                           {"removed": removed.name})
            return EXIT_SUCCESS
        return _schedule_run(args, printer)
    except sc.ScheduleError as exc:
        raise (_usage(str(exc)) if exc.usage else CliError(EXIT_CONFIG, str(exc))) from None


def _schedule_add(args: argparse.Namespace, printer: Printer) -> int:
    from mobius_tui.service import schedules as sc

    if args.every is None and args.at is None:
        raise _usage("Say when: --every 1h (or 15m, 6h ...) or --at 02:00.")
    when = sc.parse_every(args.every) if args.every is not None else sc.parse_at(args.at)
    schedule = sc.Schedule(
        name=args.name or sc.free_name(args.target), profile=args.target, when=when,
        export=_split([args.export] if args.export else []), thru=args.thru, sync_payments=args.sync_payments,
        start=args.start, env_file=args.env_file or "",
    )
    schedule, where = sc.add_schedule(schedule)
    missing = sc.missing_secrets(schedule)
    for line in missing:
        printer(_warning(line))
    printer.result([f"schedule {schedule.describe()}", f"installed as {where}",
                    f"try it now: mobius-tui schedule run {schedule.name}"],
                   {"schedule": schedule.to_json(), "installed": where, "missing_secrets": missing})
    return EXIT_SUCCESS


def _warning(message: str):  # noqa: ANN202 - a LogLine
    from mobius_tui.service.events import Level, LogLine

    return LogLine(message, Level.WARNING)


def _schedule_list(printer: Printer) -> int:
    from mobius_tui.service import schedules as sc
    from mobius_tui.service.history import History, HistoryFilter

    rows, lines = [], []
    runs = History().runs(HistoryFilter(origin="scheduled"), limit=1000)
    for schedule in sc.list_schedules():
        try:
            installed = sc.installer(schedule.installed_as).is_installed(schedule.name)
        except sc.ScheduleError:
            installed = False
        last = next((r for r in runs if r.schedule == schedule.name), None)
        rows.append({**schedule.to_json(), "installed": installed,
                     "last_run": last.to_json() if last else None})
        state = "" if installed else f"  NOT INSTALLED in {schedule.installed_as}"
        outcome = f"  last run {last.started.astimezone():%Y-%m-%d %H:%M} {last.outcome.upper()}" if last else "  not run yet"
        lines.append(f"{schedule.describe()}{outcome}{state}")
    printer.result(lines or ["No schedules: mobius-tui schedule add PROFILE --export invoices --every 1h"],
                   {"schedules": rows})
    return EXIT_SUCCESS


def _schedule_run(args: argparse.Namespace, printer: Printer) -> int:
    import asyncio

    from mobius_tui.cli import _exit_for, _report_lines
    from mobius_tui.service import schedules as sc
    from mobius_tui.service.reports import SyncReport

    schedule = sc.load_schedule(args.target)
    result = asyncio.run(sc.run_schedule(schedule, printer, on_secrets=printer.hide))
    worst = EXIT_SUCCESS
    for report in result.reports:
        if isinstance(report, SyncReport):
            printer.result([f"{report.outcome.value.upper()}: {report.summary}"],
                           {"run_id": report.run_id, "action": "sync-payments", "outcome": report.outcome.value,
                            "summary": report.summary})
        else:
            printer.result(_report_lines(report), report.to_json())
        worst = max(worst, _exit_for(report))
    deliveries = [{"channel": d.channel, "ok": d.ok, "message": d.message} for d in result.deliveries]
    if result.refused:
        code = {"locked": EXIT_LOCKED, "config": EXIT_CONFIG}.get(result.refused_kind, EXIT_UNEXPECTED)
        printer.error(code, result.refused)
        return code
    if deliveries and printer.as_json:
        printer.json({"event": "alerts", "deliveries": deliveries})
    return worst
