"""The JSON files under the config folder (profiles, alerts, schedules): one top-level object of
named entries, read with a readable error and written whole (write then rename, owner-only)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mobius_tui import paths


def read_entries(path: Path, key: str, error: type[Exception], what: str) -> dict[str, dict[str, Any]]:
    """The ``key`` object of ``path`` ({} when the file does not exist); ``error`` says what is wrong
    with ``what`` ("The profile file") otherwise."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise error(f"{what} {path} cannot be read ({exc}). Fix or remove it.") from None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise error(f"{what} {path} has no '{key}' object. Fix or remove it.")
    return entries


def write_entries(path: Path, key: str, entries: dict[str, dict[str, Any]]) -> Path:
    paths.ensure_private_dir(path.parent)
    text = json.dumps({key: entries}, indent=2, sort_keys=True)
    # Write then rename, so a crash never leaves half a file (mkstemp makes it 0600).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
