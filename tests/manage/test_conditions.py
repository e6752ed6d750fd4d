from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import quote_plus

import pytest

from mobius_tui.manage import conditions as c


def test_literals():
    assert c.literal(True) == "true"
    assert c.literal(False) == "false"
    assert c.literal(None) == "null"
    assert c.literal(42) == "42"
    assert c.literal(Decimal("1234.50")) == "1234.50"
    assert c.literal(Decimal("1E+3")) == "1000"
    assert c.literal(date(2025, 1, 31)) == "[2025-01-31T00:00:00Z]"
    assert c.literal(datetime(2025, 1, 31, 23, 5, 9)) == "[2025-01-31T23:05:09Z]"
    eastern = timezone(timedelta(hours=-5))
    assert c.literal(datetime(2025, 1, 31, 20, 0, tzinfo=eastern)) == "[2025-02-01T01:00:00Z]"
    assert c.literal(datetime(2025, 1, 31, tzinfo=UTC)) == "[2025-01-31T00:00:00Z]"


def test_strings_are_quoted_and_escaped():
    assert c.literal("Angry Fox, Co.") == '"Angry Fox, Co."'
    assert c.literal('say "hi"') == r'"say \"hi\""'
    assert c.literal("back\\slash") == r'"back\\slash"'
    # An attempt to close the string and add a clause stays inside the string.
    injected = c.eq("identifier", '" or id>0 or name="')
    assert injected.text == r'identifier = "\" or id>0 or name=\""'


@pytest.mark.parametrize("bad", ["line\nbreak", "nul\x00"])
def test_control_characters_refused(bad):
    with pytest.raises(c.ConditionError, match="control characters"):
        c.literal(bad)


@pytest.mark.parametrize("bad", [float("1.5"), Decimal("NaN"), object()])
def test_unsupported_values_refused(bad):
    with pytest.raises(c.ConditionError):
        c.literal(bad)


@pytest.mark.parametrize("name", ["", "a b", "id;drop", "company//id", "/id", "id=1", "1abc"])
def test_bad_field_names_refused(name):
    with pytest.raises(c.ConditionError, match="not a Manage field name"):
        c.eq(name, 1)


def test_operators():
    assert str(c.eq("company/id", 5)) == "company/id = 5"
    assert str(c.ne("inactiveFlag", True)) == "inactiveFlag != true"
    assert str(c.lt("a", 1)) == "a < 1"
    assert str(c.le("a", 1)) == "a <= 1"
    assert str(c.gt("a", 1)) == "a > 1"
    assert str(c.ge("lastUpdated", date(2021, 6, 1))) == "lastUpdated >= [2021-06-01T00:00:00Z]"
    assert str(c.contains("name", "Fox")) == 'name contains "Fox"'
    assert str(c.like("name", "Fox*")) == 'name like "Fox*"'
    assert str(c.in_("id", [1, 2, 3])) == "id in (1,2,3)"
    assert str(c.not_in("procurementType", ["Transfer"])) == 'procurementType not in ("Transfer")'
    with pytest.raises(c.ConditionError):
        c.in_("id", [])


def test_and_or_parenthesise_compound_parts():
    a, b, d = c.eq("a", 1), c.eq("b", 2), c.eq("d", 3)
    assert str(a & b) == "a = 1 and b = 2"
    assert str((a | b) & d) == "(a = 1 or b = 2) and d = 3"
    assert str(a | (b & d)) == "a = 1 or (b = 2 and d = 3)"
    assert str(c.all_of(a, None, b)) == "a = 1 and b = 2"
    assert c.all_of(None, a) is a
    with pytest.raises(c.ConditionError):
        c.all_of(None)


def test_in_chunks_fit_the_budget_and_keep_every_value_once():
    values = [f"INV-{n:06d}" for n in range(800)] + ["INV-000001"]
    also = c.eq("locationId", 7)
    chunks = c.in_chunks("invoiceNumber", values, max_encoded_length=600, also=also)
    assert len(chunks) > 1
    seen = []
    for chunk in chunks:
        assert len(quote_plus(chunk.text, safe="")) <= 600
        assert chunk.text.startswith('locationId = 7 and invoiceNumber in ("INV-')
        inside = chunk.text.split(" in (", 1)[1].rstrip(")")
        seen.extend(v.strip('"') for v in inside.split(","))
    assert seen == list(dict.fromkeys(values))


def test_in_chunks_compound_also_is_parenthesised():
    also = c.eq("a", 1) | c.eq("b", 2)
    (chunk,) = c.in_chunks("id", [1, 2], max_encoded_length=500, also=also)
    assert chunk.text == "(a = 1 or b = 2) and id in (1,2)"
    assert str(chunk & c.eq("z", 0)) == "((a = 1 or b = 2) and id in (1,2)) and z = 0"


def test_in_chunks_empty_and_too_long():
    assert c.in_chunks("id", [], max_encoded_length=100) == []
    with pytest.raises(c.ConditionError, match="too long"):
        c.in_chunks("name", ["x" * 200], max_encoded_length=100)
