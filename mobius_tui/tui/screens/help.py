"""F1: what the screen underneath is for, and every key it answers to."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Static

GENERAL = (
    "Keys work over SSH and RDP consoles; no mouse is needed. Tab / Shift+Tab move between fields, Enter "
    "presses a button, Ctrl+P opens the command palette (every action is there), Ctrl+Q quits."
)


def key_lines(screen: Screen) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        lines.append(f"  {screen.app.get_key_display(binding):<10} {binding.description}")
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "close", "Close help", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        text = getattr(self.under, "HELP", "")
        body = "\n".join(filter(None, [text, GENERAL, "", "Keys here:", *key_lines(self.under)]))
        with Vertical(classes="dialog", id="help"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(body, markup=False)
            yield Button("Close (Esc)", id="help-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-close").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
