"""The sandbox's $filter / query-option parser (pure logic)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mobius_tui.sandbox.sage300.odata import QueryError, parse_filter, parse_query

FIELDS = {"CustomerNumber", "DocumentNumber", "Amount", "LastActivityDate", "FullyPaid", "Name"}
ROWS = [
    {"CustomerNumber": "C1", "DocumentNumber": "INV1", "Amount": Decimal("100.50"),
     "LastActivityDate": "2025-06-01T00:00:00Z", "FullyPaid": "No", "Name": "O'Brien"},
    {"CustomerNumber": "C2", "DocumentNumber": "INV2", "Amount": Decimal("99.99"),
     "LastActivityDate": "2025-07-01T00:00:00Z", "FullyPaid": "Yes", "Name": "Café"},
    {"CustomerNumber": "C2", "DocumentNumber": "CM3", "Amount": Decimal("-5"),
     "LastActivityDate": None, "FullyPaid": "No", "Name": "Café"},
]


def matching(text: str) -> list[str]:
    pred = parse_filter(text, FIELDS, "T")
    return [r["DocumentNumber"] for r in ROWS if pred(r)]


@pytest.mark.parametrize("text, expected", [
    ("CustomerNumber eq 'C2'", ["INV2", "CM3"]),
    ("CustomerNumber eq 'C2' and FullyPaid eq 'No'", ["CM3"]),
    ("DocumentNumber eq 'INV1' or DocumentNumber eq 'CM3'", ["INV1", "CM3"]),
    ("Amount gt 99.99", ["INV1"]),
    ("Amount ge 99.99m", ["INV1", "INV2"]),
    ("Amount lt 0", ["CM3"]),
    ("LastActivityDate ge 2025-06-15T00:00:00Z", ["INV2"]),
    ("LastActivityDate lt datetime'2025-06-15T00:00'", ["INV1"]),
    ("LastActivityDate eq null", ["CM3"]),
    ("Name eq 'O''Brien'", ["INV1"]),
    ("startswith(DocumentNumber, 'INV')", ["INV1", "INV2"]),
    ("substringof('M', DocumentNumber)", ["CM3"]),
    ("not (CustomerNumber eq 'C1') and endswith(DocumentNumber,'2')", ["INV2"]),
    ("length(DocumentNumber) eq 3", ["CM3"]),
    ("(CustomerNumber eq 'C1' or CustomerNumber eq 'C2') and FullyPaid ne 'No'", ["INV2"]),
])
def test_filter_selects_rows(text: str, expected: list[str]) -> None:
    assert matching(text) == expected


def test_unknown_property_is_named_like_the_server_does() -> None:
    with pytest.raises(QueryError, match="Could not find a property named 'Foo' on type 'T'"):
        parse_filter("Foo eq 1", FIELDS, "T")


@pytest.mark.parametrize("text", ["CustomerNumber eq", "CustomerNumber eq 'C1' and", "(Amount gt 1", "Amount ~ 1"])
def test_malformed_filter_is_refused(text: str) -> None:
    with pytest.raises(QueryError):
        parse_filter(text, FIELDS, "T")


def test_query_options() -> None:
    q = parse_query({"$top": "5", "$skip": "10", "$count": "true", "$select": "Name,Amount"}, FIELDS, "T")
    assert (q.top, q.skip, q.count, q.select) == (5, 10, True, ("Name", "Amount"))
    with pytest.raises(QueryError, match="not a non-negative integer"):
        parse_query({"$top": "-1"}, FIELDS, "T")
    with pytest.raises(QueryError, match="Could not find a property named 'Nope'"):
        parse_query({"$select": "Nope"}, FIELDS, "T")
    with pytest.raises(QueryError, match=r"\$orderby is not supported"):
        parse_query({"$orderby": "Name"}, FIELDS, "T")
