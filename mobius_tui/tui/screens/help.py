"""F1: what the screen underneath is for, and every key it answers to."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Static

GENERAL = (
    "Keys work over SSH and RDP consoles; no mouse is needed. Tab / Shift+Tab move between fields, Enter "
    "presses a button, Ctrl+P opens the command palette (every action is there), Ctrl+Q quits."
)


def key_lines(screen: Screen) -> list[str]:
    """The screen's own keys first, then those of the field with the focus, then the app's."""
    groups: tuple[list[str], list[str], list[str]] = ([], [], [])
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.description in seen or binding.action == "command_palette":
            continue
        node = active.node
        group = 0 if node is screen else 2 if isinstance(node, App) else 1
        own = group == 0 and binding in type(node).__dict__.get("BINDINGS", ())
        if binding.id is None and not own:
            continue  # Textual's own (Tab, copy, a field's cursor keys): the same on every screen
        seen.add(binding.description)
        groups[group].append(f"  {screen.app.get_key_display(binding):<10} {binding.description}")
    return [*groups[0], *groups[1], *groups[2], f"  {'ctrl+p':<10} Command palette"]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "close", "Close help", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        text = getattr(self.under, "HELP", "")
        body = "\n".join(["Keys here:", *key_lines(self.under), *(["", text] if text else []), "", GENERAL])
        with Vertical(classes="dialog", id="help"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(body, markup=False)
            yield Button("Close (Esc)", id="help-close", compact=True)

    def on_mount(self) -> None:
        # The text has the focus, so the arrow and page keys scroll it at once; Esc or F1 closes.
        self.query_one(".dialog-body", VerticalScroll).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
