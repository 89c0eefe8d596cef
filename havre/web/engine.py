"""One thread does all the solving: clingo controls are not shared between threads, and requests that arrive
together are decided in one grounding (a batch of 25 costs about a third per case of 25 single decisions)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from explain.case_view import explanation_view
from explain.views import View
from solver.answer import Decision
from solver.case import Case

if TYPE_CHECKING:
    from havre.api import Policy

T = TypeVar("T")


@dataclass(frozen=True)
class Ask:
    """A decision as `havre decide` shows it (Policy.decision_view), for one case."""

    case: Case
    lang: str = "en"
    names: Sequence[str] = ()
    subjects: Sequence[tuple[str, ...]] = ()
    show_all: bool = False


@dataclass
class _Job:
    future: Future[Any]
    ask: Ask | None = None
    work: Callable[[], Any] | None = None


@dataclass
class Engine:
    policy: Policy
    batch: int = 25
    _queue: queue.Queue[_Job | None] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="havre-engine", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def decide(self, ask: Ask) -> Future[tuple[View, Decision]]:
        future: Future[tuple[View, Decision]] = Future()
        self._queue.put(_Job(future, ask=ask))
        return future

    def run(self, work: Callable[[], T]) -> Future[T]:
        """Any other solving (an explanation with why-not, a what-if), in turn with the rest."""
        future: Future[T] = Future()
        self._queue.put(_Job(future, work=work))
        return future

    def _serve(self) -> None:
        while (first := self._queue.get()) is not None:
            jobs = [first]
            while len(jobs) < self.batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._queue.put(None)  # stop once these are done
                    break
                jobs.append(job)
            self._decide([j for j in jobs if j.ask is not None])
            for job in jobs:
                if job.work is not None:
                    _settle(job.future, job.work)

    def _decide(self, jobs: list[_Job]) -> None:
        if not jobs:
            return
        try:
            found = self.policy.explainer.graphs([j.ask.case for j in jobs if j.ask])
        except Exception:  # one case's fault must not fail the others: decide each alone
            if len(jobs) > 1:
                for job in jobs:
                    self._decide([job])
                return
            found = None
        for job, result in zip(jobs, found or [None] * len(jobs), strict=True):
            assert job.ask is not None
            ask = job.ask
            if result is None:
                _settle(job.future, lambda a=ask: self.policy.decision_view(a.case, lang=a.lang))  # raises again
                continue
            graph, decision = result
            _settle(
                job.future,
                lambda a=ask, g=graph, d=decision: (
                    explanation_view(
                        self.policy.checked, a.case, d, g, a.lang, a.names, subjects=a.subjects, show_all=a.show_all
                    ),
                    d,
                ),
            )


def _settle(future: Future[Any], work: Callable[[], Any]) -> None:
    try:
        future.set_result(work())
    except BaseException as err:  # handed to the request that asked
        future.set_exception(err)
