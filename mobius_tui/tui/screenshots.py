"""SVG pictures of every screen, for the README and the snapshot tests.

    python -m mobius_tui.tui.screenshots [--out screenshots]

starts the demo (sandboxes on loopback, demo profile), drives the app with keys through every
screen at 80x24 and 120x40, and writes one SVG per screen and size. What changes from run to run
(sandbox ports, temporary folders, run ids, clock) is replaced by fixed text first, so the pictures
change only when the screens do.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from textual.widgets import Input, Log, OptionList, Static

SIZES = ((80, 24), (120, 40))
FROZEN_TODAY = date(2025, 6, 30)  # the demo dataset is dated in the quarter before this day

_MASKS = (
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:8080"),
    (re.compile(r"/tmp/[^\s'\"]*?/([^/\s'\"]+\.\w+)"), r"/srv/mobius/\1"),
    (re.compile(r"/tmp/(mobius-[a-z0-9]+-sandbox)-[A-Za-z0-9_]+"), r"/srv/mobius/\1"),  # a sandbox's folder
    (re.compile(r"\b\d{8}-\d{6}-[0-9a-f]{6}\b"), "20250630-120000-a1b2c3"),  # run ids
    (re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b"), "2025-06-30 12:00"),  # when a run started (History)
    (re.compile(r"/\S*/sage50-bridge/[0-9a-f]+/"), "/srv/mobius/"),  # the Sage 50 bridge built for the demo
    (re.compile(r"state=[A-Za-z0-9_-]+"), "state=Xq7RkP2mWn4sT8vY1cD5fG9h"),  # OAuth state
    (re.compile(r"\bsl_(app|sys)_[0-9a-f]{10}\b"), r"sl_\1_0123456789"),  # a Dynamics SL sandbox's databases
)


def mask_text(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def freeze(app) -> Callable[[], None]:
    """Replace run-to-run values on the screen with fixed ones and stop blinking cursors.

    Returns what puts the typed values back (the login must still reach the real sandbox)."""
    screen = app.screen
    typed: list[tuple[Input, str]] = []
    for box in screen.query(Input):
        box.cursor_blink = False
        masked = mask_text(box.value)
        if masked != box.value:
            typed.append((box, box.value))
            box.value = masked
    for static in screen.query(Static):
        if static.id in {"who", "outcome", "login-notice", "rerun-result", "sync-summary", "history-summary",
                         "last-scheduled", "auth-url"}:
            text = str(static.render())
            if mask_text(text) != text:
                static.update(mask_text(text))
    for options in (o for shown in app.screen_stack for o in shown.query(OptionList)):  # under dialogs too
        for index in range(options.option_count):
            prompt = str(options.get_option_at_index(index).prompt)
            if mask_text(prompt) != prompt:
                options.replace_option_prompt_at_index(index, mask_text(prompt))
    for log in screen.query(Log):
        lines = [mask_text(line) for line in log.lines]
        if lines != list(log.lines):
            log.clear()
            log.write_lines(lines)
            log.scroll_home(animate=False)

    def restore() -> None:
        for box, value in typed:
            box.value = value

    return restore


async def settle(pilot, app) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.15)


async def tour(app, pilot, shoot: Callable[[str], Awaitable[None]]) -> None:
    """Every screen in order, calling ``shoot(name)`` on each. The app starts on the login screen."""
    await pilot.pause()
    await shoot("login")
    await pilot.press("f8")
    await settle(pilot, app)
    await shoot("run-new-batch")
    await pilot.press("f1")
    await pilot.pause()
    await shoot("help")
    await pilot.press("escape")
    await pilot.press("f6")
    await settle(pilot, app)
    await shoot("dry-run-plan")
    await pilot.press("escape")
    await settle(pilot, app)
    await pilot.press("d", "space", "down", "space", "down", "space", "f8")
    await pilot.pause()
    await shoot("confirm-export")
    await pilot.press("f8")
    await settle(pilot, app)
    await shoot("export-result")
    await pilot.press("escape")
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)
    batch = app.screen.query_one("#recent-batches").get_option_at_index(0).id
    app.screen.query_one("#rerun-id", Input).value = batch or ""
    await pilot.press("f8")
    await settle(pilot, app)
    await shoot("rerun-duplicates")
    await pilot.press("escape")
    await pilot.press("f4")
    await pilot.pause()
    await pilot.press("f8")  # "Last successful run": none yet, so a year back from the frozen day
    await pilot.pause()
    await pilot.press("f8")  # the confirmation
    await settle(pilot, app)
    await shoot("update-invoice-payments")
    await pilot.press("f7")  # History: the sync just made, then the batch posted above
    await settle(pilot, app)
    await pilot.press("down")
    await pilot.pause()
    await shoot("history")


async def capture(make_app: Callable[[], object], size: tuple[int, int]) -> dict[str, str]:
    """name → SVG of every screen at ``size``."""
    app = make_app()
    app.animation_level = "none"  # a tab underline caught mid-slide would differ from run to run
    shots: dict[str, str] = {}
    async with app.run_test(size=size) as pilot:

        async def shoot(name: str) -> None:
            restore = freeze(app)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause(0.2)  # tab underlines follow label changes on a later refresh
            shots[name] = app.export_screenshot(title=f"Mobius TUI — {name}")
            restore()
            await pilot.pause()

        await tour(app, pilot, shoot)
    return shots


async def capture_login(make_app: Callable[[], object], size: tuple[int, int], authorize: bool = False) -> str:
    """The login screen alone, as a profile opens it; with ``authorize``, its Authorise step (F6) of an
    OAuth package."""
    app = make_app()
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if authorize:
            await pilot.press("f6")
            await settle(pilot, app)
        freeze(app)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.2)
        return app.export_screenshot(title="Mobius TUI — authorize" if authorize else "Mobius TUI — login")


def main(argv: list[str] | None = None) -> int:
    import asyncio

    from mobius_tui.tui.app import MobiusApp
    from mobius_tui.tui.demo import demo_environment, demo_notice

    parser = argparse.ArgumentParser(description="Regenerate the SVG screenshots from the demo data.")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        # A fresh demo per size: the tour posts a batch, and both sizes must show the same books.
        with demo_environment(today=FROZEN_TODAY) as demo:
            if not demo.offered:
                print(demo_notice(demo), file=sys.stderr)
                return 1
            notice = demo_notice(demo)
            shots = asyncio.run(
                capture(lambda: MobiusApp(profile_name=demo.first, today=FROZEN_TODAY, notice=notice), (width, height))
            )
            for profile in demo.profiles[1:]:  # the login of every other package the demo offers
                shots[f"login-{profile.package}"] = asyncio.run(capture_login(
                    lambda p=profile: MobiusApp(profile_name=p.name, today=FROZEN_TODAY, notice=notice), (width, height)))
            oauth_profiles = [p.name for p in demo.profiles if p.package == "sage_cloud"]
            if oauth_profiles and (width, height) == (80, 24):
                shots["authorize"] = asyncio.run(capture_login(
                    lambda: MobiusApp(profile_name=oauth_profiles[0], today=FROZEN_TODAY, notice=notice),
                    (width, height), authorize=True))
        for name, svg in shots.items():
            path = args.out / f"{name}-{width}x{height}.svg"
            path.write_text(svg, encoding="utf-8")
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
