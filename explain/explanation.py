"""Explaining a case: trace, derivation graph, views; one entry point for the API."""

from __future__ import annotations

from dataclasses import dataclass

from explain.graph import Graph
from explain.views import View, explanation_view
from grammar.checked import CheckedPolicy
from solver.answer import Decision
from solver.case import Case
from solver.chain import Chain, chains
from solver.emit import AspProgram
from solver.trace import trace
from solver.whatif import what_if as what_ifs


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

    def graph(self, case: Case) -> tuple[Graph, Decision]:
        found, decision = trace(self.program, self.chain_text, self.policy, case)
        return Graph(self.policy, found, case, self.chains), decision

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
        if what_if:
            for v in decision.verdicts:
                if verdict is None or v.verdict == verdict:
                    found = what_ifs(
                        self.program, self.policy, case, v.verdict, v.subject, include_judged=include_judged
                    )
                    changes[v.key] = found
        return explanation_view(self.policy, case, decision, graph, lang, verdict, why_not=why_not, what_ifs=changes)
