"""Missing facts as the questions a caseworker is asked, in the reviewer's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from explain.wording.phrases import Phrases
from grammar.checks.checked import CheckedPolicy
from solver.cases.case import Case
from solver.solve.answer import Key, Verdict


def fact_parts(fact: str) -> tuple[str, tuple[str, ...]]:
    """`pred(a, b)` -> (pred, (a, b)): the form missing facts are kept in (entity ids hold no comma)."""
    pred, _, rest = fact.partition("(")
    return pred, tuple(a.strip() for a in rest.rstrip(")").split(","))


def question(phrases: Phrases, fact: str) -> str:
    return phrases.question(*fact_parts(fact))


def questions_of(
    policy: CheckedPolicy, case: Case, lang: str, verdicts: Sequence[Verdict]
) -> Mapping[Key, list[list[str]]]:
    """Each verdict's smallest sets of missing facts, as questions."""
    phrases = Phrases(policy, case, lang)
    return {v.key: [[question(phrases, f) for f in s] for s in v.missing] for v in verdicts}
