"""The export view: progress, the live log, the outcome, the problems, and saving the lists.

Used for a new batch, a dry run, a rerun and finishing an interrupted run: each is a coroutine
taking ``emit`` and returning a :class:`RunReport`. Events go into a queue from whatever thread
emits them; a 100 ms timer moves them to the screen in one batch.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Header, Label, Log, OptionList, ProgressBar, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from mobius_tui.service.events import CheckFailed, DocumentFailed, Emit, Event, Finished, Outcome, Progress
from mobius_tui.service.reports import RunReport, report_header
from mobius_tui.service.runlog import describe
from mobius_tui.service.wording import capitalised, label_list
from mobius_tui.tui.plan_text import plan_lines
from mobius_tui.tui.screens.dialogs import SavePathDialog
from mobius_tui.tui.screens.styled_at_mount import StyledAtMountScreen
from mobius_tui.tui.widgets.log_pane import DRAIN_SECONDS, LogPane, wrap_lines
from mobius_tui.tui.widgets.steady_footer import SteadyFooter

Runner = Callable[[Emit], Awaitable[RunReport]]

# Lines of the Plan tab written per turn of the event loop: 10,000 documents make some 60,000 lines,
# about 200 ms in one write; in pieces of this size keys keep being answered in between.
PLAN_CHUNK_LINES = 2_000

OUTCOME_WORDS = {
    Outcome.SUCCESS: "SUCCESS",
    Outcome.PARTIAL: "PARTIAL",
    Outcome.FAILED: "FAILED",
}


class ExportScreen(StyledAtMountScreen):
    HELP = (
        "The export runs in the background. The log shows each step; when it ends the banner says "
        "whether the batch failed (nothing posted), succeeded, or partly succeeded. Problems lists every "
        "problem with its fix. Save List of Errors / Save Full Log write them to a file you choose."
    )
    BINDINGS = [
        Binding("escape", "close", "Close", id="export.close"),
        Binding("f2", "save_errors", "Save errors", id="export.save_errors"),
        Binding("f3", "save_log", "Save log", id="export.save_log"),
        Binding("f4", "next_tab", "Log/Problems/Plan", id="export.next_tab"),
    ]

    def __init__(self, title: str, runner: Runner, *, name_for_files: str = "run", dry_run: bool = False,
                 header: list[str] | None = None) -> None:
        super().__init__()
        self.header = list(header or [])  # opens the saved files: books, batch, selection (``report_header``)
        self.title_text = title
        self.runner = runner
        self.name_for_files = name_for_files
        self.dry_run = dry_run
        self.report: RunReport | None = None
        self.failure: str = ""
        self.running = True
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._problem_lines: list[str] = []
        self._plan_text: list[str] = []  # the Plan tab's lines, once the run has a plan

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self.title_text, id="export-title", markup=False)
        with Horizontal(id="export-progress"):
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Label("starting…", id="phase")
        with TabbedContent(id="export-tabs"):
            with TabPane("Log", id="tab-log"):
                yield LogPane(id="export-log")
            with TabPane("Problems", id="tab-problems"):
                yield OptionList(id="problems")
            with TabPane("Plan", id="tab-plan"):
                yield Log(id="plan", max_lines=50_000)
        yield Static("Running…", id="outcome", classes="banner running", markup=False)
        with Horizontal(id="export-buttons"):
            yield Button("Save List of Errors (F2)", id="save-errors", compact=True)
            yield Button("Save Full Log (F3)", id="save-log", compact=True)
            yield Button("Close (Esc)", id="close", compact=True)
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#tab-plan").disabled = not self.dry_run
        self.set_interval(DRAIN_SECONDS, self._drain)
        self._run()

    # --- the run ---------------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Thread-safe and non-blocking, as the service requires of ``emit``."""
        self._events.put(event)

    @work(exclusive=True, group="export", exit_on_error=False)
    async def _run(self) -> None:
        try:
            report = await self.runner(self.emit)
        except Exception as exc:  # the run's own failures come back in the report; this is the rest
            self.failure = self.app.error_text(exc)
            report = None
        if report is not None and report.plan is not None:
            # 10,000 documents are some 60,000 lines: laid out off the event loop.
            plan, failed = report.plan, bool(report.blocking_problems)
            width = self.query_one("#plan", Log).scrollable_content_region.width or max(20, self.app.size.width - 4)
            self._plan_text = await asyncio.to_thread(lambda: wrap_lines(plan_lines(plan, check_failed=failed), width))
        self._drain()
        await asyncio.sleep(0)  # each step of showing the outcome in a turn of its own: keys answered between
        self.report = report
        await self._show_outcome()
        if report is not None and report.plan is not None:
            await self._write_plan()  # still "running" meanwhile: Esc cannot close a half-written tab
        self.running = False
        self.refresh_bindings()

    def _drain(self) -> None:
        lines: list[str] = []
        last_progress: Progress | None = None
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            if isinstance(event, Progress):
                last_progress = event
            elif isinstance(event, CheckFailed):
                self._add_problems([_problem_prompt(p) for p in event.problems])
            elif isinstance(event, DocumentFailed):
                self._add_problems([f"{capitalised(event.label)}: {event.reason}"])
            elif isinstance(event, Finished):
                self._banner(event.outcome, event.summary)
            if not isinstance(event, Progress):
                lines.extend(describe(event))
        pane = self.query_one("#export-log", LogPane)
        for line in lines:
            pane.push(line)
        pane.drain()
        if last_progress is not None:
            bar = self.query_one("#progress", ProgressBar)
            bar.update(total=max(last_progress.total, 1), progress=last_progress.done)
            self.query_one("#phase", Label).update(f"{last_progress.phase} {last_progress.done}/{last_progress.total}")

    def _add_problems(self, prompts: list[str]) -> None:
        known = set(self._problem_lines)
        new = [p for p in dict.fromkeys(prompts) if p not in known]
        self._problem_lines += new
        self.query_one("#problems", OptionList).add_options([Option(Text(p)) for p in new])
        self.query_one(TabbedContent).get_tab("tab-problems").label = f"Problems ({len(self._problem_lines)})"

    def _drop_problems(self, prefixes: tuple[str, ...]) -> None:
        self._problem_lines = [p for p in self._problem_lines if not p.startswith(prefixes)]
        options = self.query_one("#problems", OptionList)
        options.clear_options()
        options.add_options([Option(Text(p)) for p in self._problem_lines])

    async def _show_outcome(self) -> None:
        """The banner first, then the problems, then the tab that shows them: one turn of the event loop each."""
        report = self.report
        if report is None:
            self._banner(Outcome.FAILED, self.failure or "The run stopped without a result.")
            self.query_one("#export-log", LogPane).push(f"error: {self.failure}")
            return
        if report.awaiting_import:  # not a failure: the file waits for the accountant
            self._banner(Outcome.PARTIAL, outcome_text(report), word="AWAITING IMPORT")
        else:
            self._banner(report.outcome, outcome_text(report))
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self.query_one("#phase", Label).update("done")
        await asyncio.sleep(0)
        problems = [_group_prompt(g) for g in report.problems]
        problems += [f"{capitalised(r.label)}: {r.error}" for r in report.failed]
        not_posted = [capitalised(r.label) + ":" for r in report.not_posted]
        if not_posted:  # one line each, with the advice, in place of the live "not in the package" ones
            self._drop_problems(tuple(not_posted))
        problems += [not_posted_prompt(r.label) for r in report.not_posted]
        self._add_problems(problems)
        await asyncio.sleep(0)
        if report.plan is not None:
            self.query_one("#tab-plan").disabled = False
            if self.dry_run:
                self.query_one(TabbedContent).active = "tab-plan"
        if report.problems and report.outcome == Outcome.FAILED:
            self.query_one(TabbedContent).active = "tab-problems"
            self.query_one("#problems", OptionList).focus()

    async def _write_plan(self) -> None:
        """The Plan tab's lines, a piece per turn of the event loop, then back to the top."""
        plan = self.query_one("#plan", Log)
        lines = self._plan_text
        for start in range(0, len(lines), PLAN_CHUNK_LINES):
            if not plan.is_attached:
                return
            plan.write_lines(lines[start:start + PLAN_CHUNK_LINES], scroll_end=False)
            await asyncio.sleep(0)
        plan.scroll_home(animate=False)

    def _banner(self, outcome: Outcome, text: str, *, word: str = "") -> None:
        banner = self.query_one("#outcome", Static)
        word = word or ("OK" if self.dry_run and outcome == Outcome.SUCCESS else OUTCOME_WORDS[outcome])
        banner.update(f"{word}: {text}")
        banner.set_classes(f"banner {outcome.value}")

    # --- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"save_errors", "save_log", "close"} and self.running:
            return None  # greyed out until the run ends
        return True

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.running:
            self.notify("The run is still going; wait for it to finish.", severity="warning")
            return
        self.dismiss(self.report)

    @on(Button.Pressed, "#save-errors")
    def action_save_errors(self) -> None:
        if not self.running:
            self.app.push_screen(SavePathDialog("Save List of Errors", self._suggest("errors")), self._save_errors_to)

    @on(Button.Pressed, "#save-log")
    def action_save_log(self) -> None:
        if not self.running:
            self.app.push_screen(SavePathDialog("Save Full Log", self._suggest("log")), self._save_log_to)

    def action_next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        order = [p.id for p in tabs.query(TabPane) if not p.disabled]
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)]

    def _suggest(self, what: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.name_for_files)
        return Path.home() / f"mobius-{safe}-{stamp}-{what}.txt"

    def error_lines(self) -> list[str]:
        if self.report is not None and self.report.error_lines:
            errors = list(self.report.error_lines)
        else:
            errors = list(self._problem_lines) or ([self.failure] if self.failure else [])
        return [*self._header_lines(), *(errors or ["No errors."])]

    def full_log_lines(self) -> list[str]:
        """The header, every log line, then the plan: a dry run's saved log is the report filed for approval."""
        if self.report is not None and self.report.log_lines:
            lines = list(self.report.log_lines)
        else:
            lines = list(self.query_one("#export-log", LogPane).history)
        if self.report is not None and self.report.plan is not None:
            lines += ["", "Plan", *plan_lines(self.report.plan, check_failed=bool(self.report.blocking_problems))]
        return [*self._header_lines(), *lines]

    def _header_lines(self) -> list[str]:
        header = list(self.header)
        if header and self.report is not None:
            header.insert(2, f"Run {self.report.run_id} ({self.report.action}): {self.report.outcome.value.upper()}")
        return header

    def _save_errors_to(self, path: Path | None) -> None:
        if path is not None:
            self._save(path, self.error_lines(), "list of errors")

    def _save_log_to(self, path: Path | None) -> None:
        if path is not None:
            self._save(path, self.full_log_lines(), "full log")

    def _save(self, path: Path, lines: list[str], what: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
        except OSError as exc:
            message = f"The {what} could not be saved to {path}: {exc.strerror or exc}. Pick another folder."
            self.query_one("#export-log", LogPane).push(f"error: {message}")
            self.notify(message, severity="error")
            return
        self.saved_to = path
        self.query_one("#export-log", LogPane).push(f"Saved the {what} ({len(lines)} lines) to {path}")
        self.notify(f"Saved the {what} to {path}")


def run_header(app, batch: str, *, thru=None, location: str = "") -> list[str]:
    """``report_header`` for the logged-in profile."""
    profile = app.profile
    package = getattr(getattr(app.session, "package", None), "label", "") or (profile.package if profile else "")
    return report_header(company=profile.company_id if profile else "", profile=profile.name if profile else "",
                         package=package, batch=batch, thru=thru, location=location)


def outcome_text(report: RunReport) -> str:
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items() if n)
    text = report.summary or ""
    if counts and counts not in text:
        text = f"{text} ({counts})" if text else counts
    if refused_batch_number(report):
        text += " Close this view (Esc) to type a new batch number."
    elif report.awaiting_import:
        text += " Once the file is imported, finish this run from the main screen (F9)."
    elif report.unfinished:
        text += " The Manage batch is not recorded yet: finish this run from the main screen."
    return text


def refused_batch_number(report: RunReport | None) -> str:
    """The batch number a finish could not record its Manage batch under ("" if none was refused):
    a foreign batch holds the run's own number, or the new number given is taken too."""
    if report is None or report.action != "finish":
        return ""
    return report.refused_batch_number


def not_posted_prompt(label: str) -> str:
    return (f"{capitalised(label)}: not posted (the package does not have it)\n"
            "  fix: run it again: its Manage record is still unposted, so Run New Batch lists it")


def _group_prompt(group) -> str:
    docs = label_list(group.documents)
    tag = "" if group.blocking else "note: "
    return f"{tag}{group.headline()}\n  fix: {group.fix}" + (f"\n  {docs}" if docs else "")


def _problem_prompt(problem: dict) -> str:
    headline = problem.get("headline") or problem.get("cause", "")
    if problem.get("severity", "error") != "error":
        headline = f"note: {headline}"
    docs = problem.get("documents") or []
    shown = label_list(docs)
    return f"{headline}\n  fix: {problem.get('fix', '')}" + (f"\n  {shown}" if shown else "")
