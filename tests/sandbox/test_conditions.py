from __future__ import annotations

import pytest

from mobius_tui.manage import models as m
from mobius_tui.sandbox.manage.conditions import ConditionError, compile_conditions
from mobius_tui.sandbox.manage.query import QueryError, make_filter

REC = {
    "id": 5, "name": "Café Étoile & Fils, Ltée", "total": 1123.75, "closedFlag": True,
    "company": {"id": 3, "identifier": "FIX01"}, "date": "2025-04-25T00:00:00Z",
    "unpostedProductId": "17-adjustment", "procurementType": "Adjustment",
}


@pytest.mark.parametrize("text,expected", [
    ("id=5", True), ("id = 6", False), ("id != 6", True), ("id <> 5", False),
    ("id<6", True), ("id<=5", True), ("id>5", False), ("id>=5", True),
    ("total > 1000.5", True), ("total = 1123.75", True),
    ('name contains "étoile"', True), ("name not contains 'xyz'", True),
    ('name like "café*ltée"', True), ('name like "*Fils*"', True), ('name like "Fils*"', False),
    ('name not like "x*"', True),
    ("id in (1, 5, 9)", True), ("id not in (1,5)", False), ('procurementType in ("Purchase","Adjustment")', True),
    ("unpostedProductId in (17-adjustment,)", True),
    ("closedFlag = true", True), ("closedFlag=false", False),
    ("missing = null", True), ("company/id = 3", True), ("company/identifier='fix01'", True),
    ("company/id != null", True), ("company/name = null", True),
    ("date >= [2025-04-01T00:00:00Z]", True), ("date < [2025-04-25T00:00:00Z]", False),
    ('date = "2025-04-25T00:00:00Z"', True),
    ("id = 5 and total < 0", False), ("id = 5 or total < 0", True),
    ("(id = 1 or id = 5) and (closedFlag = true)", True),
    ("id = 1 or id = 2 and id = 5", False),  # and binds tighter than or
    ("id = 5 AND closedFlag = TRUE OR id IN (1)", True),
    ('name = "Caf\\"e"', False),
])
def test_expressions(text: str, expected: bool) -> None:
    assert compile_conditions(text)(REC) is expected


@pytest.mark.parametrize("text,fragment", [
    ("id =", "expected a value"),
    ("id == 5", "position 5"),
    ("(id = 5", "expected ')'"),
    ("id 5", "expected an operator"),
    ("id = 5 and", "expected a field name"),
    ("id in 5", "'(' starting a list"),
    ("id in (1 2)", "',' or ')'"),
    ("date > [not-a-date]", "not a date/time"),
    ("id = 5 id = 6", "'and', 'or'"),
    ("name = \"unterminated", "unexpected character"),
])
def test_syntax_errors_say_where(text: str, fragment: str) -> None:
    with pytest.raises(ConditionError) as err:
        compile_conditions(text)
    assert fragment in str(err.value)


def test_fields_are_checked_against_the_model_case_insensitively() -> None:
    pred = make_filter(m.UnpostedInvoice, "COMPANY/ID = 3 and InvoiceType = 'standard'")
    assert pred({"company": {"id": 3}, "invoiceType": "Standard"})
    assert not pred({"company": {"id": 4}, "invoiceType": "Standard"})
    assert make_filter(m.Invoice, "_info/lastUpdated > [2020-01-01T00:00:00Z]")({"_info": {"lastUpdated": "2025-01-01T00:00:00Z"}})
    with pytest.raises(QueryError, match="unknown field 'company/nope'"):
        make_filter(m.UnpostedInvoice, "company/nope = 1")
    with pytest.raises(QueryError, match="unknown field 'bogus'"):
        make_filter(m.UnpostedInvoice, "bogus = 1")


def test_bad_conditions_over_http_are_400_with_error_body(manage_sandbox) -> None:
    with manage_sandbox.client() as c:
        r = c.get("/finance/accounting/unpostedinvoices", params={"conditions": "nosuchfield = 1"})
        assert r.status_code == 400
        assert r.json()["code"] == "InvalidObject" and "nosuchfield" in r.json()["message"]
        r = c.get("/company/companies/count", params={"conditions": "(id = 1"})
        assert r.status_code == 400 and "expected ')'" in r.json()["message"]
        # query keys and childConditions are accepted in any case
        ok = c.get("/company/companies", params={"CONDITIONS": "isVendorFlag = true", "childconditions": "types/id=2",
                                                 "pagesize": 100})
        assert ok.status_code == 200
        assert ok.json() and all(co["isVendorFlag"] for co in ok.json())


def test_in_lists_answer_as_equality_with_each_value() -> None:
    """The hashed ``in`` gives the same rows as or-ed ``=`` comparisons, over every kind of value."""
    records = [{"id": i, "invoiceNumber": n, "total": t, "flag": f, "company": {"identifier": c}, "date": d}
               for i, (n, t, f, c, d) in enumerate([
                   ("INV1", 10, True, "Acme", "2025-01-02T00:00:00Z"), ("inv2", 10.5, False, "BETA", None),
                   ("007", 7, True, None, "2025-01-03T00:00:00Z"), ("x", None, None, "acme", "2025-01-02"),
                   (None, 0, False, "Gamma", "2025-01-04T00:00:00Z")], 1)]
    lists = ['"inv1","INV2",\'x\'', "10, 7.0, abc", "007, 10.50", '"acme"', "true, 0", "null, 7",
             '"2025-01-02T00:00:00Z", [2025-01-03T00:00:00Z]', '"Gamma", 0']
    for field in ("invoiceNumber", "total", "flag", "company/identifier", "date", "id"):
        for values in lists:
            hashed = compile_conditions(f"{field} in ({values})")
            slow = compile_conditions(" or ".join(f"{field} = {v.strip()}" for v in values.split(",")))
            assert [r["id"] for r in records if hashed(r)] == [r["id"] for r in records if slow(r)], (field, values)
            negated = compile_conditions(f"{field} not in ({values})")
            assert [r["id"] for r in records if negated(r)] == [r["id"] for r in records if not hashed(r)]
