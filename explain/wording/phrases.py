"""Sentences in the reviewer's language: facts through the policy's own templates, values through Babel.

Dates and numbers are written for the locale (en_CA, fr_CA); an entity is
named by its display name (a country, in French, with its article); a fact is
its predicate's template, and a yes/no fact that does not hold its `not`
template. French sentences go through explain.wording.french (elision, contractions,
typography) once they are assembled.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from explain.derivation.values import Plain
from explain.wording import french
from explain.wording.i18n import N_, gettext, translations
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases.case import Case

LOCALE = {"en": "en_CA", "fr": "fr_CA"}
RELATION = {  # `X, before D`: after a fact, how its value compares (dates, then numbers)
    True: {
        "<": N_("before"),
        "<=": N_("on or before"),
        ">": N_("after"),
        ">=": N_("on or after"),
        "=": N_("on"),
        "!=": N_("not on"),
    },
    False: {
        "<": N_("less than"),
        "<=": N_("at most"),
        ">": N_("more than"),
        ">=": N_("at least"),
        "=": N_("exactly"),
        "!=": N_("not"),
    },
}
VERB = {  # `A is before B`
    True: {
        "<": N_("is before"),
        "<=": N_("is on or before"),
        ">": N_("is after"),
        ">=": N_("is on or after"),
        "=": N_("is"),
        "!=": N_("is not"),
    },
    False: {
        "<": N_("is less than"),
        "<=": N_("is at most"),
        ">": N_("is more than"),
        ">=": N_("is at least"),
        "=": N_("is"),
        "!=": N_("is not"),
    },
}
FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


@functools.lru_cache(maxsize=4096)  # Babel formats a date in about 9 µs; a case words the same dates often
def date_text(d: dt.date, lang: str) -> str:
    text = format_date(d, format="long", locale=LOCALE[lang])
    return "1er" + text[1:] if lang == "fr" and d.day == 1 else text


@functools.lru_cache(maxsize=4096)
def number_text(v: int, lang: str) -> str:
    return format_decimal(v, locale=LOCALE[lang])


class Phrases:
    def __init__(self, policy: CheckedPolicy, case: Case, lang: str) -> None:
        self.policy, self.case, self.lang = policy, case, lang
        self._ = gettext(lang)
        self.ngettext = translations(lang).ngettext
        self.ids = frozenset(e.id for e in case.entities)
        self.types = {e.id: e.type for e in case.entities}
        self.facts: dict[tuple[object, ...], str] = {}  # the same fact is worded many times over a case
        # Names a sentence may start with that keep their capital mid-sentence ("Le Blanc", "La Fontaine"); a
        # country's takes its article, which does not ("le Ghana", "the Gambia").
        self.names = tuple(case.display(e.id, lang) for e in case.entities if e.type != "country")

    def finish(self, text: str) -> str:
        """An assembled sentence made right for its language."""
        return french.polish(text) if self.lang == "fr" else text

    # ------------------------------------------------------------ values
    def value(self, v: Plain, pred: str | None = None) -> str:
        if v is None:
            return self._("not known")
        if isinstance(v, bool):
            return self._("yes") if v else self._("no")
        if isinstance(v, dt.date):
            return date_text(v, self.lang)
        if isinstance(v, int):
            return number_text(v, self.lang)
        if v in self.ids:
            return self.entity(v)
        decl = self.policy.predicates.get(pred or "")
        label = decl.label(v, self.lang) if decl else None
        return label or v.replace("_", " ")

    def the(self, v: Plain) -> str:
        """A value where a sentence refers to it: in French a date takes its article (le 2 mars 2026)."""
        text = self.value(v)
        return f"le {text}" if self.lang == "fr" and isinstance(v, dt.date) else text

    def entity(self, entity_id: str) -> str:
        name = self.case.display(entity_id, self.lang)
        if self.lang == "fr" and self.types.get(entity_id) == "country":
            return french.country(name)
        return name

    def heading(self, entity_id: str) -> str:
        """An entity as a heading names it: its name with a capital ("The passport of …"), or its id as it is."""
        named = any(e.id == entity_id and e.name for e in self.case.entities)
        return cap(self.entity(entity_id)) if named else entity_id

    def duration(self, amount: int | None, unit: n.DurationUnit) -> str:
        count = amount if amount is not None else 0
        words = {
            "days": self.ngettext("%(num)s day", "%(num)s days", count),
            "months": self.ngettext("%(num)s month", "%(num)s months", count),
            "years": self.ngettext("%(num)s year", "%(num)s years", count),
        }
        return words[unit] % {"num": number_text(count, self.lang)}

    # ------------------------------------------------------------ facts
    def fact(
        self, pred: str, args: tuple[Plain, ...], value: Plain = None, blank: str | None = None, *, clause: bool = False
    ) -> str:
        """A fact in its predicate's template: `{P} resides in Québec`; `blank` stands for a value not known.
        `clause`: as a condition says it, in the predicate's `clause` text when it has one ("MIFI's decision on
        app1 is rejected", where its text is the label "MIFI's decision on app1: rejected")."""
        key = (pred, args, type(value), value, blank, clause)
        if key not in self.facts:
            self.facts[key] = self.finish(self._fact(pred, args, value, blank, negative=False, clause=clause))
        return self.facts[key]

    def not_fact(self, pred: str, args: tuple[Plain, ...]) -> str:
        """A yes/no fact that does not hold: its `not` template, else "it is not the case that …"."""
        key = (pred, args, "not")
        if key not in self.facts:
            decl = self.policy.predicates[pred]
            if decl.text(self.lang, negative=True) is not None:
                self.facts[key] = self.finish(self._fact(pred, args, None, None, negative=True))
            else:
                self.facts[key] = self.negative(self.fact(pred, args))
        return self.facts[key]

    def _fact(
        self, pred: str, args: tuple[Plain, ...], value: Plain, blank: str | None, negative: bool, clause: bool = False
    ) -> str:
        decl = self.policy.predicates[pred]
        template, _ = self._template(decl, negative=negative, clause=clause)
        if value is None and blank is None and not decl.is_bool and template is not None and _VALUE.search(template):
            # "is due on not known" reads as a slip: the sentence with its value left out, then why.
            missing = self._("date not known") if isinstance(decl.value, n.DateType) else self._("not known")
            return f"{template.format_map(_Missing(self._names(decl, args, None, '…')))} ({missing})"
        names = self._names(decl, args, value, blank)
        if template is None:
            return f"{pred}({', '.join(names[p.var] for p in decl.params)})"
        return template.format_map(_Missing(names))

    def _names(self, decl: n.Predicate, args: tuple[Plain, ...], value: Plain, blank: str | None) -> dict[str, str]:
        names = {p.var: self.named(a) for p, a in zip(decl.params, args, strict=False)}
        said = blank if value is None and blank is not None else self.value(value, decl.name)
        if isinstance(decl.value, n.IntType):  # only a number's template may count (`{value:person|persons}`)
            said = _Counted(said, value if isinstance(value, int) else None, self.lang)
        names["value"] = said
        return names

    def fact_other_than(self, pred: str, args: tuple[Plain, ...], values: list[Plain]) -> str | None:
        """A fact whose value is none of `values`: "MIFI's decision on app1: other than refused or rejected"
        ("… : autre que refusée ou rejetée"). None when its template has no place for the value."""
        said = self.listed([self.value(v, pred) for v in values], self._("or"))
        return self._in_value_place(pred, args, self._("other than %(values)s") % {"values": said})

    def fact_within(self, pred: str, args: tuple[Plain, ...], bound: str) -> str | None:
        """A date fact whose value is not known, only how it compares: the bound in the value's place, without the
        word that led a date ("is dated after March 2, 2026", "a présenté sa demande après le 2 mars 2026").
        None when its template has no place for the value, or one a bound cannot take ("due by …", "au plus tard
        le …", "depuis le …")."""
        return self._in_value_place(pred, args, bound, dated=True)

    def _template(
        self, decl: n.Predicate, *, negative: bool = False, clause: bool = False
    ) -> tuple[str, str] | tuple[None, None]:
        """The predicate's text and its language: the reader's, else English; `clause`: its `clause` text first."""
        for lang in (self.lang, "en"):
            if clause and (found := decl.text(lang, clause=True)) is not None:
                return found, lang
            if (found := decl.text(lang, negative=negative)) is not None:
                return found, lang
        return None, None

    def _in_value_place(self, pred: str, args: tuple[Plain, ...], said: str, *, dated: bool = False) -> str | None:
        """The fact's template, as a condition says it, with `said` where its value goes; `dated`: where a date
        goes, without its lead."""
        decl = self.policy.predicates[pred]
        template, lang = self._template(decl, clause=True)
        if template is None or lang is None or (found := _VALUE.search(template)) is None:
            return None
        if dated:
            if set(template[: found.start()].split()[-2:]) & _BOUNDS_A_DATE[lang]:
                return None
            template = _LEADS_A_DATE[lang].sub(" {value}", template, count=1)
        return self.finish(template.format_map(_Missing(self._names(decl, args, None, said))))

    def passed(self, pred: str, args: tuple[Plain, ...], value: Plain = None) -> str | None:
        """What happens once a deadline has passed, in its predicate's `passed` text; None when it has none."""
        decl = self.policy.predicates[pred]
        template = decl.passed_text(self.lang) or decl.passed_text("en")
        if template is None:
            return None
        return self.finish(template.format_map(_Missing(self._names(decl, args, value, "…"))))

    def named(self, arg: Plain) -> str:
        """An argument: an entity's name, or (already worded) "a letter"."""
        return self.value(arg) if not isinstance(arg, str) or arg in self.ids else arg

    def question(self, pred: str, args: tuple[str, ...]) -> str:
        decl = self.policy.predicates[pred]
        template = decl.text(self.lang, question=True)
        if template is None:
            return self.fact(pred, args) + " ?"
        names = {p.var: self.value(a) for p, a in zip(decl.params, args, strict=False)}
        return self.finish(template.format_map(_Missing(names)))

    def some(self, entity: str) -> str:
        """An indefinite mention of an entity type, from its declared text: "a letter", "une lettre"."""
        decl = self.policy.entities.get(entity)
        text = decl.text(self.lang) if decl else None
        return text or entity.replace("_", " ")

    def shared_subject(self, entity: str, predicates: list[str], *, negative: bool) -> str:
        """Things said of one entity of a type, as one sentence: "a letter concerns app1 and is …"; negative,
        "no letter concerns app1, is … and is …" ("aucune lettre ne porte sur app1, n'est …")."""
        some = self.some(entity)
        article, _, noun = some.partition(" ")
        if not negative:
            return self.finish(f"{some} {self.listed(predicates)}")
        if article not in _NO:
            return self.negative(f"{some} {self.listed(predicates)}")
        if self.lang == "fr":
            predicates = [f"ne {p}" for p in predicates]
        return self.finish(f"{_NO[article]} {noun} {self.listed(predicates)}")

    def none_such(self, entity: str, text: str) -> str:
        """A `not some` clause whose conditions do not share the entity as their subject, where `IT` stands for
        it: "no application is such that the principal applicant of that application is …" ("aucune demande n'est
        telle que …"); "it is not the case that …" for an entity whose text has no article this knows."""
        article, _, noun = self.some(entity).partition(" ")
        if article not in _NO:
            return self.negative(self.referred(entity, text))
        said = self.uncap(text).replace(IT, self._that(article, noun))
        if self.lang == "fr":
            such = "telle" if article == "une" else "tel"
            return self.finish(f"{_NO[article]} {noun} n'est {such} que {said}")
        return self.finish(f"{_NO[article]} {noun} is such that {said}")

    def _that(self, article: str, noun: str) -> str:
        """ "that letter", "cette lettre", "cet avis" (`article` one of _THAT's)."""
        if self.lang == "fr" and article == "un" and french.starts_with_vowel_sound(noun):
            return f"cet {noun}"
        return f"{_THAT[article]} {noun}"

    def one_is(self, text: str, entity: str, name: str) -> str:
        """A `not some` clause that one entity of the case satisfies: the clause, then that entity ("no letter
        concerns app1 and is …; Letter 4 is one", "aucune lettre ne porte sur app1 … ; Lettre 4 en est une")."""
        article = self.some(entity).partition(" ")[0]
        parts = {"text": text, "name": name, "one": article if article in ("un", "une") else "un"}
        return self.finish(self._("%(text)s; %(name)s is one") % parts)

    def referred(self, entity: str, text: str) -> str:
        """A sentence where `IT` stands for one entity of a type: named "a letter" at first, then "that letter"."""
        if IT not in text:
            return self.finish(text)
        some = self.some(entity)
        article, _, noun = some.partition(" ")
        first, _, rest = text.partition(IT)
        that = self._that(article, noun) if article in _THAT else some
        return self.finish(first + some + rest.replace(IT, that))

    def listed(self, items: list[str], joiner: str | None = None) -> str:
        """`a, b and c` (`a, b or c` with the joiner "or")."""
        if len(items) < 2:
            return "".join(items)
        return ", ".join(items[:-1]) + " " + (joiner or self._("and")) + " " + items[-1]

    def cap(self, text: str) -> str:
        """Capitalise a sentence, unless it starts with an entity's id."""
        first = text.split(" ", 1)[0]
        return text if first in self.ids else cap(text)

    def uncap(self, text: str) -> str:
        """A sentence that goes on after a colon or a conjunction: `uncap`, unless it starts with a name."""
        lowered = uncap(text)
        if lowered == text:
            return text
        starts_with_name = any(
            text.startswith(name) and not text[len(name) : len(name) + 1].isalnum() for name in self.names
        )
        return text if starts_with_name else lowered

    def negative(self, text: str) -> str:
        return self.finish(self._("it is not the case that %(text)s") % {"text": self.uncap(text)})

    # ------------------------------------------------------------ comparisons
    def relation(self, op: str, dates: bool) -> str:
        return self._(RELATION[dates][op])

    def verb(self, op: str, dates: bool) -> str:
        return self._(VERB[dates][op])

    def assessment(self, when: dt.date | None = None) -> str:
        if when is None:
            return self._("the assessment date")
        return self._("the assessment date (%(date)s)") % {"date": date_text(when, self.lang)}

    def computed(self, value: str, how: str) -> str:
        """A computed value and how it was computed: "1 May 2026 (60 days after 2 March 2026)"."""
        return f"{value} ({how})" if how else value


