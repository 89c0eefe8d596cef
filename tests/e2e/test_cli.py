"""The command line as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from havre.api import load_policy
from havre.store import cache
from tests.helpers import ROOT

MINI = str(ROOT / "tests/fixtures/mini")
CASE = """\
case: cli-1
assessment_date: 2026-11-21
persons:
  amina: {name: Amina Haddad, birth_date: 1988-03-14, status: foreign_national, in_union: false, child_of: []}
applications:
  app1: {principal: amina, notice_date: 2026-09-22, csq_issued: 2025-01-31, pr_application_pending: false}
documents:
  form: {required: [app1], supplied: true}
"""


def havre(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "havre", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_decide_text_lists_every_verdict_by_subject_with_questions(tmp_path: Path) -> None:
    r = havre("decide", write(tmp_path, "c.yaml", CASE), "--policy", MINI)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Case cli-1, assessed on November 21, 2026 (policy ")
    at = lines.index("Amina Haddad")
    assert lines[at + 3 : at + 5] == [
        "  [undetermined] Amina Haddad may be selected under the programme",
        "      to decide, find out: Has the officer found Amina Haddad to be in a particularly distressful situation?",
    ]
    assert "app1" in lines[at + 5 :]


def test_decide_json_and_french(tmp_path: Path) -> None:
    case = write(
        tmp_path, "c.yaml", CASE.replace("status: foreign_national,", "status: foreign_national, distress: true,")
    )
    r = havre("decide", case, "--policy", MINI, "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    decision = next(v for v in data["verdicts"] if v["verdict"] == "decision")
    assert decision == {
        "verdict": "decision",
        "subject": ["app1"],
        "value": "selected",
        "status": "holds",
        "missing": [],
        "rules": ["PROC-4.selected"],
        "questions": [],
    }
    assert (data["conflicts"], data["summary"]) == ([], [])
    expiry = next(v for v in data["verdicts"] if v["verdict"] == "csq_expiry")
    assert expiry["value"] == "2027-01-31"
    r = havre("decide", case, "--policy", MINI, "--lang", "fr")
    assert "  [établi] La décision sur app1 est sélectionnée  (règle PROC-4.selected)" in r.stdout.splitlines()


def test_bad_policy_exits_2_with_place_and_no_traceback(tmp_path: Path) -> None:
    write(tmp_path, "p/main.havre", 'entity person\ninput x(P: person)\nrule R1 "t" cites S x(P) if x(P) x(P).\n')
    r = havre("decide", write(tmp_path, "c.yaml", CASE), "--policy", str(tmp_path / "p"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "clingo" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.endswith("p/main.havre:3:34: error[syntax-error]: unexpected `x`")
    assert r.stderr.splitlines()[-1] == "1 error in the policy"


def test_bad_policy_as_json_for_editors(tmp_path: Path) -> None:
    write(tmp_path, "p/main.havre", "entity person\ninput x(P: persn)\n")
    r = havre("check", "--policy", str(tmp_path / "p"), "--format", "json")
    assert r.returncode == 2
    [d] = json.loads(r.stderr)
    assert (d["code"], d["line"], d["column"], d["message"], d["hint"]) == (
        "undefined-name",
        2,
        9,
        "`persn` is not a declared entity",
        "did you mean `person`?",
    )


def test_bad_case_exits_2_naming_the_field(tmp_path: Path) -> None:
    case = write(tmp_path, "c.yaml", CASE.replace("1988-03-14", "2026-02-30"))
    r = havre("decide", case, "--policy", MINI)
    assert r.returncode == 2
    assert r.stderr.strip() == f'error: {case}: persons.amina.birth_date: "2026-02-30" is not a valid date'


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    r = havre("decide", write(tmp_path, "c.yaml", CASE), "--policy", MINI, "--format", "xml")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    r = havre("decide", str(tmp_path / "absent.yaml"), "--policy", MINI)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_compile_marks_each_rule_with_its_place() -> None:
    r = havre("compile", "--policy", MINI)
    assert r.returncode == 0
    source = (ROOT / "tests/fixtures/mini/qhc/decision.havre").read_text().splitlines()
    line = next(i for i, text in enumerate(source, 1) if text.startswith("rule PROC-4.selected "))
    assert f"% rule PROC-4.selected tests/fixtures/mini/qhc/decision.havre:{line}" in r.stdout.splitlines()


def test_schema_is_json_schema() -> None:
    r = havre("schema", "--policy", MINI)
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_check_reports_success_and_missing_texts_as_errors(tmp_path: Path) -> None:
    r = havre("check", "--policy", MINI)
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, "11 rules, 21 predicates: 0 errors, 0 warnings")
    write(
        tmp_path,
        "p/main.havre",
        'source S "f" "t" authority official\nentity person\ninput x(P: person)\n'
        '  en "{P} is x"\n  fr "{P} est x"\n  question en "Is {P} x?"\nderived y(P: person)\n  en "y" fr "y"\n'
        'rule R1 "Title" cites S y(P) if x(P).\n',
    )
    r = havre("check", "--policy", str(tmp_path / "p"))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[-1] == "1 rule, 2 predicates: 4 errors, 1 warning"
    assert [line.split(": ", 1)[1] for line in lines if "error[" in line] == [
        "error[missing-text]: source `S` has no French title",
        "error[missing-text]: entity `person` has no en or fr text",
        "error[missing-text]: `x` has no fr question",
        "error[missing-text]: rule `R1` has no French title",
    ]


def test_a_scenario_file_that_does_not_load_fails_alone(tmp_path: Path) -> None:
    write(tmp_path, "c.yaml", CASE)
    good = (
        "scenarios:\n  - name: ok\n    case_file: ../c.yaml\n"
        "    expect:\n      - {verdict: eligible, subject: [amina]}\n"
    )
    write(tmp_path, "scenarios/a.yaml", good)
    write(tmp_path, "scenarios/b.yaml", "scenarios: {}\n")
    r = havre("test", str(tmp_path / "scenarios"), "--policy", MINI)
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1] == "1 passed, 1 failed"
    assert r.stderr.strip().endswith("b.yaml: scenarios: a scenario file is a mapping with a `scenarios:` list")


def test_a_mistake_in_one_scenario_fails_that_scenario_only(tmp_path: Path) -> None:
    write(tmp_path, "c.yaml", CASE)
    scenarios = """\
