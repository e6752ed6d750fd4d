"""Profiles: one Manage login + one package connection, without a single secret.

Secrets (private key, integrator password, the package's secret fields) live in the keyring or the
environment (see :mod:`mobius_tui.service.secrets`); saving a profile refuses anything secret.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from mobius_tui import paths
from mobius_tui.accounting.base import AccountingPackage, SettingField
from mobius_tui.service import config_file

AuthType = Literal["APIKey", "MemberImpersonation"]
AUTH_TYPES: tuple[str, ...] = ("APIKey", "MemberImpersonation")


class ProfileError(ValueError):
    """A profile cannot be read, saved or used; the message says which field and what to do."""


@dataclass
class Profile:
    name: str
    site: str = ""
    company_id: str = ""
    client_id: str = ""
    auth_type: AuthType = "APIKey"
    public_key: str = ""  # APIKey
    member_identifier: str = ""  # MemberImpersonation: the member the integrator acts as
    integrator_user: str = ""  # MemberImpersonation
    package: str = ""  # registry name, e.g. "dynamics_sl"
    package_values: dict[str, Any] = field(default_factory=dict)  # non-secret package settings
    initials: str = ""  # for suggested batch numbers
    # How GLExport becomes documents: fields of documents.convert.PlanOptions that a user sets
    # (strip_invoice_prefix, add_invoice_prefix, purchase_number_source, keep_zero_lines,
    # home_currency). The invoice prefixes are undone when payments come back.
    plan_options: dict[str, Any] = field(default_factory=dict)

    def manage_secret_names(self) -> tuple[str, ...]:
        return ("private_key",) if self.auth_type == "APIKey" else ("integrator_password",)

    def problems(self) -> list[str]:
        """Missing or contradictory non-secret fields, each with what to fill in."""
        out: list[str] = []
        for attr, label in (("site", "Manage site"), ("company_id", "company id"), ("client_id", "client id"), ("package", "accounting package")):
            if not str(getattr(self, attr)).strip():
                out.append(f"The {label} is empty in profile {self.name!r}; fill it in (profile field {attr}).")
        if self.auth_type not in AUTH_TYPES:
            out.append(f"Auth type {self.auth_type!r} is not one of {', '.join(AUTH_TYPES)}.")
        elif self.auth_type == "APIKey" and not self.public_key:
            out.append(f"Profile {self.name!r} uses API keys but has no public key; fill in public_key.")
        elif self.auth_type == "MemberImpersonation" and not (self.member_identifier and self.integrator_user):
            out.append(
                f"Profile {self.name!r} uses member impersonation; fill in member_identifier and integrator_user."
            )
        return out


def secret_fields(package_cls: type[AccountingPackage] | None) -> tuple[SettingField, ...]:
    return tuple(f for f in (package_cls.settings if package_cls else ()) if f.secret)


def _check_no_secrets(profile: Profile, package_cls: type[AccountingPackage] | None) -> None:
    secret_names = {f.name for f in secret_fields(package_cls)} | {"private_key", "integrator_password", "password"}
    leaked = sorted(k for k in profile.package_values if k in secret_names)
    if leaked:
        raise ProfileError(
            f"Profile {profile.name!r} would store the secret field(s) {', '.join(leaked)} in the config file. "
            "Secrets go to the keyring (or environment variables); remove them from the profile values."
        )


def _read(path: Path) -> dict[str, dict[str, Any]]:
    return config_file.read_entries(path, "profiles", ProfileError, "The profile file")


def _write(path: Path, profiles: dict[str, dict[str, Any]]) -> None:
    config_file.write_entries(path, "profiles", profiles)


def _from_dict(name: str, raw: dict[str, Any]) -> Profile:
    known = {f.name for f in fields(Profile)}
    values = {k: v for k, v in raw.items() if k in known}
    values["name"] = name
    values["package_values"] = dict(values.get("package_values") or {})
    values["plan_options"] = dict(values.get("plan_options") or {})
    return Profile(**values)


def list_profiles() -> list[str]:
    return sorted(_read(paths.profiles_file()))


def load_profile(name: str) -> Profile:
    profiles = _read(paths.profiles_file())
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none yet"
        raise ProfileError(f"There is no profile named {name!r} (profiles: {known}). Create it with 'mobius-tui profiles add'.")
    return _from_dict(name, profiles[name])


def save_profile(profile: Profile, package_cls: type[AccountingPackage] | None = None) -> Path:
    if not profile.name.strip():
        raise ProfileError("A profile needs a name.")
    _check_no_secrets(profile, package_cls)
    path = paths.profiles_file()
    profiles = _read(path)
    raw = asdict(profile)
    raw.pop("name")
    profiles[profile.name] = raw
    _write(path, profiles)
    return path


def delete_profile(name: str) -> bool:
    path = paths.profiles_file()
    profiles = _read(path)
    if name not in profiles:
        return False
    del profiles[name]
    _write(path, profiles)
    return True