# The word that leads a date in a fact's template: "was born on {value}", "est datée du {value}".
_LEADS_A_DATE = {"en": re.compile(r"\s+on\s+\{value\}"), "fr": re.compile(r"\s+(?:le|du)\s+\{value\}")}
# Words before a date that already bound it: a template with one of them right before its date takes no other.
_BOUNDS_A_DATE = {
    "en": {"by", "since", "before", "after", "until", "than", "from"},
    "fr": {"tard", "tôt", "depuis", "avant", "après", "dès", "partir", "jusqu'au"},
}
IT = "\x00"  # stands for the entity of a `some` clause while its conditions are worded (explain.wording.sentences)
# An entity type's indefinite article (from its declared text, "a letter", "une lettre") and the determiners that
# say none of them, and the one already named.
_NO = {"a": "no", "an": "no", "un": "aucun", "une": "aucune"}
_THAT = {"a": "that", "an": "that", "un": "ce", "une": "cette"}


# Where a template puts the value: `{value}`, or a number's `{value:person|persons}` (grammar.checks.resolve).
_VALUE = re.compile(r"\{value(?::[^{}]*)?\}")


class _Counted(str):
    """A value's text that a template may follow with the noun it counts: `{value:person|persons}` reads "1 person"
    and "3 persons", `{value:personne|personnes}` "0 personne" and "3 personnes", by the language's plural rule;
    a value not known ("…", "other than 2") takes the plural."""

    number: int | None
    lang: str

    def __new__(cls, text: str, number: int | None, lang: str) -> _Counted:
        made = super().__new__(cls, text)
        made.number, made.lang = number, lang
        return made

    def __format__(self, spec: str) -> str:
        if "|" not in spec:
            return str.__format__(self, spec)
        one, other = spec.split("|", 1)
        singular = self.number is not None and _plural_rule(self.lang)(self.number) == "one"
        return f"{self} {one if singular else other}"


@functools.cache
def _plural_rule(lang: str) -> Callable[[int], str]:
    """The language's plural category of a number ("one", "other"), from Babel's locale data."""
    return Locale.parse(LOCALE[lang]).plural_form


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def uncap(text: str) -> str:
    """Lower the first letter unless the text starts with a name or an acronym."""
    words = text.split(" ", 1)
    first = words[0]
    common = ("The", "It", "A", "An", "Every", "Each", "No", "There", "This", "That")
    common += ("Le", "La", "Les", "Il", "Un", "Une", "Tous", "Toutes", "Tout", "Toute", "Chaque", "Aucun", "Aucune")
    common += ("If", "Without", "Unless", "Once", "Si", "S'il", "S'ils", "Faute", "Sauf", "Sans")
    if first in common:
        return first.lower() + text[len(first) :]
    if first[:2] in ("L'", "D'") and first[2:3].islower():  # an elided article: "L'agente …"
        return first[0].lower() + text[1:]
    return text
