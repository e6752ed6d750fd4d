"""Small modal dialogs: confirm a choice, pick a file path, type a new batch number."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from mobius_tui.service.options import BatchNumberError, validate_batch_number


@dataclass(frozen=True)
class Choice:
    """An answer of a :class:`ChoiceDialog`. ``key`` (e.g. "f8") presses it from anywhere in the
    dialog; a ``destructive`` answer is never the focused one, so Enter alone cannot choose it."""

    id: str
    label: str
    key: str = ""
    destructive: bool = False

    @property
    def button_label(self) -> str:
        return f"{self.label} ({key_name(self.key)})" if self.key else self.label


def key_name(key: str) -> str:
    """"f8" → "F8", "ctrl+d" → "Ctrl+D": how a key is written on a button."""
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few answers; dismisses with the chosen answer's id, or None on Escape.

    The focused button is ``focus`` (an answer's id, or "cancel"): a dialog whose answers write
    focuses the safe one, so a stray Enter never posts. Answers with a ``key`` are chosen by it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, body: str, choices: list[Choice | tuple[str, str]], *, focus: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.body = body
        self.choices = [c if isinstance(c, Choice) else Choice(*c) for c in choices]
        safe = [c.id for c in self.choices if not c.destructive]
        self.focus_id = focus or (safe[0] if safe else "cancel")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body, markup=False)
            with Horizontal(classes="dialog-buttons"):
                for choice in self.choices:
                    variant = "error" if choice.destructive else ("primary" if choice.id == self.focus_id else "default")
                    yield Button(choice.button_label, id=f"choice-{choice.id}", variant=variant, compact=True)
                yield Button("Cancel (Esc)", id="choice-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#choice-{self.focus_id}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        key = (event.button.id or "").removeprefix("choice-")
        self.dismiss(None if key == "cancel" else key)

    def on_key(self, event: events.Key) -> None:
        chosen = next((c for c in self.choices if c.key and c.key == event.key), None)
        if chosen is not None:
            event.stop()
            self.dismiss(chosen.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SavePathDialog(ModalScreen[Path | None]):
    """Asks where to save a file; the suggested path is pre-filled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, suggested: Path) -> None:
        super().__init__()
        self.title_text = title
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Label("Save to (Enter saves):")
            yield Input(str(self.suggested), id="save-path", compact=True)
            yield Static("", id="save-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        text = self.query_one("#save-path", Input).value.strip()
        if not text:
            self.query_one("#save-error", Static).update("Type a file path, for example ~/mobius-errors.txt.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self.query_one("#save-error", Static).update(f"{path} is a folder; add a file name, e.g. {path / self.suggested.name}.")
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class BatchNumberDialog(ModalScreen[str | None]):
    """Asks for a batch number other than ``refused`` (checked as on Run New Batch); Enter accepts."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, body: str, refused: str, suggested: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.body = body
        self.refused = refused
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body, markup=False)
            yield Label("New batch number (Enter finishes with it):")
            yield Input(self.suggested, id="new-batch-number", compact=True)
            yield Static("", id="batch-number-error", classes="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Finish", id="finish", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#new-batch-number", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#finish")
    def _accept(self) -> None:
        error = self.query_one("#batch-number-error", Static)
        try:
            number = validate_batch_number(self.query_one("#new-batch-number", Input).value)
        except BatchNumberError as exc:
            error.update(str(exc))
            return
        if number == self.refused:
            error.update(f"Manage refused {number} for this run. Type another, for example {self.suggested}.")
            return
        self.dismiss(number)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
