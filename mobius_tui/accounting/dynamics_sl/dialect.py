"""The few places where SQL Server, PostgreSQL and SQLite must be spoken differently.

Everything else the adapter writes is the T-SQL subset all three accept: ``?`` parameters,
multi-row ``INSERT ... VALUES``, plain ``UPDATE``/``DELETE``, ``IN (...)`` lists. Row locks are
taken SL's way — a no-op ``UPDATE`` of the setup row inside the transaction — which every engine
honours without hints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    # (table) -> SQL returning (column name, data type, max length, is identity) in table order.
    columns_sql: str
    # SL's "no date" as a literal the engine reads unambiguously.
    blank_date: str
    max_params: int  # bound parameters allowed in one statement
    parses_declared_types: bool = False  # SQLite: read types from PRAGMA table_info

    def columns_query(self, table: str) -> tuple[str, tuple[str, ...]]:
        if self.parses_declared_types:
            return self.columns_sql.format(table=table), ()
        return self.columns_sql, (table,)


SQLSERVER = Dialect(
    "sqlserver",
    "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, "
    "COLUMNPROPERTY(OBJECT_ID(c.TABLE_SCHEMA + '.' + c.TABLE_NAME), c.COLUMN_NAME, 'IsIdentity') "
    "FROM INFORMATION_SCHEMA.COLUMNS c WHERE c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION",
    "19000101",  # yyyymmdd is read the same under every DATEFORMAT / language
    2000,
)
POSTGRES = Dialect(
    "postgres",
    "SELECT column_name, data_type, character_maximum_length, "
    "CASE WHEN is_identity = 'YES' OR column_default LIKE 'nextval%' THEN 1 ELSE 0 END "
    "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = lower(?) "
    "ORDER BY ordinal_position",
    "1900-01-01",
    30000,
)
SQLITE = Dialect("sqlite", "PRAGMA table_info({table})", "1900-01-01 00:00:00", 900, parses_declared_types=True)

BY_DRIVER = {"mssql18": SQLSERVER, "mssql17": SQLSERVER, "freetds": SQLSERVER, "postgres": POSTGRES,
             "sqlite": SQLITE}
