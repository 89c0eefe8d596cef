"""Explanation views: plain data with every sentence rendered in one language.

Templates receive only these dicts, lists and strings: no AST, no solver values.
"""

from __future__ import annotations

from typing import Any

from explain.graph import Condition, Derivation, Failure, Graph, Input
from explain.phrases import Phrases, date_text
from explain.values import Plain, evaluate
from grammar import nodes as n
from grammar.checked import CheckedPolicy
from solver.answer import Decision, Verdict
from solver.case import Case
from solver.names import show_value
from solver.whatif import Change, WhatIf

View = dict[str, Any]
AUTHORITY = {
    "en": {
        "law": "statute or regulation",
        "official": "official guidance",
        "operational": "official operational instructions",
        "secondary": "non-official source",
    },
    "fr": {
        "law": "loi ou règlement",
        "official": "directive officielle",
        "operational": "instructions opérationnelles officielles",
        "secondary": "source non officielle",
    },
}
ORIGIN = {
    "en": {
        "stated": "stated in the case",
        "finding": "an officer's finding",
        "default": "not stated: taken as no",
        "list": "not in the case's list",
        "unknown": "not known",
    },
    "fr": {
        "stated": "indiqué au dossier",
        "finding": "constat d'un agent",
        "default": "non indiqué : réputé non",
        "list": "absent de la liste du dossier",
        "unknown": "inconnu",
    },
}
STATUS = {
    "en": {"holds": "holds", "fails": "does not hold", "undetermined": "undetermined"},
    "fr": {"holds": "établi", "fails": "non établi", "undetermined": "indéterminé"},
}
WORDS_CHANGE = {
    "en": {"unknown": "not known", "yes": "yes", "no": "no"},
    "fr": {"unknown": "inconnu", "yes": "oui", "no": "non"},
}
REASON = {
    "en": {
        "condition": "Not met: {text}",
        "exception": "Exception applied: {text}",
        "priority": "Overridden: rule {by} takes priority",
        "none": "No rule concludes it.",
    },
    "fr": {
        "condition": "Condition non remplie : {text}",
        "exception": "Exception applicable : {text}",
        "priority": "Écartée : la règle {by} a priorité",
        "none": "Aucune règle ne le conclut.",
    },
}


