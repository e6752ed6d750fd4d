"""Start dates of a payment sync."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from mobius_tui.service.reports import StartChoice

# When there has never been a successful sync, "Last Successful Run" starts this far back:
# a second sync changes nothing, so looking too far back is harmless, too short loses payments.
FIRST_SYNC_LOOKBACK_DAYS = 365


class StartDateError(ValueError):
    pass


@dataclass(frozen=True)
class SyncStart:
    """The start date a sync resolves to, and why."""

    choice: StartChoice
    since: date
    last_success: date | None  # the last successful sync on this computer; None: never

    def explained(self) -> str:
        if self.choice != StartChoice.LAST_SUCCESSFUL_RUN:
            return f"Start date: {self.since}."
        if self.last_success is None:
            return (f"Last successful run: none yet, so the past {FIRST_SYNC_LOOKBACK_DAYS} days "
                    f"(from {self.since}).")
        return f"Last successful run: {self.last_success}, so from {self.since}."


def same_day_last_month(today: date) -> date:
    """10 April → 10 March; 31 March → 28 (or 29) February."""
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def start_date(choice: StartChoice, today: date, *, last_success: date | None = None, custom: date | None = None) -> date:
    if choice == StartChoice.PAST_WEEK:
        return today - timedelta(days=7)
    if choice == StartChoice.PAST_TWO_WEEKS:
        return today - timedelta(days=14)
    if choice == StartChoice.PAST_MONTH:
        return same_day_last_month(today)
    if choice == StartChoice.CUSTOM:
        if custom is None:
            raise StartDateError("A custom start date is required; give a date (YYYY-MM-DD) on or before today.")
        if custom > today:
            raise StartDateError(f"The custom start date {custom} is after today ({today}); pick today or earlier.")
        return custom
    if choice == StartChoice.LAST_SUCCESSFUL_RUN:
        return last_success if last_success is not None else today - timedelta(days=FIRST_SYNC_LOOKBACK_DAYS)
    raise StartDateError(f"Unknown start date choice {choice!r}.")
