import pytest

from mobius_tui.manage.errors import ConfigurationError
from mobius_tui.manage.site import Site, parse_site


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("manage.example.com", "https://manage.example.com"),
        ("  Manage.Example.COM.  ", "https://manage.example.com"),
        ("manage.example.com:8443", "https://manage.example.com:8443"),
        ("https://manage.example.com:443/v4_6_release/ConnectWise.aspx?x=1#top", "https://manage.example.com"),
        ("na.myconnectwise.net", "https://api-na.myconnectwise.net"),
        ("https://eu.myconnectwise.net/v2025_1/ConnectWise.aspx", "https://api-eu.myconnectwise.net"),
        ("au.myconnectwise.net", "https://api-au.myconnectwise.net"),
        ("aus.myconnectwise.net", "https://api-aus.myconnectwise.net"),
        ("za.myconnectwise.net", "https://api-za.myconnectwise.net"),
        ("staging.connectwisedev.com", "https://api-staging.connectwisedev.com"),
        ("api-na.myconnectwise.net", "https://api-na.myconnectwise.net"),
        ("http://127.0.0.1:54321", "http://127.0.0.1:54321"),
        ("http://localhost:8000/anything", "http://localhost:8000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("10.1.2.3", "https://10.1.2.3"),
    ],
)
def test_accepted_sites(typed, origin):
    assert parse_site(typed).origin == origin


def test_site_parts():
    assert parse_site("http://127.0.0.1:8080") == Site("http", "127.0.0.1", 8080)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("http://manage.example.com", "unencrypted"),
        ("http://10.0.0.5:8080", "unencrypted"),
        ("ftp://manage.example.com", "only https"),
        ("manage example.com", "spaces"),
        ("https://user:pw@manage.example.com", "user name or password"),
        ("manage.example.com:99999", "not a valid"),
        ("manage.example.com:abc", "not a valid"),
        ("man_age.example.com", "not a valid host name"),
        ("-bad.example.com", "not a valid host name"),
        ("https://", "no host name"),
        ("10.0.0.256", "not a valid IP"),
    ],
)
def test_refused_sites_say_why(typed, says):
    with pytest.raises(ConfigurationError) as info:
        parse_site(typed)
    assert says in str(info.value)


def test_plain_http_refusal_suggests_https():
    with pytest.raises(ConfigurationError, match=r"https://manage\.example\.com"):
        parse_site("http://manage.example.com/v4_6_release")
