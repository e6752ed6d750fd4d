"""Pictures of every screen at 80x24 and 120x40, from the sandbox's seeded books and a frozen day.

Update after reviewing the differences: ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from pytest_textual_snapshot import SVGImageExtension

from mobius_tui.tui.screenshots import SIZES, capture

SCREENS = (
    "login", "run-new-batch", "help", "dry-run-plan", "confirm-export", "export-result", "rerun-duplicates",
    "update-invoice-payments", "history",
)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_screen(tui_env, snapshot, size):
    shots = await capture(tui_env.app, size)
    assert tuple(shots) == SCREENS
    svg = snapshot.use_extension(SVGImageExtension)
    for name, picture in shots.items():
        assert picture == svg(name=name), name


async def test_every_screen_without_colour(tui_env, snapshot, monkeypatch):
    """NO_COLOR (or a monochrome console): every state is in the glyphs and the words, e.g. a ticked
    box shows X, the chosen start date *."""
    monkeypatch.setenv("NO_COLOR", "1")
    shots = await capture(tui_env.app, (80, 24))
    svg = snapshot.use_extension(SVGImageExtension)
    for name in ("login", "run-new-batch", "confirm-export", "export-result", "update-invoice-payments"):
        assert shots[name] == svg(name=f"no-color-{name}"), name
