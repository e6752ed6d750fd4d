"""The near-miss matcher on its own: which names count as the same company."""

from __future__ import annotations

import pytest

from mobius_tui.accounting.near_miss import NearMiss, NearMissIndex, did_you_mean, name_key


@pytest.mark.parametrize(("a", "b"), [
    ("ACME Inc.", "Acme, Incorporated"),
    ("Acme Ltd", "acme limited"),
    ("Acme & Co.", "ACME"),
    ("Lake Shore Dental", "Lakeshore Dental LLC"),
    ("Zèbre Numérique S.E.N.C.", "zèbre-numérique"),
    ("O'Brien Corp.", "OBrien Corporation"),
    ("Northwind GmbH", "Northwind"),
])
def test_names_that_differ_only_by_case_spaces_punctuation_or_legal_form_match(a: str, b: str) -> None:
    assert name_key(a) == name_key(b) != ""


@pytest.mark.parametrize(("a", "b"), [
    ("Acme Dental", "Acme Realty"),
    ("Café Nord", "Cafe Nord"),  # accents are kept: possibly another business
    ("Black and White", "Black White Co"),
    ("Acme", "Acme Two"),
])
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_a_name_that_is_only_a_legal_form_matches_nothing() -> None:
    index = NearMissIndex([("C1", "Inc."), ("C2", "Ltd")])
    assert name_key("Inc") == ""
    assert index.find("Inc.") == []


def test_index_finds_every_match_but_the_number_looked_for() -> None:
    index = NearMissIndex([("C1", "Acme Inc."), ("C2", "ACME LTD"), ("C3", "Other"), ("C4", "")])
    assert index.find("acme", besides="C2") == [NearMiss("C1", "Acme Inc.")]
    assert [m.number for m in index.find("Acme Corporation")] == ["C1", "C2"]
    assert index.find("Nobody") == []


def test_fix_names_the_record_and_the_field_to_set() -> None:
    text = did_you_mean([NearMiss("C1", "Acme Inc.")], "customer", "the company's Account")
    assert "customer C1 (Acme Inc.)" in text and "set the company's Account in Manage to C1" in text
    many = did_you_mean([NearMiss(f"C{i}", "Acme") for i in range(7)], "vendor", "Vendor XRef")
    assert "and 2 more" in many and "to its number" in many
