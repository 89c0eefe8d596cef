"""Explaining a case: trace, derivation graph, views; one entry point for the API."""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from explain.collector import fewer_collections
from explain.derivation.graph import Graph
from explain.derivation.rules import RuleTables, rule_tables
from explain.view.case_view import Changes, chosen_verdicts, explanation_view
from explain.view.views import View
from grammar.checks.checked import CheckedPolicy
from solver.analysis.whatif import WhatIf, held
from solver.analysis.whatif import what_if_within as what_ifs
from solver.cases.case import Case
from solver.compile.chain import Chain, Chains, chain_program, chains
from solver.compile.emit import AspProgram
from solver.solve.answer import Decision, Key, Verdict
from solver.solve.trace import Pending, trace_many, trace_pending

WHAT_IF_SECONDS = 5.0  # the search for changes, for all the verdicts of one explanation
SEARCHERS = min(4, os.cpu_count() or 1)  # the verdicts' searches run side by side
KEPT_PROGRAMS = 32  # chain programs kept, one for each set of entity types met


@dataclass(frozen=True, slots=True)
class Explainer:
    """What explaining adds to a compiled policy: the prefix chains for "why not", the rules' look-ups."""

    policy: CheckedPolicy
    program: AspProgram
    chain_text: str
    chains: tuple[Chain, ...]
    tables: RuleTables
    _programs: dict[frozenset[str], str] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def of(policy: CheckedPolicy, program: AspProgram, made: Chains | None = None) -> Explainer:
        """The explainer of a policy; `made` are its chains when already built (a policy's cache entry keeps them)."""
        text, found = made if made is not None else chains(policy)
        return Explainer(policy, program, text, found, rule_tables(policy, found))

    def chain_text_for(self, cases: Iterable[Case]) -> str:
        """The chains' rules these cases can use, those whose subjects are of their entities' types (see
        solver.compile.chain.chain_program): the same traces, from less for clingo to prepare."""
        types = frozenset(e.type for case in cases for e in case.entities)
        text = self._programs.get(types)
        if text is None:
            if len(self._programs) >= KEPT_PROGRAMS:
                self._programs.pop(next(iter(self._programs)), None)  # the oldest
            text = self._programs[types] = chain_program(self.chains, types)
        return text

    def graph(self, case: Case, *, missing: bool = True) -> tuple[Graph, Decision]:
        return self.graphs([case], missing=missing)[0]

    @fewer_collections()
    def graph_pending(self, case: Case) -> tuple[Graph, Decision, Pending]:
        """The case's derivation graph and decision at once; its missing facts pending, searched meanwhile (the
        caller closes the pending search: see solver.solve.trace.Pending)."""
        trace, decision, pending = trace_pending(self.program, self.chain_text_for([case]), self.policy, case)
        return Graph(self.policy, trace, case, self.tables), decision, pending

    @fewer_collections()
    def graphs(self, cases: Sequence[Case], *, missing: bool = True) -> list[tuple[Graph, Decision]]:
        """Derivation graphs and decisions of cases solved together (missing facts searched when asked)."""
        found = trace_many(self.program, self.chain_text_for(cases), self.policy, cases, missing=missing)
        return [(Graph(self.policy, t, case, self.tables), d) for case, (t, d) in zip(cases, found, strict=True)]

    @fewer_collections()
    def explain_many(
        self, cases: Sequence[Case], lang: str = "en", *, missing: bool = True
    ) -> list[tuple[View, Decision]]:
        """Every verdict of each case explained, with its decision: one solve for all of them."""
        return [
            (_marked(explanation_view(self.policy, case, decision, graph, lang), list(decision.partial)), decision)
            for case, (graph, decision) in zip(cases, self.graphs(cases, missing=missing), strict=True)
        ]

    def changes(
        self,
        case: Case,
        verdict: str,
        subject: tuple[str, ...],
        include_judged: bool,
        include_fixed: bool,
        deadline: float | None = None,
    ) -> tuple[Changes, bool]:
        """What would change a verdict; when nothing a person can do would, whether an officer's finding would.
        The second value is False when a search stopped at the deadline."""
        options = {"include_fixed": include_fixed, "deadline": deadline}
        found, whole = what_ifs(
            self.program,
            self.policy,
            case,
            verdict,
            subject,
            include_judged=include_judged,
            **options,  # type: ignore[arg-type]
        )
        through: list[WhatIf] = []
        if whole and not found and not include_judged:
            judged = {p.name for p in self.policy.inputs() if p.kind == "judged"}
            found_with, whole = what_ifs(
                self.program,
                self.policy,
                case,
                verdict,
                subject,
                include_judged=True,
                **options,  # type: ignore[arg-type]
            )
            through = [w for w in found_with if any(c.pred in judged for c in w.changes)]
        kept = held(self.policy, case, verdict, subject, include_judged=include_judged, include_fixed=include_fixed)
        return Changes(found, through, kept), whole

    def _searched(
        self, case: Case, verdicts: Sequence[Verdict], include_judged: bool, include_fixed: bool
    ) -> tuple[dict[Key, Changes], bool]:
        """What would change each verdict, searched on the cores at hand (clingo runs outside Python's lock), all
        within WHAT_IF_SECONDS; whether every search was complete."""
        deadline = time.monotonic() + WHAT_IF_SECONDS

        def search(v: Verdict) -> tuple[Changes, bool] | None:
            if time.monotonic() >= deadline:
                return None
            return self.changes(case, v.verdict, v.subject, include_judged, include_fixed, deadline)

        workers = min(SEARCHERS, len(verdicts))
        if workers <= 1:
            found = [search(v) for v in verdicts]
        else:
            with ThreadPoolExecutor(workers) as pool:
                found = list(pool.map(search, verdicts))
        changes = {v.key: f[0] for v, f in zip(verdicts, found, strict=True) if f is not None}
        return changes, all(f is not None and f[1] for f in found)

    @fewer_collections()
    def explained(
        self,
        case: Case,
        lang: str = "en",
        names: Collection[str] = (),
        *,
        subjects: Collection[tuple[str, ...]] = (),
        why_not: bool = False,
        what_if: bool = False,
        include_judged: bool = False,
        include_fixed: bool = False,
        show_all: bool = False,
        brief: bool = False,
    ) -> tuple[View, Decision, Graph]:
        """The explanation's view, with the decision and graph it words: the settled verdicts are worded while the
        missing facts are searched. `brief`: each verdict's reason alone (explain.view.case_view)."""
        graph, settled, pending = self.graph_pending(case)
        try:
            if what_if:  # searched after the missing facts, not against them for the cores and their time limits
                settled = pending.decision()
            chosen = chosen_verdicts(self.policy, settled, names, subjects, show_all) if what_if else []
            asked = [v for v in chosen if v.status in ("holds", "fails", "undetermined")]
            changes, whole = self._searched(case, asked, include_judged, include_fixed)
            view = explanation_view(
                self.policy,
                case,
                settled,
                graph,
                lang,
                names,
                subjects=subjects,
                why_not=why_not,
                what_ifs=changes,
                show_all=show_all,
                later=pending.decision,
                brief=brief,
            )
            decision = pending.decision()
        finally:
            pending.close()
        partial = list(decision.partial)
        if not whole and "what_if" not in partial:
            partial.append("what_if")
        return _marked(view, partial), decision, graph


def _marked(view: View, partial: list[str]) -> View:
    """The searches cut short by their time limit, in the view (only when there are some)."""
    if partial:
        view["partial"] = partial
    return view
