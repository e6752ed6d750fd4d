"""Both paging modes over 2,500 unposted invoices, plus fields and orderBy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from mobius_tui.sandbox.manage.harness import ManageSandbox, running_manage_sandbox

PATH = "/finance/accounting/unpostedinvoices"


@pytest.fixture(scope="module")
def big() -> Iterator[ManageSandbox]:
    with running_manage_sandbox(size=2500, history=False) as sandbox:
        yield sandbox


def links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>;\s*rel="(\w+)"', response.headers.get("link", ""))}


def test_navigable_paging_walks_every_record_once(big: ManageSandbox) -> None:
    expected = sorted(i.unposted_id for i in big.store.dataset.invoices)
    assert len(expected) == 2500
    seen: list[int] = []
    with big.client() as c:
        r = c.get(PATH, params={"pageSize": 1000, "page": 1})
        first = links(r)
        assert set(first) == {"next", "last"} and "page=3" in first["last"]
        while True:
            seen += [row["id"] for row in r.json()]
            nxt = links(r).get("next")
            if not nxt:
                assert set(links(r)) == {"first", "prev"}
                break
            r = c.get(nxt)
        middle = links(c.get(PATH, params={"pageSize": 1000, "page": 2}))
        assert set(middle) == {"first", "prev", "next", "last"}
    assert seen == expected


def test_page_size_is_clamped_and_defaults(big: ManageSandbox) -> None:
    with big.client() as c:
        assert len(c.get(PATH, params={"pageSize": 5000}).json()) == 1000
        assert len(c.get(PATH).json()) == 25
        assert len(c.get(PATH, params={"pageSize": 0}).json()) == 1
        assert c.get(PATH, params={"page": 99, "pageSize": 1000}).json() == []
        bad = c.get(PATH, params={"page": "two"})
        assert bad.status_code == 400 and "page" in bad.json()["message"]


def test_forward_only_paging_follows_page_id(big: ManageSandbox) -> None:
    expected = sorted(i.unposted_id for i in big.store.dataset.invoices)
    seen: list[int] = []
    with big.client(headers={"pagination-type": "forward-only"}) as c:
        r = c.get(PATH, params={"pageSize": 1000})
        pages = 0
        while True:
            pages += 1
            rows = r.json()
            seen += [row["id"] for row in rows]
            assert "link" in r.headers
            nxt = links(r).get("next")
            if not nxt:
                assert r.headers["link"] == ""
                break
            assert f"pageId={rows[-1]['id']}" in nxt
            r = c.get(nxt)
    assert pages == 3
    assert seen == expected


def test_forward_only_keeps_conditions(big: ManageSandbox) -> None:
    usd = sorted(i.unposted_id for i in big.store.dataset.invoices if i.currency == "USD")
    seen: list[int] = []
    with big.client(headers={"pagination-type": "forward-only"}) as c:
        url: str | None = PATH + "?pageSize=100&conditions=currency/currencyCode='USD'"
        while url:
            r = c.get(url)
            seen += [row["id"] for row in r.json()]
            url = links(r).get("next")
    assert seen == usd


def test_fields_projection_and_order_by(big: ManageSandbox) -> None:
    with big.client() as c:
        rows = c.get(PATH, params={"fields": "id,total,company/name", "orderBy": "total desc", "pageSize": 50}).json()
        assert all(set(r) <= {"id", "total", "company"} and set(r["company"]) == {"name"} for r in rows)
        totals = [r["total"] for r in rows]
        assert totals == sorted(totals, reverse=True)
        assert totals[0] == max(float(i.total) for i in big.store.dataset.invoices)
        asc = c.get(PATH, params={"orderBy": "invoiceNumber asc", "pageSize": 20, "fields": "invoiceNumber"}).json()
        numbers = [r["invoiceNumber"] for r in asc]
        assert numbers == sorted(numbers, key=str.lower)
        assert c.get(PATH, params={"orderBy": "nope asc"}).status_code == 400
        assert c.get(PATH, params={"fields": "id,nope"}).status_code == 400
        count = c.get(PATH + "/count", params={"conditions": "invoiceType = 'CreditMemo'"}).json()["count"]
        assert count == sum(1 for i in big.store.dataset.invoices if i.type == "CreditMemo")
