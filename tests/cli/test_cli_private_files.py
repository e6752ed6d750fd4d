"""The data folder (run journal, logs, locks) and the config folder are this user's alone:
folders 0700 and files 0600 when made, and tightened when found open (an older install)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mobius_tui import cli
from tests.headless import EXPORT
from tests.headless import run as run_cli


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)  # what most accounts have: new files 0644, folders 0755
    yield
    os.umask(old)


def run(*argv: str) -> int:
    return run_cli(*argv)[0]


def modes(root: Path) -> dict[str, int]:
    out = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        out[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return out


def assert_private(root: Path) -> dict[str, int]:
    found = modes(root)
    for name, mode in found.items():
        folder = name == "." or (root / name).is_dir()
        assert mode == (0o700 if folder else 0o600), f"{root / name}: {oct(mode)}"
    return found


def test_new_folders_and_files_are_private(env, app_dirs):
    config, data = app_dirs
    assert run(*EXPORT, "--batch-number", "P-I") == cli.EXIT_SUCCESS
    found = assert_private(data)
    assert "journal.sqlite" in found and any(n.startswith("logs/") and n.endswith(".log") for n in found)
    assert any(n.startswith("logs/") and n.endswith(".errors.txt") for n in found)
    assert "locks" in found
    assert "profiles.json" in assert_private(config)


def test_folders_found_open_are_tightened_with_what_they_hold(env, app_dirs):
    config, data = app_dirs
    assert run(*EXPORT, "--batch-number", "P-I") == cli.EXIT_SUCCESS
    for root in (config, data):  # as an older version left them
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert stat.S_IMODE((data / "journal.sqlite").stat().st_mode) == 0o644
    assert run("export", "--profile", "demo", "--expenses", "--yes", "--batch-number", "P-E") in (0, 2, 3)
    assert_private(data)
    assert run("profiles", "add", "demo", "--initials", "AB") == cli.EXIT_SUCCESS  # the config folder on save
    assert_private(config)
