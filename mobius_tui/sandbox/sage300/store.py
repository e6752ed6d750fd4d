"""SQLite state of the Sage 300 sandbox: one row per record, one row per stored detail entry.

Bodies are JSON with money kept exact (decimals parse as ``Decimal``). Each record may carry a
``doc`` value (its document number) that is indexed, so duplicate checks and look-ups never scan a
batch. The server thread and test helpers share one connection behind a lock.

Reference records the rules look up on every write (customers, accounts, terms, tax groups and
rates) are kept parsed in memory once read (:meth:`Store.lookup`); writing or deleting a record
drops it, and a rolled-back transaction drops them all, so a look-up never sees what the
database does not hold.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (entity TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL DEFAULT '',
                                    body TEXT NOT NULL, PRIMARY KEY (entity, key));
CREATE INDEX IF NOT EXISTS records_doc ON records (entity, doc);
CREATE TABLE IF NOT EXISTS children (entity TEXT NOT NULL, parent TEXT NOT NULL, seq INTEGER NOT NULL,
                                     doc TEXT NOT NULL DEFAULT '', body TEXT NOT NULL,
                                     PRIMARY KEY (entity, parent, seq));
CREATE INDEX IF NOT EXISTS children_doc ON children (entity, doc);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, default=_encode)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Exact for the scale money uses; JSON numbers on the wire as the real server sends them.
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


_UNREAD: Any = object()


def key_text(values: tuple[Any, ...] | list[Any]) -> str:
    return "|".join(str(v) for v in values)


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._known: dict[tuple[str, str], dict[str, Any] | None] = {}  # lookup(): parsed, or None = absent

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a write request either commits entirely or leaves no trace."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                self._known.clear()
                raise
            self._db.execute("COMMIT")

    def count_statements(self) -> Callable[[], int]:
        """Count the SQL statements run from now on (benchmarks); returns the reader of the count."""
        seen = [0]

        def counted(_sql: str) -> None:
            seen[0] += 1

        with self._lock:
            self._db.set_trace_callback(counted)
        return lambda: seen[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- records -------------------------------------------------------------------

    def get(self, entity: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM records WHERE entity=? AND key=?", (entity, key)).fetchone()
        return loads(row[0]) if row else None

    def lookup(self, entity: str, key: str) -> dict[str, Any] | None:
        """:meth:`get` for reading only: the body is shared between callers and must not be changed."""
        with self._lock:
            found = self._known.get((entity, key), _UNREAD)
            if found is _UNREAD:
                found = self._known[(entity, key)] = self.get(entity, key)
            return found

    def scan(self, entity: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute("SELECT key, body FROM records WHERE entity=? ORDER BY rowid", (entity,)).fetchall()
        return [(k, loads(b)) for k, b in rows]

    def put(self, entity: str, key: str, body: dict[str, Any], doc: str = "") -> None:
        with self._lock:
            self._known.pop((entity, key), None)
            self._db.execute("INSERT OR REPLACE INTO records (entity, key, doc, body) VALUES (?, ?, ?, ?)",
                             (entity, key, doc, dumps(body)))

    def delete(self, entity: str, key: str) -> None:
        """Remove a record (tests arranging a company; the API's DELETE is not served)."""
        with self._lock:
            self._known.pop((entity, key), None)
            self._db.execute("DELETE FROM records WHERE entity=? AND key=?", (entity, key))

    def exists(self, entity: str, key: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM records WHERE entity=? AND key=?", (entity, key)).fetchone() is not None

    def find_doc(self, entity: str, doc: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM records WHERE entity=? AND doc=?", (entity, doc)).fetchall()
        return [loads(b) for (b,) in rows]

    def count(self, entity: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM records WHERE entity=?", (entity,)).fetchone()[0]

    # --- stored detail entries -------------------------------------------------------

    def children(self, entity: str, parent: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM children WHERE entity=? AND parent=? ORDER BY seq",
                                    (entity, parent)).fetchall()
        return [loads(b) for (b,) in rows]

    def add_child(self, entity: str, parent: str, seq: int, body: dict[str, Any], doc: str = "") -> None:
        with self._lock:
            self._db.execute("INSERT INTO children (entity, parent, seq, doc, body) VALUES (?, ?, ?, ?, ?)",
                             (entity, parent, seq, doc, dumps(body)))

    def last_child(self, entity: str, parent: str) -> int:
        """The highest entry number stored under ``parent`` (0 when none): read from the key's index."""
        with self._lock:
            return self._db.execute("SELECT MAX(seq) FROM children WHERE entity=? AND parent=?",
                                    (entity, parent)).fetchone()[0] or 0

    def child_with_doc(self, entity: str, doc: str) -> tuple[str, dict[str, Any]] | None:
        with self._lock:
            row = self._db.execute("SELECT parent, body FROM children WHERE entity=? AND doc=? LIMIT 1",
                                   (entity, doc)).fetchone()
        return (row[0], loads(row[1])) if row else None

    def child_count(self, entity: str, parent: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM children WHERE entity=? AND parent=?",
                                    (entity, parent)).fetchone()[0]

    # --- numbering -------------------------------------------------------------------

    def next_number(self, name: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
            value = (row[0] if row else 0) + 1
            self._db.execute("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", (name, value))
            return value
