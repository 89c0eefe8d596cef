"""`havre fmt` and `havre rules` as an analyst runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.test_cli import MINI, havre, write
from tests.helpers import ROOT

UGLY = 'entity person\nrule R "t" cites S a(P) if b(P) and c(P).\n'
PRETTY = 'entity person\n\nrule R "t"\n  cites S\n  a(P) if\n        b(P)\n    and c(P).\n'


def test_fmt_check_lists_the_files_to_format_and_exits_1(tmp_path: Path) -> None:
    ugly = write(tmp_path, "p/a.havre", UGLY)
    write(tmp_path, "p/sub/b.havre", PRETTY)
    r = havre("fmt", "--check", str(tmp_path / "p"))
    assert (r.returncode, r.stdout.splitlines()) == (
        1,
        [f"would reformat {ugly}", "1 file(s) would be reformatted, 1 unchanged"],
    )
    assert Path(ugly).read_text() == UGLY


def test_fmt_rewrites_in_place_and_then_has_nothing_to_do(tmp_path: Path) -> None:
    ugly = write(tmp_path, "a.havre", UGLY)
    r = havre("fmt", ugly)
    assert (r.returncode, r.stdout.splitlines()) == (0, [f"reformatted {ugly}", "1 file(s) reformatted, 0 unchanged"])
    assert Path(ugly).read_text() == PRETTY
    r = havre("fmt", "--check", ugly)
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, "0 file(s) would be reformatted, 1 unchanged")


def test_fmt_on_bad_input_exits_2_with_the_diagnostic_and_changes_nothing(tmp_path: Path) -> None:
    ugly = write(tmp_path, "a.havre", UGLY)
    bad = write(tmp_path, "b.havre", 'rule R "t" cites S a(P) if b(P)\n')
    r = havre("fmt", ugly, bad)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == f"{bad}:1:32: error[syntax-error]: missing `.` at the end of the rule"
    assert Path(ugly).read_text() == UGLY
    r = havre("fmt", str(tmp_path / "nowhere"))
    assert (r.returncode, r.stderr.strip()) == (2, f"error: {tmp_path / 'nowhere'}: no such file or folder")


def test_fmt_on_a_copy_of_the_shipped_policy_leaves_it_checking(tmp_path: Path) -> None:
    copy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", copy)
    assert havre("fmt", str(copy)).returncode == 0
    assert havre("fmt", "--check", str(copy)).returncode == 0
    r = havre("check", "--static-only", "--policy", str(copy))
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, "157 rules, 206 predicates: 0 errors, 0 warnings")


def test_rules_lists_place_title_and_citations() -> None:
    r = havre("rules", "--policy", MINI, "--cites", "PROC-6")
    lines = r.stdout.splitlines()
    source = (ROOT / "tests/fixtures/mini/qhc/decision.havre").read_text().splitlines()
    line = next(i for i, text in enumerate(source, 1) if text.startswith("rule PROC-6.late "))
    assert r.returncode == 0, r.stderr
    assert f"tests/fixtures/mini/qhc/decision.havre:{line}  PROC-6.late  " in lines[0]
    assert lines[-1] == f"{len(lines) - 1} rule(s)"


def test_rules_as_json_filtered_by_a_predicate_they_use() -> None:
    r = havre("rules", "--policy", MINI, "--uses", "decision", "--format", "json")
    listed = json.loads(r.stdout)
    assert listed and all(x["concludes"] == "decision" or "decision" in x["reads"] for x in listed)
    assert set(listed[0]) == {"id", "title", "title_fr", "place", "cites", "concludes", "reads", "overridden_by"}


def test_rules_with_an_unknown_predicate_or_citation_exit_2_with_a_hint() -> None:
    r = havre("rules", "--policy", MINI, "--uses", "decisoin")
    assert (r.returncode, r.stderr.strip()) == (
        2,
        "error: --uses: `decisoin` is not a predicate of the policy; did you mean `decision`?",
    )
    r = havre("rules", "--policy", MINI, "--cites", "NOPE-1")
    assert (r.returncode, r.stderr.strip()) == (
        2,
        "error: --cites: `NOPE-1` is not a source or provision of the policy",
    )
