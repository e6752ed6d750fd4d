"""Run New Batch: choose location, through date and options, pick transactions, dry run or export."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static, TabbedContent, TabPane

from mobius_tui.service.options import RecordKind
from mobius_tui.service.options import BatchNumberError, ExportOptions, InvoiceDetail, Selection, validate_batch_number
from mobius_tui.service.reports import LocationChoice, Unposted, UnpostedRow
from mobius_tui.service.wording import counted, format_money, format_totals
from mobius_tui.tui.screens.dialogs import Choice, ChoiceDialog
from mobius_tui.tui.screens.export_view import ExportScreen, run_header
from mobius_tui.tui.widgets.date_input import DateInput
from mobius_tui.tui.widgets.selection_panel import SelectionPanel
from mobius_tui.tui.widgets.selection_table import Column, SelectionTable
from mobius_tui.tui.widgets.toggles import Checkbox

ALL_LOCATIONS = -1
THRU_SETTLE_SECONDS = 0.5  # after the last key in a valid through date, the tables reload

_COLUMNS = {
    RecordKind.INVOICE: ("Invoice", "Customer", "Type"),
    RecordKind.EXPENSE: ("Expense", "Member", "Class"),
    RecordKind.PROCUREMENT: ("Document", "Vendor", "Type"),
}
KIND_TITLES = {RecordKind.INVOICE: "Invoices", RecordKind.EXPENSE: "Expenses", RecordKind.PROCUREMENT: "Inventory"}
KIND_NOUNS = {RecordKind.INVOICE: ("invoice",), RecordKind.EXPENSE: ("expense",),
              RecordKind.PROCUREMENT: ("inventory record",)}
OPTION_IDS = {RecordKind.INVOICE: "opt-invoices", RecordKind.EXPENSE: "opt-expenses", RecordKind.PROCUREMENT: "opt-inventory"}


def columns_for(kind: RecordKind) -> list[Column]:
    number, party, detail = _COLUMNS[kind]
    return [
        Column("number", number, 10),
        Column("date", "Date", 10),
        Column("party", party, 16, grow_to=30),
        Column("amount", "Amount", 17, right=True),  # -1,234,567.89 CAD
        Column("detail", detail, 13),  # Miscellaneous
        Column("description", "Description", 24, grow_to=200),
    ]


class UnpostedLine:
    """An unposted transaction as a table row; its cells are formatted when first drawn, so a
    10,000-row refresh formats only the rows on screen."""

    __slots__ = ("row",)

    def __init__(self, row: UnpostedRow) -> None:
        self.row = row

    @property
    def key(self) -> str:
        return self.row.id

    @property
    def amount(self) -> Decimal:
        return self.row.amount

    @property
    def currency(self) -> str:
        return self.row.currency

    @property
    def cells(self) -> tuple[str, ...]:
        row = self.row
        amount = format_money(row.amount) + (f" {row.currency}" if row.currency else "")
        day = row.date.isoformat() if row.date else ""
        return row.number, day, row.party, amount, row.detail, row.description.replace("\n", " ")[:200]


def to_selectable(row: UnpostedRow) -> UnpostedLine:
    return UnpostedLine(row)


def package_label(session: object) -> str:
    package = getattr(session, "package", None)
    return getattr(package, "label", "") or "the accounting package"


class NewBatchPane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unposted: Unposted | None = None
        self._focused_once = False
        self._suggested = ""  # the last suggestion, replaced while the user has not typed their own
        self.shown: tuple[int | None, date] | None = None  # (location, through date) the tables hold
        self._thru_timer: Timer | None = None
        self._location_names: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        today = self.app.today()
        with Horizontal(classes="bar"):
            yield Label("Location", classes="bar-label")
            yield Select([("All locations", ALL_LOCATIONS)], value=ALL_LOCATIONS, allow_blank=False, id="location", compact=True)
            yield Label("Through", classes="bar-label")
            yield DateInput(today, id="thru")
            yield Button("Refresh Data (F5)", id="refresh", compact=True)
        with Horizontal(classes="bar"):
            yield Checkbox("Invoices", value=True, id="opt-invoices", compact=True)
            yield Select([(d.value, d) for d in InvoiceDetail], value=InvoiceDetail.DEFAULT, allow_blank=False, id="detail", compact=True)
            yield Checkbox("Expenses", value=False, id="opt-expenses", compact=True)
            yield Checkbox("Inventory", value=False, id="opt-inventory", compact=True)
        with TabbedContent(id="kinds"):
            for kind in RecordKind:
                with TabPane(KIND_TITLES[kind], id=f"kind-{kind.value}"):
                    yield SelectionPanel(columns_for(kind), id=f"panel-{kind.value}")
        yield Static("", id="new-batch-status", markup=False)
        with Horizontal(classes="bar"):
            yield Label("Batch number", classes="bar-label")
            yield Input("", id="batch-number", max_length=50, compact=True)
            yield Button("Dry Run (F6)", id="dry-run", compact=True)
            yield Button("Run Export (F8)", id="run-export", variant="primary", compact=True)

    def on_mount(self) -> None:
        self._suggest()
        self.load_locations()
        self.action_refresh()

    # --- data ------------------------------------------------------------------------------

    @work(exclusive=True, group="locations", exit_on_error=False)
    async def load_locations(self) -> None:
        try:
            choices = await self.app.session.locations()
        except Exception as exc:
            self.status(f"Could not read the locations from Manage: {self.app.error_text(exc)}", error=True)
            return
        self.set_locations(choices)

    def set_locations(self, choices: list[LocationChoice]) -> None:
        select = self.query_one("#location", Select)
        current = select.value
        options = [("All locations", ALL_LOCATIONS)] + [(f"{c.name} ({c.unposted})", c.id) for c in choices]
        self._location_names = {c.id: c.name for c in choices}
        with self.prevent(Select.Changed):
            select.set_options(options)
            select.value = current if any(v == current for _, v in options) else ALL_LOCATIONS

    def location_name(self, location_id: int | None) -> str:
        if location_id is None:
            return "all locations"
        return self._location_names.get(location_id, f"location {location_id}")

    def location_id(self) -> int | None:
        value = self.query_one("#location", Select).value
        return None if value in (ALL_LOCATIONS, Select.BLANK) else int(value)

    def action_refresh(self) -> None:
        try:
            thru = self.query_one("#thru", DateInput).date
        except ValueError as exc:
            self.status(f"Through date: {exc}", error=True)
            return
        self.status("Reading unposted transactions from Manage…")
        self.shown = None  # until the new selection is in the tables
        for panel in self.query(SelectionPanel):
            panel.table.loading = True
        self._refresh(self.location_id(), thru)

    @work(exclusive=True, group="unposted", exit_on_error=False)
    async def _refresh(self, location_id: int | None, thru: date) -> None:
        try:
            unposted = await self.app.session.unposted(location_id, thru)
        except Exception as exc:
            for panel in self.query(SelectionPanel):
                panel.table.loading = False
            self.status(f"Could not read unposted transactions: {self.app.error_text(exc)}", error=True)
            return
        # 10,000 rows are converted off the event loop, and each table is loaded in a turn of its own.
        rows = await asyncio.to_thread(lambda: {kind: [to_selectable(r) for r in unposted.rows(kind)] for kind in RecordKind})
        for kind in RecordKind:
            table = self.query_one(f"#panel-{kind.value}", SelectionPanel).table
            table.loading = False
            table.load(rows[kind])
            await asyncio.sleep(0)
        self.unposted = unposted  # once every table holds it: a run never starts from a half-loaded screen
        self.shown = (location_id, thru)
        counts = ", ".join(counted(len(unposted.rows(k)), *KIND_NOUNS[k]) for k in RecordKind)
        self.status(f"Unposted through {thru}: {counts}.")
        if not self._focused_once:
            self._focused_once = True
            self.query_one(f"#panel-{RecordKind.INVOICE.value}", SelectionPanel).table.focus()

    @on(Select.Changed, "#location")
    def _location_changed(self) -> None:
        self.action_refresh()

    @on(Input.Submitted, "#thru")
    def _thru_submitted(self) -> None:
        self.action_refresh()

    @on(Input.Changed, "#thru")
    def _thru_changed(self, event: Input.Changed) -> None:
        # A complete, valid date reloads the tables (shortly, so typing over a date reads once);
        # until they hold it, Dry Run and Run Export refuse (see ``options``).
        if event.validation_result is not None and event.validation_result.is_valid:
            if self._thru_timer is not None:
                self._thru_timer.stop()
            self._thru_timer = self.set_timer(THRU_SETTLE_SECONDS, self._thru_settled)
        self._suggest()

    def _thru_settled(self) -> None:
        self._thru_timer = None
        try:
            thru = self.query_one("#thru", DateInput).date
        except ValueError:
            return
        if self.shown != (self.location_id(), thru):
            self.action_refresh()

    @on(Button.Pressed, "#refresh")
    def _refresh_pressed(self) -> None:
        self.action_refresh()

    # --- options and batch number --------------------------------------------------------

    @on(Checkbox.Changed)
    @on(Select.Changed, "#detail")
    def _options_changed(self) -> None:
        self.query_one("#detail", Select).disabled = not self.query_one("#opt-invoices", Checkbox).value
        self._suggest()

    def _suggest(self) -> None:
        box = self.query_one("#batch-number", Input)
        if box.value and box.value != self._suggested:
            return  # the user typed their own
        try:
            options = self.options(strict=False)
        except Exception:
            return
        self._suggest_free(options)

    @work(exclusive=True, group="suggest", exit_on_error=False)
    async def _suggest_free(self, options: ExportOptions) -> None:
        """Dated by the through date; the next number Manage does not have yet."""
        session = self.app.session
        try:
            suggestion = await session.free_batch_number(options)
        except Exception:  # Manage unreachable: the plain suggestion; the run checks it anyway
            try:
                suggestion = session.suggest_batch_number(options, options.thru_date)
            except Exception:
                return
        box = self.query_one("#batch-number", Input)
        if box.value and box.value != self._suggested:
            return
        self._suggested = suggestion
        box.value = suggestion

    def options(self, *, strict: bool = True) -> ExportOptions:
        """The export options as chosen; with ``strict``, ValueError says what to fix first."""
        thru_box = self.query_one("#thru", DateInput)
        try:
            thru = thru_box.date
        except ValueError as exc:
            if strict:
                raise ValueError(f"Through date: {exc}") from None
            thru = self.app.today()
        on = {kind: self.query_one(f"#{OPTION_IDS[kind]}", Checkbox).value for kind in RecordKind}
        selections: dict[RecordKind, Selection] = {}
        for kind in RecordKind:
            table = self.query_one(f"#panel-{kind.value}", SelectionPanel).table
            if on[kind]:
                # Always explicit: only what the user saw and ticked goes into the batch.
                selections[kind] = Selection(include=[k for k in table.ordered_keys() if k in table.included])
        options = ExportOptions(
            thru_date=thru,
            location_id=self.location_id(),
            invoices=on[RecordKind.INVOICE],
            invoice_detail=self.query_one("#detail", Select).value,
            expenses=on[RecordKind.EXPENSE],
            inventory=on[RecordKind.PROCUREMENT],
            selections=selections,
            batch_number=self.query_one("#batch-number", Input).value.strip(),
        )
        if strict:
            if not options.kinds():
                raise ValueError("Tick at least one of Invoices, Expenses or Inventory.")
            if self.unposted is None or self.shown is None:
                raise ValueError("The transactions are still loading; wait a moment (or press F5 to refresh).")
            if self.shown != (options.location_id, options.thru_date):
                shown_location, shown_thru = self.shown
                raise ValueError(
                    f"The tables show {self.location_name(shown_location)} through {shown_thru}, not "
                    f"{self.location_name(options.location_id)} through {options.thru_date}: press F5 (Refresh "
                    "Data) and check the ticks before running.")
            empty = [KIND_TITLES[k] for k in options.kinds() if not options.selection(k).include]
            if len(empty) == len(options.kinds()):
                raise ValueError("Nothing is included: tick transactions with Space (or Select All) in the tabs below.")
            for kind in list(options.kinds()):
                if not options.selection(kind).include:
                    # A ticked kind with nothing included would mean "everything" to the service.
                    setattr(options, {RecordKind.INVOICE: "invoices", RecordKind.EXPENSE: "expenses", RecordKind.PROCUREMENT: "inventory"}[kind], False)
                    options.selections.pop(kind, None)
            options.batch_number = validate_batch_number(options.batch_number)
        return options

    def shown_table(self) -> SelectionTable:
        """The table of the kind tab showing."""
        active = self.query_one("#kinds", TabbedContent).active
        return self.query_one(f"#{active} SelectionPanel", SelectionPanel).table

    def select_all(self) -> None:
        self.shown_table().action_select_all()

    def deselect_all(self) -> None:
        self.shown_table().action_deselect_all()

    def status(self, text: str, *, error: bool = False) -> None:
        box = self.query_one("#new-batch-status", Static)
        box.update(text)
        box.set_class(error, "error")

    # --- running ----------------------------------------------------------------------------

    @on(Button.Pressed, "#dry-run")
    def action_dry_run(self) -> None:
        self._start(dry_run=True)

    @on(Button.Pressed, "#run-export")
    def action_run_export(self) -> None:
        self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        try:
            options = self.options()
        except (ValueError, BatchNumberError) as exc:
            self.status(self.app.error_text(exc), error=True)
            return
        self.status("")
        if dry_run:
            self._open_export(options, dry_run=True)
            return
        lines = []
        for kind in options.kinds():
            table = self.query_one(f"#panel-{kind.value}", SelectionPanel).table
            total = f" (total {format_totals(table.included_totals)})" if table.included_totals else ""
            lines.append(f"  {KIND_TITLES[kind]}: {len(table.included)}{total}")
        package = package_label(self.app.session)
        body = (f"Export batch {options.batch_number} from Manage into {package}, "
                f"{self.location_name(options.location_id)}, through {options.thru_date}:\n" + "\n".join(lines))
        self.app.push_screen(
            ChoiceDialog("Run Export", body, [Choice("run", "Run Export", "f8")], focus="cancel", id="confirm-export"),
            lambda choice: self._open_export(options, dry_run=False) if choice == "run" else None,
        )

    def _open_export(self, options: ExportOptions, *, dry_run: bool) -> None:
        session = self.app.session
        title = ("Dry run of batch " if dry_run else "Export of batch ") + options.batch_number
        screen = ExportScreen(
            title,
            lambda emit: session.run_export(options, emit, dry_run=dry_run),
            name_for_files=options.batch_number,
            dry_run=dry_run,
            header=run_header(self.app, options.batch_number, thru=options.thru_date,
                              location=self.location_name(options.location_id)),
        )
        self.app.push_screen(screen, lambda _report: None if dry_run else self._after_export())

    def _after_export(self) -> None:
        # What posted has left the unposted lists; show what remains and a fresh batch number.
        self._suggested = ""
        self.query_one("#batch-number", Input).value = ""
        self._suggest()
        self.load_locations()
        self.action_refresh()
