"""Name resolution: declarations, duplicates, citations, priorities, templates."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from string import Formatter

from grammar.checks.checked import BUILTINS, RESERVED_FIELDS, Cited
from grammar.checks.versions import versioned
from grammar.diagnostics import Diagnostic, did_you_mean, error
from grammar.typed import nodes as n

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A number's noun after it, singular and plural: `{value:person|persons}` reads "1 person", "3 persons".
COUNTED = re.compile(r"[^|{}:!]*[^|{}:!\s][^|{}:!]*\|[^|{}:!]*[^|{}:!\s][^|{}:!]*")


def placeholders(template: str) -> set[str]:
    """The names a template's placeholders give, without what follows a colon (`{value:person|persons}`)."""
    return {found.split(":", 1)[0] for found in PLACEHOLDER.findall(template)}


@dataclass
class Tables:
    entities: dict[str, n.Entity]
    predicates: dict[str, n.Predicate]
    citations: dict[str, Cited]
    rules: dict[str, n.Rule]
    priorities: list[n.Priority]
    invariants: list[n.Invariant]
    summary: list[str]
    parties: dict[str, n.Party]


def resolve(policy: n.Policy) -> tuple[Tables, list[Diagnostic]]:
    t = Tables({}, {}, {}, {}, [], [], [], {})
    diags: list[Diagnostic] = []
    decls = policy.declarations()
    for d in decls:
        if isinstance(d, n.Entity):
            _declare(t.entities, d.name, d, d.span, "entity", diags)
        elif isinstance(d, n.Party):
            _declare(t.parties, d.name, d, d.span, "party", diags)
        elif isinstance(d, n.Predicate):
            _declare(t.predicates, d.name, d, d.span, "predicate", diags)
        elif isinstance(d, n.Source):
            _declare(t.citations, d.id, Cited(d.id, d.title, d.title_fr, d), d.span, "source", diags)
            for p in d.provisions:
                _declare(t.citations, p.id, Cited(p.id, p.title, p.title_fr, d), p.span, "source", diags)
        elif isinstance(d, n.Figure):
            _declare(t.predicates, d.predicate.name, d.predicate, d.predicate.span, "predicate", diags)
        elif isinstance(d, n.Priority):
            t.priorities.append(d)
        elif isinstance(d, n.Invariant):
            t.invariants.append(d)
    t.rules, found = versioned(
        (d for d in decls if isinstance(d, n.Rule)), (d for d in decls if isinstance(d, n.Figure)), t.citations
    )
    diags += found
    t.priorities = [p for d in t.priorities for p in _each_version(d, t.rules)]
    for pred in t.predicates.values():
        diags.extend(_check_predicate(pred, t))
    for d in decls:
        if isinstance(d, n.Rule | n.Priority | n.Invariant | n.Figure):
            diags.extend(_check_citations(d.cites, t))
        if isinstance(d, n.Priority):
            diags.extend(found for p in _each_version(d, t.rules) for found in _check_priority(p, t))
        if isinstance(d, n.Summary):
            diags.extend(_check_summary(d, t))
    return t, diags


def _each_version(p: n.Priority, rules: dict[str, n.Rule]) -> list[n.Priority]:
    """A priority naming a rule with versions holds for each of them."""

    def keys(ref: n.RuleRef) -> list[n.RuleRef]:
        found = [n.RuleRef(key, ref.span) for key, r in rules.items() if r.version_of == ref.id]
        return found or [ref]

    return [dataclasses.replace(p, high=h, low=lo) for h in keys(p.high) for lo in keys(p.low)]


