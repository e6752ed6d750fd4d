from datetime import date

import pytest

from mobius_tui.service.dates import StartDateError, same_day_last_month, start_date
from mobius_tui.service.options import BatchNumberError, ExportOptions, suggest_batch_number, validate_batch_number
from mobius_tui.service.reports import StartChoice


def test_batch_number_required_and_at_most_50():
    with pytest.raises(BatchNumberError, match="required"):
        validate_batch_number("  ")
    with pytest.raises(BatchNumberError, match="at most 50"):
        validate_batch_number("X" * 51)
    assert validate_batch_number(" 20130101JD-I ") == "20130101JD-I"
    assert validate_batch_number("X" * 50) == "X" * 50


def test_suggestion_follows_date_initials_kind_convention():
    day = date(2013, 1, 1)
    assert suggest_batch_number(ExportOptions(day, invoices=True), "jd", day) == "20130101JD-I"
    assert suggest_batch_number(ExportOptions(day, invoices=False, expenses=True), "J.D.", day) == "20130101JD-E"
    assert suggest_batch_number(ExportOptions(day, invoices=False, inventory=True), "JD", day) == "20130101JD-P"
    taken = {"20130101JD-I", "20130101JD-I-1"}
    assert suggest_batch_number(ExportOptions(day), "JD", day, taken) == "20130101JD-I-2"
    long = suggest_batch_number(ExportOptions(day), "J" * 60, day, {f"20130101{'J' * 60}"[:50]})
    assert len(long) <= 50 and long.endswith("-1")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 4, 10), date(2024, 3, 10)),
        (date(2024, 3, 31), date(2024, 2, 29)),
        (date(2023, 3, 31), date(2023, 2, 28)),
        (date(2024, 1, 15), date(2023, 12, 15)),
        (date(2024, 5, 31), date(2024, 4, 30)),
    ],
)
def test_same_day_last_month(today, expected):
    assert same_day_last_month(today) == expected


def test_start_date_choices():
    today = date(2024, 3, 31)
    assert start_date(StartChoice.PAST_WEEK, today) == date(2024, 3, 24)
    assert start_date(StartChoice.PAST_TWO_WEEKS, today) == date(2024, 3, 17)
    assert start_date(StartChoice.PAST_MONTH, today) == date(2024, 2, 29)
    assert start_date(StartChoice.CUSTOM, today, custom=date(2020, 1, 2)) == date(2020, 1, 2)
    assert start_date(StartChoice.LAST_SUCCESSFUL_RUN, today, last_success=date(2024, 3, 1)) == date(2024, 3, 1)
    assert start_date(StartChoice.LAST_SUCCESSFUL_RUN, today) == date(2023, 4, 1)  # a year back
    with pytest.raises(StartDateError):
        start_date(StartChoice.CUSTOM, today)
    with pytest.raises(StartDateError, match="after today"):
        start_date(StartChoice.CUSTOM, today, custom=date(2024, 4, 1))
