"""Date arithmetic at its edges: month ends, leap days, completed years."""

from __future__ import annotations

import datetime as dt

import pytest

from solver.cases.calendar import add_months, add_years, completed_months, completed_years

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-01-31", 24, "2026-01-31"),
        ("2024-11-30", 24, "2026-11-30"),
        ("2024-08-31", 1, "2024-09-30"),
        ("2024-12-15", 1, "2025-01-15"),
        ("2025-01-15", -1, "2024-12-15"),
    ],
)
def test_add_months_clamps_to_the_last_day(start: str, months: int, end: str) -> None:
    assert add_months(D(start), months) == D(end)


def test_add_years_from_a_leap_day() -> None:
    assert add_years(D("2024-02-29"), 1) == D("2025-02-28")
    assert add_years(D("2024-02-29"), 4) == D("2028-02-29")


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        ("2004-11-22", "2026-11-21", 21),  # the day before the 22nd birthday
        ("2004-11-22", "2026-11-22", 22),  # the birthday itself
        ("2004-02-29", "2026-02-27", 21),
        ("2004-02-29", "2026-02-28", 22),  # a leap-day birth, common year
        ("2004-02-29", "2024-02-29", 20),
        ("1988-03-14", "2026-11-21", 38),
    ],
)
def test_completed_years(born: str, on: str, years: int) -> None:
    assert completed_years(D(born), D(on)) == years


def test_completed_months_and_negative_spans() -> None:
    assert completed_months(D("2024-01-31"), D("2024-02-29")) == 1
    assert completed_months(D("2024-01-31"), D("2024-02-28")) == 0
    assert completed_years(D("2026-11-21"), D("2004-11-22")) == -21
