"""The Python API: load a policy once, decide cases with it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explain.derivation.graph import Graph
from explain.explanation import Explainer
from explain.view.agenda import agenda_view, next_deadline
from explain.view.views import View, anchor
from grammar.checks.checked import CheckedPolicy
from grammar.diagnostics import did_you_mean
from grammar.text.files import entry_file
from havre.store import cache as policy_cache
from solver.cases.case import Case, CaseError
from solver.cases.casefile import load_case, parse_case
from solver.compile.chain import Chains, chains
from solver.compile.cone import narrowed_program
from solver.compile.emit import AspProgram, emit
from solver.solve.answer import Decision, Key
from solver.solve.decide import decide_many, with_missing

DEFAULT_POLICY = Path("policy")
CaseLike = Case | str | Path | Mapping[str, Any]


@dataclass(frozen=True)
class Policy:
    checked: CheckedPolicy
    program: AspProgram
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    whole: CheckedPolicy | None = None  # a narrowed policy reads case files as the whole policy does
    chains: Chains | None = field(default=None, compare=False, repr=False)  # kept with the policy's cache entry

    def narrowed(self, verdicts: Collection[str]) -> Policy:
        """The policy cut down to what decides these verdicts, or any predicates (all of it when none is named):
        a smaller program to ground, giving them as the whole policy does, with the facts that meet their deadlines."""
        if not verdicts or self.whole is not None:
            return self
        self.check_verdicts([v for v in verdicts if v not in self.checked.predicates])  # names the unknown one
        asked = {*verdicts, *self._meeting(verdicts)}
        key = "narrowed:" + ",".join(sorted(asked))
        if key not in self._cache:
            checked, program = narrowed_program(self.checked, asked)
            self._cache[key] = Policy(checked, program, whole=self.checked)
        return self._cache[key]

    def _meeting(self, verdicts: Collection[str]) -> list[str]:
        """The facts that say the verdicts' deadlines were met (`met by`): what is shown with them is kept too."""
        preds = self.checked.predicates
        deadlines = [p.deadline for v in verdicts if (p := preds.get(v)) is not None and p.deadline is not None]
        return [d.met_by for d in deadlines if d.met_by is not None]

    @property
    def hash(self) -> str:
        return self.checked.hash

    def case(self, case: CaseLike) -> Case:
        """A Case from a Case, a case file path, or an already parsed document."""
        if self.whole is not None:
            return only_facts_of(self.checked, Policy(self.whole, self.program).case(case))
        if isinstance(case, Case):
            return case
        if isinstance(case, str | Path):
            return load_case(Path(case), self.checked)
        return parse_case(case, self.checked, "<case>")

    def decide(self, case: CaseLike, *, missing: bool = True) -> Decision:
        return decide_many(self.program, self.checked, [self.case(case)], missing=missing)[0]

    @property
    def explainer(self) -> Explainer:
        if "explainer" not in self._cache:  # built on first use: deciding does not need it
            self._cache["explainer"] = Explainer.of(self.checked, self.program, self.chains)
        return self._cache["explainer"]

    def explain(
        self,
        case: CaseLike,
        *,
        lang: str = "en",
        verdicts: Sequence[str] = (),
        subjects: Sequence[tuple[str, ...]] = (),
        why_not: bool = False,
        what_if: bool = False,
        include_judged: bool = False,
        include_fixed: bool = False,
        show_all: bool = False,
    ) -> View:
        """The explanation of a case's verdicts, as a plain view to render (see explain.rendering.render).

        `verdicts` chooses verdicts by name; `subjects` asks for those subjects of them whatever their status
        (why one fails or does not apply); `show_all` also lists the verdicts that do not apply."""
        self.check_verdicts(verdicts)
        view, _, _ = self.explainer.explained(
            self.case(case),
            lang,
            verdicts,
            subjects=subjects,
            why_not=why_not,
            what_if=what_if,
            include_judged=include_judged,
            include_fixed=include_fixed,
            show_all=show_all,
        )
        return view

    def decision_view(
        self,
        case: CaseLike,
        *,
        lang: str = "en",
        verdicts: Sequence[str] = (),
        subjects: Sequence[tuple[str, ...]] = (),
        show_all: bool = False,
        brief: bool = False,
    ) -> tuple[View, Decision]:
        """What `havre decide` shows: the decision with each verdict's one-line reason; one solve gives both.
        `brief`: the reasons alone, without the steps and failures a page unfolds under each verdict."""
        self.check_verdicts(verdicts)
        the_case = self.case(case)
        view, decision, graph = self.explainer.explained(
            the_case, lang, verdicts, subjects=subjects, show_all=show_all, brief=brief
        )
        return decided_view(self.checked, the_case, decision, graph, view), decision

    def agenda(self, case: CaseLike, *, lang: str = "en") -> View:
        """Every date the case sets, past and coming, in order, with who must act on each deadline and what
        happens once it has passed (see explain.view.agenda); a plain view to render."""
        the_case = self.case(case)
        graph, decision = self.explainer.graph(the_case)
        return agenda_view(self.checked, the_case, decision, graph, lang)

    def check_verdicts(self, names: Iterable[str]) -> None:
        """Each name a verdict of the policy, or a user error with a suggestion."""
        known = [p.name for p in self.checked.verdicts()]
        for name in names:
            if name not in known:
                hint = did_you_mean(name, known)
                raise CaseError(
                    "--verdict", "", f"`{name}` is not a verdict of the policy" + (f"; {hint}" if hint else "")
                )

    def explain_many(
        self, cases: Iterable[CaseLike], *, lang: str = "en", missing: bool = True
    ) -> list[tuple[View, Decision]]:
        """Every verdict of each case explained (as `explain` does by default), with its decision; one solve."""
        return self.explainer.explain_many([self.case(c) for c in cases], lang, missing=missing)

    def with_missing(self, case: CaseLike, decision: Decision, verdicts: Collection[Key]) -> Decision:
        """The decision with the missing facts of the given undetermined verdicts searched (see `decide`)."""
        return with_missing(self.program, self.checked, self.case(case), decision, only=verdicts)

    def decide_many(self, cases: Iterable[CaseLike], *, missing: bool = True) -> list[Decision]:
        """The cases decided in chunks (solver.solve.decide.DECIDING_CHUNK), each grounded and solved in one call."""
        return decide_many(self.program, self.checked, [self.case(c) for c in cases], missing=missing)


