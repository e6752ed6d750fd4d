"""Login settings of a Dynamics SL company (as the SL login screen asks for them) and the ODBC
connection strings built from them.

SL keeps one *system* database (companies, users, security) and one *application* database per
company; the adapter connects to the system database first to find the company's database.
The sandbox drivers reach the same schema on SQLite (the "server" is a directory of ``.db`` files,
one per database) and on PostgreSQL (the "server" is ``host:port``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobius_tui.accounting.base import FieldKind, PackageError, SettingField

DRIVERS = {
    "mssql18": "ODBC Driver 18 for SQL Server",
    "mssql17": "ODBC Driver 17 for SQL Server",
    "freetds": "FreeTDS",
    "sqlite": "SQLite3",
    "postgres": "PostgreSQL Unicode",
}
# Debian packages that provide each driver, for the message when a driver is missing.
DRIVER_PACKAGES = {
    "mssql18": "msodbcsql18 (Microsoft's repository)",
    "mssql17": "msodbcsql17 (Microsoft's repository)",
    "freetds": "tdsodbc",
    "sqlite": "libsqliteodbc",
    "postgres": "odbc-postgresql",
}
SL_VERSIONS = ("2011", "2015", "2018")

SETTINGS: tuple[SettingField, ...] = (
    SettingField("driver", "ODBC driver", "How to reach the SQL Server that holds the SL databases.",
                 FieldKind.CHOICE, default="mssql18", choices=tuple(DRIVERS)),
    SettingField("server", "Database server", "SQL Server name, e.g. SQLHOST or SQLHOST\\SL (named instance) "
                 "or SQLHOST,1433."),
    SettingField("system_database", "System database", "The SL system database, usually named like 'SLSystem'."),
    SettingField("sl_version", "Dynamics SL version", "As shown in About Microsoft Dynamics SL.",
                 FieldKind.CHOICE, default="2018", choices=SL_VERSIONS),
    SettingField("company_id", "Company ID", "The SL company (CpnyID) whose application database receives the "
                 "batches."),
    SettingField("sl_user", "SL user name", "An SL user with Edit/View/Insert/Delete rights on the entry screens "
                 "(01.010, 03.010, 08.010, 10.030, 10.040), the customer/vendor maintenance screens and, to create "
                 "products, Inventory Items (10.250) and Unit Conversions (10.270)."),
    SettingField("sl_password", "SL password", kind=FieldKind.PASSWORD, secret=True, required=False),
    SettingField("sql_auth", "SQL Server authentication", "windows: the current Windows (Kerberos) login; "
                 "sql: a SQL Server login and password.", FieldKind.CHOICE, default="sql", choices=("windows", "sql")),
    SettingField("sql_login", "SQL login ID", "SQL Server login (SQL Server authentication only).", required=False),
    SettingField("sql_password", "SQL password", kind=FieldKind.PASSWORD, secret=True, required=False),
    SettingField("trust_server_certificate", "Trust server certificate",
                 "Accept a self-signed SQL Server certificate (Driver 18 encrypts by default).",
                 FieldKind.BOOLEAN, required=False, default=False),
)


@dataclass(frozen=True)
class SLSettings:
    driver: str
    server: str
    system_database: str
    company_id: str
    sl_user: str
    sl_password: str = ""
    sl_version: str = "2018"
    sql_auth: str = "sql"
    sql_login: str = ""
    sql_password: str = ""
    trust_server_certificate: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> SLSettings:
        missing = [f.label for f in SETTINGS if f.required and not str(values.get(f.name) or "").strip()
                   and f.default is None]
        if missing:
            raise PackageError(f"Dynamics SL settings incomplete: {', '.join(missing)} missing.",
                               "Fill them in on the login screen or pass them as --pkg-<name> options.")
        driver = str(values.get("driver") or "mssql18")
        if driver not in DRIVERS:
            raise PackageError(f"Unknown Dynamics SL driver {driver!r}.", f"Choose one of: {', '.join(DRIVERS)}.")
        auth = str(values.get("sql_auth") or "sql")
        if auth not in ("windows", "sql"):
            raise PackageError(f"Unknown SQL Server authentication {auth!r}.", "Choose 'windows' or 'sql'.")
        if auth == "sql" and driver not in ("sqlite",) and not str(values.get("sql_login") or "").strip():
            raise PackageError("SQL Server authentication needs a SQL login ID.",
                               "Enter the SQL login ID, or choose Windows authentication.")
        trust = values.get("trust_server_certificate")
        return cls(
            driver=driver, server=str(values["server"]).strip(), system_database=str(values["system_database"]).strip(),
            company_id=str(values["company_id"]).strip(), sl_user=str(values["sl_user"]).strip(),
            sl_password=str(values.get("sl_password") or ""), sl_version=str(values.get("sl_version") or "2018"),
            sql_auth=auth, sql_login=str(values.get("sql_login") or ""), sql_password=str(values.get("sql_password") or ""),
            trust_server_certificate=trust in (True, "true", "1", "yes", 1),
        )

    def connection_string(self, database: str) -> str:
        return connection_string(self, database)


def _braced(value: str) -> str:
    """ODBC attribute value; braced only when ; { } = or edge spaces would otherwise break it
    (some drivers, psqlODBC among them, keep the braces of plain values)."""
    if value and not any(c in value for c in ";{}=") and value == value.strip():
        return value
    return "{" + value.replace("}", "}}") + "}"


def _host_port(server: str, default_port: int) -> tuple[str, int]:
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "")
    return (host or server), int(port) if port else default_port


def connection_string(s: SLSettings, database: str) -> str:
    """DSN-less ODBC connection string for ``database`` on the settings' server."""
    driver = "{" + DRIVERS[s.driver] + "}"
    if s.driver in ("mssql18", "mssql17"):
        parts = [f"Driver={driver}", f"Server={_braced(s.server)}", f"Database={_braced(database)}",
                 "APP=Mobius TUI"]
        if s.sql_auth == "windows":
            parts.append("Trusted_Connection=yes")
        else:
            parts += [f"UID={_braced(s.sql_login)}", f"PWD={_braced(s.sql_password)}"]
        if s.driver == "mssql18" or s.trust_server_certificate:
            parts.append("Encrypt=yes")
        parts.append(f"TrustServerCertificate={'yes' if s.trust_server_certificate else 'no'}")
        return ";".join(parts) + ";"
    if s.driver == "freetds":
        host, port = s.server, None
        if "," in s.server:  # SQL Server's HOST,PORT form
            host, _, p = s.server.partition(",")
            port = int(p)
        parts = [f"Driver={driver}", f"Server={_braced(host)}", f"Database={_braced(database)}",
                 "TDS_Version=7.4", "ClientCharset=UTF-8"]
        if port:
            parts.append(f"Port={port}")
        if s.sql_auth == "windows":
            # FreeTDS signs in to Windows authentication with DOMAIN\user and password (NTLM).
            parts += [f"UID={_braced(s.sql_login)}", f"PWD={_braced(s.sql_password)}", "UseNTLMv2=yes"]
        else:
            parts += [f"UID={_braced(s.sql_login)}", f"PWD={_braced(s.sql_password)}"]
        return ";".join(parts) + ";"
    if s.driver == "sqlite":
        path = Path(s.server) / f"{database}.db"
        return f"Driver={driver};Database={path};Timeout=10000;"  # the SQLite driver reads no braces
    host, port = _host_port(s.server, 5432)
    login = s.sql_login or "postgres"
    # Protocol 7.4-0: the driver adds no rollback handling (no per-statement savepoints); the
    # adapter rolls back a failed document's transaction itself.
    return (f"Driver={driver};Server={host};Port={port};Database={_braced(database)};"
            f"Uid={_braced(login)};Pwd={_braced(s.sql_password)};UseServerSidePrepare=1;Protocol=7.4-0;")


