"""Login: the Manage connection, the accounting package and that package's own fields.

Non-secret values come back from the profile; secrets come from the keyring (or environment) and
are saved there only when "Save password" is ticked and a keyring works. Finding the keyring backend
can take a second, so it is asked on a thread and "Save password" stays off until it answers.
Importing the package adapters takes as long, so the screen shows first and lists the packages
once a thread has imported them; F8 pressed before then logs in as soon as they are listed.
Logging in runs in a worker; a failure stays on this screen with the reason and the fix.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Header, Input, Label, LoadingIndicator, Select, Static

from mobius_tui.service import oauth, packages
from mobius_tui.service import secrets as secret_store
from mobius_tui.service.packages import AccountingPackage
from mobius_tui.service.profiles import AUTH_TYPES, Profile, ProfileError, list_profiles, load_profile, save_profile
from mobius_tui.tui.screens.authorize import AuthorizeDialog
from mobius_tui.tui.screens.styled_at_mount import StyledAtMountScreen
from mobius_tui.tui.widgets.settings_form import SettingsForm
from mobius_tui.tui.widgets.steady_footer import SteadyFooter
from mobius_tui.tui.widgets.toggles import Checkbox

DEFAULT_PROFILE = "default"

# Manage fields: (widget id, label, profile attribute or secret name, secret?, auth type or None for both)
MANAGE_FIELDS: tuple[tuple[str, str, str, bool, str | None], ...] = (
    ("site", "Manage site", "site", False, None),
    ("company-id", "Company ID", "company_id", False, None),
    ("client-id", "Client ID", "client_id", False, None),
    ("public-key", "Public key", "public_key", False, "APIKey"),
    ("private-key", "Private key", "private_key", True, "APIKey"),
    ("member", "Member", "member_identifier", False, "MemberImpersonation"),
    ("integrator-user", "Integrator user", "integrator_user", False, "MemberImpersonation"),
    ("integrator-password", "Integrator password", "integrator_password", True, "MemberImpersonation"),
)
HINTS = {
    "site": "e.g. na.myconnectwise.net",
    "client-id": "the clientId of your Manage integration",
    "company-id": "the company you type at Manage's login",
}


def initial_profile(name: str | None) -> Profile:
    """The named profile, else the only/first saved one, else an empty one."""
    try:
        names = list_profiles()
        chosen = name or (names[0] if names else DEFAULT_PROFILE)
        return load_profile(chosen) if chosen in names else Profile(name=chosen)
    except ProfileError:
        return Profile(name=name or DEFAULT_PROFILE)


class LoginScreen(StyledAtMountScreen):
    HELP = (
        "Log in to ConnectWise Manage and the accounting package. Site, company and keys come from Manage's "
        "API member (System > Members > API Members); the package fields are the package's own login. "
        "Save password keeps secrets in the system keyring, never in the settings file. F8 logs in."
    )
    BINDINGS = [
        Binding("f8", "login", "Log in", id="login.submit"),
        Binding("f6", "authorize", "Authorise", show=False, id="login.authorize"),
        Binding("escape", "app.quit", "Quit", show=False),
    ]
    # Focus goes to the first empty field once mounted (``_focus_first_empty``). Textual's own first
    # focus would land on the form's scroll container first, and taking it back restyles the whole
    # form twice (its focus-within changes): 35-55 ms of the event loop each time.
    AUTO_FOCUS = ""

    def __init__(self, profile_name: str | None = None) -> None:
        super().__init__()
        self.profile = initial_profile(profile_name)
        try:
            self.profile_names = list_profiles()
        except ProfileError:
            self.profile_names = []
        self.packages: dict[str, type[AccountingPackage]] = {}  # filled by ``_list_packages``
        self.packages_listed = False
        self._login_when_listed = False
        # Until the keyring answers (``_check_keyring``): no saving, and no note yet.
        self.keyring_ok, self.keyring_reason = False, ""
        self.keyring_known = False
        self._saved_secrets: dict[str, str] = {}

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        p = self.profile
        yield Header()
        with VerticalScroll(id="login-form"):
            if self.app.notice:
                yield Static(self.app.notice, id="login-notice", markup=False)
            if len(self.profile_names) > 1:
                with Horizontal(classes="form-row"):
                    yield Label("Profile", classes="form-label")
                    yield Select([(n, n) for n in self.profile_names], value=p.name, allow_blank=False, id="profile",
                                 compact=True)
            yield Label("ConnectWise Manage", classes="section")
            for wid, label, attr, secret, auth in MANAGE_FIELDS[:3]:
                yield self._row(wid, label, getattr(p, attr), secret)
            with Horizontal(classes="form-row"):
                yield Label("Auth type", classes="form-label")
                yield Select([(a, a) for a in AUTH_TYPES], value=p.auth_type, allow_blank=False, id="auth-type", compact=True)
            for wid, label, attr, secret, auth in MANAGE_FIELDS[3:]:
                value = "" if secret else getattr(p, attr)
                yield self._row(wid, label, value, secret, classes=f"auth-{auth}")
            with Horizontal(classes="form-row"):
                yield Label("Your initials", classes="form-label")
                yield Input(p.initials, placeholder="for batch numbers, e.g. JD", id="initials", compact=True, max_length=6)
            yield Label("Accounting package", classes="section")
            with Horizontal(classes="form-row"):
                yield Label("Package", classes="form-label")
                yield Select([("finding the installed packages…", "")], value="", allow_blank=False, id="package",
                             compact=True)
            yield Vertical(id="package-fields")
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                yield Checkbox("Save password", value=False, id="save-password", disabled=True, compact=True)
            yield Static("", id="keyring-note", markup=False)
            yield Static("", id="login-error", markup=False)
            with Horizontal(id="login-buttons"):
                yield Button("Log in (F8)", id="login", variant="primary", compact=True)
                yield Button("Quit", id="quit", compact=True)
            yield LoadingIndicator(id="login-busy")
        yield SteadyFooter(compact=True)

    def _row(self, wid: str, label: str, value: str, secret: bool, classes: str = "") -> Horizontal:
        return Horizontal(
            Label(label, classes="form-label"),
            Input(value or "", password=secret, placeholder=HINTS.get(wid, ""), id=wid, compact=True),
            classes=f"form-row {classes}".strip(),
        )

    def on_mount(self) -> None:
        self.query_one("#login-busy").display = False
        self._show_auth(self.profile.auth_type)
        self._focus_first_empty()
        self._check_keyring()
        # On the package box's own message queue, not the screen's: the screen keeps painting and
        # answering keys meanwhile, and whoever waits for this screen to be idle waits for the list.
        self.query_one("#package-fields").call_later(self._list_packages)

    def _focus_first_empty(self) -> None:
        first_empty = next((i for i in self.query(Input) if not i.value and i.display), None)
        self._auto_focused = first_empty or self.query_one("#site", Input)
        self._auto_focused.focus()

    async def _list_packages(self) -> None:
        listed = await asyncio.to_thread(packages.installed)
        if not self.is_attached:
            return
        self.packages, self.packages_listed = listed, True
        select = self.query_one("#package", Select)
        options = [(cls.label, name) for name, cls in listed.items()] or [("no package installed", "")]
        select.set_options(options)
        select.value = self.profile.package if self.profile.package in listed else options[0][1]
        await self._render_package_fields()
        if self.focused is self._auto_focused or not isinstance(self.focused, Input):
            self._focus_first_empty()  # the user has not moved: a package field may be the first to fill in
        if self._login_when_listed:
            self.action_login()

    @work(thread=True, exclusive=True, group="keyring", exit_on_error=False)
    def _check_keyring(self) -> None:
        ok, reason = secret_store.keyring_status()
        saved = ok and self._has_saved_secret()
        self.app.call_from_thread(self._keyring_answered, ok, reason, saved)

    def _keyring_answered(self, ok: bool, reason: str, saved: bool) -> None:
        if not self.is_attached:
            return
        self.keyring_ok, self.keyring_reason, self.keyring_known = ok, reason, True
        box = self.query_one("#save-password", Checkbox)
        box.value, box.disabled = saved, not ok
        self._update_keyring_note()

    def _update_keyring_note(self) -> None:
        self.query_one("#keyring-note", Static).update(self._keyring_note())

    def _keyring_note(self) -> str:
        if self.keyring_ok or not self.keyring_known:
            return ""
        names = ", ".join(sorted(self._env_vars().values()))
        return f"Save password is off: {self.keyring_reason} ({names})."

    def _env_vars(self) -> dict[str, str]:
        auth = str(self.query_one("#auth-type", Select).value)
        return secret_store.secret_env_vars(replace(self.profile, auth_type=auth), self._package_cls())

    def _has_saved_secret(self) -> bool:
        return any(secret_store.get_secret(self.profile.name, n) for n in self.profile.manage_secret_names())

    # --- reacting to the form -------------------------------------------------------------

    @on(Select.Changed, "#profile")
    def _profile_changed(self, event: Select.Changed) -> None:
        # Another profile fills every field differently: start this screen afresh from it.
        if event.value != self.profile.name:
            self.app.switch_screen(LoginScreen(str(event.value)))

    @on(Select.Changed, "#auth-type")
    def _auth_changed(self, event: Select.Changed) -> None:
        self._show_auth(str(event.value))

    @on(Select.Changed, "#package")
    async def _package_changed(self) -> None:
        await self._render_package_fields()

    def _show_auth(self, auth: str) -> None:
        for other in AUTH_TYPES:
            for row in self.query(f".auth-{other}"):
                row.display = other == auth
        self._update_keyring_note()

    def _package_cls(self) -> type[AccountingPackage] | None:
        return self.packages.get(str(self.query_one("#package", Select).value))

    async def _render_package_fields(self) -> None:
        if not self.packages_listed:
            return
        cls = self._package_cls()
        name = cls.name if cls else ""
        if getattr(self, "_rendered_package", None) == name:
            return
        self._rendered_package = name
        holder = self.query_one("#package-fields", Vertical)
        await holder.remove_children()
        if cls is None:
            await holder.mount(Static("No accounting package is installed.", classes="error"))
        else:
            values = self.profile.package_values if self.profile.package == cls.name else {}
            widgets: list[Any] = [SettingsForm(cls.settings, values, id="package-form")]
            if oauth.supports_oauth(cls):
                widgets.append(Horizontal(Label("", classes="form-label"),
                                          Button("Authorise (F6)", id="authorize", compact=True), classes="form-row"))
            await holder.mount(*widgets)
        self._update_keyring_note()

    # --- reading the form -----------------------------------------------------------------

    def _value(self, wid: str) -> str:
        widget = self.query_one(f"#{wid}", Input)
        return widget.value if widget.password else widget.value.strip()

    def _profile_from_form(self) -> Profile:
        auth = str(self.query_one("#auth-type", Select).value)
        cls = self._package_cls()
        non_secret: dict[str, Any] = {}
        forms = self.query(SettingsForm)
        if cls is not None and forms:
            secret_names = {f.name for f in cls.settings if f.secret}
            defaults = {f.name: f.default for f in cls.settings}
            known = self.profile.package_values if self.profile.package == cls.name else {}
            # A default the profile never stored stays unstored: the books a profile names must not
            # change just because the form showed the default.
            non_secret = {
                k: v
                for k, v in forms.first().values().items()
                if k not in secret_names and (k in known or v not in (defaults.get(k), "", None))
            }
        values = {attr: self._value(wid) for wid, _, attr, secret, _ in MANAGE_FIELDS if not secret}
        return replace(
            self.profile,
            site=values["site"],
            company_id=values["company_id"],
            client_id=values["client_id"],
            auth_type=auth,  # type: ignore[arg-type]
            public_key=values["public_key"] if auth == "APIKey" else self.profile.public_key,
            member_identifier=values["member_identifier"] if auth != "APIKey" else self.profile.member_identifier,
            integrator_user=values["integrator_user"] if auth != "APIKey" else self.profile.integrator_user,
            package=cls.name if cls else "",
            package_values=non_secret,
            initials=self.query_one("#initials", Input).value.strip(),
        )

    def _typed_secrets(self) -> dict[str, str]:
        out = {attr: self._value(wid) for wid, _, attr, secret, _ in MANAGE_FIELDS if secret}
        cls = self._package_cls()
        forms = self.query(SettingsForm)
        if cls is not None and forms:
            secret_names = {f.name for f in cls.settings if f.secret}
            out.update({k: str(v) for k, v in forms.first().values().items() if k in secret_names})
        return {k: v for k, v in out.items() if v}

    def problems(self, profile: Profile, secrets: secret_store.Secrets) -> list[str]:
        """What is missing before trying to connect, each with where to fill it in."""
        out = [p for p in profile.problems()]
        forms = self.query(SettingsForm)
        if forms:
            form = forms.first()
            # Secrets are checked below, where the keyring and the environment count too.
            out += [f"Fill in {f.label} (accounting package)." for f in form.missing() if not f.secret]
            out += [f"{label} must be a whole number." for label in form.bad_numbers()]
        out += secret_store.missing_secrets(profile, self._package_cls(), secrets)
        return out

    # --- logging in -----------------------------------------------------------------------

    @on(Button.Pressed, "#login")
    def _login_pressed(self) -> None:
        self.action_login()

    @on(Button.Pressed, "#authorize")
    def action_authorize(self) -> None:
        cls = self._package_cls()
        if not oauth.supports_oauth(cls):
            return
        profile = self._profile_from_form()
        stored = secret_store.load_secrets(profile, cls)
        secrets = secret_store.Secrets({**dict(stored), **self._typed_secrets()})
        self.app.push_screen(AuthorizeDialog(profile, secrets), self._authorized)

    def _authorized(self, profile: Profile | None) -> None:
        if profile is None:
            return
        self.profile = profile
        for name in ("business_id", "token_key"):
            for box in self.query(f"#pkg-{name}").results(Input):
                box.value = str(profile.package_values.get(name, ""))
        self.notify("Authorised; F8 logs in.", timeout=6)

    @on(Button.Pressed, "#quit")
    async def _quit_pressed(self) -> None:
        await self.app.action_quit()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_login()

    def action_login(self) -> None:
        if self.query_one("#login-busy").display:
            return
        if not self.packages_listed:
            self._login_when_listed = True
            return
        profile = self._profile_from_form()
        typed = self._typed_secrets()
        stored = secret_store.load_secrets(profile, self._package_cls())
        secrets = secret_store.Secrets({**dict(stored), **typed})
        problems = self.problems(profile, secrets)
        if problems:
            self.show_error("\n".join(problems))
            return
        self.show_error("")
        self._busy(True)
        self._connect(profile, secrets, typed)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _connect(self, profile: Profile, secrets: secret_store.Secrets, typed: dict[str, str]) -> None:
        try:
            session = await self.app.open_session(profile, secrets)
        except Exception as exc:  # every login failure is shown here, with its fix
            self._busy(False)
            self.show_error(login_failure_text(exc, secrets))
            return
        notes = self._remember(profile, typed)
        self._busy(False)
        if notes:
            self.notify(notes, severity="warning", timeout=8)
        self.app.logged_in(session, profile)

    def _remember(self, profile: Profile, typed: dict[str, str]) -> str:
        """Save the non-secret fields, and the secrets when asked to; returns a note on trouble."""
        cls = self._package_cls()
        notes: list[str] = []
        try:
            save_profile(profile, cls)
        except (ProfileError, OSError) as exc:
            notes.append(f"The login worked but the settings were not saved: {exc}")
        if self.query_one("#save-password", Checkbox).value and self.keyring_ok:
            for name, value in typed.items():
                try:
                    secret_store.set_secret(profile.name, name, value)
                except secret_store.SecretsError as exc:
                    notes.append(str(exc))
        return " ".join(notes)

    def _busy(self, busy: bool) -> None:
        self.query_one("#login-busy").display = busy
        self.query_one("#login", Button).disabled = busy

    def show_error(self, text: str) -> None:
        box = self.query_one("#login-error", Static)
        box.update(text)
        box.set_class(bool(text), "visible")
        if text:
            # Below the fold at 80x24: scrolled into view once laid out (it has no size before), and
            # told in a notification too, so F8 never seems to do nothing.
            form = self.query_one("#login-form", VerticalScroll)
            self.call_after_refresh(form.scroll_to_widget, box, animate=False)
            self.notify(text.splitlines()[0], severity="error", timeout=10)


def login_failure_text(exc: Exception, secrets: secret_store.Secrets) -> str:
    """The service's message (which names the cause and the fix), with no secret in it."""
    text = secret_store.redact(str(exc).strip() or type(exc).__name__, secrets.values_for_redaction())
    return f"Login failed: {text}"
