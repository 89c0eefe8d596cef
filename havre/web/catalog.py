"""The policy described for reviewers and tools: its verdicts, inputs and their questions, and its sources with
the rules that cite them, in English and French (the policy's own texts)."""

from __future__ import annotations

from typing import Any

from explain.wording.french import titled
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n

LANGS = ("en", "fr")


def both(pred: n.Predicate, *, question: bool = False) -> dict[str, str | None]:
    return {lang: pred.text(lang, question=question) for lang in LANGS}


def type_of(pred: n.Predicate) -> dict[str, Any]:
    """An input's or verdict's type as a form needs it: yes/no, date, int, enumeration with labels, entity."""
    t = pred.value
    if isinstance(t, n.BoolType):
        return {"kind": "bool"}
    if isinstance(t, n.EnumType):
        labels = [
            {"value": v, "label": {lang: pred.label(v, lang) or v.replace("_", " ") for lang in LANGS}}
            for v in t.values
        ]
        return {"kind": "enum", "values": labels}
    if isinstance(t, n.EntityType):
        return {"kind": "entity", "entity": t.name}
    return {"kind": "date" if isinstance(t, n.DateType) else "int"}


def place(span: Any) -> str:
    return f"{span.file}:{span.line}"


def predicate(pred: n.Predicate) -> dict[str, Any]:
    return {
        "name": pred.name,
        "kind": pred.kind,
        "params": [{"var": p.var, "type": p.type.name} for p in pred.params],
        "type": type_of(pred),
        "text": both(pred),
        "place": place(pred.span),
    }


def inputs(policy: CheckedPolicy) -> list[dict[str, Any]]:
    out = []
    for p in policy.inputs():
        entry = predicate(p) | {"question": both(p, question=True), "fixed": p.fixed, "default_false": p.default_false}
        out.append(entry)
    return sorted(out, key=lambda e: e["name"])


def verdicts(policy: CheckedPolicy) -> list[dict[str, Any]]:
    order = {name: i for i, name in enumerate(policy.summary)}
    out = [predicate(p) | {"main": p.name in order, "scoped": p.applies is not None} for p in policy.verdicts()]
    return sorted(out, key=lambda e: (order.get(e["name"], len(order)), e["name"]))


def questions(policy: CheckedPolicy) -> list[dict[str, Any]]:
    return [{"input": e["name"], "params": e["params"], "question": e["question"]} for e in inputs(policy)]


def rule_entry(policy: CheckedPolicy, rule_id: str) -> dict[str, Any]:
    rule = policy.rule(rule_id).rule
    return {
        "id": rule.id,
        "title": {"en": rule.title, "fr": titled("fr", rule.title, rule.title_fr)},
        "place": place(rule.span),
    }


def sources(policy: CheckedPolicy) -> list[dict[str, Any]]:
    """Each source with its provisions, and the rules citing each (file:line)."""
    citing: dict[str, list[str]] = {}
    for cr in policy.rules:
        for c in cr.rule.cites:
            citing.setdefault(c.id, []).append(cr.id)
    seen: dict[str, n.Source] = {}
    for cited in policy.citations.values():
        seen.setdefault(cited.source.id, cited.source)
    out = []
    for source in sorted(seen.values(), key=lambda s: s.id):
        out.append(
            {
                "id": source.id,
                "title": {"en": source.title, "fr": titled("fr", source.title, source.title_fr)},
                "document": source.document,
                "link": source.document if source.document.startswith("https://") else None,
                "authority": source.authority,
                "rules": [rule_entry(policy, r) for r in citing.get(source.id, [])],
                "provisions": [
                    {
                        "id": p.id,
                        "anchor": "src-" + p.id.replace(".", "-"),
                        "title": {"en": p.title, "fr": titled("fr", p.title, p.title_fr)},
                        "rules": [rule_entry(policy, r) for r in citing.get(p.id, [])],
                    }
                    for p in source.provisions
                ],
            }
        )
    return out
