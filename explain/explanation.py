"""Explaining a case: trace, derivation graph, views; one entry point for the API."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from explain.graph import Graph
from explain.views import View, explanation_view
from grammar.checked import CheckedPolicy
from solver.answer import Decision
from solver.case import Case
from solver.chain import Chain, chains
from solver.emit import AspProgram
from solver.trace import trace_many
from solver.whatif import what_if_within as what_ifs

WHAT_IF_SECONDS = 5.0  # the search for changes, for all the verdicts of one explanation


@dataclass(frozen=True, slots=True)
class Explainer:
    """What explaining adds to a compiled policy: the prefix chains for "why not"."""

    policy: CheckedPolicy
    program: AspProgram
    chain_text: str
    chains: tuple[Chain, ...]

    @staticmethod
    def of(policy: CheckedPolicy, program: AspProgram) -> Explainer:
        text, found = chains(policy)
        return Explainer(policy, program, text, found)

    def graph(self, case: Case, *, missing: bool = True) -> tuple[Graph, Decision]:
        return self.graphs([case], missing=missing)[0]

    def graphs(self, cases: Sequence[Case], *, missing: bool = True) -> list[tuple[Graph, Decision]]:
        """Derivation graphs and decisions of cases solved together (missing facts searched when asked)."""
        found = trace_many(self.program, self.chain_text, self.policy, cases, missing=missing)
        return [(Graph(self.policy, t, case, self.chains), d) for case, (t, d) in zip(cases, found, strict=True)]

    def explain_many(
        self, cases: Sequence[Case], lang: str = "en", *, missing: bool = True
    ) -> list[tuple[View, Decision]]:
        """Every verdict of each case explained, with its decision: one solve for all of them."""
        return [
            (_marked(explanation_view(self.policy, case, decision, graph, lang), list(decision.partial)), decision)
            for case, (graph, decision) in zip(cases, self.graphs(cases, missing=missing), strict=True)
        ]

    def explain(
        self,
        case: Case,
        lang: str = "en",
        verdict: str | None = None,
        *,
        why_not: bool = False,
        what_if: bool = False,
        include_judged: bool = False,
    ) -> View:
        graph, decision = self.graph(case)
        changes = {}
        partial = list(decision.partial)
        deadline = time.monotonic() + WHAT_IF_SECONDS
        for v in decision.verdicts if what_if else ():
            if verdict is not None and v.verdict != verdict:
                continue
            whole = time.monotonic() < deadline
            if whole:
                changes[v.key], whole = what_ifs(
                    self.program, self.policy, case, v.verdict, v.subject,
                    include_judged=include_judged, deadline=deadline,
                )  # fmt: skip
            if not whole and "what_if" not in partial:
                partial.append("what_if")
        view = explanation_view(self.policy, case, decision, graph, lang, verdict, why_not=why_not, what_ifs=changes)
        return _marked(view, partial)


def _marked(view: View, partial: list[str]) -> View:
    """The searches cut short by their time limit, in the view (only when there are some)."""
    if partial:
        view["partial"] = partial
    return view
