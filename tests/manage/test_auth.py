import base64
import pickle
from datetime import UTC, datetime, timedelta

import pytest

from mobius_tui.manage.auth import (
    ApiKeyCredentials,
    ImpersonationCredentials,
    Secret,
    basic_authorization,
    make_member_token,
    parse_expiration,
)
from mobius_tui.manage.errors import ConfigurationError


def test_secrets_never_show():
    creds = ApiKeyCredentials("pub123", "priv-SECRET")
    for text in (repr(creds), str(creds), f"{creds}", repr(creds.private_key), str([creds])):
        assert "priv-SECRET" not in text
    assert "pub123" in repr(creds)
    imp = ImpersonationCredentials("integrator", "pw-SECRET", "jdoe")
    assert "pw-SECRET" not in repr(imp) and "pw-SECRET" not in str(imp)
    with pytest.raises(TypeError):
        pickle.dumps(creds.private_key)
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")


def test_basic_authorization_format():
    header = basic_authorization("acme", "pub", Secret("pr:iv"))
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == "acme+pub:pr:iv"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: ApiKeyCredentials("", "x"), "public key is empty"),
        (lambda: ApiKeyCredentials("pu:b", "x"), "colon"),
        (lambda: ApiKeyCredentials("pub", ""), "private key is empty"),
        (lambda: ImpersonationCredentials("u", "p", ""), "member"),
        (lambda: ImpersonationCredentials("u", "p", "a/b"), "not a Manage member id"),
    ],
)
def test_bad_credentials_refused(make, says):
    with pytest.raises(ConfigurationError, match=says):
        make()


def test_token_renewal_margin():
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    token = make_member_token("p", "priv-SECRET", "2025-01-01T13:00:00Z", margin=timedelta(minutes=2), now=now)
    assert token.expires_at == datetime(2025, 1, 1, 13, 0, tzinfo=UTC)
    assert not token.needs_renewal(now + timedelta(minutes=57))
    assert token.needs_renewal(now + timedelta(minutes=58))
    assert "priv-SECRET" not in repr(token)
    short = make_member_token("p", "k", "2025-01-01T12:01:00Z", margin=timedelta(minutes=2), now=now)
    assert short.renew_at == now + timedelta(seconds=30)
    unreadable = make_member_token("p", "k", "soon", margin=timedelta(minutes=2), now=now)
    assert unreadable.expires_at == now + timedelta(minutes=15)
    with pytest.raises(ConfigurationError, match="without keys"):
        make_member_token(None, "k", None, margin=timedelta(0))


def test_parse_expiration():
    assert parse_expiration("2025-05-06T09:39:56Z") == datetime(2025, 5, 6, 9, 39, 56, tzinfo=UTC)
    assert parse_expiration("2025-05-06T09:39:56.123") == datetime(2025, 5, 6, 9, 39, 56, 123000, tzinfo=UTC)
    assert parse_expiration("nope") is None and parse_expiration(None) is None
