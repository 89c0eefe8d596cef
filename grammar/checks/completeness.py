"""Completeness: every text a reviewer reads exists in English and in French."""

from __future__ import annotations

from collections.abc import Iterable

from grammar.diagnostics import Diagnostic
from grammar.typed import nodes as n


def _missing(span: n.Span, message: str, hint: str) -> Diagnostic:
    # An error for `havre check`, yet kept out of the checks' PolicyError: a draft can still decide cases.
    return Diagnostic("missing-text", "error", span, message, hint)


def missing_texts(
    predicates: Iterable[n.Predicate],
    rules: Iterable[n.Rule],
    entities: Iterable[n.Entity] = (),
    sources: Iterable[n.Source] = (),
    parties: Iterable[n.Party] = (),
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for party in parties:
        missing = [lang for lang in n.LANGS if party.text(lang) is None]
        if missing:
            example = {"en": 'en "the applicant"', "fr": 'fr "la personne requérante"'}[missing[0]]
            message = f"party `{party.name}` has no {' or '.join(missing)} text"
            out.append(_missing(party.span, message, f"add how a sentence names it, e.g. `{example}`"))
    for s in sources:
        for item in (s, *s.provisions):
            if item.title_fr is None:
                what = "source" if item is s else "provision"
                out.append(
                    _missing(
                        item.span, f"{what} `{item.id}` has no French title", f'add `fr "..."` after "{item.title}"'
                    )
                )
    for e in entities:
        missing = [lang for lang in n.LANGS if e.text(lang) is None]
        if missing:
            example = {"en": f'en "a {e.name}"', "fr": 'fr "une …"'}[missing[0]]
            message = f"entity `{e.name}` has no {' or '.join(missing)} text"
            out.append(_missing(e.span, message, f"add how a sentence names one, e.g. `{example}`"))
    for p in predicates:
        missing = [lang for lang in n.LANGS if p.text(lang) is None]
        if missing:
            out.append(
                _missing(
                    p.span,
                    f"`{p.name}` has no {' or '.join(missing)} text",
                    f'add e.g. `{missing[0]} "..."` under its declaration',
                )
            )
        unsaid = [lang for lang in n.LANGS if p.passed_text(lang) is None]
        if p.deadline is not None and unsaid:
            out.append(
                _missing(
                    p.deadline.span,
                    f"`{p.name}` has a deadline but no {' or '.join(unsaid)} `passed` text",
                    f'add e.g. `passed {unsaid[0]} "..."`: what happens once the date has passed',
                )
            )
        clauses = [lang for lang in n.LANGS if p.text(lang, clause=True) is None]
        if 0 < len(clauses) < len(n.LANGS):
            clause = next(t for t in p.texts if t.clause)
            out.append(
                _missing(
                    clause.span,
                    f"`{p.name}` has a `clause` text but no {' or '.join(clauses)} one",
                    f'add e.g. `clause {clauses[0]} "..."`: without it, conditions in that language use its text',
                )
            )
        asked = [lang for lang in n.LANGS if p.text(lang, question=True) is None]
        if p.is_input and asked:
            out.append(
                _missing(
                    p.span,
                    f"`{p.name}` has no {' or '.join(asked)} question",
                    f'add e.g. `question {asked[0]} "..."` to ask for it when it is missing',
                )
            )
        if isinstance(p.value, n.EnumType):
            for value in p.value.values:
                unlabelled = [lang for lang in n.LANGS if p.label(value, lang) is None]
                if unlabelled:
                    out.append(
                        _missing(
                            p.span,
                            f"value `{value}` of `{p.name}` has no {' or '.join(unlabelled)} label",
                            f'add e.g. `label {value} {unlabelled[0]} "..."`',
                        )
                    )
    for r in rules:
        if r.title_fr is None:
            hint = f'write `rule {r.cited_as} "{r.title}" fr "..."`'
            out.append(_missing(r.span, f"rule `{r.cited_as}` has no French title", hint))
    return out
