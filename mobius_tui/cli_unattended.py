"""Commands for running unattended: ``history``, ``alerts`` and ``schedule``.

Registered by :mod:`mobius_tui.cli` (``register`` adds the subcommands, ``run`` carries one out);
same output conventions and exit codes as every other command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobius_tui.cli import Printer

COMMANDS = ("history",)
EXIT_SUCCESS, EXIT_CONFIG, EXIT_USAGE = 0, 4, 64


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


def run(args: argparse.Namespace, printer: Printer) -> int:
    return {"history": _cmd_history}[args.command](args, printer)


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
