"""The Mobius TUI application: log in, then run, rerun and sync payments from three tabs.

The app knows :mod:`mobius_tui.service` only. Everything slow (logging in, reading Manage,
posting) runs in workers; service events reach the screens through queues drained on timers.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Awaitable, Callable, Iterable
from datetime import date

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from mobius_tui.service.profiles import Profile
from mobius_tui.service.secrets import Secrets
from mobius_tui.service.session import Session
# Imported with the app, not when first shown: importing a screen's modules on the event loop is a stall.
from mobius_tui.tui.screens.help import HelpScreen
from mobius_tui.tui.screens.login import LoginScreen
from mobius_tui.tui.screens.main import MainScreen
from mobius_tui.tui.service_thread import ServiceThread, ThreadedSession

Opener = Callable[[Profile, Secrets], Awaitable[Session]]


class MobiusApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Mobius TUI"
    SUB_TITLE = "ConnectWise Manage ⇄ accounting"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        # Off the footer, so an 80-column footer keeps its screen's own keys; in F1 help and the palette.
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit", show=False),
    ]

    def __init__(
        self,
        *,
        profile_name: str | None = None,
        opener: Opener | None = None,
        today: date | None = None,
        notice: str = "",
    ) -> None:
        super().__init__()
        self.profile_name = profile_name
        self.opener: Opener = opener or Session.open
        self._today = today  # fixed in tests and screenshots
        self.notice = notice  # shown on the login screen (the demo explains itself there)
        self.session: Session | None = None  # a ThreadedSession: it works on the service thread
        self.profile: Profile | None = None
        self._service: ServiceThread | None = None

    def today(self) -> date:
        return self._today or date.today()

    def on_mount(self) -> None:
        freeze_startup_objects()
        self.push_screen(LoginScreen(self.profile_name))

    # --- session life cycle ------------------------------------------------------------

    def error_text(self, exc: BaseException) -> str:
        """An error for the screen, secrets scrubbed by the session that raised it."""
        if self.session is not None:
            return self.session.error_text(exc)
        return str(exc).strip() or type(exc).__name__

    async def open_session(self, profile: Profile, secrets: Secrets) -> Session:
        """Log in on the service thread, where the session then does all its work."""
        if self._service is None:
            self._service = ServiceThread()
        session = await self._service.run(self.opener(profile, secrets))
        return ThreadedSession(session, self._service)  # type: ignore[return-value]

    def on_unmount(self) -> None:
        if self._service is not None:
            self._service.stop()

    def logged_in(self, session: Session, profile: Profile) -> None:
        self.session, self.profile = session, profile
        self.switch_screen(MainScreen())

    async def action_logout(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            try:
                await session.close()
            except Exception as exc:  # closing must never keep the user from the login screen
                self.log.warning(f"closing the session failed: {exc!r}")
        name = self.profile.name if self.profile else self.profile_name
        # Drop any dialogs or export views above the main screen, then replace it.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen(name))

    async def action_quit(self) -> None:
        if self.session is not None:
            try:
                await self.session.close()
            except Exception as exc:
                self.log.warning(f"closing the session failed: {exc!r}")
            self.session = None
        self.exit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # --- command palette: every binding of the current screen, plus the built-ins -----------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        titles: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if (not binding.description or binding.action in seen or not active.enabled
                    or binding.action == "command_palette"):
                continue
            if binding.id is None and not isinstance(active.node, (Screen, App)):
                continue  # a field's own editing keys (cursor moves, cut and paste): not commands
            if binding.description.lower() in titles:
                continue  # two keys for one command (Escape and Ctrl+Q both quit on the login screen)
            seen.add(binding.action)
            titles.add(binding.description.lower())
            help_text = binding.tooltip or f"Key: {active.binding.key_display or binding.key}"
            yield SystemCommand(binding.description, help_text, _runner(active.node, binding.action))
        for title, help_text, callback in getattr(screen, "palette_commands", list)():
            if title.lower() not in titles:
                titles.add(title.lower())
                yield SystemCommand(title, help_text, callback)
        # The built-ins, less those already listed under the same name (Quit).
        yield from (c for c in super().get_system_commands(screen) if c.title.lower() not in titles)


@functools.cache
def freeze_startup_objects() -> None:
    """Put what exists once the app has started (modules, classes, styles) out of the garbage
    collector's reach: it lives as long as the app anyway. Otherwise every full collection walks
    all of it, a 60-180 ms freeze that loading a 10,000-row table is enough to set off.
    Once per process. Only the young generations are collected first: a full collection here was
    itself a 55-100 ms step of the event loop before the login showed, and found nothing (start-up
    leaves no garbage in the oldest generation; what little it might is kept, once)."""
    gc.collect(1)
    gc.freeze()


def _runner(node, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await node.run_action(action)

    return run


def run(profile_name: str | None = None) -> int:
    """Entry point of ``mobius-tui`` with no subcommand."""
    MobiusApp(profile_name=profile_name).run()
    return 0
