"""Explanation views of one verdict: plain data with every sentence rendered in one language.

Templates receive only these dicts, lists and strings: no AST, no solver values.
The case-level view (summary first, then the rest by subject) is built in explain.view.case_view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from explain.derivation.graph import Condition, Derivation, Failure, Graph, Input
from explain.derivation.unmet import in_doubt, outside, unmet
from explain.derivation.values import Plain, lookup
from explain.view.sources import link
from explain.wording.french import titled
from explain.wording.i18n import N_, gettext, translations
from explain.wording.phrases import Phrases, date_text, number_text
from explain.wording.questions import question
from explain.wording.sentences import Sentences
from grammar.checks.checked import CheckedPolicy
from grammar.checks.versions import is_gate
from grammar.typed import nodes as n
from solver.analysis.whatif import Change, WhatIf
from solver.cases import calendar
from solver.cases.case import Case
from solver.compile.names import show_value
from solver.solve.answer import Conflict, Key, Verdict

View = dict[str, Any]
AUTHORITY = {
    "law": N_("statute or regulation"),
    "official": N_("official guidance"),
    "operational": N_("official operational instructions"),
    "secondary": N_("non-official source"),
}
ORIGIN = {
    "stated": N_("stated in the case"),
    "finding": N_("an officer's finding"),
    "default": N_("not stated: taken as no"),
    "list": N_("not in the case's list"),
    "unknown": N_("not known"),
}
STATUS = {
    "holds": N_("holds"),
    "fails": N_("does not hold"),
    "undetermined": N_("undetermined"),
    "conflict": N_("conflict"),
    "not_applicable": N_("does not apply"),
}


def anchor(key: Key) -> str:
    """An HTML id for a verdict of a subject."""
    return "v-" + "-".join([key[0], *key[1]]).replace(".", "-")


class Views:
    def __init__(self, policy: CheckedPolicy, case: Case, graph: Graph, lang: str) -> None:
        self.policy, self.case, self.graph, self.lang = policy, case, graph, lang
        self.ph = Phrases(policy, case, lang)
        self.sentences = Sentences(policy, graph, self.ph)
        self._ = gettext(lang)
        self.ngettext = translations(lang).ngettext
        self.cited: dict[str, View] = {}
        self.shown: set[tuple[object, ...]] = set()  # the derivations shown in the verdict being worded
        # A step or failure worded for one verdict serves the next that shows the same one (the graph gives the
        # same object), unless a derivation it shows was shown there already: then it is worded anew.
        self._worded: dict[tuple[int, bool], tuple[object, View, frozenset[tuple[object, ...]]]] = {}
        self._showing: list[set[tuple[object, ...]]] = []  # the derivations each step being worded shows

    # ------------------------------------------------------------ rules and sources
    def rule(self, rule_id: str) -> View:
        rule = self.graph.rules[rule_id].rule
        title = titled(self.lang, rule.title, rule.title_fr)
        citations = [self.citation(c.id) for c in rule.cites]
        return {
            "rule": self._versioned(rule),
            "rule_id": rule_id,
            "title": title,
            "citations": citations,
            "non_official": any(c["non_official"] for c in citations),
            "place": f"{rule.span.file}:{rule.span.line}",
        }

    def _versioned(self, rule: n.Rule) -> str:
        """A rule's ID as cited, with the days it is in force when it has them."""
        window = rule.in_force
        if window is None or (window.start is None and window.end is None):
            return rule.cited_as
        start = date_text(window.start, self.lang) if window.start else None
        end = date_text(window.end, self.lang) if window.end else None
        if start and end:
            version = self._("version in force from %(start)s to %(end)s") % {"start": start, "end": end}
        elif start:
            version = self._("version in force from %(start)s") % {"start": start}
        else:
            version = self._("version in force until %(end)s") % {"end": end}
        return f"{rule.cited_as}, {version}"

    def citation(self, cid: str) -> View:
        if cid not in self.cited:
            cited = self.policy.citations[cid]
            source = cited.source
            title = titled(self.lang, cited.title, cited.title_fr)
            source_title = titled(self.lang, source.title, source.title_fr)
            self.cited[cid] = {
                "id": cid,
                "anchor": "src-" + cid.replace(".", "-"),
                "title": title,
                "source": source.id,
                "source_title": source_title,
                "document": source.document,
                "authority": source.authority,
                "authority_text": self._(AUTHORITY[source.authority]),
                "non_official": source.authority == "secondary",
                "link": link(source.document, self.lang),
            }
        return self.cited[cid]

    # ------------------------------------------------------------ conditions
    def input(self, i: Input) -> View:
        decl = self.policy.predicates[i.pred]
        if decl.is_bool and i.value is False:
            text = self.ph.not_fact(i.pred, i.args)
        else:
            text = self.ph.fact(i.pred, i.args, i.value, clause=True)  # listed under a condition, said as one
        return {
            "text": self.ph.cap(text),
            "origin": i.origin,
            "origin_text": self._(ORIGIN[i.origin]),
            "finding": decl.kind == "judged",
        }

    def sentence(self, c: n.Cond, env: dict[str, Plain], *, failing: bool = False) -> str:
        return self.sentences.sentence(c, env, failing=failing)

    def condition(self, c: Condition) -> View:
        text = self.sentence(c.literal, c.values, failing=not c.holds)
        shown = text if c.holds else self.negated(c.literal, c.values)
        return {
            "text": self.ph.cap(shown),
            "sentence": shown,
            "inputs": [self.input(i) for i in c.inputs],
            "because": [self.step(d, nested=True) for d in c.because],
            "failures": [self.failure(f) for f in c.failures],
            "unmet": [self.unmet(u) for u in c.unmet],
        }

    def negated(self, c: n.Cond, env: dict[str, Plain]) -> str:
        """A condition that does not hold: a fact's `not` template, else "it is not the case that …"."""
        if isinstance(c, n.Atom):
            return self.ph.not_fact(c.name, self.sentences.args(c.name, c.args, env))
        if isinstance(c, n.Not):
            return self.sentence(c.cond, env)
        return self.ph.negative(self.sentence(c, env, failing=True))

    def not_met(self, c: Condition, sentence: str) -> tuple[str, str | None]:
        """A condition not met, as written: "Not met: Reza Karimi speaks French". A `not X` fails because X holds,
        and is said by what holds: "Not met, because IRCC has approved in principle …" (as written, "Not met: IRCC
        has not approved in principle …" reads at a glance as the opposite of the case). The second value: that
        fact, which the lines under it do not say again; None for a condition as written."""
        if isinstance(c.literal, n.Not) and isinstance(c.literal.cond, n.Atom):  # a `not some` names its witness
            fact = self.ph.cap(self.negated(c.literal, c.values))
            return self._("Not met, because %(fact)s") % {"fact": self.ph.uncap(fact)}, fact
        return self._("Not met: %(condition)s") % {"condition": self.ph.uncap(sentence)}, None

    def unmet(self, c: Condition) -> View:
        """A condition not met (`not_met`): "Not met: Kofi Mensah would suffer serious harm ...", with where the
        fact it reads comes from (an officer's finding), and the other facts it reads."""
        text = self.sentence(c.literal, c.values, failing=True)
        atom = c.literal.cond if isinstance(c.literal, n.Not) else c.literal
        direct = [i for i in c.inputs if isinstance(atom, n.Atom) and i.pred == atom.name]
        return {
            "text": self.not_met(c, text)[0],
            "sentence": text,
            "origin_text": self._(ORIGIN[direct[0].origin]) if direct else None,
            "inputs": [self.input(i) for i in c.inputs if i not in direct],
            "unmet": [self.unmet(u) for u in c.unmet],
        }

    # ------------------------------------------------------------ steps and failures
    def step(self, d: Derivation, *, nested: bool = False) -> View:
        """A rule instance; `nested`: under the condition it makes hold, its conclusion said as a condition is."""
        return self._once(d, nested, lambda: self._step(d, nested))

    def _once(self, of: Derivation | Failure, nested: bool, word: Callable[[], View]) -> View:
        """A step's or a failure's view, worded once for every verdict that shows it alike (`_worded`)."""
        found = self._worded.get((id(of), nested))
        if found is not None and found[2].isdisjoint(self.shown):
            view, shows = found[1], found[2]
        else:
            before = frozenset(self.shown)
            self._showing.append(set())
            try:
                with self.sentences.rule(of.rule):
                    view = word()
            finally:
                shows = frozenset(self._showing.pop())
            if shows.isdisjoint(before):  # worded as it reads wherever nothing it shows was shown before
                self._worded[(id(of), nested)] = (of, view, shows)
        self.shown |= shows
        for showing in self._showing:
            showing |= shows
        return view

    def _step(self, d: Derivation, nested: bool) -> View:
        view = self.rule(d.rule)
        branch, ways = d.way
        view["way"] = self._("way %(n)d of %(total)d") % {"n": branch + 1, "total": ways} if ways > 1 else None
        key = (d.rule, d.subject, d.value, d.way)
        view["again"] = key in self.shown  # a derivation is shown once per verdict, then referred to
        self.shown.add(key)
        self._showing[-1].add(key)
        if view["again"]:
            view.update(
                conclusion=self.ph.cap(self.ph.fact(d.predicate, d.subject, d.value, clause=nested)), conditions=[]
            )
            view.update(exceptions=[], prevailed_over=[])
            return view
        view["conclusion"] = self.ph.cap(self.ph.fact(d.predicate, d.subject, d.value, clause=nested))
        window = self.graph.rules[d.rule].rule.in_force
        gates = [c for c in d.conditions if window is not None and is_gate(c.literal, window)]
        view["conditions"] = [self.condition(c) for c in d.conditions if c not in gates]
        if gates and window is not None and window.as_of is not None:  # the date that chose the version, once
            chosen = self.condition(gates[0])
            assert isinstance(gates[0].literal, n.Compare)
            day = self.sentences.term(gates[0].literal.left, gates[0].values)
            chosen["text"] = self.ph.cap(self._("%(day)s: the date this version is chosen by") % {"day": day})
            view["conditions"].insert(0, chosen)
        if d.computed is not None and isinstance(d.computed.literal, n.Compare):
            computed = self.condition(d.computed)  # the value, and how: "21 (completed years since May 2, 2005)"
            computed["text"] = self.ph.cap(self.sentences.term(d.computed.literal.left, d.computed.values))
            view["conditions"].append(computed)
        # Each follows "Exception checked:" on its line, as a condition follows "Exception applied:".
        view["exceptions"] = [self.ph.uncap(self.negated(e.literal, e.values)) for e in d.exceptions]
        view["prevailed_over"] = [self.rule(r) for r in d.prevailed_over]
        return view

    def failure(self, f: Failure) -> View:
        return self._once(f, False, lambda: self._failure(f))

    def _failure(self, f: Failure) -> View:
        view = self.rule(f.rule)
        view["reason"] = f.reason
        view["fact"] = None  # what holds where a `not` fails (`not_met`)
        if f.reason == "priority":
            view["text"] = self._("Overridden: rule %(rule)s takes priority") % {"rule": f.by}
            view["by"] = self.rule(f.by) if f.by else None
        else:
            assert f.condition is not None
            # The condition as written: "Not met: app1 is complete".
            cond = self.condition(replace(f.condition, holds=True))
            cond["sentence"] = self.sentence(f.condition.literal, f.condition.values, failing=True)
            out_of_force = self._out_of_force(f.rule, f.condition)
            if out_of_force is not None:
                view["text"] = out_of_force
            elif f.reason == "condition":
                view["text"], view["fact"] = self.not_met(f.condition, cond["sentence"])
            else:
                applied = self.ph.uncap(cond["sentence"])
                view["text"] = self._("Exception applied: %(condition)s") % {"condition": applied}
            view["inputs"] = cond["inputs"]
            view["because"] = cond["because"]  # how a derived fact it reads holds: X under `not X`, a value compared
            view["nested"] = cond["failures"]
        return view

    def _out_of_force(self, rule_id: str, failed: Condition) -> str | None:
        """A version that does not conclude because its date falls outside its days, said so: the condition
        that gates a version (grammar.checks.versions) read as written would be "the assessment date is before ..."."""
        window = self.policy.rule(rule_id).rule.in_force
        lit = failed.literal
        if window is None or not is_gate(lit, window):
            return None
        assert isinstance(lit, n.Compare)
        parts = {"day": self.sentences.term(lit.left, failed.values)}
        if window.start:
            parts["start"] = date_text(window.start, self.lang)
        if window.end:
            parts["end"] = date_text(window.end, self.lang)
        if window.start and window.end:
            return self._("Not in force on %(day)s: this version is in force from %(start)s to %(end)s") % parts
        if window.start:
            return self._("Not in force on %(day)s: this version is in force from %(start)s") % parts
        return self._("Not in force on %(day)s: this version is in force until %(end)s") % parts

    # ------------------------------------------------------------ what would change it
    def change(self, c: Change) -> View:
        decl = self.policy.predicates[c.pred]
        if decl.is_bool:
            after = self.ph.fact(c.pred, c.args) if c.after else self.ph.not_fact(c.pred, c.args)
        else:
            after = self.ph.fact(c.pred, c.args, c.after)  # type: ignore[arg-type]
        if c.before is None:
            before = self._("not known")
        elif decl.is_bool:
            before = self._("yes") if c.before else self._("no")
        else:
            before = self.ph.value(c.before, c.pred)
        return {
            "fact": f"{c.pred}({', '.join(c.args)})",
            "text": self.ph.cap(after),
            "before": before,
            "finding": decl.kind == "judged",
        }

    def changes(self, view: View, changes: Any) -> None:
        """What would change the verdict (`explain.view.case_view.Changes`), into its view."""
        view["what_if"] = [self.what_if(w) for w in changes.found] if changes else []
        view["what_if_findings"] = None
        view["held_fixed"] = []
        if changes is None:
            return
        if changes.through_findings:  # one line: nothing a person can do would change it, a finding would
            first = changes.through_findings[0]
            found = "; ".join(self.change(c)["text"] for c in first.changes)
            view["what_if_findings"] = self._("Only an officer's finding would change it: %(change)s") % {
                "change": self.ph.uncap(found)
            }
        view["held_fixed"] = [self.input(self.graph.input(f.pred, f.args, f.value))["text"] for f in changes.held]

    def what_if(self, w: WhatIf) -> View:
        decl = self.policy.predicates[w.verdict]
        value = w.value if w.status == "holds" else None
        return {
            "changes": [self.change(c) for c in w.changes],
            "status": w.status,
            "status_text": self._(STATUS[w.status]),
            "label": self.ph.cap(self.ph.fact(w.verdict, w.subject, value, blank="…"))
            if not decl.is_bool or value
            else self.ph.cap(self.ph.fact(w.verdict, w.subject)),
            "brings_in": [self.rule(r) for r in w.brings_in],
            "takes_out": [self.rule(r) for r in w.takes_out],
        }

    # ------------------------------------------------------------ verdicts
    def label(self, pred: str, subject: tuple[str, ...], value: Plain = None) -> str:
        return self.ph.cap(self.ph.fact(pred, subject, value, blank="…"))

    def verdict(self, v: Verdict, *, why_not: bool, main: bool = False, brief: bool = False) -> View:
        """A verdict's view; `brief`: its reason alone, without the steps and failures it is taken from (`why` and
        `why_not` left empty), as `havre decide` shows it."""
        self.shown = set()
        decl = self.policy.predicates[v.verdict]
        shown_value = v.value if v.status == "holds" else None
        applies = self.applies_text(v)
        view: View = {
            "verdict": v.verdict,
            "subject": list(v.subject),
            "key": anchor(v.key),
            "main": main,
            "boolean": decl.is_bool,
            "status": v.status,
            "status_text": self._(STATUS[v.status]),
            "value": show_value(v.value),
            "value_text": self.ph.value(v.value, v.verdict) if v.status == "holds" and not decl.is_bool else None,
            "label": self.label(v.verdict, v.subject, shown_value),  # type: ignore[arg-type]
            "applicable": v.applicable,
            "applies_text": applies,
            "applies_line": self.applies_only_if(applies) if applies else None,
            "rules": list(v.rules),
            "missing": [list(s) for s in v.missing],
            "questions": [[self.question(f) for f in s] for s in v.missing],
            "grounds": [],
            "why": [],
            "why_not": [],
            "what_if": [],
            "what_if_findings": None,
            "held_fixed": [],
            "conflict": self.conflict(v.conflict) if v.conflict else None,
            "rests_on": [self.rests_on(k) for k in v.rests_on],
            "outside": self.not_applicable(v) if v.status == "not_applicable" else None,
            "due": self.due(v),
        }
        derivations: tuple[Derivation, ...] = ()
        failures: list[Failure] = []
        if v.status == "holds":
            view["grounds"] = self.grounds(v)
            derivations = self.graph.derive(v.verdict, v.subject, v.value)  # type: ignore[arg-type]
            view["why"] = [] if brief else [self.step(d) for d in derivations]
        if v.status == "fails" or why_not:  # for a verdict that holds: why the other rules did not conclude
            failures = [f for f in self.graph.why_not(v.verdict, v.subject) if f.rule not in v.rules]
            view["why_not"] = [] if brief else [self.failure(f) for f in failures]
        view["reason"] = self.reason(view, derivations[:1], failures[:1])
        return view

    def question(self, fact: str) -> str:
        return question(self.ph, fact)

    def party(self, name: str) -> str:
        """Who must act on a deadline, in words ("the applicant")."""
        party = self.policy.parties.get(name)
        named = (party.text(self.lang) or party.text("en")) if party is not None else None
        return named or name

    def due(self, v: Verdict) -> View | None:
        """A deadline that holds, placed against the assessment date (its text, and whether it is past, today or
        coming), so that a time limit already passed does not read as one still open: "Deadline passed 3 days
        before the assessment date: … can no longer apply …", from the deadline's `passed` text. One the case
        says was done (`met by`) is met or missed instead (`met`)."""
        decl = self.policy.predicates[v.verdict]
        if decl.deadline is None or v.status != "holds" or v.applicable is not True:
            return None
        day = calendar.from_day(v.value) if isinstance(v.value, int) else v.value
        if not isinstance(day, dt.date):
            return None
        met = self.met(decl, v.subject, day)
        if met is not None:
            return met
        days = (day - self.case.assessment_date).days
        passed = self.ph.passed(v.verdict, v.subject, day) if days < 0 else None
        if days > 0:
            line = self.ngettext(
                "Deadline in %(num)s day, for %(party)s", "Deadline in %(num)s days, for %(party)s", days
            )
        elif days == 0:
            line = self._("Deadline on the assessment date, for %(party)s")
        elif passed:
            line = self.ngettext(
                "Deadline passed %(num)s day before the assessment date: %(passed)s",
                "Deadline passed %(num)s days before the assessment date: %(passed)s",
                -days,
            )
        else:
            line = self.ngettext(
                "Deadline passed %(num)s day before the assessment date",
                "Deadline passed %(num)s days before the assessment date",
                -days,
            )
        party = self.party(decl.deadline.party)
        said = line % {
            "num": number_text(abs(days), self.lang),
            "party": party,
            "passed": self.ph.uncap(passed) if passed else "",
        }
        return {"text": said, "when": "past" if days < 0 else "today" if days == 0 else "coming"}

    def met(self, decl: n.Predicate, subject: tuple[str, ...], day: dt.date) -> View | None:
        """A deadline whose `met by` fact the case gives: met ("Deadline met 11 days ahead: the change … was
        reported to IRCC on October 20, 2026") or missed, rather than placed against the assessment date."""
        name = decl.deadline.met_by if decl.deadline is not None else None
        if name is None or name not in self.policy.predicates:  # a part of the policy cut without it
            return None
        done = lookup(self.policy, self.graph.trace, name, subject)
        if not isinstance(done, dt.date):
            return None
        fact = self.ph.uncap(self.ph.fact(name, subject, done, clause=True))
        ahead = (day - done).days
        if ahead > 0:
            line = self.ngettext(
                "Deadline met %(num)s day ahead: %(fact)s", "Deadline met %(num)s days ahead: %(fact)s", ahead
            )
        elif ahead == 0:
            line = self._("Deadline met on its last day: %(fact)s")
        else:
            line = self.ngettext(
                "Deadline missed by %(num)s day: %(fact)s", "Deadline missed by %(num)s days: %(fact)s", -ahead
            )
        return {
            "text": line % {"num": number_text(abs(ahead), self.lang), "fact": fact},
            "when": "met" if ahead >= 0 else "missed",
        }

    def applies_only_if(self, condition: str) -> str:
        """ "Applies only if …", as one sentence ("S'applique seulement s'il …")."""
        return self.ph.finish(self._("Applies only if %(condition)s") % {"condition": self.ph.uncap(condition)})

    def applies_text(self, v: Verdict) -> str | None:
        """When whether the verdict applies is in doubt, or it does not: the condition it applies under."""
        decl = self.policy.predicates[v.verdict]
        if decl.applies is None or v.applicable is True:
            return None
        env: dict[str, Plain] = {p.var: s for p, s in zip(decl.params, v.subject, strict=True)}
        return self.sentence(in_doubt(self.graph, decl.applies, env), env)

    def grounds(self, v: Verdict) -> list[View]:
        """What an explanation of the value leads with (`grounds VALUE: COND`): every condition not met, or
        the grounds that hold."""
        decl = self.policy.predicates[v.verdict]
        found: list[View] = []
        for g in decl.grounds:
            if g.value != v.value:
                continue
            env: dict[str, Plain] = {p.var: s for p, s in zip(decl.params, v.subject, strict=True)}
            target, negated = (g.cond.cond, True) if isinstance(g.cond, n.Not) else (g.cond, False)
            if not isinstance(target, n.Atom):
                continue
            args = tuple(str(a) for a in self.sentences.args(target.name, target.args, env))
            if negated:
                found += [self.unmet(c) for c in unmet(self.graph, target.name, args)]
            else:
                found += [self.ground(d) for d in self.graph.derive(target.name, args)]
        return found

    def ground(self, d: Derivation) -> View:
        """A ground that holds, by the rule that found it: "Rejection ground: ... (PROC-2.late-documents)", with
        what its negative conditions did not meet (the document not received)."""
        step = self.rule(d.rule)
        text = f"{step['title']} ({step['rule']})"
        nested: list[View] = []
        for c in d.conditions:
            lit = c.literal
            if (
                isinstance(lit, n.Not)
                and isinstance(lit.cond, n.Atom)
                and not self.policy.predicates[lit.cond.name].is_input
            ):
                args = tuple(str(a) for a in self.sentences.args(lit.cond.name, lit.cond.args, c.values))
                nested += [self.unmet(u) for u in unmet(self.graph, lit.cond.name, args)]
        return {"text": text, "sentence": text, "origin_text": None, "inputs": [], "unmet": nested}

    def conflict(self, c: Conflict) -> View:
        sides = []
        for s in c.sides:
            derivations = self.graph.derive(c.predicate, c.subject, s.value, possible=True)  # type: ignore[arg-type]
            sides.append(
                {
                    "value": show_value(s.value),
                    "value_text": self.ph.value(s.value, c.predicate),  # type: ignore[arg-type]
                    "label": self.label(c.predicate, c.subject, s.value),  # type: ignore[arg-type]
                    "rules": [self.rule(r) for r in s.rules],
                    "why": [self.step(d) for d in derivations],
                }
            )
        values = [f"{s['value_text']} ({', '.join(r['rule'] for r in s['rules'])})" for s in sides]
        text = self._("Rules disagree: %(values)s") % {"values": (" " + self._("and") + " ").join(values)}
        if not c.certain:
            text += " " + self._("(in some completions of the unknown facts)")
        return {
            "key": anchor(c.key),
            "label": self.label(c.predicate, c.subject),
            "certain": c.certain,
            "text": text,
            "sides": sides,
        }

    def rests_on(self, key: Key) -> View:
        return {"key": anchor(key), "label": self.label(key[0], key[1])}

    def not_applicable(self, v: Verdict) -> str:
        """Why a verdict does not apply to its subject: "Does not apply: Valentina Restrepo is already in ..."."""
        decl = self.policy.predicates[v.verdict]
        assert decl.applies is not None
        env: dict[str, Plain] = {p.var: s for p, s in zip(decl.params, v.subject, strict=True)}
        failed = outside(self.graph, decl.applies, env)
        if not failed:  # the case's facts show no condition failing: what it leaves in doubt, as an undetermined one
            text = self.applies_text(v)
            assert text is not None
            return self.applies_only_if(text)
        lit = failed[0]
        if isinstance(lit, n.Not):  # what holds, rather than "it is not the case that it is not the case"
            text = self._("Does not apply: %(condition)s") % {"condition": self.ph.uncap(self.sentence(lit.cond, env))}
            return text + self._by_rules(lit.cond, env)
        return self._("Does not apply. Not met: %(condition)s") % {"condition": self.ph.uncap(self.sentence(lit, env))}

    def _by_rules(self, c: n.Cond, env: dict[str, Plain]) -> str:
        """` (rules A, B)`: the rules that concluded a derived fact keeping a verdict out, with those under them."""
        if not isinstance(c, n.Atom) or self.policy.predicates[c.name].is_input:
            return ""
        args = tuple(str(a) for a in self.sentences.args(c.name, c.args, env))
        derivations = self.graph.derive(c.name, args)
        rules: list[str] = []
        for d in derivations[:1]:
            _rules_under(d, rules, depth=0)
        if not rules:
            return ""
        shown = ", ".join(self.rule(r)["rule"] for r in rules)
        return " " + self.ngettext("(rule %(rules)s)", "(rules %(rules)s)", len(rules)) % {"rules": shown}

    def reason(self, view: View, first: Sequence[Derivation] = (), failed: Sequence[Failure] = ()) -> str:
        """One line: why the verdict stands as it does. `first` and `failed`: the first derivation and failure, for
        a brief view that has not worded its steps and failures."""
        status = view["status"]
        if status == "conflict":
            return str(view["conflict"]["text"])
        if status == "not_applicable":
            return str(view["outside"])
        if status == "undetermined" and view["applicable"] is None:
            return str(view["applies_line"])
        if status == "holds" and view["grounds"]:
            return str(view["grounds"][0]["text"])
        if status == "holds" and (view["why"] or first):
            step = view["why"][0] if view["why"] else self.rule(first[0].rule)
            return f"{step['title']} ({step['rule']})"
        if status == "undetermined" and view["questions"]:
            return " ".join(view["questions"][0])
        if view["why_not"] or failed:
            return str((view["why_not"][0] if view["why_not"] else self.failure(failed[0]))["text"])
        return self._("No rule concludes it.")


def _rules_under(d: Derivation, out: list[str], depth: int) -> None:
    """The rule of a derivation, then those of the derived facts it rests on (three levels at most)."""
    if d.rule not in out:
        out.append(d.rule)
    if depth >= 2:
        return
    for c in d.conditions:
        for below in c.because[:1]:
            _rules_under(below, out, depth + 1)
