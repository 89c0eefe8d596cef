"""`havre check` as a tester runs it: every conflicting pair of rules in one run, at its rules' places; progress on
stderr only; a summary line that counts; counterexamples that state only the facts that matter and still fail."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import ROOT

BROKEN = ROOT / "tests/fixtures/broken"
TWO = "tests/fixtures/broken/two-conflicts"  # relative to ROOT, as a user types it
TWO_FILE = f"{TWO}/main.havre"


def line(rule: str) -> int:
    """Where a rule of the two-conflicts fixture starts."""
    text = (ROOT / TWO_FILE).read_text(encoding="utf-8").splitlines()
    return next(i for i, t in enumerate(text, 1) if t.startswith(f"rule {rule} "))


GRANT, REFUSE, FAST, REGULAR = (line(r) for r in ("S-1.grant", "S-2.refuse", "S-3.fast", "S-3.regular"))


def havre(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HAVRE_CACHE_DIR": str(cache)} if cache else None
    return subprocess.run(
        [sys.executable, "-m", "havre", *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env
    )


def ages(document: dict[str, Any]) -> list[int]:
    """Completed years of every person with a birth date in a case file."""
    today = dt.date.fromisoformat(document["assessment_date"])
    out = []
    for person in document.get("persons", {}).values():
        if "birth_date" in person:
            born = dt.date.fromisoformat(person["birth_date"])
            out.append(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))
    return out


def test_two_independent_conflicts_are_both_reported_at_their_rules() -> None:
    r = havre("check", "--policy", TWO)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == (
        f"{TWO_FILE}:{GRANT}: error[conflict]: outcome(person1) gets two values:"
        f" granted (S-1.grant at {TWO_FILE}:{GRANT}) and refused (S-2.refuse at {TWO_FILE}:{REFUSE})"
    )
    assert lines[1] == (
        f"{TWO_FILE}:{FAST}: error[conflict]: track(application1) gets two values: fast (S-3.fast at {TWO_FILE}:{FAST})"
        f" and regular (S-3.regular at {TWO_FILE}:{REGULAR})"
    )
    assert lines[2].startswith("consistency: 2 findings in the universe person=2, application=2, on 2026-06-15 (")
    assert lines[3:] == ["4 rules, 9 predicates: 2 errors, 0 warnings"]


def test_json_gives_each_finding_its_rules_file_and_line() -> None:
    r = havre("check", "--policy", TWO, "--format", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)  # progress lines never reach stdout
    found = [(f["code"], f["subject"], f["rules"], f["file"], f["line"]) for f in doc["findings"]]
    assert found == [
        ("conflict", "outcome", ["S-1.grant", "S-2.refuse"], TWO_FILE, GRANT),
        ("conflict", "track", ["S-3.fast", "S-3.regular"], TWO_FILE, FAST),
    ]
    assert all("rule" not in f for f in doc["findings"])
    assert doc["summary"] == {"rules": 4, "predicates": 9, "errors": 2, "warnings": 0}
    assert doc["findings"][0]["kept"] == ["birth_date(person1) = 1991-03-15", "qualifies(person1)", "flagged(person1)"]


def test_every_finding_kind_lists_its_rules_in_json() -> None:
    r = havre("check", "--policy", str(BROKEN / "dead-priority"), "--format", "json")
    [f] = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "dead-priority"]
    assert (f["subject"], f["rules"]) == ("S-2.refuse over S-1.grant", ["S-2.refuse", "S-1.grant"])
    r = havre("check", "--policy", str(BROKEN / "invariant-broken"), "--format", "json")
    [f] = json.loads(r.stdout)["findings"]
    assert (f["code"], f["subject"], f["rules"], f["line"]) == ("invariant-broken", "INV.adults-only", [], 18)
    assert f["case"]["persons"] == {"person1": {"resident": True, "adult": False}}


def untimed(stdout: str) -> list[str]:
    """The report without the time the search took."""
    return [line.rsplit(" (", 1)[0] if line.startswith("consistency: ") else line for line in stdout.splitlines()]


def steps(stderr: str) -> list[str]:
    """The progress lines, but for the atoms asked one by one: a busy machine can leave some to ask that way."""
    return [line for line in stderr.splitlines() if not line.endswith("left to settle one by one")]


def test_progress_goes_to_stderr_as_plain_lines_off_a_terminal(tmp_path: Path) -> None:
    r = havre("check", "--policy", TWO, cache=tmp_path)
    lines = steps(r.stderr)
    verifying = [
        "checking: 2 possible conflicts, 0 broken invariants, 0 gaps to verify",
        "checking: conflict S-1.grant / S-2.refuse on outcome (1 of 2)",
        "checking: conflict S-3.fast / S-3.regular on track (2 of 2)",
        "checking: deciding 2 counterexamples the normal way",
    ]
    assert lines[:6] == [
        "checking: grounding the universe (person=2, application=2, on 2026-06-15)",
        "checking: finding which rules can fire and which problems are possible",
        *verifying,
    ]
    assert lines[6] == "checking: reducing the counterexamples: round 1, 11 case(s)"  # each fact of both, alone
    assert all(line.startswith("checking: reducing the counterexamples: round ") for line in lines[6:])
    assert not any(line.startswith("checking:") for line in r.stdout.splitlines())
    # Again: every rule and problem answered by the first check, nothing enumerated, the same report.
    again = havre("check", "--policy", TWO, cache=tmp_path)
    assert steps(again.stderr)[:6] == [
        "checking: grounding the universe (person=2, application=2, on 2026-06-15)",
        "checking: 14 rules and problems answered by earlier checks of the same rules",
        *verifying,
    ]
    assert (again.returncode, untimed(again.stdout)) == (r.returncode, untimed(r.stdout))


def counted(errors: int, warnings: int) -> str:
    def plural(k: int, word: str) -> str:
        return f"{k} {word}" if k == 1 else f"{k} {word}s"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def test_the_summary_counts_errors_and_warnings() -> None:
    r = havre("check", "--policy", str(BROKEN / "conflict"))
    # The small broken fixtures have no French texts: each missing text is an error besides the conflict.
    errors = sum(1 for line in r.stdout.splitlines() if ": error[" in line)
    warnings = sum(1 for line in r.stdout.splitlines() if ": warning[" in line)
    assert sum(1 for line in r.stdout.splitlines() if ": error[conflict]" in line) == 1
    assert (r.returncode, r.stdout.splitlines()[-1]) == (1, f"2 rules, 3 predicates: {counted(errors, warnings)}")
    r = havre("check", "--policy", str(BROKEN / "dead-rule"))
    errors = sum(1 for line in r.stdout.splitlines() if ": error[" in line)
    warnings = sum(1 for line in r.stdout.splitlines() if ": warning[" in line)
    assert r.stdout.splitlines()[-1].endswith(f": {counted(errors, warnings)}")
    assert r.returncode == 1


def test_exit_codes() -> None:
    r = havre("check", "--policy", TWO, "--static-only")
    assert (r.returncode, r.stdout.splitlines(), r.stderr) == (0, ["4 rules, 9 predicates: 0 errors, 0 warnings"], "")
    assert havre("check", "--policy", TWO).returncode == 1
    r = havre("check", "--policy", TWO, "--universe", "persn=1")
    assert (r.returncode, r.stdout) == (2, "")
    assert "`persn` is not an entity" in r.stderr and "Traceback" not in r.stderr
    r = havre("check", "--policy", str(ROOT / "tests/fixtures/absent"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_a_counterexample_states_only_the_facts_that_matter_and_fails(tmp_path: Path) -> None:
    out = tmp_path / "found"
    r = havre("check", "--policy", TWO, "--emit-counterexamples", str(out))
    written = [out / "conflict-outcome-S-1.grant-S-2.refuse.yaml", out / "conflict-track-S-3.fast-S-3.regular.yaml"]
    assert [line for line in r.stdout.splitlines() if "counterexample:" in line] == [
        f"  counterexample: {path}" for path in written
    ]
    text = written[0].read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header[0] == f"# Written by `havre check`: conflict at {TWO_FILE}:{GRANT}"
    assert header[-2:] == [
        "# The case states only the facts that matter: birth_date(person1) = 1991-03-15, qualifies(person1),",
        "# flagged(person1). Every other input is left unknown on purpose: the problem shows whatever it is.",
    ]
    assert "The case is complete" not in text
    [scenario] = yaml.safe_load(text)["scenarios"]
    assert scenario["case"]["persons"] == {"person1": {"birth_date": "1991-03-15", "qualifies": True, "flagged": True}}
    track = yaml.safe_load(written[1].read_text(encoding="utf-8"))["scenarios"][0]["case"]
    assert (track["persons"], track["applications"]) == (
        {"person1": {"resident": True}},
        {"application1": {"principal": "person1", "urgent": True, "paper_form": True}},
    )
    assert all(1 <= age <= 100 for age in ages(scenario["case"]))
    r = havre("test", str(written[0]), "--policy", TWO)
    assert r.returncode == 1
    assert r.stdout.splitlines()[1:] == [
        "       outcome(person1): expected holds, got a conflict between rules: granted (S-1.grant) and refused"
        " (S-2.refuse)",
        "       outcome(person1): expected value refused, got a conflict between rules: granted (S-1.grant) and"
        " refused (S-2.refuse)",
        "0 passed, 1 failed",
    ]


def test_two_versions_in_force_at_once_stop_the_check_at_the_later_one() -> None:
    r = havre("check", "--policy", "tests/fixtures/versions/overlap")
    place = "tests/fixtures/versions/overlap/main.havre"
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.splitlines()[:2] == [
        f"{place}:27:3: error[version-overlap]: two versions of `S-1.fee` are in force from 2024-12-01 to"
        f" 2024-12-31: this one and the one at {place}:26:3",
        "    27 |   from 2024-12-01 until 2025-12-31 = 570",
    ]
    assert "Traceback" not in r.stderr


def test_a_period_with_no_version_is_a_warning_and_the_search_shows_what_it_leaves_without_value(
    tmp_path: Path,
) -> None:
    r = havre("check", "--policy", "tests/fixtures/versions/gap", "--emit-counterexamples", str(tmp_path))
    place = "tests/fixtures/versions/gap/main.havre"
    lines = r.stdout.splitlines()
    assert r.returncode == 1
    assert lines[0] == (
        f"{place}:28:3: warning[version-gap]: no version of `S-1.fee` is in force from 2025-01-01 to 2025-03-31"
    )
    assert f"{place}:17: error[gap]: fee_due(application1) applies, but no rule gives it a value" in lines
    assert lines[-1] == "3 rules, 3 predicates: 1 error, 1 warning"
    found = yaml.safe_load((tmp_path / "gap-fee_due.yaml").read_text(encoding="utf-8"))
    assert found["scenarios"][0]["case"]["applications"]["application1"]["submitted_on"] == "2025-01-01"