def _check_summary(d: n.Summary, t: Tables) -> list[Diagnostic]:
    """Each name a verdict, listed once across every `summary` of the policy; the order is kept."""
    diags: list[Diagnostic] = []
    verdicts = [p.name for p in t.predicates.values() if p.kind == "verdict"]
    for ref in d.verdicts:
        pred = t.predicates.get(ref.name)
        if pred is None or pred.kind != "verdict":
            what = "not a verdict" if pred is not None else "not declared"
            hint = did_you_mean(ref.name, verdicts) or "a summary lists verdicts"
            diags.append(error("undefined-name", ref.span, f"`{ref.name}` is {what}", hint))
        elif ref.name in t.summary:
            diags.append(error("duplicate-declaration", ref.span, f"`{ref.name}` is already in the summary"))
        else:
            t.summary.append(ref.name)
    return diags


def _declare(table: dict, key: str, value: object, span: object, what: str, diags: list[Diagnostic]) -> None:
    if key in table:
        first = getattr(table[key], "span", None) or table[key].source.span
        diags.append(error("duplicate-declaration", span, f"{what} `{key}` is already declared at {first}"))  # type: ignore[arg-type]
    else:
        table[key] = value


def _check_predicate(pred: n.Predicate, t: Tables) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    if pred.name in BUILTINS:
        diags.append(error("reserved-name", pred.span, f"`{pred.name}` is a built-in function and cannot be declared"))
    if pred.is_input and pred.name in RESERVED_FIELDS:
        diags.append(
            error(
                "reserved-name",
                pred.span,
                f"`{pred.name}` is reserved for case files",
                "case files use `name` for a display name and `id` for identifiers",
            )
        )
    if not pred.params:
        diags.append(
            error(
                "wrong-arity",
                pred.span,
                f"`{pred.name}` has no parameters",
                "every predicate is about at least one entity, e.g. `(P: person)`",
            )
        )
    seen: set[str] = set()
    for p in pred.params:
        if p.var in seen:
            diags.append(error("duplicate-declaration", p.span, f"parameter `{p.var}` appears twice"))
        seen.add(p.var)
        if p.type.name not in t.entities:
            diags.append(
                error(
                    "undefined-name",
                    p.span,
                    f"`{p.type.name}` is not a declared entity",
                    did_you_mean(p.type.name, t.entities),
                )
            )
    if isinstance(pred.value, n.EntityType) and pred.value.name not in t.entities:
        diags.append(
            error(
                "undefined-name",
                pred.span,
                f"`{pred.value.name}` is not a declared entity",
                did_you_mean(pred.value.name, t.entities),
            )
        )
    if pred.default_false and not (pred.kind == "input" and pred.is_bool):
        reason = (
            "an officer's finding is never presumed: its absence leaves the case undetermined"
            if pred.kind == "judged"
            else "`default false` applies only to yes/no inputs"
        )
        diags.append(error("bad-modifier", pred.span, f"`{pred.name}` cannot be `default false`", reason))
    if pred.fixed and not pred.is_input:
        diags.append(
            error(
                "bad-modifier",
                pred.span,
                f"`{pred.name}` cannot be `fixed`",
                "`fixed` marks inputs that cannot change, such as birth dates and past events",
            )
        )
    values = pred.value.values if isinstance(pred.value, n.EnumType) else ()
    for text in pred.texts:
        if text.value is not None and text.value not in values:
            what = f"one of {', '.join(values)}" if values else "an enumeration value"
            diags.append(
                error(
                    "undefined-name",
                    text.span,
                    f"`{text.value}` is not a value of `{pred.name}`",
                    did_you_mean(text.value, values) or f"a label names {what}",
                )
            )
    for g in pred.grounds:
        if not isinstance(pred.value, n.EnumType) or pred.kind != "verdict":
            hint = "grounds say what an explanation of one value of a verdict leads with"
            diags.append(error("bad-modifier", g.span, f"`{pred.name}` cannot have grounds", hint))
        elif g.value not in values:
            hint = did_you_mean(g.value, values) or f"one of {', '.join(values)}"
            diags.append(error("undefined-name", g.span, f"`{g.value}` is not a value of `{pred.name}`", hint))
    for text in pred.texts:
        if text.negative and not pred.is_bool:
            hint = "a `not` text is the sentence when a yes/no fact does not hold"
            diags.append(error("bad-modifier", text.span, f"`{pred.name}` has a value; it takes no `not` text", hint))
        if text.question and "value" in placeholders(text.template):
            hint = "a question asks for the value; name the fact's parameters only"
            diags.append(error("bad-template", text.span, f"the question of `{pred.name}` names `{{value}}`", hint))
        if text.clause and not pred.is_bool and "value" not in placeholders(text.template):
            hint = 'a condition says which value: e.g. `clause en "the decision on {A} is {value}"`'
            diags.append(
                error("bad-template", text.span, f"the `clause` text of `{pred.name}` has no `{{value}}`", hint)
            )
    if pred.applies is not None and pred.kind != "verdict":
        hint = "`applies if` says which subjects a verdict concerns"
        diags.append(
            error("bad-modifier", pred.span, f"`{pred.name}` is not a verdict; only verdicts have `applies if`", hint)
        )
    allowed = {p.var for p in pred.params} | ({"value"} if not pred.is_bool else set())
    for text in pred.texts + pred.passed:
        diags.extend(_check_template(text, pred, allowed))
    return diags + _check_deadline(pred, t) + _check_translations(pred)


