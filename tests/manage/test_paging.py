from mobius_tui.manage.paging import next_link, parse_link_header, path_and_query

BASE = "https://h/v4_6_release/apis/3.0/company/companies"


def test_navigable_links():
    header = f'<{BASE}?pageSize=1000&page=2>; rel="next", <{BASE}?pageSize=1000&page=7>; rel="last"'
    assert parse_link_header(header) == [
        (f"{BASE}?pageSize=1000&page=2", "next"),
        (f"{BASE}?pageSize=1000&page=7", "last"),
    ]
    assert next_link(header, forward_only=False) == f"{BASE}?pageSize=1000&page=2"


def test_last_page_has_no_next():
    header = f'<{BASE}?pageSize=1000&page=1>; rel="first", <{BASE}?pageSize=1000&page=6>; rel="prev"'
    assert next_link(header, forward_only=False) is None
    assert next_link(None, forward_only=False) is None
    assert next_link("", forward_only=True) is None


def test_forward_only_link_with_or_without_rel():
    url = f"{BASE}?conditions=id in (1,2,3)&pageSize=1000&pageId=3000"
    assert next_link(f"<{url}>", forward_only=True) == url
    assert next_link(f'<{url}>; rel="next"', forward_only=True) == url
    assert next_link(f"<{url}>", forward_only=False) is None


def test_rel_variants():
    assert parse_link_header(f"<{BASE}?page=2>;rel=next") == [(f"{BASE}?page=2", "next")]
    assert parse_link_header(f'<{BASE}?page=2>; title="x"; REL="Next"') == [(f"{BASE}?page=2", "next")]


def test_link_is_resent_to_our_own_site():
    assert path_and_query("http://internal:8080/v4_6_release/apis/3.0/x?page=2") == "/v4_6_release/apis/3.0/x?page=2"
    assert path_and_query("https://h/a/b") == "/a/b"
