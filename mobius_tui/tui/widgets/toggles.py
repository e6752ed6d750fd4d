"""Checkboxes and radio buttons whose state is in the glyph itself, not only in its colour.

Textual draws the same mark ticked or not and tells them apart by colour, which NO_COLOR, a
monochrome console or a colour-blind user cannot see. Here a ticked box shows ``X`` and an
unticked one a blank; the chosen radio button ``*``. ASCII, as the Include column: some SSH/RDP
consoles draw other glyphs at an unexpected width.
"""

from __future__ import annotations

from textual.widgets import Checkbox as _Checkbox
from textual.widgets import RadioButton as _RadioButton


class Checkbox(_Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's name for the mark
        return "X" if self.value else " "


class RadioButton(_RadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802
        return "*" if self.value else " "
