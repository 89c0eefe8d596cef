"""Deciding a caseload: a stream of case documents in, one JSON record per case out, in input order.

The input is read lazily and cut into chunks of `chunk_size` cases; the cases
of a chunk that parse are decided in one call (`solver.solve.decide.decide_many`, which
grounds them together in groups sized by what they leave unknown), the others become
error records. Chunks run in this process, in a pool of local
processes, or on a Dask cluster; their results are written in input order.

The output is first written to `OUT.partial`, one whole chunk at a time (one
`write` of whole lines, then a flush); when the run ends it is renamed to
`OUT`. If the run is interrupted (Ctrl-C, SIGTERM, an error) the partial file
is cut back to the last complete chunk, so it holds only whole records: the
first N cases of the input, in order. (Only a SIGKILL or a power cut in the
middle of a chunk's write can leave a last line without its newline.)
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import count, islice
from pathlib import Path
from typing import Any, Protocol

import orjson

from explain.collector import fewer_collections
from explain.view.case_view import chosen_verdicts
from explain.wording.questions import questions_of
from havre.api import Policy
from havre.output import decision_json
from solver.cases.case import Case, CaseError
from solver.cases.casefile import MAX_BYTES, parse_case, parse_document, read_document
from solver.solve.answer import Decision
from solver.solve.decide import decide_many
from solver.solve.run import InternalError

CASE_FILES = (".yaml", ".yml", ".json")
DEFAULT_CHUNK = 25  # see benchmarks/README.md: solving a chunk grows faster than its size
RECYCLE_CASES = 1000  # a worker process is replaced after deciding about this many cases (see PoolEngine)


@dataclass(frozen=True, slots=True)
class Options:
    missing: bool = True  # the smallest sets of missing facts for undetermined verdicts
    explain: bool = False
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class Item:
    """One input case, not yet parsed: a JSON line, a case file, or a document read already."""

    index: int  # its position in the input, from 0
    origin: str  # `cases.jsonl:12` or `cases/amina.yaml`
    text: str | None = None
    path: str | None = None
    document: object = None
    error: tuple[str, str] | None = None  # (path, message) when reading it failed


Chunk = tuple[Item, ...]


class BatchError(Exception):
    """A batch cannot run as asked (a missing optional package, explanations not available)."""


# ---------------------------------------------------------------- reading the input


def check_source(source: Path) -> None:
    if not source.exists():
        raise CaseError(str(source), "", "no such file or folder")
    if not (source.is_dir() or source.is_file()):
        raise CaseError(str(source), "", "not a file or a folder")


def read_items(source: Path, skip: Iterable[Path] = ()) -> Iterator[Item]:
    """The cases of a JSON Lines file (blank lines skipped) or of a folder of case files (sorted by name).

    In a folder, every entry named .yaml, .yml or .json is a case, and every sub-folder is an error record
    (cases in sub-folders are not read); other files, hidden entries and `skip` (the output) are left out."""
    check_source(source)
    if source.is_dir():
        for index, (path, problem) in enumerate(folder_entries(source, skip)):
            yield Item(index, str(path), path=str(path), error=None if problem is None else ("", problem))
    else:
        yield from _lines(source)


def folder_entries(folder: Path, skip: Iterable[Path] = ()) -> list[tuple[Path, str | None]]:
    """The folder's cases in name order, each with what makes it unreadable (None: a file to read)."""
    left_out = {os.path.abspath(p) for p in skip}
    out: list[tuple[Path, str | None]] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or os.path.abspath(path) in left_out:
            continue
        try:
            is_dir = path.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            out.append((path, "is a folder: cases in sub-folders are not read"))
        elif path.suffix.lower() in CASE_FILES:
            out.append((path, None))  # reading it says what is wrong: a broken link, a pipe, no permission
    return out


def case_files(folder: Path) -> list[Path]:
    return [path for path, problem in folder_entries(folder) if problem is None]


def count_items(source: Path) -> int | None:
    """How many cases the input holds (for a progress bar); reads the file once, in blocks."""
    if source.is_dir():
        return len(folder_entries(source))
    with open(source, "rb") as f:
        return sum(1 for line in f if not line.isspace())


def _lines(source: Path) -> Iterator[Item]:
    index = 0
    with open(source, "rb") as f:
        for number in count(1):
            raw = f.readline(MAX_BYTES + 1)
            if not raw:
                return
            origin = f"{source}:{number}"
            if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
                while (rest := f.readline(MAX_BYTES)) and not rest.endswith(b"\n"):
                    pass
                yield Item(index, origin, error=("", f"the line is longer than {MAX_BYTES // (1 << 20)} MiB"))
            else:
                try:
                    text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError as e:
                    yield Item(index, origin, error=("", f"the line is not UTF-8 text (bad byte at offset {e.start})"))
                else:
                    if not text.strip():
                        continue
                    yield Item(index, origin, text=text)
            index += 1


