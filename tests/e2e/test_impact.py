"""`havre impact` on a real change: the age limit of a dependent child lowered from 22 to 19.

2,000 generated cases (and two unreadable lines) are compared once, through the command line; the counts are
checked against two `havre batch --no-missing` runs compared here, record by record. The other tests use the
changed cases alone, so that each run is short.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pytest

from grammar.checks.check import load
from havre.caseload.generate import Generator, write_jsonl
from tests.helpers import ROOT

POLICY = ROOT / "policy"
COUNT = 2000
BAD_LINES = ('{"case": "no-assessment-date"}', "{not json")
Group = tuple[str, str, str]


def havre(*args: str, cwd: Path = ROOT, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "havre", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


def lowered(target: Path) -> Path:
    """A copy of the shipped policy where a dependent child is under 19 (and, past it, 19 or over)."""
    shutil.copytree(POLICY, target)
    family = target / "qhc/family.havre"
    text = family.read_text(encoding="utf-8")
    assert text.count("and age(C) < 22\n") == 1 and text.count("and age(C) >= 22\n") == 1
    text = text.replace("age(C) < 22\n", "age(C) < 19\n").replace("age(C) >= 22\n", "age(C) >= 19\n")
    family.write_text(text, encoding="utf-8")
    return target


# ---------------------------------------------------------------- the independent count, from batch records


def outcomes(record: dict[str, Any], main: set[str], scoped: set[str]) -> dict[tuple[str, tuple[str, ...]], str]:
    out = {}
    for v in record["verdicts"]:
        if v["verdict"] in main:
            value = v["value"]
            holds_value = v["status"] == "holds" and value is not None and not isinstance(value, bool)
            out[v["verdict"], tuple(v["subject"])] = str(value) if holds_value else v["status"].replace("_", " ")
    return out


def absent(verdict: str, scoped: set[str]) -> str:
    """What a record leaves out: a verdict outside its subjects, or a relation that fails."""
    return "not applicable" if verdict in scoped else "fails"


@dataclass
class Expected:
    groups: dict[Group, tuple[set[int], int]]  # cases, subjects
    unreadable: int
    changed: set[int]


def expected(before: list[dict[str, Any]], after: list[dict[str, Any]], limit: int | None = None) -> Expected:
    checked = load(POLICY)
    main, scoped = set(checked.summary), set(checked.applies)
    groups: dict[Group, tuple[set[int], int]] = {}
    unreadable, changed = 0, set()
    for old, new in list(zip(before, after, strict=True))[:limit]:
        assert old["index"] == new["index"]
        if "error" in old or "error" in new:
            unreadable += 1
            continue
        a, b = outcomes(old, main, scoped), outcomes(new, main, scoped)
        for key in dict.fromkeys([*a, *b]):
            x, y = a.get(key, absent(key[0], scoped)), b.get(key, absent(key[0], scoped))
            if x != y:
                cases, subjects = groups.get((key[0], x, y), (set(), 0))
                groups[key[0], x, y] = (cases | {old["index"]}, subjects + 1)
                changed.add(old["index"])
    return Expected(groups, unreadable, changed)


def found(report: dict[str, Any]) -> dict[Group, tuple[int, int]]:
    return {(g["verdict"], g["before"], g["after"]): (g["cases"], g["subjects"]) for g in report["groups"]}


def counted(e: Expected) -> dict[Group, tuple[int, int]]:
    return {key: (len(cases), subjects) for key, (cases, subjects) in e.groups.items()}


# ---------------------------------------------------------------- one run on 2,000 cases


@dataclass
class Run:
    folder: Path
    changed_policy: Path
    cases: Path
    report: dict[str, Any]
    expected: Expected
    lines: list[str]  # the caseload's lines


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("impact")
    changed_policy = lowered(folder / "policy")
    cases = folder / "cases.jsonl"
    with cases.open("w", encoding="utf-8") as f:
        write_jsonl(f, Generator(load(POLICY), seed=22).cases(COUNT))
        f.write("\n".join(BAD_LINES) + "\n")
    report_file = folder / "report.json"
    r = havre(
        "impact", "--base", str(POLICY), "--policy", str(changed_policy), "--cases", str(cases),
        "--format", "json", "-o", str(report_file), "--workers", "2",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    records = {}
    for name, policy in (("before", POLICY), ("after", changed_policy)):
        out = folder / f"{name}.jsonl"
        r = havre("batch", str(cases), "-o", str(out), "--no-missing", "--workers", "2", "--policy", str(policy))
        assert r.returncode == 0, r.stderr
        records[name] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    report = json.loads(report_file.read_text(encoding="utf-8"))
    lines = cases.read_text(encoding="utf-8").splitlines()
    return Run(folder, changed_policy, cases, report, expected(records["before"], records["after"]), lines)


def test_the_counts_equal_those_of_two_batch_runs(run: Run) -> None:
    e = run.expected
    assert found(run.report) == counted(e)
    assert run.report["totals"] == {
        "cases": COUNT + len(BAD_LINES),
        "changed": len(e.changed),
        "unchanged": COUNT - len(e.changed),
        "unreadable": len(BAD_LINES),
    }
    assert e.unreadable == len(BAD_LINES)
    for g in run.report["groups"]:
        assert [c["index"] for c in g["changed"]] == sorted(e.groups[g["verdict"], g["before"], g["after"]][0])
        assert all(json.loads(run.lines[c["index"]])["case"] == c["case"] for c in g["changed"])
    assert len(e.changed) >= 1  # the change does decide some cases differently
    per_verdict = Counter[str]()
    for (verdict, _, _), (cases, _) in counted(e).items():
        per_verdict[verdict] += cases
    assert {v["verdict"] for v in run.report["by_verdict"]} == set(per_verdict)


def test_unreadable_cases_are_listed_with_both_messages(run: Run) -> None:
    listed = run.report["unreadable"]
    assert [u["index"] for u in listed] == [COUNT, COUNT + 1]
    assert all(u["base"] and u["current"] for u in listed)
    assert listed[0]["case"] == "no-assessment-date"
    assert listed[1]["origin"].endswith(f"cases.jsonl:{COUNT + 2}")


def test_the_groups_name_the_edited_rule_with_its_provisions(run: Run) -> None:
    assert run.report["edited_rules"] == [
        {"rule": "FAM-2.under-22", "title": "A child under 22 who is neither married nor in a de facto union",
         "edit": "changed"},
        {"rule": "FAM-2.over-22", "title": run.report["edited_rules"][1]["title"], "edit": "changed"},
    ]  # fmt: skip
    for group in run.report["groups"]:
        rules = {r["rule"]: r for r in group["rules"]}
        assert "FAM-2.under-22" in rules, group["verdict"]
        under = rules["FAM-2.under-22"]
        assert under["edit"] == "changed"
        assert {"id": "FAM-2", "title": "Dependent child"} in under["provisions"]
        assert [r["rule"] for r in group["rules"]][:2] == ["FAM-2.over-22", "FAM-2.under-22"]  # edited ones first


def test_rules_concluding_differently_are_counted(run: Run) -> None:
    """A rule's counts are the verdicts of the group it concluded on each side; unchanged counts are left out."""
    for group in run.report["groups"]:
        for r in group["rules"]:
            assert r["before"] != r["after"] or r["edit"], r
        if group["before"] == "not applicable" and group["after"] not in ("fails", "undetermined"):
            assert sum(r["after"] for r in group["rules"]) >= group["subjects"]