# Names every SQL client takes for the machine it runs on.
_LOCAL_HOSTS = {"", ".", "(local)", "localhost", "127.0.0.1", "::1", "[::1]"}


def server_identity(driver: str, server: str) -> str:
    """The database server in one spelling, however it was typed: the run lock's key must not change
    with a trailing slash, the case, a local alias ('.', '(local)', '127.0.0.1'), a protocol prefix
    ('tcp:') or the default port ('HOST,1433'; ':5432' on PostgreSQL). A SQLite sandbox "server" is a
    folder: its resolved path. Names only DNS could equate (a short name and its FQDN) stay apart.
    """
    text = server.strip()
    if driver == "sqlite":
        return str(Path(text).expanduser().resolve()) if text else ""
    text = text.rstrip("/\\").lower()
    if driver == "postgres":
        host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
        default_port = "5432"
    else:
        for prefix in ("tcp:", "lpc:"):
            text = text.removeprefix(prefix)
        host, _, port = text.partition(",")
        default_port = "1433"
    name, _, instance = host.partition("\\")
    name, instance, port = name.strip(), instance.strip(), port.strip()
    name = "localhost" if name in _LOCAL_HOSTS else name
    if instance == "mssqlserver":  # SQL Server's name for the default instance
        instance = ""
    return name + (f"\\{instance}" if instance else "") + (f",{port}" if port and port != default_port else "")


def redacted(conn_str: str) -> str:
    """The connection string with its password hidden, for logs and messages."""
    import re

    return re.sub(r"(?i)(PWD=)(\{(?:[^}]|\}\})*\}|[^;]*)", r"\1***", conn_str)
