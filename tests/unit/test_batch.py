"""`havre batch`: the records equal one-by-one decisions, in input order, whatever the engine; bad cases
become error records; an interrupted run leaves whole lines only."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from havre.api import Policy, load_policy
from havre.caseload import batch as b
from havre.caseload.generate import Generator
from tests.helpers import ROOT

MINI = ROOT / "tests/fixtures/mini"


@cache
def mini() -> Policy:
    return load_policy(MINI)


@cache
def shipped() -> Policy:
    return load_policy(ROOT / "policy")


def generated(policy: Policy, count: int, seed: int = 1, rate: float = 0.1) -> list[dict[str, Any]]:
    return list(Generator(policy.checked, seed=seed, unknown_rate=rate).cases(count))


def write_jsonl(path: Path, docs: list[Any]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def run(
    policy: Policy,
    source: Path,
    out: Path,
    *,
    chunk: int = 25,
    missing: bool = True,
    explain: bool = False,
    engine: b.Engine | None = None,
) -> list[dict[str, Any]]:
    options = b.Options(missing=missing, explain=explain)
    b.run_batch(engine or b.LocalEngine(policy, options), b.read_items(source), out, chunk)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def one_by_one(policy: Policy, docs: list[Any], missing: bool) -> list[dict[str, Any]]:
    """Each case decided alone, recorded as a batch records it."""
    cases = [policy.case(d) for d in docs]
    return [
        b.decision_record(i, policy.decide(case, missing=missing), None, policy, case, "en")
        for i, case in enumerate(cases)
    ]


def test_500_generated_cases_are_decided_as_one_by_one(tmp_path: Path) -> None:
    docs = generated(mini(), 500)
    records = run(mini(), write_jsonl(tmp_path / "cases.jsonl", docs), tmp_path / "out.jsonl", missing=False)
    assert records == one_by_one(mini(), docs, missing=False)


def test_missing_facts_are_the_same_as_one_by_one(tmp_path: Path) -> None:
    docs = generated(mini(), 40, seed=2, rate=0.2)
    records = run(mini(), write_jsonl(tmp_path / "cases.jsonl", docs), tmp_path / "out.jsonl", chunk=9)
    assert records == one_by_one(mini(), docs, missing=True)
    assert any(v["missing"] for r in records for v in r["verdicts"])


def test_the_shipped_policy_in_batch_is_decided_as_one_by_one(tmp_path: Path) -> None:
    docs = generated(shipped(), 30, seed=3)
    records = run(shipped(), write_jsonl(tmp_path / "cases.jsonl", docs), tmp_path / "out.jsonl", missing=False)
    assert records == one_by_one(shipped(), docs, missing=False)


@pytest.mark.parametrize("missing", [True, False])
def test_explained_records_equal_one_by_one_explanations(tmp_path: Path, missing: bool) -> None:
    docs = generated(shipped(), 6, seed=4)
    records = run(shipped(), write_jsonl(tmp_path / "c.jsonl", docs), tmp_path / "o.jsonl", chunk=4, missing=missing)
    explained = run(shipped(), tmp_path / "c.jsonl", tmp_path / "e.jsonl", chunk=4, missing=missing, explain=True)
    assert [{k: v for k, v in r.items() if k != "explanation"} for r in explained] == records
    for doc, record in zip(docs, explained, strict=True):
        view = shipped().explainer.explain_many([shipped().case(doc)], missing=missing)[0][0]
        assert record["explanation"] == json.loads(json.dumps(view, ensure_ascii=False))
        if missing:
            assert record["explanation"] == json.loads(json.dumps(shipped().explain(doc), ensure_ascii=False))
    assert any(v["status"] == "holds" and v["rules"] for r in explained for v in r["verdicts"])


def test_a_bad_case_in_the_middle_is_an_error_record_and_the_others_go_on(tmp_path: Path) -> None:
    docs: list[Any] = generated(mini(), 12, seed=4)
    bad_date = {**docs[5], "assessment_date": "2026-02-30"}
    source = tmp_path / "cases.jsonl"
    lines = [json.dumps(d) for d in docs]
    lines[5] = json.dumps(bad_date)
    lines[7] = '{"case": "x", '  # not JSON
    source.write_text("\n".join(lines[:9]) + "\n\n   \n" + "\n".join(lines[9:]) + "\n", encoding="utf-8")
    records = run(mini(), source, tmp_path / "out.jsonl", chunk=4, missing=False)
    assert [r["index"] for r in records] == list(range(12))
    assert records[5] == {
        "index": 5,
        "case": docs[5]["case"],
        "error": {"origin": f"{source}:6", "path": "assessment_date", "message": '"2026-02-30" is not a valid date'},
    }
    assert records[7]["case"] is None and records[7]["error"]["origin"] == f"{source}:8"
    assert records[10]["case"] == docs[10]["case"] and "verdicts" in records[10]  # after the blank lines
    good = [d for i, d in enumerate(docs) if i not in (5, 7)]
    expected = one_by_one(mini(), good, missing=False)
    assert [{**r, "index": 0} for r in records if "verdicts" in r] == [{**r, "index": 0} for r in expected]


def test_a_folder_of_case_files_is_read_in_name_order(tmp_path: Path) -> None:
    docs = generated(mini(), 5, seed=6)
    folder = tmp_path / "cases"
    folder.mkdir()
    for i, d in enumerate(docs):
        (folder / f"c{i}.json").write_text(json.dumps(d), encoding="utf-8")
    (folder / "c2b.yaml").write_text("case: broken\nassessment_date: [\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a case", encoding="utf-8")
    records = run(mini(), folder, tmp_path / "out.jsonl", chunk=2, missing=False)
    assert [r.get("case") for r in records] == [
        docs[0]["case"],
        docs[1]["case"],
        docs[2]["case"],
        None,
        *(d["case"] for d in docs[3:]),
    ]
    assert records[3]["error"]["origin"] == str(folder / "c2b.yaml")


class Interrupting:
    """Decides chunks in this process, and is interrupted while the third chunk is being decided."""

    window = 1

    def __init__(self, policy: Policy) -> None:
        self.inner = b.LocalEngine(policy, b.Options(missing=False))
        self.calls = 0

    def submit(self, chunk: b.Chunk) -> b.Pending:
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return self.inner.submit(chunk)

    def close(self) -> None:
        pass


def test_an_interrupted_run_leaves_whole_lines_of_the_first_cases(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "cases.jsonl", generated(mini(), 20, seed=7))
    full = run(mini(), source, tmp_path / "full.jsonl", chunk=4, missing=False)
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run(mini(), source, out, chunk=4, engine=Interrupting(mini()))
    assert not out.exists()
    text = (tmp_path / "out.jsonl.partial").read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert [json.loads(line) for line in text.splitlines()] == full[:8]


def test_a_write_cut_short_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure in the middle of writing a chunk: the half-written chunk is cut off."""
    source = write_jsonl(tmp_path / "cases.jsonl", generated(mini(), 12, seed=8))
    real = b._write
    calls = iter(range(100))

    def half(f: Any, result: b.ChunkResult, *rest: Any) -> int:
        if next(calls) == 1:
            data = "".join(line + "\n" for line in result.lines).encode()
            f.write(data[: len(data) // 2])
            raise OSError("disk full")
        return real(f, result, *rest)

    monkeypatch.setattr(b, "_write", half)
    with pytest.raises(OSError):
        run(mini(), source, tmp_path / "out.jsonl", chunk=5, missing=False)
    text = (tmp_path / "out.jsonl.partial").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 5 and text.endswith("\n")


def test_two_workers_give_the_same_file_as_one(tmp_path: Path) -> None:
    """Workers replaced every two chunks (as they are every RECYCLE_CASES cases) change nothing either."""
    source = write_jsonl(tmp_path / "cases.jsonl", generated(mini(), 60, seed=9))
    options = b.Options(missing=False)
    run(mini(), source, tmp_path / "one.jsonl", chunk=7, missing=False)
    pool = b.PoolEngine(mini(), options, 2, chunk_size=7, recycle_cases=14)
    run(mini(), source, tmp_path / "two.jsonl", chunk=7, engine=pool)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    run(mini(), source, tmp_path / "pool1.jsonl", chunk=7, engine=b.PoolEngine(mini(), options, 1, chunk_size=7))
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "pool1.jsonl").read_bytes()


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed", reason="the cluster engine needs `pip install havre[cluster]`")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


def test_a_dask_cluster_gives_the_same_file_as_a_local_run(tmp_path: Path, dask_scheduler: str) -> None:
    docs = generated(mini(), 50, seed=10)
    source = write_jsonl(tmp_path / "cases.jsonl", [*docs[:20], {"case": "bad"}, *docs[20:]])
    options = b.Options(missing=True)
    run(mini(), source, tmp_path / "local.jsonl", chunk=6)
    run(mini(), source, tmp_path / "dask.jsonl", chunk=6, engine=b.DaskEngine(mini(), options, dask_scheduler))
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
    folder = tmp_path / "folder"
    folder.mkdir()
    for i, d in enumerate(docs[:7]):
        (folder / f"{i}.json").write_text(json.dumps(d), encoding="utf-8")
    run(mini(), folder, tmp_path / "local2.jsonl", chunk=3)
    run(mini(), folder, tmp_path / "dask2.jsonl", chunk=3, engine=b.DaskEngine(mini(), options, dask_scheduler))
    assert (tmp_path / "local2.jsonl").read_bytes() == (tmp_path / "dask2.jsonl").read_bytes()


# ---------------------------------------------------------------- the command line


def havre(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "havre", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_the_count_of_a_large_caseload_is_grouped_by_thousands(tmp_path: Path) -> None:
    cases, out = tmp_path / "cases.jsonl", tmp_path / "out.jsonl"
    assert havre("generate", "-n", "1001", "-s", "5", "-o", str(cases), "-p", str(MINI)).returncode == 0
    r = havre("batch", str(cases), "-o", str(out), "-p", str(MINI), "--workers", "1", "--no-missing")
    assert (r.returncode, r.stderr) == (0, f"1,001 cases → {out}\n")


def test_the_command_line_generates_and_decides_a_caseload(tmp_path: Path) -> None:
    cases, out = tmp_path / "cases.jsonl", tmp_path / "out.jsonl"
    r = havre("generate", "--count", "30", "--seed", "5", "-o", str(cases), "--policy", str(MINI))
    assert r.returncode == 0, r.stderr
    assert cases.read_text(encoding="utf-8") == havre("generate", "-n", "30", "-s", "5", "-p", str(MINI)).stdout
    r = havre("batch", str(cases), "-o", str(out), "--policy", str(MINI), "--workers", "2", "--chunk-size", "4")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == f"30 cases → {out}"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    docs = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines()]
    assert records == one_by_one(mini(), docs, missing=True)
    assert not (tmp_path / "out.jsonl.partial").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothere.jsonl", "-o", "out.jsonl"], "error: nothere.jsonl: no such file or folder"),
        (["cases.jsonl", "-o", "out.jsonl", "--workers", "0"], "Invalid value for '--workers'"),
        (["cases.jsonl", "-o", "out.jsonl", "--chunk-size", "x"], "Invalid value for '--chunk-size'"),
        (["cases.jsonl", "-o", "no/such/folder/out.jsonl"], "the folder no/such/folder does not exist"),
        (["cases.jsonl", "-o", "cases.jsonl"], "the output would overwrite the input"),
        (["cases.jsonl"], "Missing option '--output'"),
    ],
)
def test_command_line_errors_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    write_jsonl(tmp_path / "cases.jsonl", generated(mini(), 2))
    r = havre("batch", *args, "--policy", str(MINI), cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_generate_refuses_a_bad_rate(tmp_path: Path) -> None:
    r = havre("generate", "--count", "3", "--unknown-rate", "2", "--policy", str(MINI))
    assert r.returncode == 2 and "Traceback" not in r.stderr


# ---------------------------------------------------------------- nothing lost


RANGES = """\
source S "doc" "A doc" authority law
entity person
input n(P: person): int
verdict w(P: person): int
rule R2 "r" cites S w(P) = N + 1 if n(P) = N.
"""


def test_a_value_out_of_range_in_the_middle_is_one_error_record(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "main.havre").write_text(RANGES, encoding="utf-8")
    policy = load_policy(tmp_path / "p")
    docs = [
        {"case": f"c{i}", "assessment_date": "2026-01-01", "persons": {"a": {"n": 2147483647 if i == 11 else i}}}
        for i in range(23)
    ]
    source = write_jsonl(tmp_path / "cases.jsonl", docs)
    for engine in (None, b.PoolEngine(policy, b.Options(), 2, chunk_size=5)):
        records = run(policy, source, tmp_path / "out.jsonl", chunk=5, engine=engine)
        assert [r["index"] for r in records] == list(range(23))
        assert records[11] == {
            "index": 11,
            "case": "c11",
            "error": {
                "origin": f"{source}:12",
                "path": "",
                "message": "rule `R2` computes 2147483647 + 1 for case `c11`, "
                "beyond the whole numbers the solver holds (-2147483648 to 2147483647)",
            },
        }
        assert [r["verdicts"][0]["value"] for r in records if "verdicts" in r] == [i + 1 for i in range(23) if i != 11]


class Failing:
    """An engine whose chunks of more than one case fail, as when a worker dies deciding them."""

    window = 1

    def __init__(self, policy: Policy) -> None:
        self.inner = b.LocalEngine(policy, b.Options(missing=False))

    def submit(self, chunk: b.Chunk) -> b.Pending:
        if len(chunk) > 1 or chunk[0].index == 3:
            return b._Later(lambda: (_ for _ in ()).throw(b.BrokenProcessPool("a worker died")))
        return self.inner.submit(chunk)

    def close(self) -> None:
        pass


def test_a_chunk_that_fails_is_decided_case_by_case(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "cases.jsonl", generated(mini(), 6, seed=11))
    full = run(mini(), source, tmp_path / "full.jsonl", chunk=3, missing=False)
    records = run(mini(), source, tmp_path / "out.jsonl", chunk=3, engine=Failing(mini()))
    assert records[3] == {
        "index": 3,
        "case": None,
        "error": {
            "origin": f"{source}:4",
            "path": "",
            "message": "internal error (please report it): BrokenProcessPool: a worker died",
        },
    }
    assert [r for r in records if r["index"] != 3] == [r for r in full if r["index"] != 3]


def test_a_folder_reports_every_entry_it_cannot_read(tmp_path: Path) -> None:
    docs = generated(mini(), 2, seed=12)
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(docs[0]), encoding="utf-8")
    (folder / "b-sub").mkdir()
    (folder / "c-sub.yaml").mkdir()
    os.mkfifo(folder / "d.yaml")
    (folder / "e.yaml").symlink_to(folder / "missing.yaml")
    (folder / "f.json").write_text(json.dumps(docs[1]), encoding="utf-8")
    (folder / "notes.txt").write_text("not a case", encoding="utf-8")
    (folder / ".hidden.yaml").write_text("not a case", encoding="utf-8")
    records = run(mini(), folder, tmp_path / "out.jsonl", chunk=2, missing=False)
    errors = {Path(r["error"]["origin"]).name: r["error"]["message"] for r in records if "error" in r}
    assert errors == {
        "b-sub": "is a folder: cases in sub-folders are not read",
        "c-sub.yaml": "is a folder: cases in sub-folders are not read",
        "d.yaml": "is not a regular file (a pipe, a device or a socket)",
        "e.yaml": "no such file",
    }
    assert [r.get("case") for r in records] == [docs[0]["case"], None, None, None, None, docs[1]["case"]]


