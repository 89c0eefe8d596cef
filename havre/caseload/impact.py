"""The impact of a policy change on a caseload: each case decided under two versions, the main verdicts compared.

Both versions are cut down to their main verdicts (`summary`) and decide without the missing-facts search.
A chunk of cases is decided under both versions in the same worker (a local process or a Dask worker, with the
engines of `havre.caseload.batch`), which sends back only what changed: for each changed main verdict, its outcome and
the rules that concluded it on each side. `havre.caseload.impact_report` groups the changes and renders the report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from havre.api import Policy, only_facts_of
from havre.caseload import batch as b
from solver.cases.case import Case, CaseError
from solver.cases.casefile import parse_case
from solver.compile.names import show_value
from solver.solve.answer import Decision, Verdict

SIDES = ("base", "current")
OPTIONS = b.Options(missing=False)  # no search for missing facts: the outcome alone is compared


@dataclass(frozen=True)
class Versions:
    """The two versions, each cut down to the main verdicts (`summary`) of either, or to every verdict when
    neither declares any."""

    base: Policy
    current: Policy
    verdicts: tuple[str, ...]  # the main verdicts compared

    @classmethod
    def of(cls, base: Policy, current: Policy) -> Versions:
        names = tuple(dict.fromkeys((*current.checked.summary, *base.checked.summary)))
        if not names:  # a policy that declares no main verdicts: every verdict is compared
            names = tuple(dict.fromkeys(p.name for v in (current, base) for p in v.checked.verdicts()))
        return cls(_cut(base, names), _cut(current, names), names)


def _cut(policy: Policy, names: Sequence[str]) -> Policy:
    own = [name for name in names if name in policy.checked.predicates]
    return policy.narrowed(own) if own else policy


@dataclass(frozen=True, slots=True)
class Change:
    """One main verdict of one subject concluded differently."""

    verdict: str
    subject: tuple[str, ...]
    before: str  # outcome: a value, holds, fails, undetermined, conflict, not applicable
    after: str
    rules_before: tuple[str, ...]
    rules_after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseDiff:
    """What one case gives under both versions: its changes, or why it could not be read or decided."""

    index: int
    origin: str
    case: str | None
    changes: tuple[Change, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()  # (side, message) for each side that could not read or decide it


def outcome(v: Verdict) -> str:
    """A verdict's outcome in a word: its value when it holds with one, else its status."""
    if v.status == "holds" and v.value is not None and not isinstance(v.value, bool):
        return str(show_value(v.value))
    return "not applicable" if v.status == "not_applicable" else v.status


def changes(names: Sequence[str], before: Decision, after: Decision) -> tuple[Change, ...]:
    """The main verdicts whose outcome differs; a verdict listed on one side only is read on the other with
    `Decision.get` (it fails, or does not apply)."""
    chosen = set(names)
    keys = dict.fromkeys(v.key for d in (before, after) for v in d.verdicts if v.verdict in chosen)
    out = []
    for name, subject in keys:
        old, new = before.get(name, *subject), after.get(name, *subject)
        if outcome(old) != outcome(new):
            out.append(Change(name, subject, outcome(old), outcome(new), old.rules, new.rules))
    return tuple(out)


# ---------------------------------------------------------------- deciding a chunk under both versions


def compare_chunk(versions: Versions, chunk: Sequence[b.Item], options: b.Options = OPTIONS) -> list[CaseDiff]:
    """Each case of the chunk decided under both versions, each version's cases in one call (grounded in groups
    sized by what they leave unknown: solver.solve.decide.chunked)."""
    documents: dict[int, object] = {}
    errors: dict[int, list[tuple[str, str]]] = {item.index: [] for item in chunk}
    for item in chunk:
        try:
            documents[item.index] = b._document(item)
        except CaseError as err:
            for side in SIDES:
                errors[item.index].append((side, _message(err.path, err.message)))
    decided = {side: _decide_side(getattr(versions, side), chunk, documents, options) for side in SIDES}
    out = []
    for item in chunk:
        sides = [decided[side].get(item.index) for side in SIDES]
        for side, got in zip(SIDES, sides, strict=True):
            if isinstance(got, str):
                errors[item.index].append((side, got))
        case_id = b._case_id(documents.get(item.index))
        if isinstance(sides[0], Decision) and isinstance(sides[1], Decision):
            out.append(CaseDiff(item.index, item.origin, case_id, changes(versions.verdicts, *sides)))
        else:
            out.append(CaseDiff(item.index, item.origin, case_id, errors=tuple(errors[item.index])))
    return out


