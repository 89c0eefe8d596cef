"""Sentences in the reviewer's language: facts through the policy's own templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from explain.values import Plain
from grammar import nodes as n
from grammar import pretty
from grammar.checked import CheckedPolicy
from solver.case import Case

MONTHS = {
    "en": "January February March April May June July August September October November December".split(),  # noqa: SIM905
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),  # noqa: SIM905
}
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "not": "it is not the case that {text}",
        "unknown": "unknown",
        "lt_date": "is before",
        "lt": "is less than",
        "gt_date": "is after",
        "gt": "is more than",
        "le_date": "is on or before",
        "le": "is at most",
        "ge_date": "is on or after",
        "ge": "is at least",
        "eq": "is",
        "ne": "is not",
        "assessment": "the assessment date",
        "every": "for every {var} where {cond}: {then}",
        "some": "there is a {var} where {cond}",
        "number": "the number of {var} where {cond}",
        "yes": "yes",
        "no": "no",
    },
    "fr": {
        "not": "il n'est pas établi que {text}",
        "unknown": "inconnu",
        "lt_date": "est antérieure au",
        "lt": "est inférieur à",
        "gt_date": "est postérieure au",
        "gt": "est supérieur à",
        "le_date": "est au plus tard le",
        "le": "est au plus",
        "ge_date": "est au plus tôt le",
        "ge": "est au moins",
        "eq": "est",
        "ne": "n'est pas",
        "assessment": "la date d'évaluation",
        "every": "pour tout {var} tel que {cond} : {then}",
        "some": "il existe un {var} tel que {cond}",
        "number": "le nombre de {var} tels que {cond}",
        "yes": "oui",
        "no": "non",
    },
}
UNITS = {
    "en": {"days": "days", "months": "months", "years": "years"},
    "fr": {"days": "jours", "months": "mois", "years": "ans"},
}
BUILTIN_WORDS = {
    "en": {
        "years_since": "years since {0}",
        "months_since": "months since {0}",
        "days_since": "days since {0}",
        "years_between": "years from {0} to {1}",
        "days_between": "days from {0} to {1}",
    },
    "fr": {
        "years_since": "années depuis le {0}",
        "months_since": "mois depuis le {0}",
        "days_since": "jours depuis le {0}",
        "years_between": "années du {0} au {1}",
        "days_between": "jours du {0} au {1}",
    },
}
OPS = {"<": "lt", ">": "gt", "<=": "le", ">=": "ge", "=": "eq", "!=": "ne"}


def date_text(d: dt.date, lang: str) -> str:
    day = "1er" if lang == "fr" and d.day == 1 else str(d.day)
    return f"{day} {MONTHS[lang][d.month - 1]} {d.year}"


class Phrases:
    def __init__(self, policy: CheckedPolicy, case: Case, lang: str) -> None:
        self.policy, self.case, self.lang = policy, case, lang
        self.w = WORDS[lang]
        self.ids = frozenset(e.id for e in case.entities)
        self.facts: dict[tuple[object, ...], str] = {}  # the same fact is worded many times over a case

    def value(self, v: Plain, pred: str | None = None) -> str:
        if v is None:
            return self.w["unknown"]
        if isinstance(v, bool):
            return self.w["yes" if v else "no"]
        if isinstance(v, dt.date):
            return date_text(v, self.lang)
        if isinstance(v, str):
            if v in self.ids:
                return self.case.display(v)
            decl = self.policy.predicates.get(pred or "")
            label = decl.label(v, self.lang) if decl else None
            return label or v.replace("_", " ")
        return str(v)

    def fact(self, pred: str, args: tuple[Plain, ...], value: Plain = None, blank: str | None = None) -> str:
        """A fact in its predicate's template: `{P} resides in Québec`; `blank` stands for a value not known."""
        key = (pred, args, type(value), value, blank)
        if key not in self.facts:
            self.facts[key] = self._fact(pred, args, value, blank)
        return self.facts[key]

    def _fact(self, pred: str, args: tuple[Plain, ...], value: Plain, blank: str | None) -> str:
        decl = self.policy.predicates[pred]
        template = decl.text(self.lang) or decl.text("en")
        names = {p.var: self.value(a) for p, a in zip(decl.params, args, strict=False)}
        names["value"] = blank if value is None and blank is not None else self.value(value, pred)
        if template is None:
            return f"{pred}({', '.join(names[p.var] for p in decl.params)})"
        return template.format_map(_Missing(names))

    def question(self, pred: str, args: tuple[str, ...]) -> str:
        decl = self.policy.predicates[pred]
        template = decl.text(self.lang, question=True)
        if template is None:
            return self.fact(pred, args) + " ?"
        return template.format_map(_Missing({p.var: self.value(a) for p, a in zip(decl.params, args, strict=False)}))

    def some(self, entity: str) -> str:
        """An indefinite mention of an entity type: "a letter", "un(e) letter"."""
        word = entity.replace("_", " ")
        if self.lang == "fr":
            return f"un(e) {word}"
        return ("an " if word[:1] in "aeiou" else "a ") + word

    def cap(self, text: str) -> str:
        """Capitalise a sentence, unless it starts with an entity's id."""
        first = text.split(" ", 1)[0]
        return text if first in self.ids else cap(text)

    def negative(self, text: str) -> str:
        return self.w["not"].format(text=uncap(text))

    def term(self, t: n.Term, env: Mapping[str, Plain], value: Plain) -> str:
        """A term as a reviewer reads it: its value, and where it comes from when computed."""
        if isinstance(t, n.AssessmentDate):
            return f"{self.w['assessment']} ({self.value(value)})"
        if isinstance(t, n.Var | n.IntLit | n.DateLit | n.Name):
            return self.value(value)
        source = self.source_text(t, env)
        return f"{source} ({self.value(value)})" if value is not None else source

    def source_text(self, t: n.Term, env: Mapping[str, Plain]) -> str:
        """How a computed value is obtained, in words: `22 September 2026 + 60 days`."""
        if isinstance(t, n.Var):
            return self.value(env[t.name]) if env.get(t.name) is not None else t.name
        if isinstance(t, n.IntLit | n.DateLit | n.Name):
            return self.value(t.value if not isinstance(t, n.Name) else t.name)
        if isinstance(t, n.AssessmentDate):
            return self.w["assessment"]
        if isinstance(t, n.Duration):
            amount = t.amount if isinstance(t.amount, int) else env.get(t.amount.name)
            return f"{amount} {UNITS[self.lang][t.unit]}"
        if isinstance(t, n.BinOp):
            return f"{self.source_text(t.left, env)} {t.op} {self.source_text(t.right, env)}"
        if isinstance(t, n.Call):
            args = [self.source_text(a, env) for a in t.args]
            if t.name in BUILTIN_WORDS[self.lang]:
                return BUILTIN_WORDS[self.lang][t.name].format(*args)
            return f"{t.name.replace('_', ' ')} ({', '.join(args)})"
        return pretty.term(t)

    def comparison(self, op: str, left: str, right: str, dates: bool) -> str:
        word = OPS[op] + ("_date" if dates and OPS[op] not in ("eq", "ne") else "")
        return f"{left} {self.w[word]} {right}"


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def uncap(text: str) -> str:
    """Lower the first letter unless the text starts with a name or an acronym."""
    words = text.split(" ", 1)
    first = words[0]
    if first in ("The", "It", "A", "An", "Le", "La", "Les", "Il", "Un", "Une"):
        return first.lower() + text[len(first) :]
    return text
