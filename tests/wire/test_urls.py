"""UrlMaker gives exactly the URL httpx parses, whether it takes its shortcut or not."""

from __future__ import annotations

import httpx
import pytest

from mobius_tui.wire.urls import UrlMaker

BASES = ["http://127.0.0.1:4567/v4_6_release/apis/3.0", "https://api-na.myconnectwise.net/v2025_1/apis/3.0/",
         "https://example.com", "https://example.com/a%20b/apis"]
TAILS = ["/finance/invoices/123/payments", "/finance/invoices", "/x_y~z-1", "", "/", "/a/../b", "/a/./b",
         "/caf\u00e9", "/a b", "/a%2Fb", "/q?conditions=id%3D1", "/f#frag", "//double", "/finance/invoices/7/"]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("tail", TAILS)
def test_made_urls_are_the_parsed_urls(base: str, tail: str) -> None:
    maker = UrlMaker(base)
    text = maker.base + tail
    made, parsed = maker(text), httpx.URL(text)
    assert str(made) == str(parsed)
    assert (made.scheme, made.host, made.port, made.raw_path, made.query) == (
        parsed.scheme, parsed.host, parsed.port, parsed.raw_path, parsed.query)
    request = httpx.Request("POST", made, content=b"{}")
    assert request.headers["Host"] == httpx.Request("POST", parsed, content=b"{}").headers["Host"]


def test_other_sites_are_parsed() -> None:
    maker = UrlMaker("https://example.com/apis/3.0")
    assert str(maker("https://other.example.com/apis/3.0/x")) == "https://other.example.com/apis/3.0/x"
    assert str(maker("https://example.com/apis/3.0x/y")) == "https://example.com/apis/3.0x/y"


def test_the_shortcut_is_taken_for_plain_paths() -> None:
    maker = UrlMaker("https://example.com/apis/3.0")
    assert maker._enabled
    made = maker("https://example.com/apis/3.0/finance/invoices/5/payments")
    assert made._uri_reference.path == "/apis/3.0/finance/invoices/5/payments"
