"""Where the product keeps its files (``mobius-tui where`` prints these)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "mobius-tui"
CONFIG_DIR_ENV = "MOBIUS_TUI_CONFIG_DIR"
DATA_DIR_ENV = "MOBIUS_TUI_DATA_DIR"


def config_dir() -> Path:
    """Profiles (nothing secret)."""
    return Path(os.environ.get(CONFIG_DIR_ENV) or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """Run journal, payment-sync state, run logs, locks."""
    return Path(os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir(APP))


def profiles_file() -> Path:
    return config_dir() / "profiles.json"


def journal_file() -> Path:
    return data_dir() / "journal.sqlite"


def logs_dir() -> Path:
    return data_dir() / "logs"


def locks_dir() -> Path:
    return data_dir() / "locks"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by this user only (the journal names customers and amounts)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