def _decide_side(
    policy: Policy, chunk: Sequence[b.Item], documents: dict[int, object], options: b.Options
) -> dict[int, Decision | str]:
    """Each readable case's decision under one version, or the message saying why it could not be read or decided."""
    out: dict[int, Decision | str] = {}
    parsed: list[tuple[int, Case]] = []
    for item in chunk:
        if item.index not in documents:
            continue
        try:
            parsed.append((item.index, _parse(policy, documents[item.index], item.origin)))
        except CaseError as err:
            out[item.index] = _message(err.path, err.message)
        except Exception as err:  # a fault of ours: the case says so, the others go on
            out[item.index] = b._fault(err)
    outcomes = b._decide(policy, [case for _, case in parsed], options)
    for (index, _), got in zip(parsed, outcomes, strict=True):
        out[index] = _message(*got) if isinstance(got[0], str) else got[0]  # type: ignore[arg-type]
    return out


def _parse(policy: Policy, document: object, origin: str) -> Case:
    """The case as the whole version reads it, keeping the facts its cut-down program reads."""
    case = parse_case(document, policy.whole or policy.checked, origin)
    return case if policy.whole is None else only_facts_of(policy.checked, case)


def _message(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message


# ---------------------------------------------------------------- engines: those of havre.caseload.batch, another task


class LocalCompare:
    """Chunks compared in this process, one at a time."""

    window = 1

    def __init__(self, versions: Versions) -> None:
        self.versions = versions

    def submit(self, chunk: b.Chunk) -> Any:
        return _Now(compare_chunk(self.versions, chunk))

    def close(self) -> None:
        pass


@dataclass
class _Now:
    value: list[CaseDiff]

    def result(self) -> list[CaseDiff]:
        return self.value


def _worker_compare(chunk: b.Chunk) -> list[CaseDiff]:
    assert b._worker is not None
    versions, options = b._worker
    return compare_chunk(versions, chunk, options)  # type: ignore[arg-type]


class PoolCompare(b.PoolEngine):
    """Chunks compared by local processes, each receiving both versions once (see `havre.caseload.batch.PoolEngine`)."""

    def __init__(self, versions: Versions, workers: int, chunk_size: int = b.DEFAULT_CHUNK) -> None:
        super().__init__(versions, OPTIONS, workers, chunk_size)  # type: ignore[arg-type]

    def submit(self, chunk: b.Chunk) -> Any:
        try:
            return self.pool.submit(_worker_compare, chunk)
        except BrokenProcessPool:  # a worker died: a new pool for what follows
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            return self.pool.submit(_worker_compare, chunk)


class DaskCompare(b.DaskEngine):
    """Chunks compared on a Dask cluster; both versions are sent to each worker once."""

    def __init__(self, versions: Versions, scheduler: str | Any) -> None:
        super().__init__(versions, OPTIONS, scheduler)  # type: ignore[arg-type]

    def submit(self, chunk: b.Chunk) -> Any:
        chunk = tuple(b._readable_anywhere(item) for item in chunk)
        return self.client.submit(compare_chunk, self.policy, chunk, self.options, pure=False)


def compare(engine: Any, items: Iterable[b.Item], chunk_size: int = b.DEFAULT_CHUNK) -> Iterator[CaseDiff]:
    """Every item compared, in input order; a chunk that fails (a worker died) is compared again case by case."""
    in_flight: deque[tuple[b.Chunk, Any]] = deque()
    try:
        for chunk in b.chunked(items, chunk_size):
            in_flight.append((chunk, engine.submit(chunk)))
            while len(in_flight) >= engine.window:
                yield from _result(engine, *in_flight.popleft())
        while in_flight:
            yield from _result(engine, *in_flight.popleft())
    finally:
        engine.close()


def _result(engine: Any, chunk: b.Chunk, pending: Any) -> list[CaseDiff]:
    try:
        return list(pending.result())
    except Exception:  # each case is tried alone below
        pass
    out: list[CaseDiff] = []
    for item in chunk:
        try:
            out += engine.submit((item,)).result()
        except Exception as err:
            fault = b._fault(err)
            out.append(CaseDiff(item.index, item.origin, None, errors=(("base", fault), ("current", fault))))
    return out