scenarios:
  - name: misspelt verdict
    case_file: ../c.yaml
    expect:
      - {verdict: eligibel, subject: [amina]}
  - name: unknown rule
    case_file: ../c.yaml
    expect:
      - {verdict: decision, subject: [app1], rules: [PROC-4.selectd]}
  - name: misspelt key
    case_fil: ../c.yaml
    expect:
      - {verdict: eligible, subject: [amina]}
  - name: good
    case_file: ../c.yaml
    expect:
      - {verdict: eligible, subject: [amina], status: undetermined}
"""
    path = write(tmp_path, "scenarios/s.yaml", scenarios)
    r = havre("test", path, "--policy", MINI)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[-1] == "1 passed, 3 failed"
    where = f"       {path}: scenarios"
    assert f"{where}[0].expect[0].verdict: `eligibel` is not a verdict of the policy; did you mean `eligible`?" in lines
    assert (
        f"{where}[1].expect[0].rules[0]: `PROC-4.selectd` is not a rule; "
        "did you mean `PROC-4.selected` or `PROC-4.csq` or `PROC-5.refused`?"
    ) in lines
    assert f"{where}[2].case_fil: unknown key; did you mean `case_file` or `case`?" in lines
    assert f"ok   {path}::good" in lines


def test_a_folder_without_scenarios_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    r = havre("test", str(tmp_path / "empty"), "--policy", MINI)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"error: {tmp_path / 'empty'}: holds no scenario file "
        "(scenario files are *.yaml files in a folder named `scenarios`)"
    )
    write(tmp_path, "scenarios/none.yaml", "scenarios: []\n")
    r = havre("test", str(tmp_path / "scenarios"), "--policy", MINI)
    assert r.returncode == 1
    assert r.stderr.strip().endswith("none.yaml: scenarios: the list holds no scenario")


def test_scenarios_end_with_the_count_line(tmp_path: Path) -> None:
    scenario = """\
scenarios:
  - name: selected
    case_file: ../c.yaml
    expect:
      - {verdict: eligible, subject: [amina], status: undetermined, missing: [[distress(amina)]]}
  - name: wrong on purpose
    case_file: ../c.yaml
    expect:
      - {verdict: eligible, subject: [amina], status: holds}
