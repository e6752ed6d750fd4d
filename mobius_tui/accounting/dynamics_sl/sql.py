"""One pyodbc connection to an SL database, and the SL way of writing rows into it.

SL tables have no NULLs: every column is NOT NULL and "nothing" is a blank, 0 or 1900-01-01.
Many tables have no defaults either, so an INSERT must name every column. :class:`Session`
reads each table's columns once (from the database itself, so customised or newer SL versions
with extra columns still get every column filled) and writes the blank / 0 / 1900-01-01 value
as a literal for every column the caller leaves out.

Everything here is synchronous; the adapter runs it in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mobius_tui.accounting.dynamics_sl.dialect import Dialect

BLANK_DATE = datetime(1900, 1, 1)
LAST_DATE = datetime(2079, 6, 6)  # smalldatetime's last day
# Free-text columns that may be shortened to fit; any other value too long is an error.
TRUNCATABLE = {"descr", "trandesc", "docdesc", "name", "comment", "custordnbr", "vendname", "addr1", "addr2",
               "city", "remitname", "attn", "snotetext", "user1", "user2"}
_CHAR, _FLOAT, _INT, _DATE, _TEXT = "char", "float", "int", "date", "text"


def _kind(data_type: str) -> str:
    t = data_type.lower()
    if "char" in t or t == "character":
        return _CHAR
    if t in ("float", "double precision", "real", "double", "numeric", "decimal", "money") or t.startswith("float"):
        return _FLOAT
    if "int" in t:
        return _INT
    if "date" in t or "time" in t:
        return _DATE
    return _TEXT


@dataclass(frozen=True)
class Column:
    name: str  # as the database spells it
    kind: str
    width: int | None


@dataclass
class TableShape:
    table: str
    columns: list[Column]
    _by_key: dict[str, Column] | None = None

    def column(self, key: str) -> Column | None:
        if self._by_key is None:
            self._by_key = {c.name.lower(): c for c in self.columns}
        return self._by_key.get(key.lower())


class ValueTooLong(ValueError):
    pass


def minute(value: date | datetime) -> datetime:
    """smalldatetime keeps minutes only and spans 1900-01-01 .. 2079-06-06."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    value = value.replace(second=0, microsecond=0, tzinfo=None)
    if not BLANK_DATE <= value <= LAST_DATE:
        raise ValueError(f"date {value:%Y-%m-%d} is outside SL's date range (1900-01-01 to 2079-06-06)")
    return value


def to_decimal(value: Any, places: int = 2) -> Decimal:
    """A FLOAT read back from SL as an exact Decimal at ``places`` decimals."""
    if value is None:
        return Decimal(0)
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _read(value: Any) -> Any:
    if isinstance(value, str):
        return value.rstrip()
    return value