def chunked(items: Iterable[Item], size: int) -> Iterator[Chunk]:
    it = iter(items)
    while chunk := tuple(islice(it, size)):
        yield chunk


# ---------------------------------------------------------------- deciding a chunk


@dataclass(frozen=True, slots=True)
class ChunkResult:
    lines: list[str]  # the records as JSON, one line each (no newline), in the chunk's order
    errors: int  # how many are error records


@fewer_collections()
def decide_chunk(policy: Policy, chunk: Sequence[Item], options: Options) -> ChunkResult:
    """Parse every case of the chunk, then decide those that parsed in one call, which grounds them in groups sized
    by what they leave unknown (solver.solve.decide.chunked)."""
    records: dict[int, dict[str, Any]] = {}
    parsed: list[tuple[Item, Case]] = []
    for item in chunk:
        document = None
        try:
            document = _document(item)
            parsed.append((item, parse_case(document, policy.checked, item.origin)))
        except CaseError as err:
            records[item.index] = error_record(item, _case_id(document), err.path, err.message)
        except Exception as err:  # a fault of ours: the case says so, the others go on
            records[item.index] = error_record(item, _case_id(document), "", _fault(err))
    cases = [case for _, case in parsed]
    for (item, case), outcome in zip(parsed, _decide(policy, cases, options), strict=True):
        if isinstance(outcome, tuple) and isinstance(outcome[0], str):
            records[item.index] = error_record(item, case.id, *outcome)  # type: ignore[arg-type]
        else:
            records[item.index] = decision_record(item.index, *outcome, policy, case, options.lang)
    lines = [_line(records[item.index]) for item in chunk]
    return ChunkResult(lines, sum("error" in records[item.index] for item in chunk))


def _document(item: Item) -> object:
    if item.error is not None:
        raise CaseError(item.origin, *item.error)
    if item.text is not None:
        return parse_document(item.text, "json", item.origin)
    if item.path is not None:
        return read_document(item.path)
    return item.document


def _case_id(document: object) -> str | None:
    case = document.get("case") if isinstance(document, dict) else None
    return case if isinstance(case, str) else None


Outcome = tuple[Decision, object | None] | tuple[str, str]  # a decision and its explanation, or (path, message)


def _decide(policy: Policy, cases: list[Case], options: Options) -> list[Outcome]:
    """Decisions (and explanations) for the cases solved together; if that fails, case by case, so that
    only the cases that fail alone become error records."""
    if not cases:
        return []
    try:
        return list(_solve(policy, cases, options))
    except Exception:  # each case is tried alone below, and its error recorded
        pass
    out: list[Outcome] = []
    for case in cases:
        try:
            out.append(_solve(policy, [case], options)[0])
        except CaseError as err:
            out.append((err.path, err.message))
        except Exception as err:
            out.append(("", _fault(err)))
    return out


def _fault(err: BaseException) -> str:
    """An error that is not the user's, as an error record says it."""
    if isinstance(err, InternalError):
        return f"internal error (please report it): {err}"
    return f"internal error (please report it): {type(err).__name__}: {err}"


def _solve(policy: Policy, cases: list[Case], options: Options) -> list[tuple[Decision, object | None]]:
    if options.explain:
        return [(d, view) for view, d in policy.explain_many(cases, lang=options.lang, missing=options.missing)]
    return [(d, None) for d in decide_many(policy.program, policy.checked, cases, missing=options.missing)]


def decision_record(
    index: int, decision: Decision, explanation: object | None, policy: Policy, case: Case, lang: str
) -> dict[str, Any]:
    """The record of a decided case: the verdicts that apply, questions in the case's language; the explanation is
    what `havre explain --format json` prints for it."""
    shown = chosen_verdicts(policy.checked, decision)
    record = {"index": index, **decision_json(decision, shown, questions_of(policy.checked, case, lang, shown))}
    if explanation is not None:
        record["explanation"] = explanation
    return record


def error_record(item: Item, case_id: str | None, path: str, message: str) -> dict[str, Any]:
    """`origin` names the line (`cases.jsonl:12`) or the file the case came from."""
    return {"index": item.index, "case": case_id, "error": {"origin": item.origin, "path": path, "message": message}}


# ---------------------------------------------------------------- engines


class Pending(Protocol):
    def result(self) -> ChunkResult: ...


