"""Where the solving happens. Clingo controls are not shared between threads, so one thread hands out the work,
and requests that arrive together are decided in one grounding, but for those of a shape whose own grounding
serves them better (solver.solve.shaped.best_alone). With `workers` above 1, batches of decisions
go to that many processes, each with its own copy of the policy, so that every core decides; requests waiting
while several workers are free are shared out among them. Explanations and what-ifs, asked one at a time, stay
on the thread."""

from __future__ import annotations

import math
import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

from explain.view.case_view import explanation_view
from explain.view.views import View
from havre.api import Policy, decided_view
from solver.cases.case import Case
from solver.solve.answer import Decision
from solver.solve.decide import on_one_core
from solver.solve.shaped import best_alone

T = TypeVar("T")
Outcome = tuple[View, Decision] | BaseException


@dataclass(frozen=True)
class Ask:
    """A decision as `havre decide` shows it (Policy.decision_view), for one case."""

    case: Case
    lang: str = "en"
    names: Sequence[str] = ()
    subjects: Sequence[tuple[str, ...]] = ()
    show_all: bool = False
    brief: bool = False  # each verdict's reason alone: for JSON, which shows no steps (Policy.decision_view)


def decide_batch(policy: Policy, asks: Sequence[Ask]) -> list[Outcome]:
    """Each ask's view and decision, as `havre decide` shows them: decided in one call, but for the cases of a shape
    better decided one at a time (solver.solve.shaped.best_alone); a batch that fails is decided case by case,
    so that one case's fault stays its own. Asks queue up into a batch only while every worker is busy: none of
    them then takes a second core (solver.solve.decide.on_one_core)."""
    with on_one_core() if len(asks) > 1 else nullcontext():
        alone = best_alone(policy.program, policy.checked, [a.case for a in asks])
        together = iter(_together(policy, [a for a, one in zip(asks, alone, strict=True) if not one]))
        return [_decide_alone(policy, a) if one else next(together) for a, one in zip(asks, alone, strict=True)]


def _together(policy: Policy, asks: Sequence[Ask]) -> list[Outcome]:
    if len(asks) <= 1:
        return [_decide_alone(policy, a) for a in asks]
    try:
        found = policy.explainer.graphs([a.case for a in asks])
    except Exception:
        return [_decide_alone(policy, a) for a in asks]
    outcomes: list[Outcome] = []
    for ask, (graph, decision) in zip(asks, found, strict=True):
        try:
            view = explanation_view(
                policy.checked,
                ask.case,
                decision,
                graph,
                ask.lang,
                ask.names,
                subjects=ask.subjects,
                show_all=ask.show_all,
                brief=ask.brief,
            )
            outcomes.append((decided_view(policy.checked, ask.case, decision, graph, view), decision))
        except Exception as err:
            outcomes.append(err)
    return outcomes


def _decide_alone(policy: Policy, ask: Ask) -> Outcome:
    """One case: its settled verdicts are worded while its missing facts are searched (Policy.decision_view)."""
    try:
        return policy.decision_view(
            ask.case, lang=ask.lang, verdicts=ask.names, subjects=ask.subjects, show_all=ask.show_all, brief=ask.brief
        )
    except Exception as err:
        return err


_WORKER_POLICY: list[Policy] = []  # the policy of a worker process, set once when it starts


def _start_worker(pickled: bytes) -> None:
    _WORKER_POLICY.append(pickle.loads(pickled))


def _decide_in_worker(asks: Sequence[Ask]) -> list[Outcome]:
    return decide_batch(_WORKER_POLICY[0], asks)


@dataclass
class _Job:
    future: Future[Any]
    ask: Ask | None = None
    work: Callable[[], Any] | None = None


@dataclass
class Engine:
    policy: Policy
    batch: int = 25
    workers: int = 1
    _queue: queue.Queue[_Job | None] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None
    _pool: ProcessPoolExecutor | None = None
    _slots: threading.Semaphore | None = None
    _free: int = 0  # workers without a batch: the requests waiting are shared out among them
    _counting: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        if self._thread is not None:
            return
        if self.workers > 1:  # spawned, not forked: the server has threads of its own
            context = multiprocessing.get_context("spawn")
            pickled = pickle.dumps(self.policy)
            self._pool = ProcessPoolExecutor(self.workers, context, _start_worker, (pickled,))
            self._slots = threading.Semaphore(self.workers)
            self._free = self.workers
        self._thread = threading.Thread(target=self._serve, name="havre-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=60)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

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
            if first.ask is not None:
                self._wait_for_worker()  # meanwhile the batch grows in the queue
            jobs = [first, *self._more(self._share(first.ask is not None))]
            deciding = [j for j in jobs if j.ask is not None]
            if deciding and first.ask is None:
                self._wait_for_worker()
            if deciding:
                self._decide(deciding)
            for job in jobs:
                if job.work is not None:
                    _settle(job.future, job.work)
        for _ in range(self.workers if self._slots is not None else 0):  # every batch handed out has come back
            self._wait_for_worker()

    def _wait_for_worker(self) -> None:
        if self._slots is not None:
            self._slots.acquire()
            with self._counting:
                self._free -= 1

    def _share(self, taken: bool) -> int:
        """How many more jobs a batch takes: the waiting ones, shared out among the workers free for them (one
        of them `taken` already for this batch), so that no worker idles while another has two requests."""
        most = self.batch - 1
        if self._slots is None:
            return most
        with self._counting:
            free = self._free + (1 if taken else 0)
        if free <= 1:
            return most
        return min(most, math.ceil((self._queue.qsize() + 1) / free) - 1)

    def _more(self, most: int) -> list[_Job]:
        jobs: list[_Job] = []
        while len(jobs) < most:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._queue.put(None)  # stop once these are done
                break
            jobs.append(job)
        return jobs

    def _decide(self, jobs: list[_Job]) -> None:
        asks = [j.ask for j in jobs if j.ask is not None]
        if self._pool is None:
            _deliver(jobs, decide_batch(self.policy, asks))
            return
        handed = self._pool.submit(_decide_in_worker, asks)
        handed.add_done_callback(lambda done: self._returned(jobs, done))

    def _returned(self, jobs: list[_Job], done: Future[list[Outcome]]) -> None:
        assert self._slots is not None
        with self._counting:
            self._free += 1
        self._slots.release()
        try:
            _deliver(jobs, done.result())
        except BaseException as err:  # the worker died: every ask of its batch fails with the reason
            for job in jobs:
                job.future.set_exception(err)


def _deliver(jobs: list[_Job], outcomes: list[Outcome]) -> None:
    for job, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)


def _settle(future: Future[Any], work: Callable[[], Any]) -> None:
    try:
        future.set_result(work())
    except BaseException as err:  # handed to the request that asked
        future.set_exception(err)
