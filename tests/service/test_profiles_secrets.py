import json

import keyring
import pytest
from keyring.backend import KeyringBackend

from dataclasses import replace

from mobius_tui.accounting.dynamics_sl import DynamicsSL
from mobius_tui.service import secrets as sec
from mobius_tui.service.profiles import Profile, ProfileError, delete_profile, list_profiles, load_profile, save_profile


class SqlAuthSL(DynamicsSL):
    """Dynamics SL whose SQL password is required (a SQL Server login that has one)."""

    settings = tuple(replace(f, required=True) if f.name == "sql_password" else f for f in DynamicsSL.settings)


class MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def profile(**kw):
    base = dict(name="acme", site="na.myconnectwise.net", company_id="acme", client_id="cid", public_key="pub",
                package=DynamicsSL.name, package_values={"server": "SQLHOST"}, initials="JD")
    base.update(kw)
    return Profile(**base)


def test_profiles_round_trip_list_delete(app_dirs):
    path = save_profile(profile(plan_options={"add_invoice_prefix": "IN"}), SqlAuthSL)
    save_profile(profile(name="beta"))
    assert path.parent == app_dirs[0]
    assert list_profiles() == ["acme", "beta"]
    loaded = load_profile("acme")
    assert loaded == profile(plan_options={"add_invoice_prefix": "IN"})
    assert delete_profile("beta") and not delete_profile("beta")
    with pytest.raises(ProfileError, match="no profile named 'beta'"):
        load_profile("beta")


def test_profile_refuses_secret_values(app_dirs):
    bad = profile(package_values={"server": "SQLHOST", "sql_password": "hunter2"})
    with pytest.raises(ProfileError, match="sql_password"):
        save_profile(bad, SqlAuthSL)
    assert not (app_dirs[0] / "profiles.json").exists()


def test_broken_profile_file_is_reported(app_dirs):
    app_dirs[0].mkdir(parents=True)
    (app_dirs[0] / "profiles.json").write_text("{not json")
    with pytest.raises(ProfileError, match="cannot be read"):
        list_profiles()


def test_profile_problems_name_the_fields():
    assert profile().problems() == []
    problems = " ".join(profile(site="", public_key="").problems())
    assert "Manage site" in problems and "public key" in problems
    assert "member_identifier" in " ".join(profile(auth_type="MemberImpersonation").problems())


def test_secrets_never_show_values():
    s = sec.Secrets({"private_key": "TOPSECRET", "sql_password": "pw"})
    assert "TOPSECRET" not in repr(s) and "pw" not in str(s)
    assert s["private_key"] == "TOPSECRET" and len(s) == 2


def test_environment_fallback_when_no_keyring(monkeypatch):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        usable, reason = sec.keyring_status()
        assert not usable and "environment" in reason
        p = profile()
        missing = sec.missing_secrets(p, SqlAuthSL, sec.load_secrets(p, SqlAuthSL))
        assert any("MOBIUS_PRIVATE_KEY" in m for m in missing)
        assert any("MOBIUS_DYNAMICS_SL_SQL_PASSWORD" in m for m in missing)
        monkeypatch.setenv("MOBIUS_PRIVATE_KEY", "pk")
        monkeypatch.setenv("MOBIUS_DYNAMICS_SL_SQL_PASSWORD", "lp")
        loaded = sec.load_secrets(p, SqlAuthSL)
        assert dict(loaded) == {"private_key": "pk", "sql_password": "lp"}
        assert sec.missing_secrets(p, SqlAuthSL, loaded) == []
        with pytest.raises(sec.SecretsError, match="keyring"):
            sec.set_secret("acme", "private_key", "x")
        p2 = profile(auth_type="MemberImpersonation", member_identifier="m", integrator_user="i")
        assert sec.secret_env_vars(p2, None) == {"integrator_password": "MOBIUS_INTEGRATOR_PASSWORD"}
    finally:
        keyring.set_keyring(previous)


def test_keyring_per_profile_and_field(memory_keyring, monkeypatch, app_dirs):
    monkeypatch.delenv("MOBIUS_PRIVATE_KEY", raising=False)
    assert sec.keyring_status()[0]
    sec.set_secret("acme", "private_key", "k1")
    sec.set_secret("beta", "private_key", "k2")
    sec.set_secret("acme", "sql_password", "lp")
    assert dict(sec.load_secrets(profile(), SqlAuthSL)) == {"private_key": "k1", "sql_password": "lp"}
    monkeypatch.setenv("MOBIUS_PRIVATE_KEY", "from-env")
    assert sec.load_secrets(profile(), SqlAuthSL)["private_key"] == "from-env"
    sec.forget_secrets(profile(), SqlAuthSL)
    assert sec.get_secret("acme", "private_key") is None and sec.get_secret("beta", "private_key") == "k2"
    save_profile(profile(), SqlAuthSL)
    text = (app_dirs[0] / "profiles.json").read_text()
    assert "k1" not in text and "k2" not in text and json.loads(text)["profiles"]["acme"]["public_key"] == "pub"