def test_the_example_is_explained_before_and_after(run: Run) -> None:
    for group in run.report["groups"]:
        ex = group["example"]
        assert ex["before"] != ex["after"]
        assert ex["before"].startswith(f"Explanation for case {ex['case']}")
        assert run.report["base"]["hash"] in ex["before"] and run.report["current"]["hash"] in ex["after"]
        status = {"not applicable": "[does not apply]", "undetermined": "[undetermined]", "fails": "[does not hold]"}
        assert status.get(group["before"], "[holds]") in ex["before"]
        assert status.get(group["after"], "[holds]") in ex["after"]
        now = set(ex["rules"]["after"]) - set(ex["rules"]["before"]) if group["after"] not in status else set()
        for rule in now:  # the rule that now concludes
            assert f"by rule {rule} (" in ex["after"] and f"by rule {rule} (" not in ex["before"]
        if group["before"] == "not applicable":  # kept out before by a dependent child under 22, no longer
            assert "FAM-2.under-22" in ex["before"].split("\n\n", 3)[2]
            assert "FAM-2.under-22" not in ex["after"]
        line = json.loads(run.lines[ex["index"]])
        assert line["case"] == ex["case"]


# ---------------------------------------------------------------- shorter runs on the changed cases


@pytest.fixture(scope="module")
def changed_cases(run: Run) -> tuple[Path, Expected]:
    """The cases whose main verdicts change, and three that do not: a caseload of a few seconds."""
    keep = sorted(run.expected.changed)[:12]
    same = [i for i in range(COUNT) if i not in run.expected.changed][:3]
    small = run.folder / "small.jsonl"
    small.write_text("".join(run.lines[i] + "\n" for i in [*keep, *same]), encoding="utf-8")
    wanted = {i: n for n, i in enumerate([*keep, *same])}
    groups: dict[Group, tuple[set[int], int]] = {}
    for key, (cases, _) in run.expected.groups.items():
        mine = {wanted[i] for i in cases if i in wanted}
        if mine:
            groups[key] = (mine, 0)
    return small, Expected(groups, 0, set(range(len(keep))))