def decided_view(policy: CheckedPolicy, case: Case, decision: Decision, graph: Graph, view: View) -> View:
    """An explanation view finished as `havre decide` shows it: with the next deadline on or after the assessment
    date (and whether it is a main answer, whose sentence is then not said again), and the missing-facts searches
    cut short by their time limit."""
    found = next_deadline(agenda_view(policy, case, decision, graph, view["lang"])["entries"])
    key = anchor((found["predicate"], tuple(found["subject"]))) if found is not None else None
    view["next_deadline"] = found
    view["next_deadline_above"] = any(s["key"] == key for s in view["summary"])
    if decision.partial:
        view["partial"] = list(decision.partial)
    return view


def only_facts_of(policy: CheckedPolicy, case: Case) -> Case:
    """The case's facts about the policy's predicates: a narrowed policy reads no other."""
    return case.about(policy.predicates)


def load_policy(path: str | Path = DEFAULT_POLICY, *, cache: bool = True, write_behind: bool = False) -> Policy:
    """Parse, check and compile a policy folder (its main.havre) or file; reuse the cached result if unchanged.

    With `write_behind`, a result made anew is cached on a thread of its own (havre.store.cache.write_behind),
    for a process that ends once it has answered and starts no other that reads the cache."""
    entry = entry_file(Path(path))
    kept = policy_cache.read(entry) if cache else None
    if kept is not None and policy_cache.fresh(kept):
        return Policy(kept.checked, kept.program, chains=kept.chains)
    from grammar.checks.check import check  # the parser (and Lark) only when the cache cannot answer
    from grammar.text.parse import parse

    parsed = parse(path, earlier=kept.checked.policy if kept is not None else None)
    checked = check(parsed)
    program = emit(checked)
    at = policy_cache.place(entry) if cache else None
    if at is None:
        return Policy(checked, program)  # an explainer builds its chains when asked
    explaining = chains(checked)  # kept in the entry: no later command builds them again
    files = tuple((str(Path(file).resolve()), policy_cache.digest(text)) for file, text in parsed.texts)
    made = policy_cache.Entry(files, checked, program, explaining)
    (policy_cache.write_behind if write_behind else policy_cache.write)(at, made)
    return Policy(checked, program, chains=explaining)
