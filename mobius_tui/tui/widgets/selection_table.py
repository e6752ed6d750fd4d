"""A transaction table with an Include column, for choosing what goes into a batch.

The model is plain data: the rows in load order and ``included``, the set of included row keys.
The widget draws only the lines on screen, one at a time (Textual's Line API), and the Include
mark of each line is read from ``included`` as it is drawn. So loading 10,000 rows is setting a
list and a virtual height, and Select All is one set operation plus a repaint of the visible lines;
nothing per row is ever created in the UI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mobius_tui.service.wording import currency_order, format_totals

# ASCII marks: box-drawing or check glyphs have ambiguous widths on some SSH/RDP consoles.
MARK_ON = "[x]"
MARK_OFF = "[ ]"
INCLUDE_LABEL = "Inc"
PAD = 1  # blank cells either side of every column, as in a DataTable
HEADER_HEIGHT = 1


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None  # None: as wide as the widest value (reads every row's cells on load)
    right: bool = False  # amounts and numbers
    grow_to: int = 0  # on a wide screen, widened up to this many cells (in column order); 0: fixed


class TableRow(Protocol):
    """What the table needs of a row. ``cells`` is read only when the row is first drawn, so a
    row type may format its cells lazily and a 10,000-row load formats only what is seen."""

    @property
    def key(self) -> str: ...

    @property
    def amount(self) -> Decimal: ...

    @property
    def currency(self) -> str: ...  # ISO code; "" = the company's own

    @property
    def cells(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SelectableRow:
    """One transaction as the table shows it; ``amount`` and ``currency`` feed the total line."""

    key: str
    cells: tuple[str, ...]
    amount: Decimal = Decimal("0")
    currency: str = ""


class SelectionTable(ScrollView, can_focus=True):
    """Rows with an Include mark; a row cursor moved by keys; Space toggles, ``a``/``d`` do all."""

    BINDINGS = [
        Binding("space", "toggle_row", "Include", id="selection.toggle"),
        # Enter toggles too, for users who expect it (a DataTable "selects" a row with Enter).
        Binding("enter", "toggle_row", "Include", show=False),
        # Off the footer (the buttons beside the table show these keys); still in the palette and help.
        Binding("a", "select_all", "Select all", id="selection.select_all", show=False),
        Binding("d", "deselect_all", "Deselect all", id="selection.deselect_all", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first_row", "First row", show=False),
        Binding("end", "last_row", "Last row", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]

    COMPONENT_CLASSES = {
        "selection-table--header",
        "selection-table--cursor",
        "selection-table--even-row",
        "selection-table--odd-row",
    }

    # The look of Textual's DataTable, so the table sits with the other widgets of the theme.
    DEFAULT_CSS = """
    SelectionTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .selection-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .selection-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .selection-table--even-row { background: $surface-darken-1 40%; }
        & > .selection-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .selection-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .selection-table--even-row { background: $surface-lighten-1 50%; }
        & > .selection-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class _TableMessage(Message):
        def __init__(self, table: SelectionTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> SelectionTable:
            return self.table

    class Changed(_TableMessage):
        """The set of included rows changed."""

    class Loaded(_TableMessage):
        """Every row of the last ``load`` is in the table."""

    def __init__(self, columns: Sequence[Column], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.spec = tuple(columns)
        self.included: set[str] = set()
        self._rows: list[TableRow] = []
        self._index: dict[str, int] = {}  # row key → position
        self._amounts: dict[str, Decimal] = {}  # row key → amount
        self._currencies: dict[str, str] = {}  # row key → currency
        # Amounts of different currencies are never added together: one total (and row count) per currency.
        self._included = _Totals()
        self._all = _Totals()
        self._widths: tuple[int, ...] = self._measure()
        self._text_cache: dict[int, str] = {}  # row position → its cells laid out (mark excluded)
        self._header = self._layout(INCLUDE_LABEL, tuple(c.label for c in self.spec))

    # --- the model -------------------------------------------------------------------

    @property
    def total_rows(self) -> int:
        return len(self._rows)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def included_totals(self) -> dict[str, Decimal]:
        """Currency → total of the included rows, for the currencies that have any included."""
        return self._included.totals()

    @property
    def grand_totals(self) -> dict[str, Decimal]:
        """Currency → total of every row."""
        return self._all.totals()

    def ordered_keys(self) -> list[str]:
        """Every row key, in the order the rows were loaded."""
        return [row.key for row in self._rows]

    def row(self, key: str) -> TableRow:
        return self._rows[self._index[key]]

    def summary(self) -> str:
        """The count and the total per currency included; with nothing included, 0.00 in each of the table's;
        an empty table has no total (no currency to show it in)."""
        totals = self.included_totals or {code: Decimal("0") for code in self._all.totals()}
        count = f"{len(self.included)} of {self.total_rows} included"
        return f"{count} · total {format_totals(totals)}" if totals else count

    # --- loading ---------------------------------------------------------------------

    def load(self, rows: Iterable[TableRow], *, include_all: bool = True) -> None:
        """Replace the rows. Only the model changes; the screen draws what is visible on demand."""
        self._rows = list(rows)
        self._index = {row.key: i for i, row in enumerate(self._rows)}
        if len(self._index) != len(self._rows):
            raise ValueError("two rows share a key; every transaction must appear once")
        self._amounts = {row.key: row.amount for row in self._rows}
        self._currencies = {row.key: row.currency for row in self._rows}
        self._all = _Totals.of(self._currencies, self._amounts)
        self.included.clear()
        if include_all:
            self.included.update(self._index)
        self._included = self._all.copy() if include_all else _Totals()
        self._widths = self._measure()
        self._header = self._layout(INCLUDE_LABEL, tuple(c.label for c in self.spec))
        self._text_cache.clear()
        self.virtual_size = Size(self._line_width, len(self._rows) + HEADER_HEIGHT)
        self.cursor_row = 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed(self))
        self.post_message(self.Loaded(self))

    # --- selection ---------------------------------------------------------------------

    def cursor_key(self) -> str | None:
        if not self._rows:
            return None
        return self._rows[self.cursor_row].key

    def set_included(self, key: str, on: bool) -> None:
        if (key in self.included) == on:
            return
        currency, amount = self._currencies[key], self._amounts[key]
        if on:
            self.included.add(key)
            self._included.add(currency, amount)
        else:
            self.included.discard(key)
            self._included.add(currency, -amount, rows=-1)
        self.refresh_line(self._index[key] + HEADER_HEIGHT)

    def action_toggle_row(self) -> None:
        key = self.cursor_key()
        if key is None:
            return
        self.set_included(key, key not in self.included)
        self.post_message(self.Changed(self))

    def action_select_all(self) -> None:
        self._set_all(True)

    def action_deselect_all(self) -> None:
        self._set_all(False)

    def _set_all(self, on: bool) -> None:
        if on:
            self.included.update(self._index)
        else:
            self.included.clear()
        self._included = self._all.copy() if on else _Totals()
        self.refresh()  # only the visible lines are drawn again
        self.post_message(self.Changed(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"toggle_row", "select_all", "deselect_all"} and self.disabled:
            return None
        return True

    # --- the cursor --------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_HEIGHT)

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        if old != new:
            self.refresh_line(old + HEADER_HEIGHT)
            self.refresh_line(new + HEADER_HEIGHT)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page

    def action_page_down(self) -> None:
        self.cursor_row += self._page

    def action_first_row(self) -> None:
        self.cursor_row = 0

    def action_last_row(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def _on_click(self, event: events.Click) -> None:
        # The first click moves the cursor; a click on the cursor row (or a double click) toggles it.
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER_HEIGHT:
            return
        row = offset.y - HEADER_HEIGHT + round(self.scroll_y)
        if not 0 <= row < len(self._rows):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_toggle_row()
        else:
            self.cursor_row = row

    def on_resize(self) -> None:
        self._relayout()
        self._scroll_to_cursor()

    def watch_show_vertical_scrollbar(self) -> None:
        # Rows loaded before the table had its scrollbar were measured 2 columns too wide for it;
        # its coming or going changes the room without a resize.
        self.call_later(self._relayout)

    # --- drawing -----------------------------------------------------------------------

    @property
    def _line_width(self) -> int:
        return self._width_of(self._widths)

    def _measure(self) -> tuple[int, ...]:
        widths = []
        for i, column in enumerate(self.spec):
            if column.width is not None:
                widths.append(column.width)
            else:
                widest = max((cell_len(r.cells[i]) for r in self._rows if i < len(r.cells)), default=0)
                widths.append(max(cell_len(column.label), widest))
        # Room the screen has beyond the columns goes to the growing ones, so names and
        # descriptions are cut only when the screen is too narrow for them.
        room = (self.scrollable_content_region.width if self.is_mounted else 0) - self._width_of(widths)
        for i, column in enumerate(self.spec):
            if room <= 0:
                break
            extra = max(0, min(room, column.grow_to - widths[i]))
            widths[i] += extra
            room -= extra
        return tuple(widths)

    @staticmethod
    def _width_of(widths: Sequence[int]) -> int:
        return sum(w + 2 * PAD for w in widths) + len(MARK_ON) + 2 * PAD

    def _relayout(self) -> None:
        widths = self._measure()
        if widths == self._widths:
            return
        self._widths = widths
        self._header = self._layout(INCLUDE_LABEL, tuple(c.label for c in self.spec))
        self._text_cache.clear()
        self.virtual_size = Size(self._line_width, len(self._rows) + HEADER_HEIGHT)
        self.refresh()

    def _layout(self, mark: str, cells: Sequence[str]) -> str:
        pad = " " * PAD
        parts = [pad + mark + pad]
        for column, width, value in zip(self.spec, self._widths, cells):
            parts.append(pad + _fit(value, width, right=column.right) + pad)
        return "".join(parts)

    def _row_text(self, index: int) -> str:
        text = self._text_cache.get(index)
        if text is None:
            row = self._rows[index]
            cells = row.cells + ("",) * (len(self.spec) - len(row.cells))
            text = self._text_cache[index] = self._layout("", cells)[2 * PAD:]  # the mark is drawn apart
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y < HEADER_HEIGHT:
            style = base + self.get_component_rich_style("selection-table--header")
            return self._strip(self._header, style, base, scroll_x, width)
        index = y - HEADER_HEIGHT + scroll_y
        if index >= len(self._rows):
            return Strip.blank(width, base)
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("selection-table--cursor")
        else:
            stripe = "selection-table--odd-row" if index % 2 else "selection-table--even-row"
            style = base + self.get_component_rich_style(stripe)
        mark = MARK_ON if self._rows[index].key in self.included else MARK_OFF
        pad = " " * PAD
        return self._strip(pad + mark + pad + self._row_text(index), style, style, scroll_x, width)

    @staticmethod
    def _strip(text: str, style: Style, fill: Style, scroll_x: int, width: int) -> Strip:
        # The row's style runs to the right edge, so the cursor bar spans the whole width.
        return Strip([Segment(text, style)], cell_len(text)).crop_extend(scroll_x, scroll_x + width, fill)

    def refresh_line(self, y: int) -> None:
        # ``y`` counts the header; the header itself never scrolls.
        if y < HEADER_HEIGHT:
            self.refresh(Region(0, y, self.size.width, 1))
            return
        screen_y = y - round(self.scroll_y)
        if HEADER_HEIGHT <= screen_y < self.size.height:
            self.refresh(Region(0, screen_y, self.size.width, 1))


def _fit(value: str, width: int, *, right: bool) -> str:
    """``value`` in exactly ``width`` cells: cut with an ellipsis, or padded on the side away from its alignment."""
    length = cell_len(value)
    if length > width:
        return set_cell_size(value, width - 1) + "…" if width > 0 else ""
    return " " * (width - length) + value if right else value + " " * (width - length)


class _Totals:
    """Per currency: the sum of some rows' amounts and how many rows there are."""

    __slots__ = ("sums", "rows")

    def __init__(self) -> None:
        self.sums: dict[str, Decimal] = {}
        self.rows: dict[str, int] = {}

    @classmethod
    def of(cls, currencies: Mapping[str, str], amounts: Mapping[str, Decimal]) -> _Totals:
        """Totals of rows given as key → currency and key → amount. Counted and, in the usual case
        of one currency, summed in C: a 10,000-row load stays a few milliseconds."""
        out = cls()
        out.rows = dict(Counter(currencies.values()))
        if len(out.rows) == 1:
            out.sums = {code: sum(amounts.values(), Decimal("0")) for code in out.rows}
        else:  # one pass to group, then summed in C
            grouped: dict[str, list[Decimal]] = {code: [] for code in out.rows}
            for key, code in currencies.items():
                grouped[code].append(amounts[key])
            out.sums = {code: sum(values, Decimal("0")) for code, values in grouped.items()}
        return out

    def add(self, currency: str, amount: Decimal, rows: int = 1) -> None:
        self.sums[currency] = self.sums.get(currency, Decimal("0")) + amount
        self.rows[currency] = self.rows.get(currency, 0) + rows

    def copy(self) -> _Totals:
        out = _Totals()
        out.sums, out.rows = dict(self.sums), dict(self.rows)
        return out

    def totals(self) -> dict[str, Decimal]:
        return {c: self.sums[c] for c in sorted(self.sums, key=currency_order) if self.rows[c] > 0}
