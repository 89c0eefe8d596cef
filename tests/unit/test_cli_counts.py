"""The command line's own counts, grouped by thousands as the reports' are."""

from __future__ import annotations

from havre.cli.main import _count


def test_a_count_names_its_word_once_or_many_times_grouped_by_thousands() -> None:
    assert _count(0, "finding") == "0 findings"
    assert _count(1, "finding") == "1 finding"
    assert _count(12345, "finding") == "12,345 findings"
