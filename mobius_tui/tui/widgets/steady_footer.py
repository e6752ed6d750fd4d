"""A Footer that is rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its keys whenever the bindings may have changed, which is every focus
change (moving between two fields that add no shown key included). Mounting the new keys makes the
whole screen lay out again: on the 114-widget main screen that was most of a 170-250 ms Tab press.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    _shown: tuple | None = None

    def _keys_shown(self, screen: Screen) -> tuple:
        app = screen.app
        return tuple(
            (key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip, binding.group)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )

    def compose(self):
        if self._bindings_ready:
            self._shown = self._keys_shown(self.screen)  # what this rebuild shows, read as Footer reads it
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer does, but the keys are compared when the rebuild would run: the signal can come
        # before the focus change it announces has settled.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        if self.is_attached and self._keys_shown(self.screen) != self._shown:
            await self.recompose()