class Engine(Protocol):
    window: int  # chunks in flight at most

    def submit(self, chunk: Chunk) -> Pending: ...

    def close(self) -> None: ...


@dataclass
class _Later:
    run: Callable[[], ChunkResult]

    def result(self) -> ChunkResult:
        return self.run()


class LocalEngine:
    """Chunks decided in this process, one at a time (its memory grows with the caseload: see PoolEngine)."""

    window = 1

    def __init__(self, policy: Policy, options: Options) -> None:
        self.policy, self.options = policy, options

    def submit(self, chunk: Chunk) -> Pending:
        return _Later(lambda: decide_chunk(self.policy, chunk, self.options))

    def close(self) -> None:
        pass


_worker: tuple[Policy, Options] | None = None
WATCH_SECONDS = 0.5  # how often a worker looks for the process that started the batch


def _init_worker(policy: Policy, options: Options, main: int | None = None) -> None:
    import signal

    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    _worker = (policy, options)
    if main is not None:
        watch_parent(main)


def watch_parent(main: int) -> None:
    """End this process when `main` is gone, however it ended (SIGKILL too): a thread polls for it.

    Workers are children of the forkserver, not of `main`, so PR_SET_PDEATHSIG would not see it die."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            try:
                os.kill(main, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the number now belongs to another user's process: ours is gone
                os._exit(1)

    threading.Thread(target=watch, name="havre-watch-parent", daemon=True).start()


def _worker_chunk(chunk: Chunk) -> ChunkResult:
    assert _worker is not None
    return decide_chunk(_worker[0], chunk, _worker[1])


class PoolEngine:
    """Chunks decided by `workers` local processes; each receives the policy once.

    clingo keeps every symbol it has made for the life of the process (about 40 KB more per case decided,
    for the shipped policy), so each worker is replaced after `recycle_cases` cases: memory stays bounded
    whatever the size of the caseload."""

    def __init__(
        self,
        policy: Policy,
        options: Options,
        workers: int,
        chunk_size: int = DEFAULT_CHUNK,
        recycle_cases: int = RECYCLE_CASES,
    ) -> None:
        self.window = 2 * workers
        self.args = (policy, options, workers, max(1, recycle_cases // chunk_size))
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        policy, options, workers, tasks = self.args
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["havre.caseload.batch"])  # new workers start without importing again
        return ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(policy, options, os.getpid()),
            max_tasks_per_child=tasks,
        )

    def submit(self, chunk: Chunk) -> Pending:
        try:
            return self.pool.submit(_worker_chunk, chunk)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool for what follows
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            return self.pool.submit(_worker_chunk, chunk)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Chunks decided on a Dask cluster (`pip install 'havre[cluster]'`); the policy is sent to each worker once.

    Workers need not see the input: case files are read here and sent as documents."""

    def __init__(self, policy: Policy, options: Options, scheduler: str | Any) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise BatchError("--scheduler needs the `distributed` package: pip install 'havre[cluster]'") from None
        self.client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        self.own = self.client is not scheduler
        self.options = options
        self.policy = self.client.scatter(policy, broadcast=True)
        self.window = 2 * max(1, sum(self.client.nthreads().values()))

    def submit(self, chunk: Chunk) -> Pending:
        chunk = tuple(_readable_anywhere(item) for item in chunk)
        return self.client.submit(decide_chunk, self.policy, chunk, self.options, pure=False)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.own:
            self.client.close()


def _readable_anywhere(item: Item) -> Item:
    if item.path is None:
        return item
    try:
        return Item(item.index, item.origin, document=read_document(item.path))
    except CaseError as err:
        return Item(item.index, item.origin, error=(err.path, err.message))


# ---------------------------------------------------------------- the run


@dataclass
class Summary:
    cases: int = 0
    errors: int = 0


def run_batch(
    engine: Engine,
    items: Iterable[Item],
    out: Path,
    chunk_size: int = DEFAULT_CHUNK,
    on_chunk: Callable[[int], None] | None = None,
    *,
    resume: Resume | None = None,
) -> Summary:
    """Decide every item, writing `out` (through `out.partial`) in input order.

    With `resume`, the records already in `out.partial` are checked against the input (same cases in the
    same order, same policy) and kept; deciding goes on from the first case without a record."""
    partial = out.with_name(out.name + ".partial")
    summary = Summary()
    in_flight: deque[tuple[Chunk, Pending]] = deque()
    rest = iter(items)
    try:
        f, written = _resumed(partial, rest, resume, summary) if resume else (open(partial, "wb", buffering=0), 0)  # noqa: SIM115
    except BaseException:
        engine.close()
        raise
    with f:
        try:
            for chunk in chunked(rest, chunk_size):
                in_flight.append((chunk, engine.submit(chunk)))
                while len(in_flight) >= engine.window:
                    written += _write(f, _result(engine, *in_flight.popleft()), summary, on_chunk)
            while in_flight:
                written += _write(f, _result(engine, *in_flight.popleft()), summary, on_chunk)
            os.fsync(f.fileno())
        except BaseException:
            f.truncate(written)  # only whole chunks, hence whole lines, stay
            raise
        finally:
            engine.close()
    os.replace(partial, out)
    return summary