class Views:
    def __init__(self, policy: CheckedPolicy, case: Case, graph: Graph, lang: str) -> None:
        self.policy, self.case, self.graph, self.lang = policy, case, graph, lang
        self.ph = Phrases(policy, case, lang)
        self.cited: dict[str, View] = {}

    # ------------------------------------------------------------ rules and sources
    def rule(self, rule_id: str) -> View:
        rule = self.graph.rules[rule_id].rule
        title = rule.title_fr if self.lang == "fr" and rule.title_fr else rule.title
        citations = [self.citation(c.id) for c in rule.cites]
        return {
            "rule": rule_id,
            "title": title,
            "citations": citations,
            "non_official": any(c["non_official"] for c in citations),
            "place": f"{rule.span.file}:{rule.span.line}",
        }

    def citation(self, cid: str) -> View:
        if cid not in self.cited:
            cited = self.policy.citations[cid]
            source = cited.source
            title = cited.title_fr if self.lang == "fr" and cited.title_fr else cited.title
            source_title = source.title_fr if self.lang == "fr" and source.title_fr else source.title
            self.cited[cid] = {
                "id": cid,
                "anchor": "src-" + cid.replace(".", "-"),
                "title": title,
                "source": source.id,
                "source_title": source_title,
                "document": source.document,
                "authority": source.authority,
                "authority_text": AUTHORITY[self.lang][source.authority],
                "non_official": source.authority == "secondary",
            }
        return self.cited[cid]

    # ------------------------------------------------------------ conditions
    def input(self, i: Input) -> View:
        decl = self.policy.predicates[i.pred]
        text = self.ph.fact(i.pred, i.args, i.value)
        if decl.is_bool and i.value is False:
            text = self.ph.negative(text)
        return {
            "text": self.ph.cap(text),
            "origin": i.origin,
            "origin_text": ORIGIN[self.lang][i.origin],
            "finding": decl.kind == "judged",
        }

    def sentence(self, c: n.Cond, env: dict[str, Plain]) -> str:
        if isinstance(c, n.Atom):
            args = self._args(c.name, c.args, env)
            return self.ph.fact(c.name, args)
        if isinstance(c, n.Not):
            return self.ph.negative(self.sentence(c.cond, env))
        if isinstance(c, n.Compare):
            return self.compare(c, env)
        if isinstance(c, n.And | n.Or):
            joiner = {"en": {True: " and ", False: " or "}, "fr": {True: " et ", False: " ou "}}[self.lang]
            return joiner[isinstance(c, n.And)].join(self.sentence(i, env) for i in c.items)
        inner = {k: v for k, v in env.items() if k != c.var.name}
        if isinstance(c, n.Some):
            return self.ph.w["some"].format(var=c.var.name, cond=self.sentence(c.cond, inner))
        return self.ph.w["every"].format(
            var=c.var.name, cond=self.sentence(c.cond, inner), then=self.sentence(c.then, inner)
        )

    def _args(self, pred: str, terms: tuple[n.Term, ...], env: dict[str, Plain]) -> tuple[Plain, ...]:
        """Arguments' values; a variable with none yet reads as "a letter", "a person"."""
        g, params = self.graph, self.policy.predicates[pred].params
        values = [evaluate(t, env, g.policy, g.trace, g.today) for t in terms]
        return tuple(self.ph.some(p.type.name) if v is None else v for v, p in zip(values, params, strict=True))

    def compare(self, c: n.Compare, env: dict[str, Plain]) -> str:
        g = self.graph
        for call, other in ((c.left, c.right), (c.right, c.left)):
            if c.op == "=" and isinstance(call, n.Call) and call.name in self.policy.predicates:
                args = self._args(call.name, call.args, env)
                return self.ph.fact(call.name, args, evaluate(other, env, g.policy, g.trace, g.today))
        left = evaluate(c.left, env, g.policy, g.trace, g.today)
        right = evaluate(c.right, env, g.policy, g.trace, g.today)
        dates = any(isinstance(v, type(g.today)) for v in (left, right))
        return self.ph.comparison(c.op, self.ph.term(c.left, env, left), self.ph.term(c.right, env, right), dates)

    def condition(self, c: Condition) -> View:
        text = self.sentence(c.literal, c.values)
        shown = text if c.holds or isinstance(c.literal, n.Not) else self.ph.negative(text)
        return {
            "text": self.ph.cap(shown),
            "sentence": shown,
            "inputs": [self.input(i) for i in c.inputs],
            "because": [self.step(d) for d in c.because],
            "failures": [self.failure(f) for f in c.failures],
        }

    # ------------------------------------------------------------ steps and failures
    def step(self, d: Derivation) -> View:
        view = self.rule(d.rule)
        view["conclusion"] = self.ph.cap(self.ph.fact(d.predicate, d.subject, d.value))
        view["conditions"] = [self.condition(c) for c in d.conditions]
        view["exceptions"] = [self.ph.cap(self.ph.negative(self.sentence(e.literal, e.values))) for e in d.exceptions]
        view["prevailed_over"] = [self.rule(r) for r in d.prevailed_over]
        return view

    def failure(self, f: Failure) -> View:
        view = self.rule(f.rule)
        view["reason"] = f.reason
        if f.reason == "priority":
            view["text"] = REASON[self.lang]["priority"].format(by=f.by)
            view["by"] = self.rule(f.by) if f.by else None
        else:
            assert f.condition is not None
            # The condition as written: "Not met: app1 is complete".
            cond = self.condition(
                Condition(f.condition.literal, f.condition.env, True, f.condition.inputs, (), f.condition.failures)
            )
            view["text"] = REASON[self.lang][f.reason].format(text=cond["sentence"])
            view["inputs"] = cond["inputs"]
            view["nested"] = cond["failures"]
        return view

    # ------------------------------------------------------------ what would change it
    def change(self, c: Change) -> View:
        decl = self.policy.predicates[c.pred]
        if decl.is_bool:
            after = self.ph.fact(c.pred, c.args)
            after = after if c.after else self.ph.negative(after)
        else:
            after = self.ph.fact(c.pred, c.args, c.after)  # type: ignore[arg-type]
        before = (
            WORDS_CHANGE[self.lang]["unknown"]
            if c.before is None
            else (
                self.ph.value(c.before, c.pred)
                if not decl.is_bool
                else WORDS_CHANGE[self.lang]["yes" if c.before else "no"]
            )
        )
        return {
            "fact": f"{c.pred}({', '.join(c.args)})",
            "text": self.ph.cap(after),
            "before": before,
            "finding": decl.kind == "judged",
        }

    def what_if(self, w: WhatIf) -> View:
        decl = self.policy.predicates[w.verdict]
        value = w.value if w.status == "holds" else None
        return {
            "changes": [self.change(c) for c in w.changes],
            "status": w.status,
            "status_text": STATUS[self.lang][w.status],
            "label": self.ph.cap(self.ph.fact(w.verdict, w.subject, value, blank="…"))
            if not decl.is_bool or value
            else self.ph.cap(self.ph.fact(w.verdict, w.subject)),
            "brings_in": [self.rule(r) for r in w.brings_in],
            "takes_out": [self.rule(r) for r in w.takes_out],
        }

    # ------------------------------------------------------------ verdicts
    def verdict(self, v: Verdict, *, why_not: bool) -> View:
        value = show_value(v.value)
        decl = self.policy.predicates[v.verdict]
        shown_value = v.value if v.status == "holds" else None
        view: View = {
            "verdict": v.verdict,
            "subject": list(v.subject),
            "status": v.status,
            "status_text": STATUS[self.lang][v.status],
            "value": value,
            "value_text": self.ph.value(v.value, v.verdict) if v.status == "holds" and not decl.is_bool else None,
            "label": self.ph.cap(self.ph.fact(v.verdict, v.subject, shown_value, blank="…")),
            "rules": list(v.rules),
            "missing": [list(s) for s in v.missing],
            "questions": [[self._question(f) for f in s] for s in v.missing],
            "why": [],
            "why_not": [],
            "what_if": [],
        }
        if v.status == "holds":
            view["why"] = [self.step(d) for d in self.graph.derive(v.verdict, v.subject, v.value)]  # type: ignore[arg-type]
        if v.status == "fails" or why_not:  # for a verdict that holds: why the other rules did not conclude
            failures = self.graph.why_not(v.verdict, v.subject)
            view["why_not"] = [self.failure(f) for f in failures if f.rule not in v.rules]
        view["summary"] = self.summary(view)
        return view

    def _question(self, fact: str) -> str:
        pred, _, rest = fact.partition("(")
        return self.ph.question(pred, tuple(a.strip() for a in rest.rstrip(")").split(",")))

    def summary(self, view: View) -> str:
        if view["status"] == "holds" and view["why"]:
            step = view["why"][0]
            return f"{step['title']} ({step['rule']})"
        if view["status"] == "undetermined" and view["questions"]:
            return " ".join(view["questions"][0])
        if view["why_not"]:
            return view["why_not"][0]["text"]
        return REASON[self.lang]["none"]


def explanation_view(
    policy: CheckedPolicy,
    case: Case,
    decision: Decision,
    graph: Graph,
    lang: str,
    verdict: str | None = None,
    *,
    why_not: bool = False,
    what_ifs: dict[tuple[str, tuple[str, ...]], list[WhatIf]] | None = None,
) -> View:
    views = Views(policy, case, graph, lang)
    chosen = [v for v in decision.verdicts if verdict is None or v.verdict == verdict]
    verdicts = [views.verdict(v, why_not=why_not) for v in chosen]
    for view, v in zip(verdicts, chosen, strict=True):
        view["what_if"] = [views.what_if(w) for w in (what_ifs or {}).get(v.key, [])]
    return {
        "lang": lang,
        "case": {
            "id": case.id,
            "assessment_date": case.assessment_date.isoformat(),
            "assessment_date_text": date_text(case.assessment_date, lang),
            "people": [{"id": e.id, "name": e.name or e.id, "type": e.type} for e in case.entities],
        },
        "policy": {"hash": decision.policy_hash},
        "verdicts": verdicts,
        "sources": sorted(views.cited.values(), key=lambda c: c["id"]),
    }
