"""What pages and the API share: parse a case, decide it (batched on the engine's thread), log the decision."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from explain.view.views import View
from havre.log.store import DecisionLog
from havre.web.cases import REQUEST
from havre.web.drafts import Draft, Drafts
from havre.web.engine import Ask, Engine
from havre.web.settings import Settings
from solver.cases.case import Case
from solver.cases.casefile import parse_case
from solver.solve.answer import Decision

T = TypeVar("T")
CHANNELS = ("api", "page", "interview")
SHOWN = 64  # views of working cases kept, so that showing a page just decided does not solve it again


@dataclass
class Decided:
    case: Case
    view: View
    decision: Decision
    record_id: int


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = settings.policy
        self.engine = Engine(settings.policy, settings.batch, settings.workers)
        self.log = settings.log or DecisionLog.open(settings.db, settings.mask)
        self.drafts = Drafts(self.log.engine)
        self._shown: OrderedDict[tuple[str, str], tuple[View, Decision]] = OrderedDict()

    async def case(self, document: object, origin: str = REQUEST) -> Case:
        """The case of a document, or CaseError naming its origin and the field."""
        return await run_in_threadpool(parse_case, document, self.policy.checked, origin)

    async def view(
        self,
        case: Case,
        lang: str = "en",
        names: Sequence[str] = (),
        subjects: Sequence[tuple[str, ...]] = (),
        show_all: bool = False,
        brief: bool = False,
    ) -> tuple[View, Decision]:
        """What `havre decide` shows, not logged (a page shown again, in another language); `brief`: each verdict's
        reason alone, for an answer in JSON."""
        ask = Ask(case, lang, tuple(names), tuple(subjects), show_all, brief)
        return await asyncio.wrap_future(self.engine.decide(ask))

    async def decide(
        self,
        document: object,
        channel: str,
        lang: str = "en",
        names: Sequence[str] = (),
        subjects: Sequence[tuple[str, ...]] = (),
        show_all: bool = False,
        origin: str = REQUEST,
    ) -> Decided:
        """Decide a case document and record the decision in the log."""
        assert channel in CHANNELS
        case = await self.case(document, origin)
        self.policy.check_verdicts(names)
        # The API answers in JSON, which shows each verdict's reason and none of the steps a page unfolds.
        view, decision = await self.view(case, lang, names, subjects, show_all, brief=channel == "api")
        record_id = await run_in_threadpool(self.log.record, self.policy.checked, decision, document, channel)
        return Decided(case, view, decision, record_id)

    async def solve(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.engine.run(work))

    async def keep(
        self,
        document: object,
        *,
        parent: str | None = None,
        step: int = 0,
        skipped: Sequence[str] = (),
        decision_id: int | None = None,
        view: tuple[View, Decision] | None = None,
        lang: str = "en",
    ) -> Draft:
        """A working copy of a case for the pages; its view, when just computed, is kept for its first showing."""
        draft = await run_in_threadpool(
            self.drafts.add, document, parent=parent, step=step, skipped=skipped, decision_id=decision_id
        )
        if view is not None:
            self._remember((draft.id, lang), view)
        return draft

    async def view_of(self, draft: Draft, case: Case, lang: str) -> tuple[View, Decision]:
        key = (draft.id, lang)
        if key in self._shown:
            self._shown.move_to_end(key)
            return self._shown[key]
        found = await self.view(case, lang)
        self._remember(key, found)
        return found

    def _remember(self, key: tuple[str, str], found: tuple[View, Decision]) -> None:
        self._shown[key] = found
        while len(self._shown) > SHOWN:
            self._shown.popitem(last=False)
