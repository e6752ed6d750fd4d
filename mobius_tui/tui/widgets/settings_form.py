"""An accounting package's connection fields, built from the settings the package declares.

Nothing here knows one package from another: each :class:`SettingField` becomes an input of its
kind (text, password, whole number, yes/no, a choice list) with its label and help beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import Integer
from textual.widgets import Input, Label, Select

from mobius_tui.service.packages import FieldKind, SettingField
from mobius_tui.tui.widgets.toggles import Checkbox


PLACEHOLDER_WIDTH = 50  # the help text as a hint inside the box; the whole of it is the tooltip


def field_id(field: SettingField) -> str:
    return f"pkg-{field.name}"


def placeholder(field: SettingField) -> str:
    """The start of the help, cut at a word with an ellipsis, then "(optional)" where it applies."""
    suffix = "" if field.required else " (optional)"
    text = field.help or ""
    room = PLACEHOLDER_WIDTH - len(suffix)
    if len(text) > room:
        cut = text[: room - 1]
        at_word = cut.rsplit(" ", 1)[0]
        # At a word unless that drops a long token (an example address, say): then mid-token.
        text = (at_word if len(cut) - len(at_word) < 15 else cut).rstrip(" ,;:(") + "…"
    return (text + suffix).strip()


class SettingsForm(Vertical):
    """One row per setting: a label on the left, the input on the right."""

    DEFAULT_CSS = """
    SettingsForm { height: auto; }
    """

    def __init__(self, fields: tuple[SettingField, ...], values: Mapping[str, Any], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = fields
        self.initial = dict(values)

    def compose(self) -> ComposeResult:
        for field in self.fields:
            with Horizontal(classes="form-row"):
                yield Label(field.label, classes="form-label")
                yield self._input(field)

    def _input(self, field: SettingField) -> Any:
        value = self.initial.get(field.name, field.default)
        tooltip = field.help or None
        if field.kind == FieldKind.BOOLEAN:
            box = Checkbox(field.label, value=bool(value), id=field_id(field), compact=True)
            box.tooltip = tooltip
            return box
        if field.kind == FieldKind.CHOICE and field.choices:
            options = [(choice, choice) for choice in field.choices]
            start = value if value in field.choices else Select.BLANK
            select = Select(options, value=start, id=field_id(field), compact=True, allow_blank=not field.required)
            select.tooltip = tooltip
            return select
        secret = field.secret or field.kind == FieldKind.PASSWORD
        box = Input(
            value="" if secret or value is None else str(value),
            placeholder=placeholder(field),
            password=secret,
            type="integer" if field.kind == FieldKind.INTEGER else "text",
            validators=[Integer()] if field.kind == FieldKind.INTEGER else None,
            id=field_id(field),
            compact=True,
        )
        box.tooltip = tooltip
        return box

    def values(self) -> dict[str, Any]:
        """Every field's current value (secret ones included; the caller keeps them apart)."""
        out: dict[str, Any] = {}
        for field in self.fields:
            widget = self.query_one(f"#{field_id(field)}")
            if isinstance(widget, Checkbox):
                out[field.name] = widget.value
            elif isinstance(widget, Select):
                out[field.name] = "" if widget.value is Select.BLANK else str(widget.value)
            elif isinstance(widget, Input):
                text = widget.value.strip() if not field.secret else widget.value
                if field.kind == FieldKind.INTEGER and text:
                    out[field.name] = int(text) if text.lstrip("-").isdigit() else text
                else:
                    out[field.name] = text
        return out

    def missing(self) -> list[SettingField]:
        """Required fields left empty."""
        values = self.values()
        return [
            f
            for f in self.fields
            if f.required and f.kind != FieldKind.BOOLEAN and values.get(f.name) in ("", None)
        ]

    def bad_numbers(self) -> list[str]:
        values = self.values()
        return [f.label for f in self.fields if f.kind == FieldKind.INTEGER and isinstance(values.get(f.name), str) and values[f.name]]
