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


# The journal and the run logs name customers, vendors and amounts; profiles name servers and users.
# Nobody but this user reads them: folders 0700, files 0600.
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by this user only, and tighten it if it was found open to others.

    Inside the config or data folder, every level from that folder down is made private too
    (``mkdir(parents=True)`` would leave new parents at the umask's 0755); a folder found open is
    tightened with every file and folder under it."""
    path = Path(path)
    root = _app_root(path)
    levels = [path]
    if root is not None:
        parts = path.relative_to(root).parts
        levels = [root.joinpath(*parts[:n]) for n in range(len(parts) + 1)]
    for level in levels:
        _private_level(level)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` (empty) with mode 0600 if it does not exist, else tighten it to 0600.

    Call it before another library creates the file (SQLite, ``open``), which would use the umask."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, PRIVATE_FILE)
    os.close(fd)
    _tighten(path, PRIVATE_FILE)
    return path


def _app_root(path: Path) -> Path | None:
    for root in (data_dir(), config_dir()):
        if path == root or root in path.parents:
            return root
    return None


def _private_level(path: Path) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)  # outside our folders: the umask's mode
        try:
            path.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            pass
    if _tighten(path, PRIVATE_DIR):
        # Found open to others: what was written under it meanwhile is open too.
        for folder, dirs, files in os.walk(path):
            for name in dirs:
                _tighten(Path(folder) / name, PRIVATE_DIR)
            for name in files:
                _tighten(Path(folder) / name, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> bool:
    """Remove every group and other permission from ``path``; True when there were some."""
    try:
        current = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if ((current & 0o777) & ~mode) == 0 or path.is_symlink():
        return False
    os.chmod(path, (current & 0o777) & mode)
    return True
