"""Rerun Previous Batch: pick a batch, see which of its documents the package already holds, confirm."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from mobius_tui.service.events import Outcome, ignore
from mobius_tui.service.reports import BatchRun, BatchSummary, RunReport
from mobius_tui.service.wording import capitalised, counted, format_totals
from mobius_tui.tui.screens.dialogs import Choice, ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen, run_header

WARNING = (
    "Rerunning posts a past batch's documents again. If the documents from the first run are still in "
    "the accounting package they would be duplicated, so the duplicate check runs first and you confirm "
    "after seeing its result."
)


def batch_prompt(batch: BatchSummary, run: BatchRun | None = None) -> str:
    """The batch and what it holds; with its run on this computer: when, what posted, the total, the outcome."""
    kinds = [name for name, on in (("invoices", batch.invoices), ("expenses", batch.expenses), ("inventory", batch.procurement)) if on]
    head = f"{batch.batch_identifier:<20} {', '.join(kinds) or '-'} · id {batch.id}{' · closed' if batch.closed else ''}"
    if run is None:
        return f"{head}\n  not run on this computer: the duplicate check (F6) shows what it holds"
    r = run.run
    counts = ", ".join(filter(None, [f"{r.posted} posted", f"{r.failed} failed" if r.failed else "",
                                     f"{r.not_posted} not posted" if r.not_posted else ""]))
    outcome = (r.outcome or "unfinished").upper()
    return f"{head}\n  {r.started:%Y-%m-%d %H:%M} {r.action}: {counts} · {format_totals(run.posted_totals)} · {outcome}"


def duplicate_text(report: RunReport, limit: int = 8) -> str:
    """The duplicate guard's result in words: the service's summary, then which documents."""
    if report.outcome == Outcome.FAILED and report.blocking_problems:
        head = [f"The check found {counted(len(report.blocking_problems), 'problem')}; a rerun would fail:"]
        return "\n".join(head + [f"  {g.headline()} — fix: {g.fix}" for g in report.blocking_problems[:limit]])
    lines = [report.summary]
    dups = report.duplicates
    if dups:
        lines.append(f"Already in the package ({len(dups)}):")
        lines += [f"  {capitalised(d.label)} as {d.reference}" for d in dups[:limit]]
        if len(dups) > limit:
            lines.append(f"  … and {len(dups) - limit} more")
    return "\n".join(lines)


class RerunPane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.checked: RunReport | None = None  # the duplicate check of the identifier in the box
        self.checking = False

    def compose(self) -> ComposeResult:
        yield Static(WARNING, id="rerun-warning", classes="warning")
        with Horizontal(classes="bar"):
            yield Label("Batch identifier", classes="bar-label")
            yield Input("", placeholder="type it, or pick one below", id="rerun-id", max_length=50, compact=True)
            yield Button("Check (F6)", id="rerun-check", compact=True)
            yield Button("Rerun (F8)", id="rerun-run", variant="primary", compact=True)
        yield Label("Recent batches (Enter picks one):", classes="section")
        yield OptionList(id="recent-batches")
        yield Static("", id="rerun-result", markup=False)

    def on_mount(self) -> None:
        self.load_batches()

    @work(exclusive=True, group="batches", exit_on_error=False)
    async def load_batches(self) -> None:
        options = self.query_one("#recent-batches", OptionList)
        try:
            batches = await self.app.session.recent_batches()
        except Exception as exc:
            self.result(f"Could not read the recent batches from Manage: {self.app.error_text(exc)}", error=True)
            return
        try:
            runs = self.app.session.batch_runs()
        except Exception:  # the journal is extra detail; the batches alone still let you pick
            runs = {}
        options.clear_options()
        options.add_options([Option(Text(batch_prompt(b, runs.get(b.batch_identifier))), id=b.batch_identifier)
                             for b in batches])
        if not batches:
            options.add_option(Option("(no batches in Manage yet)", disabled=True))

    @on(OptionList.OptionSelected, "#recent-batches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        box = self.query_one("#rerun-id", Input)
        box.value = event.option.id or ""
        box.focus()

    @on(Input.Changed, "#rerun-id")
    def _identifier_changed(self) -> None:
        if self.checked is not None and self.checked.batch_identifier != self.identifier():
            self.checked = None
            self.result("")

    @on(Input.Submitted, "#rerun-id")
    @on(Button.Pressed, "#rerun-check")
    def action_check(self) -> None:
        self._check(then_confirm=False)

    @on(Button.Pressed, "#rerun-run")
    def action_rerun(self) -> None:
        if self.checked is not None and self.checked.batch_identifier == self.identifier():
            self._confirm(self.checked)
        else:
            self._check(then_confirm=True)

    def identifier(self) -> str:
        return self.query_one("#rerun-id", Input).value.strip()

    def _check(self, *, then_confirm: bool) -> None:
        identifier = self.identifier()
        if not identifier:
            self.result("Type a batch identifier, or pick one of the recent batches with Enter.", error=True)
            return
        if self.checking:
            return
        self.checking = True
        self.result(f"Checking batch {identifier}: reading it from Manage and looking for its documents in the package…")
        self._run_check(identifier, then_confirm)

    @work(exclusive=True, group="rerun-check", exit_on_error=False)
    async def _run_check(self, identifier: str, then_confirm: bool) -> None:
        try:
            report = await self.app.session.rerun(identifier, ignore, dry_run=True)
        except Exception as exc:
            self.checking = False
            self.result(f"Batch {identifier}: {self.app.error_text(exc)}", error=True)
            return
        self.checking = False
        if not report.batch_identifier:
            report.batch_identifier = identifier
        self.checked = report
        blocked = report.outcome == Outcome.FAILED
        self.result(duplicate_text(report), error=blocked)
        if then_confirm and not blocked:
            self._confirm(report)

    def _confirm(self, report: RunReport) -> None:
        identifier = report.batch_identifier
        total = len(report.plan.documents) if report.plan else len(report.results)
        if report.outcome == Outcome.FAILED:
            self.result(duplicate_text(report), error=True)
            return
        dups = len(report.duplicates)
        body = duplicate_text(report)
        if report.plan:
            body += f"\nTotal of the batch: {format_totals(report.plan.grand_totals())}"
        # Enter takes the safe answer; posting duplicates needs its own key (or Tab to its button).
        choices = [Choice("skip", "Rerun, skipping what is already there", "f8"),
                   Choice("force", "Rerun and post duplicates too", "ctrl+d", destructive=True)]
        if report.duplicates and dups == total:
            choices = [Choice("force", f"Post all {total} again (duplicates them)", "ctrl+d", destructive=True)]
        self.app.push_screen(
            ChoiceDialog(f"Rerun batch {identifier}?", body, choices, id="confirm-rerun"),
            lambda choice: self._open(identifier, force=choice == "force") if choice else None,
        )

    def _open(self, identifier: str, *, force: bool) -> None:
        session = self.app.session
        screen = ExportScreen(
            f"Rerun of batch {identifier}" + (" (duplicates allowed)" if force else ""),
            lambda emit: session.rerun(identifier, emit, force=force),
            name_for_files=f"rerun-{identifier}",
            header=run_header(self.app, identifier),
        )
        self.checked = None
        self.app.push_screen(screen, lambda _report: self.result(""))

    def result(self, text: str, *, error: bool = False) -> None:
        box = self.query_one("#rerun-result", Static)
        box.update(text)
        box.set_class(error, "error")
