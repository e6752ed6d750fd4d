"""The Include table on its own: keys, mouse, totals and a large load, without any sandbox."""

from __future__ import annotations

from decimal import Decimal

from textual.app import App, ComposeResult

from mobius_tui.service.wording import format_totals
from mobius_tui.tui.widgets.selection_panel import SelectionPanel
from mobius_tui.tui.widgets.selection_table import Column, SelectableRow, SelectionTable

from tests.tui.tui_helpers import screen_text

COLUMNS = [Column("number", "Invoice", 8), Column("party", "Customer", None), Column("amount", "Amount", 10, right=True)]


def rows(n: int) -> list[SelectableRow]:
    return [SelectableRow(f"k{i}", (f"INV{i:04d}", f"Customer {i % 7}", f"{i}.50"), Decimal(i) + Decimal("0.50"))
            for i in range(n)]


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SelectionPanel(COLUMNS)


async def test_keys_move_the_cursor_and_toggle_and_the_summary_follows():
    app = PanelApp()
    async with app.run_test(size=(60, 14)) as pilot:
        table = app.query_one(SelectionTable)
        table.load(rows(500), include_all=False)
        table.focus()
        await pilot.pause()
        assert table.included == set() and table.cursor_key() == "k0"
        await pilot.press("space", "down", "down", "enter")  # Enter toggles too
        assert table.included == {"k0", "k2"} and table.included_totals == {"": Decimal("3.00")}
        summary = str(app.query_one(".selection-summary").render())
        assert summary == "2 of 500 included · total 3.00"
        await pilot.press("end")
        assert table.cursor_key() == "k499" and table.scroll_y == table.max_scroll_y
        assert "INV0499" in screen_text(app)
        await pilot.press("pageup")
        assert table.cursor_row == 499 - table._page
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("pagedown", "space")
        assert f"k{table._page}" in table.included
        await pilot.press("a")
        assert len(table.included) == 500
        assert table.included_totals == table.grand_totals == {"": sum(r.amount for r in rows(500))}
        await pilot.press("d")
        assert table.included == set() and table.included_totals == {}
        await pilot.press("home")
        await pilot.click(SelectionPanel, offset=(3, 3))  # the third data row: the first click moves the cursor
        assert table.cursor_row == 2 and table.included == set()
        await pilot.click(SelectionPanel, offset=(3, 3))  # a click on the cursor row toggles it
        assert table.included == {"k2"}


async def test_rows_draw_their_mark_cells_and_widths():
    app = PanelApp()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(SelectionTable)
        table.load([SelectableRow("a", ("INV-LONG-NUMBER", "Zèbre Numérique S.E.N.C.", "1,234.50"), Decimal("1234.50")),
                    SelectableRow("b", ("INV2", "Café", "-5.00"), Decimal("-5.00"))])
        await pilot.press("tab")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        # Customer has no width: as wide as its widest value; Invoice is cut with an ellipsis; Amount right-aligned.
        assert lines[0].rstrip() == " Inc  Invoice   Customer                      Amount"
        assert lines[1].rstrip() == " [x]  INV-LON…  Zèbre Numérique S.E.N.C.    1,234.50"
        assert lines[2].rstrip() == " [x]  INV2      Café                           -5.00"
        assert table.summary() == "2 of 2 included · total 1,229.50"
        table.set_included("b", False)
        await pilot.pause()
        assert screen_text(app).splitlines()[2].startswith(" [ ]  INV2")
        assert table.ordered_keys() == ["a", "b"] and table.included_totals == {"": Decimal("1234.50")}


async def test_a_second_load_replaces_everything_and_ten_thousand_rows_load_at_once():
    app = PanelApp()
    async with app.run_test(size=(60, 14)) as pilot:
        table = app.query_one(SelectionTable)
        table.load(rows(3))
        await pilot.pause()
        table.load(rows(10_000))
        assert table.total_rows == 10_000 and len(table.included) == 10_000  # no chunks, no waiting
        assert table.virtual_size.height == 10_001  # the rows and the header line
        await pilot.pause()
        assert str(app.query_one(".selection-summary").render()).startswith("10000 of 10000 included")


async def test_amounts_in_different_currencies_are_totalled_apart():
    app = PanelApp()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(SelectionTable)
        table.load([SelectableRow("a", ("INV1",), Decimal("300000.00"), "CAD"),
                    SelectableRow("b", ("INV2",), Decimal("23000.00"), "USD"),
                    SelectableRow("c", ("INV3",), Decimal("252.83"), "USD")])
        await pilot.pause()
        assert table.summary() == "3 of 3 included · total 300,000.00 CAD · 23,252.83 USD"
        assert str(app.query_one(".selection-summary").render()) == table.summary()
        table.set_included("a", False)  # no CAD row left: no "0.00 CAD" either
        assert table.summary() == "2 of 3 included · total 23,252.83 USD"
        table.action_deselect_all()
        assert table.summary() == "0 of 3 included · total 0.00 CAD · 0.00 USD"  # never a bare 0.00
        table.action_select_all()
        table.set_included("b", False)
        assert table.included_totals == {"CAD": Decimal("300000.00"), "USD": Decimal("252.83")}
        assert table.grand_totals == {"CAD": Decimal("300000.00"), "USD": Decimal("23252.83")}


def test_totals_put_the_home_currency_first_and_keep_every_code():
    assert format_totals({"USD": Decimal("5"), "": Decimal("1234.5"), "EUR": Decimal("-2")}) == "1,234.50 · -2.00 EUR · 5.00 USD"
    assert format_totals({"CAD": Decimal("10")}) == "10.00 CAD"
    assert format_totals({}) == "nothing"  # never a figure without a currency