def _result(engine: Engine, chunk: Chunk, pending: Pending) -> ChunkResult:
    """A chunk's records; if deciding the chunk failed (a worker died), its cases one by one."""
    try:
        return pending.result()
    except Exception:  # each case is tried alone below, and its error recorded
        pass
    lines, errors = [], 0
    for item in chunk:
        try:
            one = engine.submit((item,)).result()
        except Exception as err:
            one = ChunkResult([_line(error_record(item, None, "", _fault(err)))], 1)
        lines += one.lines
        errors += one.errors
    return ChunkResult(lines, errors)


# What orjson would write differently from `json` (a dataclass, a date, a subclass of a plain type) it refuses
# instead, and `json` writes it as before.
_AS_JSON_WRITES = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def _line(record: dict[str, Any]) -> str:
    """A record as one line, byte for byte as `json.dumps(record, ensure_ascii=False, separators=(",", ":"))`
    writes its strings, integers, booleans, nulls, lists and dicts (a record holds no floats, which the two write
    differently). An explained record is about half a megabyte, which orjson writes in a sixth of the time; what
    it refuses (a key that is not a string, a lone surrogate, an integer past 64 bits, nesting past 254 levels)
    `json` writes."""
    try:
        return orjson.dumps(record, option=_AS_JSON_WRITES).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        # A record is a tree of plain values made here: no container to look for twice.
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"), check_circular=False)


@dataclass(frozen=True, slots=True)
class Resume:
    """What the records kept from an interrupted run must agree with."""

    policy_hash: str
    explain: bool


def _resumed(partial: Path, items: Iterator[Item], resume: Resume, summary: Summary) -> tuple[Any, int]:
    """The partial output, checked record by record against the input and cut to whole lines, open to go on."""
    try:
        f = open(partial, "r+b", buffering=0)  # noqa: SIM115 (closed by run_batch)
    except FileNotFoundError:
        return open(partial, "wb", buffering=0), 0
    try:
        data = f.read()
        kept = data[: data.rfind(b"\n") + 1]  # a last line without its newline was cut by the interruption
        for number, raw in enumerate(kept.splitlines(), 1):
            problem = _mismatch(raw, number - 1, next(items, None), resume)
            if problem is not None:
                raise CaseError(str(partial), f"line {number}", f"{problem}; it is not the output of this run")
            summary.cases += 1
            summary.errors += b'"error":{' in raw
        f.truncate(len(kept))
        f.seek(len(kept))
    except BaseException:
        f.close()
        raise
    return f, len(kept)


def _mismatch(raw: bytes, index: int, item: Item | None, resume: Resume) -> str | None:
    """What makes a kept record not the record of this input's case at `index` (None: nothing)."""
    try:
        record = json.loads(raw)
    except ValueError:
        return "not a record"
    if not isinstance(record, dict) or record.get("index") != index:
        return f"not the record of case {index}"
    if item is None:
        return f"a record of case {index}, but the input has {index} cases"
    if isinstance(record.get("error"), dict):
        origin = record["error"].get("origin")
        return None if origin == item.origin else f"the record of {origin}, but case {index} is {item.origin}"
    try:
        expected = _case_id(_document(item))
    except CaseError:
        expected = None
    if record.get("case") != expected:
        return f"the record of case {record.get('case')!r}, but case {index} of the input is {expected!r}"
    if record.get("policy") != {"hash": resume.policy_hash}:
        return "a record made under another policy"
    if ("explanation" in record) != resume.explain:
        return "a record made with other options (--explain)"
    return None


def _write(f: Any, result: ChunkResult, summary: Summary, on_chunk: Callable[[int], None] | None) -> int:
    """One chunk's lines in one write (repeated only if the system writes part of it)."""
    data = "".join(line + "\n" for line in result.lines).encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[f.write(view) :]
    summary.cases += len(result.lines)
    summary.errors += result.errors
    if on_chunk is not None:
        on_chunk(len(result.lines))
    return len(data)
