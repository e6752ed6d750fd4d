"""Login settings of a Sage 50 Canada company and the ODBC connection string of its MySQL database.

Reads go to the MySQL server Sage's Connection Manager runs for the open company; writes go through
the SDK bridge, which opens the company file (.SAI), or (write mode ``imp``) into an Import
Transactions file the accountant imports in Sage 50. Sage's MySQL accepts the Sage user name and
password of a user with third-party "Read data" (or "Read and write data") rights.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobius_tui.accounting.base import FieldKind, PackageError, SettingField
from mobius_tui.accounting.sage50ca.accounts import DELIMITERS

# Port and schema as seen on real installations [UNCONFIRMED: the port may be allocated per session;
# both are editable on the login screen].
DEFAULT_PORT = 13540
DEFAULT_SCHEMA = "simply"
DEFAULT_DRIVER = "MySQL ODBC 8.0 Unicode Driver"
WRITE_MODES = ("sdk", "imp")  # post through the SDK bridge; write an Import Transactions (.IMP) file

SETTINGS: tuple[SettingField, ...] = (
    SettingField("company_file", "Company file (.SAI)", "The Sage 50 company, e.g. C:\\Sage\\Company\\MSP.SAI."),
    SettingField("sage_user", "Sage user name", "A Sage 50 user with third-party 'Read and write data' rights "
                 "(Setup > Set Up Users), used by no one else while a run works.", default="sysadmin"),
    SettingField("sage_password", "Sage password", kind=FieldKind.PASSWORD, secret=True, required=False),
    SettingField("mysql_host", "MySQL host", "The computer that holds the company (its Connection Manager); "
                 "host:port overrides the port below.", default="localhost"),
    SettingField("mysql_port", "MySQL port", "The port the Sage 50 Connection Manager serves the company on.",
                 FieldKind.INTEGER, default=DEFAULT_PORT),
    SettingField("mysql_schema", "MySQL database", "The company's database name on that server.",
                 default=DEFAULT_SCHEMA),
    SettingField("odbc_driver", "ODBC driver", "A MySQL or MariaDB ODBC driver as installed, e.g. "
                 "'MySQL ODBC 8.0 Unicode Driver' or 'MariaDB ODBC 3.1 Driver'.", default=DEFAULT_DRIVER),
    SettingField("write_mode", "Write through", "sdk: post through the Sage 50 SDK bridge. imp: where the SDK is "
                 "not installed, write each run's documents to an Import Transactions (.IMP) file to import in "
                 "Sage 50 (File > Import/Export > Import Transactions), then finish the run.", FieldKind.CHOICE,
                 default="sdk", choices=WRITE_MODES),
    SettingField("bridge_path", "SDK bridge program", "Sage50Bridge.exe built on this PC (see the README); "
                 "empty: the one shipped next to the package. Not used with imp.", required=False, default=""),
    SettingField("bridge_timeout", "Bridge timeout (seconds)", "How long to wait for Sage 50 to answer one request.",
                 FieldKind.INTEGER, required=False, default=120),
    SettingField("worksheet_folder", "Worksheet folder", "Where the inventory worksheet (quantities to adjust by "
                 "hand in Sage 50) is saved; empty: the application's data folder.", required=False, default=""),
    SettingField("import_folder", "Import file folder", "With imp: where each run writes its own .IMP file "
                 "(never over an earlier one); empty: the application's data folder.", required=False, default=""),
    SettingField("account_delimiter", "GL account delimiter", "The character Manage's export puts between "
                 "account segments: a colon by default, a hyphen if Manage changed it for you.", FieldKind.CHOICE,
                 default=":", choices=DELIMITERS),
    SettingField("vendor_invoice_module", "Vendor invoice number module", "Item receipts use Manage's Vendor "
                 "Invoice # as the invoice number, with the PO number as Order No. and Invoice Received set.",
                 FieldKind.BOOLEAN, required=False, default=False),
)


@dataclass(frozen=True)
class Sage50Settings:
    company_file: str
    sage_user: str
    sage_password: str = ""
    mysql_host: str = "localhost"
    mysql_port: int = DEFAULT_PORT
    mysql_schema: str = DEFAULT_SCHEMA
    odbc_driver: str = DEFAULT_DRIVER
    write_mode: str = "sdk"
    bridge_path: str = ""
    bridge_timeout: int = 120
    worksheet_folder: str = ""
    import_folder: str = ""
    account_delimiter: str = ":"
    vendor_invoice_module: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Sage50Settings:
        missing = [f.label for f in SETTINGS if f.required and f.default is None
                   and not str(values.get(f.name) or "").strip()]
        if missing:
            raise PackageError(f"Sage 50 settings incomplete: {', '.join(missing)} missing.",
                               "Fill them in on the login screen or pass them as --pkg-<name> options.")

        def text(name: str) -> str:
            field = next(f for f in SETTINGS if f.name == name)
            value = values.get(name)
            return str(field.default if value is None or str(value).strip() == "" else value).strip()

        host, port = text("mysql_host"), text("mysql_port")
        if host.count(":") == 1 and host.rpartition(":")[2].isdigit():
            host, _, port = host.rpartition(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise PackageError(f"MySQL port {port!r} is not a port number.", "Enter a number from 1 to 65535.")
        mode = text("write_mode")
        if mode not in WRITE_MODES:
            raise PackageError(f"Unknown Sage 50 write mode {mode!r}.", f"Choose one of: {', '.join(WRITE_MODES)}.")
        delimiter = text("account_delimiter")
        if delimiter not in DELIMITERS:
            raise PackageError(f"GL account delimiter {delimiter!r} is not one Manage exports.",
                               "Choose ':' (Manage's default) or '-'.")
        return cls(company_file=text("company_file"), sage_user=text("sage_user"),
                   sage_password=str(values.get("sage_password") or ""), mysql_host=host,
                   mysql_port=int(port), mysql_schema=text("mysql_schema"), odbc_driver=text("odbc_driver"),
                   write_mode=mode, bridge_path=text("bridge_path"), worksheet_folder=text("worksheet_folder"),
                   import_folder=text("import_folder"),
                   bridge_timeout=int(text("bridge_timeout")) if text("bridge_timeout").isdigit() else 120,
                   account_delimiter=delimiter,
                   vendor_invoice_module=values.get("vendor_invoice_module") in (True, "true", "1", "yes", 1))

    @property
    def company_path(self) -> Path:
        return Path(self.company_file)

    def connection_string(self) -> str:
        return (f"Driver={{{self.odbc_driver}}};Server={self.mysql_host};Port={self.mysql_port};"
                f"Database={_braced(self.mysql_schema)};User={_braced(self.sage_user)};"
                f"Password={_braced(self.sage_password)};CharSet=utf8mb4;")


def _braced(value: str) -> str:
    if value and not any(c in value for c in ";{}=") and value == value.strip():
        return value
    return "{" + value.replace("}", "}}") + "}"


def redacted(text: str) -> str:
    """``text`` with any connection-string password hidden, for logs and messages."""
    return re.sub(r"(?i)((?:PWD|Password)=)(\{(?:[^}]|\}\})*\}|[^;]*)", r"\1***", text)
