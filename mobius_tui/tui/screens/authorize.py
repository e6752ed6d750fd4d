"""Authorise a profile with a package that signs in through OAuth (Sage Business Cloud), over SSH too.

Shows the sign-in address (also put on the terminal's clipboard where it allows that), the 60 s
notice, and a field for the address the browser lands on (or the bare code). "Listen" catches the
redirect on 127.0.0.1 instead, for a browser on this machine. Then the business to post into.
Dismisses with the updated profile, or None when cancelled.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from mobius_tui.service import oauth
from mobius_tui.service.profiles import Profile
from mobius_tui.service.secrets import Secrets, redact


class AuthorizeDialog(ModalScreen[Profile | None]):
    DEFAULT_CSS = """
    AuthorizeDialog .dialog { width: 78; }
    AuthorizeDialog #auth-url { height: auto; max-height: 5; color: $accent; }
    AuthorizeDialog #auth-notice, AuthorizeDialog #auth-error { height: auto; }
    AuthorizeDialog #auth-error { color: $error; }
    AuthorizeDialog #auth-business-row { height: auto; display: none; }
    AuthorizeDialog #auth-pasted { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="authorize.cancel")]

    def __init__(self, profile: Profile, secrets: Secrets) -> None:
        super().__init__(id="authorize")
        self.profile = profile
        self.secrets = secrets
        self.auth: oauth.Authorization | None = None
        self.businesses: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Authorise with Sage", classes="dialog-title")
            yield Static("Open this address in any browser and allow access:", markup=False)
            yield Static("", id="auth-url", markup=False)
            yield Static(oauth.CODE_NOTICE, id="auth-notice", markup=False)
            yield Input(placeholder="paste the address (or code) here, then Enter", id="auth-pasted", compact=True)
            with Vertical(id="auth-business-row"):
                yield Label("Business to post into")
                yield Select([], id="auth-business", allow_blank=True, compact=True)
            yield Static("", id="auth-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Done (Enter)", id="auth-done", variant="primary", compact=True)
                yield Button("Listen", id="auth-listen", compact=True)
                yield Button("New address", id="auth-restart", compact=True)
                yield Button("Cancel (Esc)", id="auth-cancel", compact=True)

    def on_mount(self) -> None:
        self._start()
        self.query_one("#auth-pasted", Input).focus()

    def _start(self) -> None:
        try:
            self.auth = oauth.start(self.profile, self.secrets)
        except Exception as exc:  # a missing client id or secret: said on the dialog
            self._error(str(exc))
            return
        self.query_one("#auth-url", Static).update(self.auth.url)
        self.app.copy_to_clipboard(self.auth.url)  # OSC 52: terminals that allow it get it on the clipboard
        self._error("")

    def _error(self, text: str) -> None:
        self.query_one("#auth-error", Static).update(redact(text, self.secrets.values_for_redaction()))

    @on(Input.Submitted, "#auth-pasted")
    @on(Button.Pressed, "#auth-done")
    def _done(self) -> None:
        if self.businesses:
            self._choose()
            return
        pasted = self.query_one("#auth-pasted", Input).value
        if self.auth is not None and pasted.strip():
            self._complete(pasted)
        elif self.auth is not None:
            self._error("Paste the address your browser landed on first.")

    @on(Button.Pressed, "#auth-listen")
    def _listen_pressed(self) -> None:
        if self.auth is not None:
            self._error(f"Waiting for the browser on {self.auth.redirect_uri} ...")
            self._listen()

    @work(exclusive=True, group="authorize", exit_on_error=False)
    async def _listen(self) -> None:
        try:
            pasted = await oauth.listen_for_redirect(self.auth.redirect_uri)  # type: ignore[union-attr]
        except Exception as exc:
            self._error(str(exc))
            return
        self._complete(pasted)

    @work(exclusive=True, group="authorize-complete", exit_on_error=False)
    async def _complete(self, pasted: str) -> None:
        try:
            self.businesses = await oauth.complete(self.auth, pasted)  # type: ignore[arg-type]
        except Exception as exc:  # wrong state, expired code, wrong client secret: said with the fix
            self._error(str(exc))
            return
        self.profile = self.auth.profile  # type: ignore[union-attr]
        if len(self.businesses) == 1:
            self._choose(self.businesses[0][0])
            return
        select = self.query_one("#auth-business", Select)
        select.set_options([(name, business_id) for business_id, name in self.businesses])
        select.value = self.businesses[0][0]
        self.query_one("#auth-business-row").display = True
        self._error("")
        select.focus()

    def _choose(self, business_id: str | None = None) -> None:
        chosen = business_id or str(self.query_one("#auth-business", Select).value)
        try:
            self.dismiss(oauth.choose_business(self.profile, chosen, self.businesses))
        except Exception as exc:
            self._error(str(exc))

    @on(Button.Pressed, "#auth-restart")
    def _restart(self) -> None:
        self.businesses = []
        self.query_one("#auth-business-row").display = False
        self.query_one("#auth-pasted", Input).value = ""
        self._start()

    @on(Button.Pressed, "#auth-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