def test_fail_on_change_gates_on_the_named_verdicts(run: Run, changed_cases: tuple[Path, Expected]) -> None:
    small, e = changed_cases
    changed_verdicts = {verdict for verdict, _, _ in e.groups}
    assert "decision" not in {verdict for verdict, _, _ in run.expected.groups}
    gate = sorted(changed_verdicts)[0]
    base = ("impact", "--base", str(POLICY), "--policy", str(run.changed_policy), "--cases", str(small))
    r = havre(*base, "--fail-on-change", "decision")
    assert r.returncode == 0, r.stderr
    assert f"{len(e.changed) + 3} cases: {len(e.changed)} changed, 3 unchanged, 0 unreadable" in r.stdout
    r = havre(*base, "--fail-on-change", "decision", "--fail-on-change", gate)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"changed: {gate} (")
    r = havre(*base, "--fail-on-change", "decisions")
    assert r.returncode == 2
    assert "--fail-on-change: `decisions` is not a verdict of either version; did you mean `decision`?" in r.stderr
    assert "Traceback" not in r.stderr


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_a_git_revision_is_a_base(run: Run, changed_cases: tuple[Path, Expected], tmp_path: Path) -> None:
    small, e = changed_cases
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(POLICY, repo / "policy")
    git(repo, "init", "-q")
    git(repo, "add", "policy")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "policy")
    shutil.rmtree(repo / "policy")
    lowered(repo / "policy")
    r = havre("impact", "--base", "HEAD", "--policy", "policy", "--cases", str(small), "--format", "json", cwd=repo)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert {key: cases for key, (cases, _) in found(report).items()} == {k: len(c) for k, (c, _) in e.groups.items()}
    assert report["base"] == {"policy": "HEAD", "hash": run.report["base"]["hash"]}
    assert [x["rule"] for x in report["edited_rules"]] == ["FAM-2.under-22", "FAM-2.over-22"]
    r = havre("impact", "--base", "no-such-rev", "--policy", "policy", "--cases", str(small), cwd=repo)
    assert r.returncode == 2
    assert "error: --base: `no-such-rev` is neither a folder nor a revision of the git repository at" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_page_follows_lang_and_the_json_keeps_its_labels(run: Run, changed_cases: tuple[Path, Expected]) -> None:
    small, e = changed_cases
    args = ("impact", "--base", str(POLICY), "--policy", str(run.changed_policy), "--cases", str(small), "-l", "fr")
    r = havre(*args, "--format", "html")
    assert r.returncode == 0, r.stderr
    page = r.stdout
    assert '<html lang="fr">' in page and "<h1>Incidence de la modification de la politique</h1>" in page
    assert "<h2>Sommaire</h2>" in page and "<h2>Règles modifiées entre les versions</h2>" in page
    assert '<code>FAM-2.under-22</code> <span class="edit">modifiée</span>' in page
    assert page.count("<h3>Exemple\u00a0: dossier ") == len(e.groups) and "Explication du dossier" in page
    for english in ("Impact of the policy change", "Summary", "Rules edited", "Example: case", "Cases:", ">changed<"):
        assert english not in page
    r = havre(*args, "--format", "json")
    assert [x["edit"] for x in json.loads(r.stdout)["edited_rules"]] == ["changed", "changed"]


