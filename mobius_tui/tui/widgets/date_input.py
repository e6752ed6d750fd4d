"""A date typed as YYYY-MM-DD (there is no date picker in Textual; this works over any console)."""

from __future__ import annotations

from datetime import date

from textual.validation import ValidationResult, Validator
from textual.widgets import Input


def parse_date(text: str, *, latest: date | None = None) -> date:
    """The date, or ValueError saying what is wrong and what to type."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; type it as YYYY-MM-DD, e.g. 2025-06-30.") from None
    if latest is not None and day > latest:
        raise ValueError(f"{day} is after today ({latest}); pick today or an earlier date.")
    return day


class DateValidator(Validator):
    def __init__(self, latest: date | None = None) -> None:
        super().__init__()
        self.latest = latest

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_date(value, latest=self.latest)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class DateInput(Input):
    def __init__(self, value: date | None = None, *, latest: date | None = None, id: str | None = None) -> None:
        super().__init__(
            value.isoformat() if value else "",
            placeholder="YYYY-MM-DD",
            restrict=r"[0-9-]*",
            max_length=10,
            validators=[DateValidator(latest)],
            id=id,
            compact=True,
        )
        self.latest = latest

    @property
    def date(self) -> date:
        return parse_date(self.value, latest=self.latest)
