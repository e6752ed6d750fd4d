"""The few places where SQL Server, PostgreSQL and SQLite must be spoken differently.

Everything else the adapter writes is the T-SQL subset all three accept: ``?`` parameters,
multi-row ``INSERT ... VALUES`` and ``INSERT ... SELECT ... FROM (VALUES ...) AS v``, plain
``UPDATE``/``DELETE``, ``IN (...)`` lists. Row locks are taken SL's way — a no-op ``UPDATE`` of the
setup row inside the transaction — which every engine honours without hints. Savepoints are
``SAVEPOINT`` on PostgreSQL and SQLite and ``SAVE TRANSACTION`` on SQL Server, which has no
``RELEASE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Dialect:
    name: str
    # (table) -> SQL returning (column name, data type, max length, is identity) in table order.
    columns_sql: str
    # SL's "no date" as a literal the engine reads unambiguously.
    blank_date: str
    max_params: int  # bound parameters allowed in one statement
    parses_declared_types: bool = False  # SQLite: read types from PRAGMA table_info
    # A date written into the SQL text, spelled as the engine stores a bound parameter.
    date_format: str = "%Y-%m-%d %H:%M:%S"
    savepoint_sql: str = "SAVEPOINT {name}"
    rollback_to_sql: str = "ROLLBACK TO SAVEPOINT {name}"
    release_sql: str = "RELEASE SAVEPOINT {name}"  # "" where the engine has none
    # INSERT ... SELECT ... FROM (VALUES ...): name the VALUES columns (column1, column2, ...)
    # explicitly (SQL Server needs it; SQLite refuses it and names them so itself).
    values_alias: bool = True
    # Column kind -> how an untyped parameter or literal is given that type inside a SELECT.
    casts: tuple[tuple[str, str], ...] = ()

    def typed(self, kind: str, expression: str) -> str:
        for name, template in self.casts:
            if name == kind:
                return template.format(expression)
        return expression

    def columns_query(self, table: str) -> tuple[str, tuple[str, ...]]:
        if self.parses_declared_types:
            return self.columns_sql.format(table=table), ()
        return self.columns_sql, (table,)

    def date_literal(self, value: datetime) -> str:
        return "'" + value.strftime(self.date_format) + "'"


SQLSERVER = Dialect(
    "sqlserver",
    "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, "
    "COLUMNPROPERTY(OBJECT_ID(c.TABLE_SCHEMA + '.' + c.TABLE_NAME), c.COLUMN_NAME, 'IsIdentity') "
    "FROM INFORMATION_SCHEMA.COLUMNS c WHERE c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION",
    "19000101",  # yyyymmdd is read the same under every DATEFORMAT / language
    2000,
    date_format="%Y%m%d %H:%M:%S",
    # In manual-commit mode the ODBC drivers run with IMPLICIT_TRANSACTIONS ON, where SAVE TRANSACTION
    # opens no transaction and an explicit BEGIN TRANSACTION would open two (one COMMIT would leave one
    # open); a SELECT from a table opens the implicit one. Not exercised by the test engines.
    savepoint_sql="DECLARE @opened INT; SELECT @opened = COUNT(*) FROM GLSetup; SAVE TRANSACTION {name}",
    rollback_to_sql="ROLLBACK TRANSACTION {name}",
    release_sql="",
)
POSTGRES = Dialect(
    "postgres",
    "SELECT column_name, data_type, character_maximum_length, "
    "CASE WHEN is_identity = 'YES' OR column_default LIKE 'nextval%' THEN 1 ELSE 0 END "
    "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = lower(?) "
    "ORDER BY ordinal_position",
    "1900-01-01",
    # The protocol allows 65535, but psqlODBC loses its connection ("lost synchronization with
    # server") reading a parameter description over ~30,000 bytes: 4 bytes a parameter, so
    # 7,500 parameters at most; kept below that.
    7000,
    # psqlODBC prepares parameters untyped and PostgreSQL reads untyped values in a SELECT as text.
    casts=(("float", "CAST({} AS DOUBLE PRECISION)"), ("int", "CAST({} AS INTEGER)"),
           ("date", "CAST({} AS TIMESTAMP)")),
)
SQLITE = Dialect(
    "sqlite", "PRAGMA table_info({table})", "1900-01-01 00:00:00", 900, parses_declared_types=True,
    values_alias=False,
    date_format="%Y-%m-%d %H:%M:%S.000",  # the text the SQLite ODBC driver stores for a bound datetime
)

BY_DRIVER = {"mssql18": SQLSERVER, "mssql17": SQLSERVER, "freetds": SQLSERVER, "postgres": POSTGRES,
             "sqlite": SQLITE}
