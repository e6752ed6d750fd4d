"""Update Invoice Payments: pick a start date, run the sync, watch the log, read the summary."""

from __future__ import annotations

import queue
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, RadioSet, Static

from mobius_tui.service.dates import start_date
from mobius_tui.service.events import Event, Progress
from mobius_tui.service.reports import PaymentAction, StartChoice, SyncReport
from mobius_tui.service.runlog import describe
from mobius_tui.tui.screens.dialogs import Choice, ChoiceDialog
from mobius_tui.tui.screens.new_batch import package_label
from mobius_tui.tui.widgets.date_input import DateInput
from mobius_tui.tui.widgets.log_pane import DRAIN_SECONDS, LogPane
from mobius_tui.tui.widgets.toggles import RadioButton

CHOICE_LABELS = {
    StartChoice.LAST_SUCCESSFUL_RUN: "Last successful run",
    StartChoice.PAST_WEEK: "Past week",
    StartChoice.PAST_TWO_WEEKS: "Past two weeks",
    StartChoice.PAST_MONTH: "Past month",
    StartChoice.CUSTOM: "Custom date",
}


def sync_summary(report: SyncReport) -> str:
    updated = report.count(PaymentAction.UPDATED) + report.count(PaymentAction.CREATED)
    parts = [
        f"{updated} updated",
        f"{report.count(PaymentAction.UNCHANGED)} unchanged",
        f"{report.count(PaymentAction.UNKNOWN)} not found in Manage",
    ]
    failed = report.count(PaymentAction.FAILED)
    if failed:
        parts.append(f"{failed} failed")
    text = f"{report.outcome.value.upper()} · since {report.since}: " + ", ".join(parts) + "."
    if report.unknown:
        shown = ", ".join(r.package_number for r in report.unknown[:6])
        more = f" and {len(report.unknown) - 6} more" if len(report.unknown) > 6 else ""
        text += f"\nNot found in Manage: {shown}{more} (check the invoice number prefix in the profile)."
    return text


class PaymentsPane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.running = False
        self.report: SyncReport | None = None
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def compose(self) -> ComposeResult:
        today = self.app.today()
        with Horizontal(id="sync-options"):
            with Vertical(id="sync-start"):
                yield Label("Start date", classes="section")
                with RadioSet(id="start-choice", compact=True):
                    for n, (choice, label) in enumerate(CHOICE_LABELS.items()):
                        yield RadioButton(label, value=n == 0, id=f"start-{choice.value}")
            with Vertical(id="sync-side"):
                with Horizontal(classes="bar"):
                    yield Label("Custom date", classes="bar-label")
                    yield DateInput(today, latest=today, id="custom-date")
                yield Static("", id="start-explained", markup=False)
                yield Button("Run Sync (F8)", id="run-sync", variant="primary", compact=True)
        yield Static("", id="sync-summary", markup=False)
        yield LogPane(id="sync-log")

    def on_mount(self) -> None:
        self._explain()
        self.set_interval(DRAIN_SECONDS, self._drain)

    def choice(self) -> StartChoice:
        pressed = self.query_one("#start-choice", RadioSet).pressed_button
        return StartChoice((pressed.id or "").removeprefix("start-")) if pressed else StartChoice.LAST_SUCCESSFUL_RUN

    @on(RadioSet.Changed)
    @on(DateInput.Changed, "#custom-date")
    def _explain(self) -> None:
        choice = self.choice()
        custom_box = self.query_one("#custom-date", DateInput)
        custom_box.disabled = choice != StartChoice.CUSTOM
        today = self.app.today()
        text = ""
        if choice == StartChoice.LAST_SUCCESSFUL_RUN:
            text = "Invoices changed since your last successful sync of this company on this computer."
            try:
                text += " " + self.app.session.sync_start(choice, today=today).explained()
            except Exception:
                pass
        elif choice == StartChoice.CUSTOM:
            try:
                text = f"Invoices changed on or after {custom_box.date}."
            except ValueError as exc:
                text = str(exc)
        else:
            text = f"Invoices changed on or after {start_date(choice, today)}."
        self.query_one("#start-explained", Static).update(text)

    @on(Button.Pressed, "#run-sync")
    def action_run_sync(self) -> None:
        if self.running:
            return
        choice = self.choice()
        custom: date | None = None
        if choice == StartChoice.CUSTOM:
            try:
                custom = self.query_one("#custom-date", DateInput).date
            except ValueError as exc:
                self.summary(f"Custom date: {exc}", error=True)
                self.query_one("#custom-date", DateInput).focus()
                return
        try:
            start = self.app.session.sync_start(choice, custom, today=self.app.today())
        except Exception as exc:
            self.summary(self.app.error_text(exc), error=True)
            return
        body = (f"Update Invoice Payments in Manage from {package_label(self.app.session)}: every invoice whose "
                f"payments changed on or after {start.since}.\n{start.explained()}")
        self.app.push_screen(
            ChoiceDialog("Run Sync", body, [Choice("sync", "Run Sync", "f8")], focus="cancel", id="confirm-sync"),
            lambda answer: self._start(choice, custom) if answer == "sync" else None,
        )

    def _start(self, choice: StartChoice, custom: date | None) -> None:
        if self.running:
            return
        self.running = True
        self.summary(f"Synchronising payments ({CHOICE_LABELS[choice].lower()})…")
        self.query_one("#sync-log", LogPane).reset()
        self.query_one("#run-sync", Button).disabled = True
        self._sync(choice, custom)

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def _sync(self, choice: StartChoice, custom: date | None) -> None:
        try:
            report = await self.app.session.sync_payments(choice, self._events.put, custom=custom,
                                                          today=self.app.today())
        except Exception as exc:
            self._drain()
            self.running = False
            self.query_one("#run-sync", Button).disabled = False
            self.summary(f"FAILED: {self.app.error_text(exc)}", error=True)
            return
        self._drain()
        self.report = report
        self.running = False
        self.query_one("#run-sync", Button).disabled = False
        self.summary(sync_summary(report), error=report.outcome.value == "failed")

    def _drain(self) -> None:
        pane = self.query_one("#sync-log", LogPane)
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            if isinstance(event, Progress):
                if self.running:
                    self.query_one("#sync-summary", Static).update(f"Synchronising… {event.phase} {event.done}/{event.total}")
                continue
            for line in describe(event):
                pane.push(line)
        pane.drain()

    def summary(self, text: str, *, error: bool = False) -> None:
        box = self.query_one("#sync-summary", Static)
        box.update(text)
        box.set_class(error, "error")
