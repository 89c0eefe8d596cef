"""Calendar arithmetic on dates: the one place month ends are decided.

Adding months keeps the day of the month, clamped to the last day of the
resulting month: 2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 month =
2023-02-28, 2024-02-29 + 1 year = 2025-02-28. Completed years or months
between two dates are the largest count that, added to the first, does not
pass the second; so a person born 2004-02-29 turns 22 on 2026-02-28.
"""

from __future__ import annotations

import calendar
import datetime as dt

FIRST, LAST = dt.date.min, dt.date.max  # the calendar: 0001-01-01 to 9999-12-31


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def add_years(d: dt.date, years: int) -> dt.date:
    return add_months(d, 12 * years)


def completed_months(start: dt.date, end: dt.date) -> int:
    if end < start:
        return -completed_months(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def completed_years(start: dt.date, end: dt.date) -> int:
    if end < start:
        return -completed_years(end, start)
    years = end.year - start.year
    if add_years(start, years) > end:
        years -= 1
    return years


def to_day(d: dt.date) -> int:
    """Dates cross into ASP as day numbers."""
    return d.toordinal()


def from_day(n: int) -> dt.date:
    return dt.date.fromordinal(n)
