"""History: every run of this machine, filterable by day, outcome and profile; the highlighted run's
documents below the list, its log and error list to save, and Finish when it needs finishing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Log, OptionList, Select, Static
from textual.widgets.option_list import Option

from mobius_tui.service.history import (
    OUTCOMES,
    History,
    HistoryError,
    HistoryFilter,
    HistoryRun,
    RunDetail,
    document_line,
    parse_day,
)
from mobius_tui.service.wording import format_totals
from mobius_tui.tui.screens.dialogs import SavePathDialog
from mobius_tui.tui.screens.export_view import ExportScreen
from mobius_tui.tui.widgets.steady_footer import SteadyFooter

ALL = "all"


def run_prompt(run: HistoryRun) -> str:
    """One line of the list, 76 columns with a batch number of up to 15 characters: when, what, outcome,
    batch, counts; S = scheduled. A longer batch number is never cut (two batches would look alike):
    the line wraps instead."""
    counts = run.counts
    failed = counts.get("failed", 0) + counts.get("skipped", 0)
    figures = f"{counts.get('posted', 0)} posted {failed} failed" if counts.get("documents") else "no documents"
    mark = "S" if run.origin == "scheduled" else " "
    batch = run.batch_identifier or "-"
    return f"{mark} {run.started.astimezone():%Y-%m-%d %H:%M} {run.kind:<12} {run.outcome.upper():<10} {batch:<15} {figures}"


def run_summary(run: HistoryRun) -> str:
    origin = f"scheduled ({run.schedule})" if run.origin == "scheduled" else "interactive"
    lines = [f"{run.kind.capitalize()} run {run.run_id} · profile {run.profile or '-'} · {origin}"]
    if run.summary:
        lines.append(run.summary)
    posted = run.totals.get("posted")
    if posted:
        lines.append(f"Posted: {format_totals(posted)}"
                     + (f" · Manage batch {run.batch_identifier} (id {run.manage_batch_id})"
                        if run.manage_batch_id is not None else ""))
    if run.needs_finish:
        lines.append("Posted, but its Manage batch is not recorded: Finish (F9) records it; nothing is posted again.")
    return "\n".join(lines)


class HistoryScreen(Screen):
    HELP = (
        "Every run of this machine, newest first; S marks runs a schedule started. Filter by the day runs "
        "started from (YYYY-MM-DD, today, yesterday; Enter applies), the outcome and the profile. Up/Down "
        "shows a run's documents below the list. F2 / F3 save its list of errors / full log; F9 finishes a "
        "run that posted but did not record its Manage batch."
    )
    BINDINGS = [
        Binding("escape", "close", "Close", id="history.close"),
        Binding("f2", "save_errors", "Save errors", id="history.save_errors"),
        Binding("f3", "save_log", "Save log", id="history.save_log"),
        Binding("f5", "reload", "Refresh", id="history.reload"),
        Binding("f9", "finish", "Finish run", id="history.finish"),
    ]

    def __init__(self, history: History | None = None) -> None:
        super().__init__()
        self.history = history or History()
        self.runs: list[HistoryRun] = []
        self.detail: RunDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        profiles = sorted({r.profile for r in self.history.runs(limit=10_000) if r.profile}
                          | ({self.app.profile.name} if getattr(self.app, "profile", None) else set()))
        with Horizontal(id="history-filters", classes="bar"):
            yield Label("Since", classes="bar-label")
            yield Input("", placeholder="YYYY-MM-DD", id="history-since", max_length=10, compact=True)
            yield Select([(o.capitalize(), o) for o in OUTCOMES], prompt="Any outcome", id="history-outcome",
                         compact=True)
            yield Select([(p, p) for p in profiles], prompt="Any profile", id="history-profile", compact=True)
        yield OptionList(id="history-runs")
        yield Static("", id="history-summary", markup=False)
        yield Log(id="history-detail", max_lines=100_000)
        with Horizontal(id="history-buttons"):
            yield Button("Save List of Errors (F2)", id="history-save-errors", compact=True)
            yield Button("Save Full Log (F3)", id="history-save-log", compact=True)
            yield Button("Finish (F9)", id="history-finish", compact=True)
            yield Button("Close (Esc)", id="history-close", compact=True)
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        self.action_reload()
        self.query_one("#history-runs", OptionList).focus()

    # --- the list ------------------------------------------------------------------------------

    def current_filter(self) -> HistoryFilter:
        since = self.query_one("#history-since", Input).value.strip()
        outcome = self.query_one("#history-outcome", Select)
        profile = self.query_one("#history-profile", Select)
        return HistoryFilter(
            since=parse_day(since, "Since") if since else None,
            outcomes=() if outcome.is_blank() else (str(outcome.value),),
            profiles=() if profile.is_blank() else (str(profile.value),),
        )

    def action_reload(self) -> None:
        try:
            flt = self.current_filter()
        except HistoryError as exc:
            self.notify(str(exc), severity="error")
            return
        try:
            self.runs = self.history.runs(flt)
        except Exception as exc:  # an unreadable journal is said, not fatal
            self.notify(f"Could not read the run journal: {exc}", severity="error")
            self.runs = []
        options = self.query_one("#history-runs", OptionList)
        options.clear_options()
        options.add_options([Option(Text(run_prompt(r)), id=r.run_id) for r in self.runs])
        if not self.runs:
            options.add_option(Option("(no runs match)" if flt != HistoryFilter() else "(no runs on this machine yet)",
                                      disabled=True))
            self._show(None)
        else:
            options.highlighted = 0
            self._show(self.runs[0].run_id)

    @on(Input.Submitted, "#history-since")
    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.action_reload()

    @on(OptionList.OptionHighlighted, "#history-runs")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option.id)

    def _show(self, run_id: str | None) -> None:
        log = self.query_one("#history-detail", Log)
        log.clear()
        self.detail = None
        if run_id is not None:
            try:
                self.detail = self.history.run(run_id)
            except HistoryError as exc:
                self.notify(str(exc), severity="error")
        summary = self.query_one("#history-summary", Static)
        if self.detail is None:
            summary.update("")
        else:
            summary.update(run_summary(self.detail.run))
            lines = [document_line(d) for d in self.detail.documents]
            if self.detail.run.of_run:
                lines.insert(0, f"finished run {self.detail.run.of_run}; its documents:")
            log.write_lines(lines or ["(no documents: see the summary above; F3 saves the full log)"])
            log.scroll_home(animate=False)
        self.query_one("#history-finish", Button).disabled = not self._needs_finish()
        self.refresh_bindings()

    def _needs_finish(self) -> bool:
        return self.detail is not None and self.detail.run.needs_finish and getattr(self.app, "session", None) is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "finish":
            return self._needs_finish()
        if action in ("save_errors", "save_log"):
            return self.detail is not None
        return True

    # --- actions -----------------------------------------------------------------------------------

    @on(Button.Pressed, "#history-close")
    def action_close(self) -> None:
        self.dismiss(None)

    def _suggest(self, what: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        return Path.home() / f"mobius-run-{self.detail.run.run_id if self.detail else 'none'}-{stamp}-{what}.txt"

    @on(Button.Pressed, "#history-save-errors")
    def action_save_errors(self) -> None:
        if self.detail is not None:
            self.app.push_screen(SavePathDialog("Save List of Errors", self._suggest("errors")),
                                 lambda path: self._save(path, "list of errors"))

    @on(Button.Pressed, "#history-save-log")
    def action_save_log(self) -> None:
        if self.detail is not None:
            self.app.push_screen(SavePathDialog("Save Full Log", self._suggest("log")),
                                 lambda path: self._save(path, "full log"))

    def _save(self, path: Path | None, what: str) -> None:
        if path is None or self.detail is None:
            return
        report = self.detail.report()
        try:
            saved = report.save_errors(path) if what == "list of errors" else report.save_full_log(path)
        except OSError as exc:
            self.notify(f"The {what} could not be saved to {path}: {exc.strerror or exc}. Pick another folder.",
                        severity="error")
            return
        self.saved_to = saved
        self.notify(f"Saved the {what} to {saved}")

    @on(Button.Pressed, "#history-finish")
    def action_finish(self) -> None:
        if not self._needs_finish():
            return
        run = self.detail.run
        session = self.app.session

        async def finish(emit):
            return await session.finish(run.run_id, emit)

        self.app.push_screen(ExportScreen(f"Finishing {run.batch_identifier or run.run_id}", finish,
                                          name_for_files="finish"),
                             lambda _report: self.action_reload())
