"""One pyodbc connection to an SL database, and the SL way of writing rows into it.

SL tables have no NULLs: every column is NOT NULL and "nothing" is a blank, 0 or 1900-01-01.
Many tables have no defaults either, so an INSERT must name every column. :class:`Session`
reads each table's columns once (from the database itself, so customised or newer SL versions
with extra columns still get every column filled) and writes the blank / 0 / 1900-01-01 value
as a literal for every column the caller leaves out.

Everything here is synchronous; the adapter runs it in a worker thread. A group's rows may be
inserted by a second thread while the next documents are built (groups.py): every statement holds
the session's lock, so the connection only ever runs one at a time.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
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


@dataclass
class Rows:
    """Rows for one table, checked and converted: one tuple of values per row, in ``columns`` order."""

    shape: TableShape
    given: tuple[str, ...]  # lower-case names of the columns given
    columns: tuple[Column, ...]
    values: list[tuple[Any, ...]]


# Text safe to write into SQL between quotes on every engine and driver: printable ASCII without
# backslash (a line continuation in T-SQL), ? (a parameter marker to some drivers) or { } (ODBC escapes).
_PLAIN = re.compile(r"[\x20-\x3e\x40-\x5b\x5d-\x7a\x7c\x7e]*")


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


_MISSING = object()  # a column some rows of one insert give and others leave blank


def _arranger(where: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    if len(where) > 1:
        return itemgetter(*where)
    return lambda row: tuple(row[i] for i in where)


@dataclass(frozen=True)
class _Layout:
    """How rows keyed one way become value tuples in table order."""

    given: tuple[str, ...]
    ordered: tuple[Column, ...]
    per_row: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position in a row, converter)
    shared: tuple[Callable[[Any], Any], ...]  # converters of the common columns
    arrange: Callable[[list[Any]], tuple[Any, ...]]  # row values + common values -> table order


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
        self._layouts: dict[tuple[str, tuple[str, ...], tuple[str, ...]], _Layout] = {}
        self._dates: dict[Any, datetime] = {}
        # One cursor per statement text: pyodbc re-uses a cursor's prepared statement when the same
        # SQL runs again on it, which saves the server re-parsing SL's wide INSERTs for every document.
        self._cursors: dict[str, Any] = {}
        self.lock = threading.RLock()

    def _cursor(self, sql: str) -> Any:
        cursor = self._cursors.get(sql)
        if cursor is None:
            if len(self._cursors) >= 256:
                return self.cursor
            cursor = self._cursors[sql] = self.conn.cursor()
        return cursor

    # --- reading -------------------------------------------------------------------------
    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        with self.lock:
            cur = self._cursor(sql).execute(sql, *params)
            names = [d[0].lower() for d in cur.description]
            found = cur.fetchall()
        return [dict(zip(names, (_read(v) for v in row))) for row in found]

    def one(self, sql: str, *params: Any) -> dict[str, Any] | None:
        found = self.rows(sql, *params)
        return found[0] if found else None

    def scalar(self, sql: str, *params: Any) -> Any:
        with self.lock:
            cur = self._cursor(sql).execute(sql, *params)
            row = cur.fetchone()
            if row is not None:
                cur.fetchall()  # leave the cursor free for its next run
        return None if row is None else _read(row[0])

    def execute(self, sql: str, *params: Any) -> int:
        with self.lock:
            return self._cursor(sql).execute(sql, *params).rowcount

    def has_table(self, table: str) -> bool:
        return bool(self.shape(table).columns)

    def commit(self) -> None:
        with self.lock:
            self.conn.commit()

    def rollback(self) -> None:
        with self.lock:
            self.conn.rollback()

    # --- table shapes --------------------------------------------------------------------
    def forget_shapes(self) -> None:
        """Read table shapes afresh (the schema may have changed since they were read)."""
        self._shapes.clear()
        self._layouts.clear()
        self._sql_cache.clear()

    def shape(self, table: str) -> TableShape:
        key = table.lower()
        if key not in self._shapes:
            sql, params = self.dialect.columns_query(table)
            columns: list[Column] = []
            with self.lock:
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
        kind = type(value)
        if kind is str:
            if column.kind == _CHAR:
                value = value or " "
                if column.width and len(value) > column.width:
                    if column.name.lower() in TRUNCATABLE:
                        return value[: column.width]
                    raise ValueTooLong(f"'{value}' is longer than {table}.{column.name} allows "
                                       f"({column.width} characters)")
            return value
        if kind is Decimal:
            return float(value)
        if kind is float or kind is int or value is None:
            return value
        if kind is bool:
            return int(value)
        if isinstance(value, (date, datetime)):
            found = self._dates.get(value)
            if found is None:
                if len(self._dates) > 4096:
                    self._dates.clear()
                found = self._dates[value] = minute(value)
            return found
        if isinstance(value, str):
            return self._value(table, column, str(value))
        return value

    def prepare(self, table: str, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any],
                common: Mapping[str, Any] | None = None) -> Rows:
        """Rows checked and converted for ``table`` (a value too long raises here), to insert later.

        ``common``: columns with the same value in every row, checked and converted once.
        """
        batch = [rows] if isinstance(rows, Mapping) else list(rows)
        shape = self.shape(table)
        if not shape.columns:
            raise RuntimeError(f"Table {table} not found in the SL database")
        keys = tuple(batch[0]) if batch else ()
        if any(tuple(row) != keys for row in batch):  # rows with different columns: blanks where missing
            union: dict[str, None] = {}
            for row in batch:
                union.update(dict.fromkeys(row))
            keys = tuple(union)
            batch = [{k: row.get(k, _MISSING) for k in keys} for row in batch]
        shared = tuple(common or ())
        layout = self._layout(shape, keys, shared)
        once = [convert(value) for convert, value in zip(layout.shared, (common or {}).values())]
        per_row, arrange = layout.per_row, layout.arrange
        values = []
        for row in batch:
            items = tuple(row.values())
            converted = [convert(items[n]) for n, convert in per_row]
            converted += once
            values.append(arrange(converted))
        return Rows(shape, layout.given, layout.ordered, values)

    def _layout(self, shape: TableShape, keys: tuple[str, ...], shared: tuple[str, ...]) -> _Layout:
        cache_key = (shape.table.lower(), keys, shared)
        found = self._layouts.get(cache_key)
        if found is None:
            lowered = [k.lower() for k in keys + shared]
            for key in lowered:
                if shape.column(key) is None:
                    raise RuntimeError(f"Column {shape.table}.{key} not found in the SL database")
            if len(set(lowered)) != len(lowered):
                raise RuntimeError(f"A column of {shape.table} is given twice")
            ordered = tuple(c for c in shape.columns if c.name.lower() in lowered)
            converters = [self._converter(shape.table, shape.column(key)) for key in lowered]
            where = [lowered.index(c.name.lower()) for c in ordered]
            found = _Layout(tuple(sorted(lowered)), ordered, tuple(enumerate(converters[:len(keys)])),
                            tuple(converters[len(keys):]),
                            _arranger(where))
            self._layouts[cache_key] = found
        return found

    def _converter(self, table: str, column: Column) -> Callable[[Any], Any]:
        """``_value`` for one column, with the common cases first (it runs for every value written)."""
        slow = self._value
        blank = self._blank(column)

        def other(value: Any) -> Any:
            return blank if value is _MISSING else slow(table, column, value)

        if column.kind == _CHAR:
            width = column.width or 1 << 30

            def char(value: Any) -> Any:
                if type(value) is str and value and len(value) <= width:
                    return value
                return other(value)

            return char
        if column.kind == _DATE:
            dates = self._dates  # minute() of each date seen, filled by _value

            def when(value: Any) -> Any:
                found = dates.get(value) if value is not _MISSING else None
                return other(value) if found is None else found

            return when
        if column.kind in (_FLOAT, _INT):
            def number(value: Any) -> Any:
                kind = type(value)
                if kind is Decimal:
                    return float(value)
                if kind is float or kind is int:
                    return value
                return other(value)

            return number
        return other

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> None:
        """Insert one or more rows; every column not given gets SL's blank value."""
        self.insert_rows([self.prepare(table, rows)])

    def insert_rows(self, parts: Iterable[Rows]) -> None:
        """Insert prepared rows, those of the same table and columns together in multi-row INSERTs.

        Several rows go in as INSERT ... SELECT over a VALUES list of only the values that differ
        between rows: SL's many blank columns, and the values every row shares (when plain enough
        to spell safely), are written once in the SELECT list instead of once per row, which is
        where the driver and the server spent their time.
        """
        merged: dict[tuple[str, tuple[str, ...]], Rows] = {}
        for part in parts:
            key = (part.shape.table.lower(), part.given)
            if key in merged:
                merged[key].values.extend(part.values)
            elif part.values:
                merged[key] = Rows(part.shape, part.given, part.columns, list(part.values))
        with self.lock:
            for rows in merged.values():
                self._insert_merged(rows)

    def _insert_merged(self, rows: Rows) -> None:
        values = rows.values
        fixed: dict[int, str] = {}
        if len(values) > 1:
            for i, column in enumerate(zip(*values)):
                value = column[0]
                if column.count(value) == len(column) and len(set(map(type, column))) == 1:
                    literal = self._spell(value)
                    if literal is not None:
                        fixed[i] = literal
            if len(fixed) == len(rows.columns):
                del fixed[0]  # the VALUES list needs a column
        bound = [i for i in range(len(rows.columns)) if i not in fixed]
        chunk = max(1, self.dialect.max_params // max(1, len(bound)))
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            params = [row[i] for row in part for i in bound]
            if fixed:  # a one-off statement: no cursor of its own
                self.cursor.execute(self._insert_select_sql(rows, len(part), fixed), params)
            else:
                sql = self._insert_sql(rows.shape, rows.given, len(part))
                self._cursor(sql).execute(sql, params)

    def _insert_select_sql(self, rows: Rows, count: int, fixed: Mapping[int, str]) -> str:
        """INSERT ... SELECT over a VALUES list holding only the values that differ between rows:
        blanks and values common to every row are written once, in the SELECT list."""
        d = self.dialect
        index = {c.name.lower(): i for i, c in enumerate(rows.columns)}
        bound = [i for i in range(len(rows.columns)) if i not in fixed]
        names = {i: f"column{n}" for n, i in enumerate(bound, start=1)}
        select = []
        for c in rows.shape.columns:
            i = index.get(c.name.lower())
            if i is None:
                select.append(d.typed(c.kind, self._literal(c)))
            elif i in fixed:
                select.append(d.typed(c.kind, fixed[i]))
            else:
                select.append(names[i])
        first = "(" + ", ".join(d.typed(rows.columns[i].kind, "?") for i in bound) + ")"
        other = "(" + ", ".join("?" * len(bound)) + ")"
        alias = f"v ({', '.join(names[i] for i in bound)})" if d.values_alias else "v"
        return (f"INSERT INTO {rows.shape.table} ({', '.join(c.name for c in rows.shape.columns)}) "
                f"SELECT {', '.join(select)} FROM (VALUES {', '.join([first] + [other] * (count - 1))}) AS {alias}")

    def _spell(self, value: Any) -> str | None:
        """``value`` as an SQL literal, or None when it is safer bound as a parameter."""
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return repr(value) if math.isfinite(value) else None
        if isinstance(value, datetime):
            return self.dialect.date_literal(value)
        if isinstance(value, str) and _PLAIN.fullmatch(value):
            return "'" + value.replace("'", "''") + "'"
        return None

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

    # --- savepoints ----------------------------------------------------------------------
    def savepoint(self, name: str) -> None:
        self.execute(self.dialect.savepoint_sql.format(name=name))

    def rollback_to(self, name: str) -> None:
        self.execute(self.dialect.rollback_to_sql.format(name=name))
        self.release(name)

    def release(self, name: str) -> None:
        if self.dialect.release_sql:
            self.execute(self.dialect.release_sql.format(name=name))

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