def test_bad_input_names_the_place(run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "not-a-repo"
    shutil.copytree(POLICY, outside)
    cases = str(run.cases)
    r = havre("impact", "--base", str(tmp_path / "nowhere"), "--policy", str(outside), "--cases", cases)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--base: " in r.stderr and "nowhere" in r.stderr
    r = havre("impact", "--base", str(POLICY), "--cases", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"error: {tmp_path / 'missing.jsonl'}: no such file or folder" in r.stderr
    r = havre("impact", "--base", str(POLICY), "--cases", cases, "--workers", "2", "--scheduler", "tcp://x:1")
    assert r.returncode == 2 and "--workers is for local processes" in r.stderr


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed", reason="the cluster engine needs `pip install havre[cluster]`")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


def test_a_dask_cluster_gives_the_same_report(
    run: Run, changed_cases: tuple[Path, Expected], dask_scheduler: str, tmp_path: Path
) -> None:
    small, _ = changed_cases
    args = ("impact", "--base", str(POLICY), "--policy", str(run.changed_policy), "--cases", str(small))
    local = havre(*args, "--format", "json")
    on_dask = havre(*args, "--format", "json", "--scheduler", dask_scheduler)
    assert local.returncode == 0 and on_dask.returncode == 0, on_dask.stderr
    assert json.loads(on_dask.stdout) == json.loads(local.stdout)
    assert json.loads(local.stdout)["totals"]["changed"] == len(changed_cases[1].changed)


# ---------------------------------------------------------------- the HTML report in a browser

SCREENSHOT = Path("/tmp/havre-impact-report.png")  # kept for a look after the run


def test_the_html_report_opens_in_chromium(run: Run, tmp_path: Path) -> None:
    from havre.caseload.impact_report import html
    from tests.e2e import test_html_browser as browser

    if not browser.CHROMIUM.exists():
        if browser.REQUIRED:
            pytest.fail(f"HAVRE_REQUIRE_CHROMIUM=1 but {browser.CHROMIUM} is not installed")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    page = tmp_path / "impact.html"
    page.write_text(html(run.report), encoding="utf-8")
    dom, console = browser.chromium(page, tmp_path)
    assert console == [], f"console messages: {console}"
    assert "<script" not in dom and "http://" not in dom.split("<body")[0]  # nothing loaded from elsewhere
    t = run.report["totals"]
    row = "".join(f'<td class="n">{t[k]:,}</td>' for k in ("cases", "changed", "unchanged", "unreadable"))  # 2,002
    assert row in dom
    for n, group in enumerate(run.report["groups"], 1):
        assert f'<a href="#g{n}">{escape(group["heading"], quote=False)}</a>' in dom
        assert group["heading"].endswith(f" ({group['verdict']})") and " → " in group["heading"]
        assert f'<section class="group" id="g{n}">' in dom
    assert dom.count("<rect ") == len(run.report["by_verdict"])
    assert '<code>FAM-2.under-22</code> <span class="edit">changed</span>' in dom
    assert dom.count('<td class="removed">') > 0 and dom.count('<td class="added">') > 0
    shot = [f"--user-data-dir={tmp_path / 'shot'}", "--window-size=1280,1400", f"--screenshot={SCREENSHOT}"]
    subprocess.run(
        [
            str(browser.CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            *shot,
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert SCREENSHOT.stat().st_size > 10_000