"""
    write(tmp_path, "c.yaml", CASE)
    path = write(tmp_path, "scenarios/s.yaml", scenario)
    r = havre("test", path, "--policy", MINI)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[-1] == "1 passed, 1 failed"
    assert "       eligible(amina): expected holds, got undetermined (missing: [[distress(amina)]])" in lines


def test_what_the_command_writes_reaches_a_file_whole(tmp_path: Path) -> None:
    # The process ends without freeing its objects (havre.cli.end_quickly): what it wrote is flushed first.
    out = tmp_path / "out.json"
    with out.open("w", encoding="utf-8") as stdout:
        r = subprocess.run(
            [sys.executable, "-m", "havre", "explain", "policy/examples/leila-family-selection.yaml", "-f", "json"],
            stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
    assert (r.returncode, r.stderr) == (0, "")
    text = out.read_text(encoding="utf-8")
    assert len(text) > 200_000 and text.endswith("}\n")
    assert json.loads(text)["case"]["id"] == "leila-2026-088"


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "havre", "explain", "policy/examples/leila-family-selection.yaml"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.close()  # as `| head` does once it has its lines
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (141, "")


def test_a_command_ending_in_error_still_says_why(tmp_path: Path) -> None:
    r = havre("decide", str(tmp_path / "none.yaml"), "--policy", MINI)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"error: {tmp_path}/none.yaml: no such file\n")


def test_under_a_tracer_the_process_ends_as_usual(tmp_path: Path) -> None:
    # Coverage and debuggers register their exit handler before the command line is imported: it must run.
    script = f"""
import atexit, sys
sys.settrace(lambda *_: None)
atexit.register(lambda: open({str(tmp_path / "ran")!r}, "w").close())
sys.argv = ["havre", "decide", {str(tmp_path / "none.yaml")!r}, "--policy", {MINI!r}]
from havre.cli.main import main
main()
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (r.returncode, r.stderr) == (2, f"error: {tmp_path}/none.yaml: no such file\n")
    assert (tmp_path / "ran").exists()


def _collector_while_loading(*args: str) -> str:
    """What a `havre` process's cycle collector was doing while the command loaded its policy, then at the end."""
    script = f"""
import atexit, gc, sys
import havre.cli
import havre.api
seen = []
load = havre.api.load_policy
havre.api.load_policy = lambda *a, **k: (seen.append(gc.isenabled()), load(*a, **k))[1]
atexit.register(lambda: print("loading", seen, "after", gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr))
sys.argv = ["havre", *{list(args)!r}]
havre.cli.run()
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stderr.splitlines()[-1]


def test_a_one_off_command_loads_its_policy_with_the_collector_held_and_its_objects_frozen(tmp_path: Path) -> None:
    case = write(tmp_path, "c.yaml", CASE)
    for command in ("decide", "explain", "agenda"):
        assert _collector_while_loading(command, case, "--policy", MINI) == "loading [False] after True True"
    # A command that runs longer keeps the collector as it is: only its modules were imported with it held.
    good = (
        "scenarios:\n  - name: ok\n    case_file: ../c.yaml\n"
        "    expect:\n      - {verdict: eligible, subject: [amina]}\n"
    )
    write(tmp_path, "scenarios/a.yaml", good)
    suite = str(tmp_path / "scenarios")
    assert _collector_while_loading("test", suite, "--policy", MINI) == "loading [True] after True True"


def test_a_program_calling_the_command_line_keeps_its_collector_as_it_is() -> None:
    from havre.cli import held

    with held():
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_the_first_decision_after_an_edit_leaves_the_entry_made_anew_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = Path(shutil.copytree(MINI, tmp_path / "policy"))
    monkeypatch.setenv("HAVRE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HAVRE_NO_CACHE", raising=False)
    monkeypatch.chdir(ROOT)  # an entry is kept for its working directory too
    case = write(tmp_path, "c.yaml", CASE)
    assert havre("decide", case, "--policy", str(policy)).returncode == 0
    people = policy / "people.havre"
    people.write_text(people.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    # The entry made anew is written behind the answer, slowly here: the process still ends only once it is.
    script = f"""
import sys, time
from havre.store import cache
made = cache.encode
cache.encode = lambda key, entry: (time.sleep(1), made(key, entry))[1]
sys.argv = ["havre", "decide", {case!r}, "--policy", {str(policy)!r}]
from havre.cli.main import main
main()
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    kept = cache.read(policy / "main.havre")  # in the stale one's place
    assert kept is not None and cache.fresh(kept)
    assert kept.checked == load_policy(policy, cache=False).checked
    assert len(list((tmp_path / "cache").glob("*.entry"))) == 1
    assert not list((tmp_path / "cache").glob("*.partial"))
