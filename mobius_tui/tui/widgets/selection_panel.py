"""A selection table with its Select All / Deselect All buttons and the count + total line."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from mobius_tui.tui.widgets.selection_table import Column, SelectionTable


class SelectionPanel(Vertical):
    DEFAULT_CSS = """
    SelectionPanel { height: 1fr; }
    SelectionPanel SelectionTable { height: 1fr; }
    SelectionPanel .selection-bar { height: auto; }
    SelectionPanel .selection-summary { width: 1fr; height: auto; }  /* wraps: every currency shows at 80 columns */
    """

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns

    def compose(self) -> ComposeResult:
        yield SelectionTable(self.columns)
        with Horizontal(classes="selection-bar"):
            yield Static("loading…", classes="selection-summary", markup=False)
            yield Button("Select All (a)", classes="select-all", compact=True)
            yield Button("Deselect All (d)", classes="deselect-all", compact=True)

    @property
    def table(self) -> SelectionTable:
        return self.query_one(SelectionTable)

    @on(Button.Pressed, ".select-all")
    def _select_all(self) -> None:
        self.table.action_select_all()

    @on(Button.Pressed, ".deselect-all")
    def _deselect_all(self) -> None:
        self.table.action_deselect_all()

    @on(SelectionTable.Changed)
    def _changed(self) -> None:
        self.query_one(".selection-summary", Static).update(self.table.summary())
