"""A keyring kept in one JSON file, so separate processes of a test share it the way they share the
OS keyring. Chosen in child processes with ``PYTHON_KEYRING_BACKEND``; the file is named by
``MOBIUS_TEST_KEYRING_FILE``. Test use only: it stores secrets in plain text."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

BACKEND = "tests.sage_cloud.file_keyring.FileKeyring"
FILE_ENV = "MOBIUS_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    priority = 10

    @property
    def path(self) -> Path:
        return Path(os.environ[FILE_ENV])

    def _change(self, key: str, value: str | None) -> None:
        with open(self.path.with_suffix(".lock"), "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            data = self._read()
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.path)

    def _read(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._change(f"{service}/{username}", password)

    def delete_password(self, service: str, username: str) -> None:
        self._change(f"{service}/{username}", None)
