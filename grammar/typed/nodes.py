"""The typed AST of the policy language: frozen, slotted, every node has a span."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from grammar.typed.source import Span

LANGS = ("en", "fr")  # the languages a policy is written in, and a case's names given in

# ---------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class BoolType:
    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class IntType:
    def __str__(self) -> str:
        return "int"


@dataclass(frozen=True, slots=True)
class DateType:
    def __str__(self) -> str:
        return "date"


@dataclass(frozen=True, slots=True)
class DurationType:
    def __str__(self) -> str:
        return "duration"


@dataclass(frozen=True, slots=True)
class EnumType:
    values: tuple[str, ...]

    def __str__(self) -> str:
        return "one of " + ", ".join(self.values)


@dataclass(frozen=True, slots=True)
class EntityType:
    name: str

    def __str__(self) -> str:
        return self.name


Type = BoolType | IntType | DateType | DurationType | EnumType | EntityType

BOOL, INT, DATE, DURATION = BoolType(), IntType(), DateType(), DurationType()

# ---------------------------------------------------------------- terms

DurationUnit = Literal["days", "months", "years"]


@dataclass(frozen=True, slots=True)
class Var:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class IntLit:
    value: int
    span: Span


@dataclass(frozen=True, slots=True)
class DateLit:
    value: dt.date
    span: Span


@dataclass(frozen=True, slots=True)
class Duration:
    """`60 days`, or `N days` for a whole-number variable N."""

    amount: int | Var
    unit: DurationUnit
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    """A bare lowercase name in a term: an enumeration value."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class AssessmentDate:
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """`f(args)`: a value predicate, or a built-in function."""

    name: str
    args: tuple[Term, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class BinOp:
    op: Literal["+", "-"]
    left: Term
    right: Term
    span: Span


@dataclass(frozen=True, slots=True)
class Count:
    """`number of X where cond`."""

    var: Var
    cond: Cond
    span: Span


Term = Var | IntLit | DateLit | Duration | Name | AssessmentDate | Call | BinOp | Count

# ---------------------------------------------------------------- conditions

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Atom:
    """`p(args)`: a yes/no predicate holds."""

    name: str
    args: tuple[Term, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Term
    right: Term
    span: Span


@dataclass(frozen=True, slots=True)
class Not:
    cond: Cond
    span: Span


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Cond, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Cond, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Some:
    """`some X where cond`."""

    var: Var
    cond: Cond
    span: Span


@dataclass(frozen=True, slots=True)
class Every:
    """`every X where cond satisfies then`."""

    var: Var
    cond: Cond
    then: Cond
    span: Span


Cond = Atom | Compare | Not | And | Or | Some | Every

# ---------------------------------------------------------------- declarations

Authority = Literal["law", "official", "operational", "secondary"]
PredicateKind = Literal["input", "judged", "derived", "verdict"]
Lang = Literal["en", "fr"]


@dataclass(frozen=True, slots=True)
class Import:
    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class InForce:
    """`in force from DATE until DATE`: the days a version is in force, both ends included; either end may be open.
    `as_of` (rules only): the date the version is chosen by, the assessment date when None."""

    start: dt.date | None
    end: dt.date | None
    span: Span
    as_of: Term | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Provision:
    id: str
    title: str
    title_fr: str | None
    span: Span
    in_force: InForce | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    document: str
    title: str
    title_fr: str | None
    authority: Authority
    provisions: tuple[Provision, ...]
    span: Span
    in_force: InForce | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    plural: str
    span: Span
    texts: tuple[Text, ...] = ()  # `en "a letter"`, `fr "une lettre"`: one of them, in a sentence

    def text(self, lang: str) -> str | None:
        return next((t.template for t in self.texts if t.lang == lang and not (t.question or t.negative)), None)


@dataclass(frozen=True, slots=True)
class Param:
    var: str
    type: EntityType
    span: Span


@dataclass(frozen=True, slots=True)
class Text:
    """A natural-language template; `question` marks the form asked of a caseworker, `negative` the sentence
    when a yes/no fact does not hold, `value` the label of one enumeration value."""

    lang: Lang
    template: str
    question: bool
    span: Span
    value: str | None = None
    negative: bool = False
    passed: bool = False  # `passed en "..."`: what happens once a deadline has passed
    clause: bool = False  # `clause en "..."`: the fact as a condition says it, where its text is a label or long

    @property
    def kind(self) -> str:
        """The word that leads it in a declaration: `label`, `question`, `not`, `passed`, `clause`; "" for none."""
        if self.value is not None:
            return "label"
        if self.question:
            return "question"
        if self.negative:
            return "not"
        if self.passed:
            return "passed"
        return "clause" if self.clause else ""


@dataclass(frozen=True, slots=True)
class Grounds:
    """`grounds refused: not meets_conditions(A)`: what an explanation of that value leads with."""

    value: str
    cond: Cond
    span: Span


@dataclass(frozen=True, slots=True)
class Party:
    """`party applicant en "the applicant" fr "la personne requérante"`: one who acts on a date the policy sets."""

    name: str
    texts: tuple[Text, ...]
    span: Span

    def text(self, lang: str) -> str | None:
        return next((t.template for t in self.texts if t.lang == lang), None)


@dataclass(frozen=True, slots=True)
class Deadline:
    """`deadline for applicant`: the party who must act by a date-valued predicate's date; `met by
    change_reported_on`: the date fact, of the same subjects, that says when it was done."""

    party: str
    party_span: Span
    span: Span
    met_by: str | None = None
    met_by_span: Span | None = None


@dataclass(frozen=True, slots=True)
class Predicate:
    """An input, officer's finding, derived fact or verdict."""

    kind: PredicateKind
    name: str
    params: tuple[Param, ...]
    value: Type  # BoolType for yes/no predicates
    default_false: bool
    fixed: bool
    texts: tuple[Text, ...]
    span: Span
    applies: Cond | None = None  # for verdicts: the subjects it applies to; a value verdict must give them one
    grounds: tuple[Grounds, ...] = ()
    deadline: Deadline | None = None
    passed: tuple[Text, ...] = ()  # what happens once the deadline has passed, one text a language
    background: bool = False  # a date that is no event of the file (a birth date): left off the agenda

    @property
    def is_bool(self) -> bool:
        return isinstance(self.value, BoolType)

    @property
    def is_input(self) -> bool:
        return self.kind in ("input", "judged")

    def text(self, lang: str, *, question: bool = False, negative: bool = False, clause: bool = False) -> str | None:
        for t in self.texts:
            if (t.lang, t.question, t.negative, t.clause, t.value) == (lang, question, negative, clause, None):
                return t.template
        return None

    def passed_text(self, lang: str) -> str | None:
        """What happens once the deadline has passed, in a language."""
        return next((t.template for t in self.passed if t.lang == lang), None)

    def label(self, value: str, lang: str) -> str | None:
        """The declared label of an enumeration value, if any."""
        for t in self.texts:
            if t.value == value and t.lang == lang:
                return t.template
        return None


@dataclass(frozen=True, slots=True)
class Head:
    name: str
    args: tuple[Var, ...]
    value: Term | None
    span: Span


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    span: Span


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    title_fr: str | None
    cites: tuple[Citation, ...]
    head: Head
    body: Cond | None
    exceptions: tuple[Cond, ...]
    span: Span
    # as written: the rule's own window; once checked, the window it is in force (its citations' included)
    in_force: InForce | None = None
    version_of: str | None = None  # once checked, for one of several versions: the ID they share

    @property
    def cited_as(self) -> str:
        """The ID a reader cites: the one its versions share."""
        return self.version_of or self.id


@dataclass(frozen=True, slots=True)
class RuleRef:
    id: str
    span: Span


@dataclass(frozen=True, slots=True)
class Priority:
    high: RuleRef
    low: RuleRef
    cites: tuple[Citation, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Invariant:
    id: str
    title: str
    title_fr: str | None
    cites: tuple[Citation, ...]
    cond: Cond
    span: Span


@dataclass(frozen=True, slots=True)
class NameRef:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Summary:
    """`summary decision, route`: the verdicts that answer a case's main questions, in reading order."""

    verdicts: tuple[NameRef, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FigureRow:
    """`from 2026-01-01 until 2026-12-31 = 1800`: the figure's value for the days the row is in force."""

    in_force: InForce
    value: Term
    span: Span


@dataclass(frozen=True, slots=True)
class Figure:
    """Policy data that changes by date (a yearly quota, a fee): a derived fact concluded, for each row, by one
    version of the rule `id`, in force over the row's days."""

    id: str
    title: str
    title_fr: str | None
    cites: tuple[Citation, ...]
    predicate: Predicate
    as_of: Term | None
    rows: tuple[FigureRow, ...]
    span: Span


Declaration = Import | Source | Entity | Party | Predicate | Rule | Priority | Invariant | Summary | Figure


@dataclass(frozen=True, slots=True)
class Module:
    """One parsed file."""

    path: str
    declarations: tuple[Declaration, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    """Every file of a policy, in load order, with their texts for diagnostics."""

    root: str
    modules: tuple[Module, ...]
    texts: tuple[tuple[str, str], ...]

    def declarations(self) -> tuple[Declaration, ...]:
        return tuple(d for m in self.modules for d in m.declarations)
