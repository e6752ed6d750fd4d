"""The main screen: three tabs, and the keys that act on whichever tab is showing."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.lazy import Lazy
from textual.widgets import Header, Static, TabbedContent, TabPane

from mobius_tui.service.reports import RunSummary
from mobius_tui.tui.screens.dialogs import BatchNumberDialog, Choice, ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen, refused_batch_number, run_header
from mobius_tui.tui.screens.history import HistoryScreen
from mobius_tui.tui.screens.new_batch import NewBatchPane
from mobius_tui.tui.screens.payments import PaymentsPane
from mobius_tui.tui.screens.rerun import RerunPane
from mobius_tui.tui.screens.styled_at_mount import StyledAtMountScreen
from mobius_tui.tui.widgets.steady_footer import SteadyFooter

TABS = {"tab-new": "Run New Batch (F2)", "tab-rerun": "Rerun Previous Batch (F3)", "tab-payments": "Update Invoice Payments (F4)"}


def unfinished_text(runs: list[RunSummary]) -> str:
    lines = ["These runs posted documents but did not record their Manage batch (the program stopped):"]
    if any(run.written for run in runs):
        lines = ["These runs have not recorded their Manage batch yet (the program stopped, or a file waits "
                 "to be imported into the package):"]
    for run in runs:
        lines.append(
            f"  {run.batch_identifier or run.run_id} ({run.action}, started {run.started:%Y-%m-%d %H:%M}): "
            f"{run.posted} posted, {run.unresolved} without a result, {run.failed} failed"
            + (f", {run.written} written for import" if run.written else "")
        )
    lines.append(
        "Finishing asks the package which of the unresolved documents it has, then records the Manage batch "
        "with exactly what posted. Nothing is posted again."
    )
    if any(run.written for run in runs):
        lines.append(
            "Documents written for import count once the package holds them: import the file first. "
            "'Import done' records the batch of those imported and leaves the rest unposted in Manage."
        )
    return "\n".join(lines)


def last_scheduled_text(profile: str) -> str:
    """The outcome of the last scheduled run of ``profile`` ("" when none ran), for the line under ``who``."""
    from mobius_tui.service.history import History

    try:
        run = History().last_scheduled(profile)
    except Exception:  # an unreadable journal must not keep the main screen from opening
        return ""
    if run is None:
        return ""
    posted = run.counts.get("posted", 0)
    return (f"Last scheduled run ({run.schedule}, {run.kind}) {run.started.astimezone():%Y-%m-%d %H:%M}: "
            f"{run.outcome.upper()}, {posted} posted · F7 History")


class MainScreen(StyledAtMountScreen):
    HELP = (
        "Run New Batch: choose a location and through date, tick transactions (Space toggles, a / d select or "
        "deselect all), then Dry Run (F6) to see the plan or Run Export (F8).\n"
        "Rerun Previous Batch: pick a batch; the duplicate check runs before you confirm.\n"
        "Update Invoice Payments: choose the start date and Run Sync (F8).\n"
        "History (F7): every run of this machine, scheduled ones too; open one to see its documents.\n"
        "Tab / Shift+Tab move between fields; Ctrl+P lists every command."
    )
    BINDINGS = [
        Binding("f2", "show_tab('tab-new')", "Run New Batch tab", id="main.tab_new", show=False),
        Binding("f3", "show_tab('tab-rerun')", "Rerun Previous Batch tab", id="main.tab_rerun", show=False),
        Binding("f4", "show_tab('tab-payments')", "Update Invoice Payments tab", id="main.tab_payments", show=False),
        Binding("f5", "refresh", "Refresh", id="main.refresh", show=False),  # on the Refresh Data button
        Binding("f7", "history", "History", id="main.history", show=False),
        Binding("f6", "dry_run", "Dry run", id="main.dry_run"),
        Binding("f8", "run", "Run", id="main.run"),
        Binding("f9", "finish_runs", "Finish runs", id="main.finish_runs", show=False),
        Binding("f10", "app.logout", "Log out", id="main.logout"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        profile = self.app.profile
        who = f"{profile.company_id} @ {profile.site} → {profile.package}" if profile else ""
        yield Static(who, id="who", markup=False)
        yield Static("", id="last-scheduled", classes="empty", markup=False)  # shown once a schedule has run
        with TabbedContent(id="main-tabs", initial="tab-new"):
            with TabPane(TABS["tab-new"], id="tab-new"):
                yield NewBatchPane(id="new-batch")
            # Hidden at first: composed once the screen has painted (a third of its widgets out of
            # the turns of the event loop that build and paint it).
            with TabPane(TABS["tab-rerun"], id="tab-rerun"):
                yield Lazy(RerunPane(id="rerun"))
            with TabPane(TABS["tab-payments"], id="tab-payments"):
                yield Lazy(PaymentsPane(id="payments"))
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        self.call_after_refresh(self.offer_unfinished)
        self.show_last_scheduled()
        self.set_interval(60, self.show_last_scheduled)  # a timer may run one while the app is open

    def on_screen_resume(self) -> None:
        self.show_last_scheduled()

    def show_last_scheduled(self) -> None:
        profile = self.app.profile
        text = last_scheduled_text(profile.name) if profile else ""
        line = self.query_one("#last-scheduled", Static)
        line.update(text)
        line.set_class(not text, "empty")

    @property
    def active_tab(self) -> str:
        return self.query_one("#main-tabs", TabbedContent).active

    @on(TabbedContent.TabActivated, "#main-tabs")
    def _tab_changed(self) -> None:
        self.refresh_bindings()
        if self.active_tab == "tab-rerun":
            for pane in self.query(RerunPane):  # none yet right after login: it loads them when mounted
                pane.load_batches()  # a batch may have been recorded meanwhile

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen())

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one("#main-tabs", TabbedContent)
        if tabs.active == tab:
            return
        # Focus left in the old tab would pull it back (a tab shows itself when a field in it gets
        # focus), so the keys would seem dead from a field: drop it, then focus the new tab's first field.
        self.set_focus(None)
        tabs.active = tab
        self.call_after_refresh(self._focus_first, tab)

    def _focus_first(self, tab: str) -> None:
        pane = self.query_one(f"#{tab}", TabPane)
        if pane.query(Lazy):  # shown right after login, before its fields are mounted: once they are
            self.call_after_refresh(self._focus_first, tab)
            return
        first = next((w for w in pane.query("*") if w.focusable), None)
        if first is not None:
            first.focus()

    def _on_pane(self, kind: type[RerunPane] | type[PaymentsPane], act: Callable[[RerunPane | PaymentsPane], object]) -> None:
        """``act`` on the pane of ``kind``; a key pressed right after login, before the (lazily
        composed) pane is mounted, acts once it is, rather than being lost."""
        panes = list(self.query(kind))
        if not panes:
            self.call_after_refresh(self._on_pane, kind, act)
            return
        for pane in panes:
            act(pane)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Commands with no binding on this screen (their keys belong to a table that may not have the
        focus): (title, help, callback), for the command palette."""
        if self.active_tab != "tab-new":
            return []
        pane = self.query_one(NewBatchPane)
        return [("Select all", "Include every row of the table showing (key a in the table)", pane.select_all),
                ("Deselect all", "Include no row of the table showing (key d in the table)", pane.deselect_all)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab if self.is_mounted else "tab-new"
        if action == "refresh":
            return tab in ("tab-new", "tab-rerun")
        if action == "dry_run":
            return tab in ("tab-new", "tab-rerun")
        if action == "finish_runs":
            return bool(self._unfinished())
        return True

    def action_refresh(self) -> None:
        if self.active_tab == "tab-new":
            self.query_one(NewBatchPane).load_locations()
            self.query_one(NewBatchPane).action_refresh()
        elif self.active_tab == "tab-rerun":
            for pane in self.query(RerunPane):  # none yet right after login: mounting it loads them
                pane.load_batches()

    def action_dry_run(self) -> None:
        if self.active_tab == "tab-new":
            self.query_one(NewBatchPane).action_dry_run()
        elif self.active_tab == "tab-rerun":
            self._on_pane(RerunPane, lambda pane: pane.action_check())

    def action_run(self) -> None:
        tab = self.active_tab
        if tab == "tab-new":
            self.query_one(NewBatchPane).action_run_export()
        elif tab == "tab-rerun":
            self._on_pane(RerunPane, lambda pane: pane.action_rerun())
        else:
            self._on_pane(PaymentsPane, lambda pane: pane.action_run_sync())

    # --- runs that did not finish -------------------------------------------------------------

    def _unfinished(self) -> list[RunSummary]:
        session = self.app.session
        if session is None:
            return []
        try:
            return list(session.unfinished_runs())
        except Exception as exc:
            self.notify(f"Could not read the run journal: {exc}", severity="error")
            return []

    def offer_unfinished(self) -> None:
        runs = self._unfinished()
        if runs:
            choices = [Choice("finish", "Finish now", "f9"), Choice("later", "Later")]
            if any(run.written for run in runs):
                choices.insert(1, Choice("import-done", "Import done", "f6", destructive=True))
            self.app.push_screen(
                ChoiceDialog("Unfinished runs", unfinished_text(runs), choices, id="unfinished"),
                lambda choice: self._finish(runs, import_done=choice == "import-done")
                if choice in ("finish", "import-done") else None,
            )

    def action_finish_runs(self) -> None:
        self.offer_unfinished()

    def _finish(self, runs: list[RunSummary], batch_number: str = "", *, import_done: bool = False) -> None:
        """Finish ``runs`` (``batch_number``: record the one run's Manage batch under it; ``import_done``:
        their import files have been imported), then ask for a new number for each run whose batch
        number Manage refused."""
        session = self.app.session
        refused: list[tuple[RunSummary, str]] = []

        async def finish_all(emit):
            report = None
            for run in runs:
                report = await session.finish(run.run_id, emit, batch_number=batch_number, import_done=import_done)
                number = refused_batch_number(report)
                if number:
                    refused.append((run, number))
            return report

        label = ", ".join(r.batch_identifier or r.run_id for r in runs)
        title = f"Finishing {label}" + (f" as batch {batch_number}" if batch_number else "")
        self.app.push_screen(
            ExportScreen(title, finish_all, name_for_files="finish", header=run_header(self.app, batch_number or label)),
            lambda _report: self._after_finish(refused),
        )

    def _after_finish(self, refused: list[tuple[RunSummary, str]]) -> None:
        self.query_one(NewBatchPane).action_refresh()
        if not refused:
            return
        (run, number), rest = refused[0], refused[1:]
        suggestion = f"{number[:47]}-1"
        body = (
            f"Manage refused batch number {number} for run {run.run_id} ({run.action}, started "
            f"{run.started:%Y-%m-%d %H:%M}): another batch already has it. The run's posted documents "
            "are kept; type a new batch number to record them under. Nothing is posted again."
        )

        def chosen(new_number: str | None) -> None:
            if new_number:
                self._finish([run], new_number)  # asks again if this one is refused too
            elif rest:
                self._after_finish(rest)

        self.app.push_screen(BatchNumberDialog("Batch number taken", body, number, suggestion, id="new-batch-number-dialog"),
                             chosen)

