"""Deciding a caseload: a stream of case documents in, one JSON record per case out, in input order.

The input is read lazily and cut into chunks of `chunk_size` cases; the cases
of a chunk that parse are grounded together (`solver.decide.decide_many`), the
others become error records. Chunks run in this process, in a pool of local
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
from dataclasses import dataclass
from itertools import count, islice
from pathlib import Path
from typing import Any, Protocol

from explain.case_view import chosen_verdicts
from explain.questions import questions_of
from havre.api import Policy
from havre.output import decision_json
from solver.answer import Decision
from solver.case import Case, CaseError
from solver.casefile import MAX_BYTES, parse_case, parse_document, read_document
from solver.decide import decide_many
from solver.run import InternalError

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


def read_items(source: Path) -> Iterator[Item]:
    """The cases of a JSON Lines file (blank lines skipped) or of a folder of case files (sorted by name)."""
    check_source(source)
    if source.is_dir():
        for index, path in enumerate(case_files(source)):
            yield Item(index, str(path), path=str(path))
    else:
        yield from _lines(source)


def case_files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in CASE_FILES and p.is_file()), key=lambda p: p.name)


def count_items(source: Path) -> int | None:
    """How many cases the input holds (for a progress bar); reads the file once, in blocks."""
    if source.is_dir():
        return len(case_files(source))
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


def decide_chunk(policy: Policy, chunk: Sequence[Item], options: Options) -> ChunkResult:
    """Parse every case of the chunk, then decide those that parsed, grounded together."""
    records: dict[int, dict[str, Any]] = {}
    parsed: list[tuple[Item, Case]] = []
    for item in chunk:
        document = None
        try:
            document = _document(item)
            parsed.append((item, parse_case(document, policy.checked, item.origin)))
        except CaseError as err:
            records[item.index] = error_record(item, _case_id(document), err.path, err.message)
    cases = [case for _, case in parsed]
    for (item, case), outcome in zip(parsed, _decide(policy, cases, options), strict=True):
        if isinstance(outcome, str):
            records[item.index] = error_record(item, case.id, "", outcome)
        else:
            records[item.index] = decision_record(item.index, *outcome, policy, case, options.lang)
    lines = [json.dumps(records[item.index], ensure_ascii=False, separators=(",", ":")) for item in chunk]
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


Outcome = tuple[Decision, object | None] | str  # a decision and its explanation, or an internal error


def _decide(policy: Policy, cases: list[Case], options: Options) -> list[Outcome]:
    """Decisions (and explanations) for the cases solved together; if clingo fails on the chunk, case by case."""
    if not cases:
        return []
    try:
        return list(_solve(policy, cases, options))
    except InternalError:
        if len(cases) == 1:
            raise
    out: list[Outcome] = []
    for case in cases:
        try:
            out.append(_solve(policy, [case], options)[0])
        except InternalError as err:
            out.append(f"internal error (please report it): {err}")
    return out


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


def _init_worker(policy: Policy, options: Options) -> None:
    import signal

    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    _worker = (policy, options)


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
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["havre.batch"])  # new workers start without importing again
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(policy, options),
            max_tasks_per_child=max(1, recycle_cases // chunk_size),
        )

    def submit(self, chunk: Chunk) -> Pending:
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
) -> Summary:
    """Decide every item, writing `out` (through `out.partial`) in input order."""
    partial = out.with_name(out.name + ".partial")
    summary = Summary()
    in_flight: deque[Pending] = deque()
    with open(partial, "wb", buffering=0) as f:
        written = 0
        try:
            for chunk in chunked(items, chunk_size):
                in_flight.append(engine.submit(chunk))
                while len(in_flight) >= engine.window:
                    written += _write(f, in_flight.popleft().result(), summary, on_chunk)
            while in_flight:
                written += _write(f, in_flight.popleft().result(), summary, on_chunk)
            os.fsync(f.fileno())
        except BaseException:
            f.truncate(written)  # only whole chunks, hence whole lines, stay
            raise
        finally:
            engine.close()
    os.replace(partial, out)
    return summary


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
