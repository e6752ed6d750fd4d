"""The read-only ODBC session on the company's MySQL database, and the schema check made at connect.

Every table and column the adapter reads is declared in ``READS``; the queries are built from it, so
the check at connect can never miss one. A missing one most likely means another Sage 50 release.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from mobius_tui.accounting.base import PackageError
from mobius_tui.accounting.sage50ca.settings import Sage50Settings, redacted

READS: dict[str, tuple[str, ...]] = {
    "tcompany": ("sCompName", "dtSDate", "dtFDate", "dtCDate"),
    "tcompoth": ("nActNumLen", "bOrdersPur", "bAllowNeg", "bAllowFut"),
    "taccount": ("lId", "sName", "cFunc", "nAcctClass", "bInactive", "lCurrncyId"),
    "tcustomr": ("lId", "sName", "bInactive", "lCurrncyId", "nNetDay"),
    "tvendor": ("lId", "sName", "bInactive", "lCurrncyId", "nNetDay"),
    "tinvent": ("lId", "sPartCode", "sName", "bService", "bInactive", "lAcNAsset", "lAcRev", "lAcExp"),
    "tinvloc": ("lId", "sName"),
    "tcurrncy": ("lId", "sCode", "nDecPlc", "lAcRec", "lAcPay"),
    "tcurrexr": ("lCurrncyId", "dtDate", "dExchRate"),
    "ttaxauth": ("lId", "sName", "lAcTaxChg", "lAcTaxPd", "bTaxable"),
    "ttaxtxbl": ("lTaxAuthId", "lByAuthId"),
    "ttaxcode": ("lId", "sCode"),
    "ttaxdtl": ("lTaxCodeId", "lTaxAuthId", "dRate"),
    # documents (duplicate guard, read-back after a post) and their payments
    "tcustr": ("lId", "lCusId", "nTranType", "sSource", "dtDate", "dPreTaxAmt"),
    "tcustrdt": ("lId", "lCusTrId", "nTranType", "dtDate", "dAmount", "bReversed"),
    "tventr": ("lId", "lVenId", "sSource", "dtDate"),
    "tjourent": ("lId", "dtJourDate", "sSource", "nModule", "lRecId"),
    "tjentact": ("lJEntId", "nLineNum", "lAcctId", "dAmount"),
}


def select(table: str, where: str = "") -> str:
    """A SELECT of the columns ``READS`` declares for ``table``."""
    return f"SELECT {', '.join(READS[table])} FROM {table}" + (f" WHERE {where}" if where else "")


def _pyodbc():
    try:
        import pyodbc
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise PackageError("pyodbc is not installed.", "Install mobius-tui with its ODBC support (pip install "
                           "'mobius-tui[odbc]') and the unixodbc package.") from exc
    return pyodbc


def _native_code(exc: Exception) -> int:
    """The MySQL error number inside an ODBC error text ("... (1045)" or "[1045]"), 0 if none."""
    import re

    found = re.search(r"\((\d{4})\)|\[(\d{4})\]", str(exc))
    return int(next(g for g in found.groups() if g)) if found else 0


class Database:
    """A read-only session: every statement its own read-only transaction (autocommit)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql, *params)
            names = [d[0].lower() for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        finally:
            cur.close()

    def close(self) -> None:
        self.conn.close()

    def missing_schema(self) -> list[str]:
        """What the database lacks of the tables and columns read: ["tvendor", "tcustomr.lCurrncyId"]."""
        have: dict[str, set[str]] = {}
        for r in self.rows("SELECT LOWER(table_name) AS t, LOWER(column_name) AS c FROM information_schema.columns "
                           "WHERE table_schema = DATABASE()"):
            have.setdefault(r["t"], set()).add(r["c"])
        missing = []
        for table, columns in READS.items():
            if table not in have:
                missing.append(table)
                continue
            missing += [f"{table}.{c}" for c in columns if c.lower() not in have[table]]
        return missing


def open_database(settings: Sage50Settings) -> Database:
    """Connect as the Sage user, make the session read-only, and check the schema."""
    if not settings.company_path.exists():
        raise PackageError(f"The Sage 50 company file {settings.company_file} does not exist.",
                           "Choose the company's .SAI file (File > Open Company in Sage 50 shows its path).")
    if settings.company_path.suffix.upper() != ".SAI":
        raise PackageError(f"{settings.company_file} is not a Sage 50 company file.",
                           "Choose the company's .SAI file, not its .SAJ folder or a backup.")
    pyodbc = _pyodbc()
    if settings.odbc_driver not in pyodbc.drivers():
        raise PackageError(f"The ODBC driver '{settings.odbc_driver}' is not installed.",
                           "Install MySQL Connector/ODBC (Windows) or the odbc-mariadb package (Debian), or enter "
                           f"the name of an installed driver: {', '.join(pyodbc.drivers()) or 'none found'}.")
    where = f"{settings.mysql_host}:{settings.mysql_port}"
    try:
        conn = pyodbc.connect(settings.connection_string(), autocommit=True, timeout=20)
    except pyodbc.Error as exc:
        code = _native_code(exc)
        detail = redacted(str(exc.args[1] if len(exc.args) > 1 else exc))
        if code == 1045:
            raise PackageError(f"Sage 50 refused user '{settings.sage_user}' on the company database: {detail}",
                               "Check the Sage user name and password, and that the user has third-party "
                               "'Read data' rights (Setup > Set Up Users).") from exc
        if code in (1044, 1049):  # MySQL answers 1044 for a database the user may not see, existing or not
            raise PackageError(f"The company database '{settings.mysql_schema}' does not exist on {where}, or user "
                               f"'{settings.sage_user}' has no third-party rights to it.",
                               "Check the MySQL database name on the Sage 50 login, and the user's third-party "
                               "rights (Setup > Set Up Users).") from exc
        raise PackageError(f"The Sage 50 company database at {where} is not reachable: {detail}",
                           "Open the company in Sage 50 (its Connection Manager serves the database), and check "
                           "the MySQL host and port on the login.") from exc
    try:
        conn.execute("SET SESSION TRANSACTION READ ONLY")
        db = Database(conn)
        missing = db.missing_schema()
    except pyodbc.Error as exc:
        conn.close()
        raise PackageError(f"Reading the Sage 50 company database at {where} failed: {redacted(str(exc))}",
                           "Check that the company is open and try again.") from exc
    if missing:
        conn.close()
        raise not_a_sage50_database(settings, missing)
    return db


def not_a_sage50_database(settings: Sage50Settings, missing: Sequence[str]) -> PackageError:
    tables = [m for m in missing if "." not in m]
    columns = [m for m in missing if "." in m]
    parts = [f"{noun}{'s' if len(names) > 1 else ''} {', '.join(names)}"
             for noun, names in (("table", tables), ("column", columns)) if names]
    return PackageError(
        f"Database '{settings.mysql_schema}' on {settings.mysql_host}:{settings.mysql_port} does not look like a "
        f"Sage 50 Canada company this version knows: it has no {' and no '.join(parts)}.",
        "Check the MySQL database name on the login; if it is the company, its Sage 50 release is likely "
        "newer or older than the ones supported: report the release (Help > About Sage 50).")


def money(value: Any, places: int = 2) -> Decimal:
    """A database number as Decimal at ``places`` (a real file may hold DOUBLE)."""
    from decimal import ROUND_HALF_UP

    return Decimal(str(value if value is not None else 0)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