class Session:
    """A connection plus cached table shapes. Keys of returned rows are lower-case column names."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self.conn = connection
        self.dialect = dialect
        self.cursor = connection.cursor()
        self._shapes: dict[str, TableShape] = {}
        self._sql_cache: dict[tuple[str, tuple[str, ...], int], str] = {}
        # One cursor per statement text: pyodbc re-uses a cursor's prepared statement when the same
        # SQL runs again on it, which saves the server re-parsing SL's wide INSERTs for every document.
        self._cursors: dict[str, Any] = {}

    def _cursor(self, sql: str) -> Any:
        cursor = self._cursors.get(sql)
        if cursor is None:
            if len(self._cursors) >= 256:
                return self.cursor
            cursor = self._cursors[sql] = self.conn.cursor()
        return cursor

    # --- reading -------------------------------------------------------------------------
    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = self._cursor(sql).execute(sql, *params)
        names = [d[0].lower() for d in cur.description]
        return [dict(zip(names, (_read(v) for v in row))) for row in cur.fetchall()]

    def one(self, sql: str, *params: Any) -> dict[str, Any] | None:
        found = self.rows(sql, *params)
        return found[0] if found else None

    def scalar(self, sql: str, *params: Any) -> Any:
        cur = self._cursor(sql).execute(sql, *params)
        row = cur.fetchone()
        if row is not None:
            cur.fetchall()  # leave the cursor free for its next run
        return None if row is None else _read(row[0])

    def execute(self, sql: str, *params: Any) -> int:
        return self._cursor(sql).execute(sql, *params).rowcount

    def has_table(self, table: str) -> bool:
        return bool(self.shape(table).columns)

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    # --- table shapes --------------------------------------------------------------------
    def shape(self, table: str) -> TableShape:
        key = table.lower()
        if key not in self._shapes:
            sql, params = self.dialect.columns_query(table)
            columns: list[Column] = []
            found = self.cursor.execute(sql, *params).fetchall()
            single_pk = sum(1 for row in found if self.dialect.parses_declared_types and row[5]) == 1
            for row in found:
                if self.dialect.parses_declared_types:
                    _, name, declared, _notnull, _default, pk = row[:6]
                    declared = (declared or "").upper()
                    if pk and single_pk and declared == "INTEGER":  # SQLite's rowid alias: the identity column
                        continue
                    m = re.match(r"([A-Z ]+)(?:\((\d+)\))?", declared)
                    data_type, width = (m.group(1).strip(), int(m.group(2)) if m.group(2) else None) if m else ("", None)
                else:
                    name, data_type, width, identity = row[:4]
                    if identity or (data_type or "").lower() in ("timestamp", "rowversion"):
                        continue  # SQL Server's timestamp is rowversion: never inserted
                columns.append(Column(name, _kind(data_type or ""), int(width) if width else None))
            self._shapes[key] = TableShape(table, columns)
        return self._shapes[key]

    # --- writing -------------------------------------------------------------------------
    def _literal(self, column: Column) -> str:
        if column.kind == _CHAR or column.kind == _TEXT:
            return "' '"
        if column.kind == _DATE:
            return f"'{self.dialect.blank_date}'"
        return "0"

    def _value(self, table: str, column: Column, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (date, datetime)):
            return minute(value)
        if isinstance(value, str):
            if column.kind == _CHAR:
                value = value if value else " "
                if column.width and len(value) > column.width:
                    if column.name.lower() in TRUNCATABLE:
                        return value[: column.width]
                    raise ValueTooLong(f"'{value}' is longer than {table}.{column.name} allows "
                                       f"({column.width} characters)")
            return value
        return value

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> None:
        """Insert one or more rows; every column not given gets SL's blank value."""
        batch = [rows] if isinstance(rows, Mapping) else list(rows)
        if not batch:
            return
        shape = self.shape(table)
        if not shape.columns:
            raise RuntimeError(f"Table {table} not found in the SL database")
        given = tuple(sorted({k.lower() for row in batch for k in row}))
        for key in given:
            if shape.column(key) is None:
                raise RuntimeError(f"Column {table}.{key} not found in the SL database")
        ordered = [c for c in shape.columns if c.name.lower() in given]
        chunk = max(1, self.dialect.max_params // max(1, len(ordered)))
        for start in range(0, len(batch), chunk):
            part = batch[start:start + chunk]
            sql = self._insert_sql(shape, given, len(part))
            cursor = self._cursor(sql)
            params: list[Any] = []
            for row in part:
                lowered = {k.lower(): v for k, v in row.items()}
                for col in ordered:
                    key = col.name.lower()
                    params.append(self._value(table, col, lowered[key]) if key in lowered else self._blank(col))
            cursor.execute(sql, params)

    def _blank(self, column: Column) -> Any:
        if column.kind in (_CHAR, _TEXT):
            return " "
        if column.kind == _DATE:
            return BLANK_DATE
        return 0

    def _insert_sql(self, shape: TableShape, given: tuple[str, ...], count: int) -> str:
        key = (shape.table.lower(), given, count)
        if key not in self._sql_cache:
            names = [c.name for c in shape.columns]
            one = "(" + ", ".join("?" if c.name.lower() in given else self._literal(c) for c in shape.columns) + ")"
            self._sql_cache[key] = (f"INSERT INTO {shape.table} ({', '.join(names)}) VALUES "
                                    + ", ".join([one] * count))
        return self._sql_cache[key]

    def update(self, table: str, values: Mapping[str, Any], where: Mapping[str, Any]) -> int:
        shape = self.shape(table)
        sets, params = [], []
        for key, value in values.items():
            col = shape.column(key)
            if col is None:
                raise RuntimeError(f"Column {table}.{key} not found in the SL database")
            sets.append(f"{col.name} = ?")
            params.append(self._value(table, col, value))
        conds = []
        for key, value in where.items():
            conds.append(f"{key} = ?")
            params.append(value)
        return self.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(conds)}", *params)


def next_number(session: Session, setup_table: str, setup_id: str, column: str,
                taken: Iterable[tuple[str, tuple[Any, ...]]] = ()) -> str:
    """Allocate the next number from a setup counter, the way SL's own procedures do.

    A no-op update of the setup row takes its lock for the rest of the transaction; the counter is
    read, incremented keeping its zero-padded width, skipped past numbers already used (``taken``:
    queries ``(sql, params)`` with one ``?`` left for the candidate), and written back. The caller
    commits (or rolls back, which gives the number back).
    """
    where = "SetupId = ?"
    if session.execute(f"UPDATE {setup_table} SET {column} = {column} WHERE {where}", setup_id) == 0:
        raise RuntimeError(f"{setup_table} has no setup row (SetupId '{setup_id}'): complete the module's setup in SL")
    current = (session.scalar(f"SELECT {column} FROM {setup_table} WHERE {where}", setup_id) or "").strip()
    width = len(current) or 6
    number = int(current) if current.isdigit() else 0
    checks = list(taken)
    while True:
        number += 1
        candidate = str(number).zfill(width)
        if not any(session.scalar(sql, *params, candidate) for sql, params in checks):
            break
    session.execute(f"UPDATE {setup_table} SET {column} = ? WHERE {where}", candidate, setup_id)
    return candidate