def test_the_output_in_the_input_folder_is_not_read_as_a_case(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(generated(mini(), 1)[0]), encoding="utf-8")
    r = havre("batch", str(folder), "-o", str(folder / "out.json"), "--policy", str(MINI))
    assert r.returncode == 0, r.stderr
    assert len((folder / "out.json").read_text(encoding="utf-8").splitlines()) == 1


def descendants(pid: int) -> list[Any]:
    psutil = pytest.importorskip("psutil")
    return psutil.Process(pid).children(recursive=True)  # type: ignore[no-any-return]


def test_a_killed_batch_leaves_no_process_and_resumes_to_the_same_file(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    source = write_jsonl(tmp_path / "cases.jsonl", generated(mini(), 150, seed=13))
    args = [sys.executable, "-m", "havre", "batch", str(source), "--policy", str(MINI), "--workers", "2", "-k", "2"]
    out = tmp_path / "out.jsonl"
    main = subprocess.Popen([*args, "-o", str(out)], cwd=ROOT, stderr=subprocess.DEVNULL)
    partial = tmp_path / "out.jsonl.partial"
    children: list[Any] = []
    for _ in range(600):
        children = descendants(main.pid) or children
        if partial.exists() and partial.stat().st_size > 0 and len(children) >= 3:
            break
        time.sleep(0.05)
    main.kill()  # SIGKILL: nothing of havre runs after it
    main.wait()
    assert len(children) >= 3  # the forkserver, the resource tracker, the workers
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    assert not out.exists()
    kept = len(partial.read_bytes().splitlines())
    assert 0 < kept < 150
    r = subprocess.run([*args, "-o", str(out), "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*args, "-o", str(tmp_path / "full.jsonl")], cwd=ROOT, capture_output=True, timeout=300)
    assert r.returncode == 0
    assert out.read_bytes() == (tmp_path / "full.jsonl").read_bytes()


def test_resume_refuses_records_of_another_input_or_policy(tmp_path: Path) -> None:
    docs = generated(mini(), 6, seed=14)
    source = write_jsonl(tmp_path / "cases.jsonl", docs)
    run(mini(), source, tmp_path / "full.jsonl", chunk=2)
    partial = tmp_path / "out.jsonl.partial"
    lines = (tmp_path / "full.jsonl").read_bytes().splitlines(keepends=True)
    resume = b.Resume(mini().hash, explain=False)

    def resumed(data: bytes, again: b.Resume = resume) -> str:
        partial.write_bytes(data)
        with pytest.raises(b.CaseError) as err:
            b.run_batch(b.LocalEngine(mini(), b.Options()), b.read_items(source), tmp_path / "out.jsonl", resume=again)
        return str(err.value)

    assert (
        resumed(lines[1] + lines[0]) == f"{partial}: line 1: not the record of case 0; it is not the output of this run"
    )
    swapped = write_jsonl(tmp_path / "cases.jsonl", [docs[1], docs[0], *docs[2:]])
    assert swapped and resumed(lines[0]).startswith(f"{partial}: line 1: the record of case {docs[0]['case']!r}, but")
    write_jsonl(tmp_path / "cases.jsonl", docs)
    assert resumed(lines[0], b.Resume("0" * 16, explain=False)) == (
        f"{partial}: line 1: a record made under another policy; it is not the output of this run"
    )
    extra = lines[0].replace(b'"index":0,', b'"index":6,')
    assert resumed(b"".join(lines) + extra) == (
        f"{partial}: line 7: a record of case 6, but the input has 6 cases; it is not the output of this run"
    )
    partial.write_bytes(b"".join(lines[:3]) + lines[3][:10])  # the last line cut by a SIGKILL
    b.run_batch(b.LocalEngine(mini(), b.Options()), b.read_items(source), tmp_path / "out.jsonl", 2, resume=resume)
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "full.jsonl").read_bytes()


def _as_json(record: object) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class _Text(str):
    pass


def test_a_record_is_written_as_json_writes_it() -> None:
    every_ascii = "".join(chr(i) for i in range(128))
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(300):  # past orjson's nesting limit
        inner["d"] = {}
        inner = inner["d"]
    records: list[Any] = [
        {"a": every_ascii + "é\u2028\u2029\U0001f600\ufeff", "b": [1, -2, 0, True, False, None, (1, 2)], "c": {}},
        {"lone": "\ud800"},
        {1: "a key that is not a string"},
        {"big": 2**70},
        {"subclass": _Text("x")},
        deep,
    ]
    for record in records:
        assert b._line(record) == _as_json(record)
    for refused in ({"day": dt.date(2026, 12, 6)}, {"set": {1}}):
        with pytest.raises(TypeError):
            b._line(refused)


def test_an_explained_record_is_written_as_json_writes_it() -> None:
    [doc] = generated(shipped(), 1, seed=4)
    case = shipped().case(doc)
    [(view, decision)] = shipped().explainer.explain_many([case], lang="fr", missing=False)
    record = b.decision_record(0, decision, view, shipped(), case, "fr")
    line = b._line(record)
    assert line == _as_json(record)
    assert len(line) > 100_000 and "\n" not in line and json.loads(line)["explanation"]["lang"] == "fr"