def _check_deadline(pred: n.Predicate, t: Tables) -> list[Diagnostic]:
    """`deadline for PARTY` on a date the policy sets, a declared party; `passed` texts only with a deadline;
    `background` only on a date that is no verdict and no deadline."""
    diags: list[Diagnostic] = []
    dated = isinstance(pred.value, n.DateType)
    if pred.background and not (dated and pred.kind != "verdict" and pred.deadline is None):
        hint = (
            "`background` marks a date input that is no event of the file, such as a birth date, or a computed"
            " date that is a step toward a verdict's own date"
        )
        diags.append(error("bad-modifier", pred.span, f"`{pred.name}` cannot be `background`", hint))
    d = pred.deadline
    if d is None:
        for text in pred.passed:
            hint = "a `passed` text says what happens once the date of a `deadline for PARTY` has passed"
            diags.append(error("bad-modifier", text.span, f"`{pred.name}` has a `passed` text but no `deadline`", hint))
        return diags
    if not dated:
        hint = "a deadline is a date: declare the predicate with `: date`"
        diags.append(error("bad-modifier", d.span, f"`{pred.name}` is not a date; it cannot be a deadline", hint))
    elif pred.is_input:
        hint = "a deadline is a date the policy sets: a derived fact or a verdict"
        diags.append(error("bad-modifier", d.span, f"`{pred.name}` is an input; it cannot be a deadline", hint))
    if d.party not in t.parties:
        hint = did_you_mean(d.party, t.parties) or f'declare it with `party {d.party} en "..." fr "..."`'
        diags.append(error("undefined-name", d.party_span, f"`{d.party}` is not a declared party", hint))
    return diags + _check_met_by(pred, d, t)


def _check_met_by(pred: n.Predicate, d: n.Deadline, t: Tables) -> list[Diagnostic]:
    """`met by FACT`: a date input or derived fact of the deadline's own subjects, read for each subject."""
    if d.met_by is None or d.met_by_span is None:
        return []
    met = t.predicates.get(d.met_by)
    if met is None:
        dates = [p.name for p in t.predicates.values() if isinstance(p.value, n.DateType) and p.kind != "verdict"]
        hint = did_you_mean(d.met_by, dates) or "`met by` names the date fact that says when it was done"
        return [error("undefined-name", d.met_by_span, f"`{d.met_by}` is not declared", hint)]
    problem = None
    if not isinstance(met.value, n.DateType):
        problem = f"`{met.name}` is not a date"
    elif met.kind == "verdict":
        problem = f"`{met.name}` is a verdict"
    elif [p.type.name for p in met.params] != [p.type.name for p in pred.params]:
        ours = ", ".join(p.type.name for p in pred.params)
        problem = f"`{met.name}` is not about the same subjects as `{pred.name}` ({ours})"
    if problem is None:
        return []
    hint = "`met by` names a date input or derived fact with the deadline's parameters, e.g. when it was reported"
    return [error("bad-modifier", d.met_by_span, f"{problem}; it cannot meet the deadline", hint)]


