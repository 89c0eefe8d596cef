"""A step or a failure worded for one verdict serves the next verdict that shows it, and reads as worded anew."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

import pytest

from explain.derivation.graph import Graph
from explain.view import views
from explain.view.case_view import explanation_view
from havre.api import Policy, load_policy
from havre.caseload.generate import Generator
from solver.cases.case import Case
from tests.helpers import ROOT


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


class _Forgetful(dict):  # type: ignore[type-arg]
    """Keeps nothing: every step is worded anew."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


def test_a_step_worded_once_reads_as_worded_anew_in_every_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    p = policy()
    cases = [p.case(ROOT / f"policy/examples/{name}.yaml") for name in ("amina-selected", "leila-family-selection")]
    cases.append(p.case(Generator(p.checked, seed=0, unknown_rate=0.0).case(0)))
    kept: Counter[str] = Counter()
    once = views.Views._once

    def counted(self: views.Views, of: object, nested: bool, word: object) -> object:
        found = self._worded.get((id(of), nested))
        kept["served" if found is not None and found[2].isdisjoint(self.shown) else "worded"] += 1
        kept["worded again, already shown"] += found is not None and not found[2].isdisjoint(self.shown)
        return once(self, of, nested, word)  # type: ignore[arg-type]

    def texts(case: Case, graph: Graph) -> list[str]:
        decision = p.decide(case)
        return [
            json.dumps(explanation_view(p.checked, case, decision, graph, lang, why_not=why_not), sort_keys=True)
            for lang in ("en", "fr")
            for why_not in (False, True)
        ]

    init = views.Views.__init__

    def forgetting(self: views.Views, *args: object) -> None:
        init(self, *args)  # type: ignore[arg-type]
        self._worded = _Forgetful()

    for number, case in enumerate(cases):
        graph, _ = p.explainer.graph(case)
        with monkeypatch.context() as m:
            m.setattr(views.Views, "_once", counted)
            kept_once = texts(case, graph)
        with monkeypatch.context() as m:
            m.setattr(views.Views, "__init__", forgetting)
            anew = texts(case, graph)
        assert kept_once == anew, number
    # Each way is taken: served, and worded again because something it shows was shown before in that verdict.
    assert kept["served"] > 0 and kept["worded again, already shown"] > 0