def _check_translations(pred: n.Predicate) -> list[Diagnostic]:
    """An English text and its French translation name the same placeholders: a reader of either sees the same facts."""
    diags: list[Diagnostic] = []
    by_kind: dict[tuple[str, str | None], dict[str, n.Text]] = {}
    for t in pred.texts + pred.passed:
        by_kind.setdefault((t.kind, t.value), {}).setdefault(t.lang, t)
    for (kind, value), texts in by_kind.items():
        if len(texts) < 2:
            continue
        what = {"label": f"label of `{value}`", "question": "question", "": "text"}.get(kind, f"`{kind}` text")
        names = {lang: placeholders(t.template) for lang, t in texts.items()}
        for lang, other in (("fr", "en"), ("en", "fr")):
            for name in sorted(names[other] - names[lang]):
                diags.append(
                    error(
                        "bad-template",
                        texts[lang].span,
                        f"the {lang} {what} of `{pred.name}` has no `{{{name}}}`, unlike the {other} one",
                        "the English and French texts name the same placeholders",
                    )
                )
    return diags


def _check_template(text: n.Text, pred: n.Predicate, allowed: set[str]) -> list[Diagnostic]:
    """Placeholders name parameters, nothing else: the template is filled with str.format_map. A number's
    `{value}` may give the noun that follows it, singular and plural (`{value:person|persons}`)."""
    hint = "placeholders are " + ", ".join(f"{{{a}}}" for a in sorted(allowed)) + "; write {{ and }} for braces"
    try:
        fields = [(field, spec, conv) for _, field, spec, conv in Formatter().parse(text.template) if field is not None]
    except ValueError:
        return [error("bad-template", text.span, "a brace `{` or `}` is not part of a placeholder", hint)]
    out = []
    for field, spec, conv in fields:
        shown = "{" + field + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
        if field == "value" and spec and not conv and field in allowed:
            if not isinstance(pred.value, n.IntType):
                problem = f"placeholder `{shown}`: `{pred.name}` is no number"
                counted = "only a number's `{value}` gives the noun that follows it, as `{value:person|persons}`"
                out.append(error("bad-template", text.span, problem, counted))
            elif not COUNTED.fullmatch(spec):
                problem = f"placeholder `{shown}` gives no singular and plural"
                counted = "after the colon, the noun singular and plural, split by `|`: `{value:person|persons}`"
                out.append(error("bad-template", text.span, problem, counted))
        elif field not in allowed or spec or conv:
            out.append(
                error("bad-template", text.span, f"placeholder `{shown}` names no parameter of `{pred.name}`", hint)
            )
    return out


def _check_citations(cites: tuple[n.Citation, ...], t: Tables) -> list[Diagnostic]:
    return [
        error(
            "undefined-source",
            c.span,
            f"`{c.id}` is not a declared source or provision",
            did_you_mean(c.id, t.citations) or "declare it with `source` or `provision`",
        )
        for c in cites
        if c.id not in t.citations
    ]


def _check_priority(p: n.Priority, t: Tables) -> list[Diagnostic]:
    diags = [
        error("undefined-rule", ref.span, f"no rule `{ref.id}`", did_you_mean(ref.id, t.rules))
        for ref in (p.high, p.low)
        if ref.id not in t.rules
    ]
    if diags:
        return diags
    high, low = t.rules[p.high.id], t.rules[p.low.id]
    if high.head.name != low.head.name:
        diags.append(
            error(
                "priority-mismatch",
                p.span,
                f"`{p.high.id}` concludes `{high.head.name}` but `{p.low.id}` concludes `{low.head.name}`",
                "a priority settles a competition between rules concluding the same thing",
            )
        )
    return diags
