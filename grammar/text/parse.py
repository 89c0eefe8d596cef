"""Policy text -> typed AST. The only module that sees Lark trees."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.grammar import Rule
from lark.lexer import TerminalDef

from grammar.diagnostics import Diagnostic, PolicyError, did_you_mean, error
from grammar.text.files import ENTRY_FILE, FileProblem, entry_file, name_problem, os_problem, read_text
from grammar.typed import nodes as n
from grammar.typed.source import Span

GRAMMAR = Path(__file__).with_name("policy.lark")
TABLES = GRAMMAR.with_name("policy.lark.json")  # made from the grammar by `python -m grammar.text.parse`
MAX_POLICY_BYTES = 1024 * 1024  # a file; the shipped policy's largest is 14 KB
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the solver's whole numbers (clingo's are 32-bit)
MAX_FILES = 500
MAX_TOTAL_CHARS = 4 * 1024 * 1024  # all files together; the shipped policy has 150 KB
# Long lists cost the parser time that grows with their square, so they are counted before it runs:
# `and`/`or` and commas in one file (the shipped policy's most: 52 and 95), declarations in the policy.
MAX_LIST_WORDS = 2000
MAX_DECLARATION_WORDS = 5000
_CONNECTIVE = re.compile(r"\b(?:and|or)\b")
_COMMA = re.compile(",")
_DECLARING = [
    "rule",
    "input",
    "judged",
    "derived",
    "verdict",
    "entity",
    "party",
    "source",
    "provision",
    "priority",
    "invariant",
    "import",
    "figure",
]
_DECLARATION = re.compile(rf"\b(?:{'|'.join(_DECLARING)})\b")
MAX_NESTING = 50  # levels of conditions and values in one declaration; the shipped policy needs 10
AUTHORITIES = ("law", "official", "operational", "secondary")
# Words of the language, never names: the contextual lexer would otherwise accept
# some of them where a name may stand (and `not` would break the ASP program).
KEYWORDS = frozenset(
    [
        "and",
        "or",
        "not",
        "if",
        "unless",
        "some",
        "every",
        "where",
        "satisfies",
        "number",
        "of",
        "one",
        "cites",
        "rule",
        "priority",
        "over",
        "invariant",
        "never",
        "source",
        "provision",
        "entity",
        "plural",
        "input",
        "judged",
        "derived",
        "verdict",
        "default",
        "false",
        "true",
        "fixed",
        "import",
        "authority",
        "question",
        "assessment_date",
        "applies",
        "grounds",
        "summary",
        "party",
        "deadline",
        "for",
        "met",
        "by",
        "passed",
        "clause",
        "background",
        "figure",
        "in",
        "force",
        "from",
        "until",
        "as",
    ]
)
# The words that begin a declaration, always at the start of a line in a formatted file.
DECLARATION_WORDS = frozenset(
    [
        "import",
        "source",
        "entity",
        "party",
        "input",
        "judged",
        "derived",
        "verdict",
        "rule",
        "priority",
        "invariant",
        "summary",
        "figure",
    ]
)
UNITS: dict[str, n.DurationUnit] = {
    "day": "days",
    "days": "days",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}

# What the parser expected, in the words an analyst uses.
TERMINAL_WORDS = {
    "NAME": "a lowercase name",
    "VAR": "a variable (a capitalised name such as P)",
    "CITE_ID": "an identifier such as QHC-3",
    "STRING": "a quoted text",
    "INT": "a whole number",
    "DATE": "a date (YYYY-MM-DD)",
    "QUESTION": "`question`",
    "$END": "the end of the file",
}


@cache
def _parser() -> Lark:
    """The grammar's parser, from the tables kept beside it (`TABLES`) while they are the grammar's own: building
    them costs about 100 ms, as much as parsing the shipped policy, in every process that parses a policy."""
    text = GRAMMAR.read_text(encoding="utf-8")
    with suppress(OSError, ValueError, LookupError, TypeError, AttributeError, AssertionError):
        kept = json.loads(TABLES.read_text(encoding="utf-8"), object_hook=_numbered_keys)
        if kept["grammar"] == _digest(text) and kept["lark"] == lark.__version__:
            return Lark.load({"data": kept["data"], "memo": kept["memo"]})
    return _built(text)


def _built(text: str) -> Lark:
    return Lark(text, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def parser_tables(text: str) -> dict[str, Any]:
    """What `TABLES` keeps for a grammar: its parser's tables, as JSON data."""
    data, memo = _built(text).memo_serialize([TerminalDef, Rule])
    return {"grammar": _digest(text), "lark": lark.__version__, "data": data, "memo": memo}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _numbered_keys(obj: dict[str, Any]) -> dict[Any, Any]:
    """JSON names every key with a text; the tables number their states and memo entries."""
    return {int(k) if k.isdigit() else k: v for k, v in obj.items()}


@dataclass(frozen=True, slots=True)
class _Applies:
    cond: n.Cond


@dataclass(frozen=True, slots=True)
class _AsOf:
    term: n.Term


class _Invalid(Exception):
    """A literal that parses but means nothing (a date like 2026-02-30)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|N\{([A-Za-z0-9 -]{1,100})\}|(.))")
ESCAPE_HINT = 'a text may use \\" \\\\ \\n \\t, \\uXXXX or \\UXXXXXXXX (hexadecimal) and \\N{NAME} (a Unicode name)'


def _unescape(body: str) -> str:
    """A quoted text's characters; _BadEscape names the first escape that means none."""

    def one(m: re.Match[str]) -> str:
        short, long, name, other = m.groups()
        if other is not None:
            if other not in ESCAPES:
                raise _BadEscape(m.start(), f"unknown escape `{m.group(0)}`")
            return ESCAPES[other]
        if name is not None:
            try:
                return unicodedata.lookup(name)
            except KeyError:
                raise _BadEscape(m.start(), f"no character is named `{name}`") from None
        code = int(short or long, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
            raise _BadEscape(m.start(), f"`{m.group(0)}` is not a character a text can hold")
        return chr(code)

    return _ESCAPE.sub(one, body) if "\\" in body else body


class _BadEscape(Exception):
    def __init__(self, offset: int, message: str) -> None:
        self.offset, self.message = offset, message


class _ToNodes:
    """A file's parse tree made typed nodes, bottom up: each rule's method is given the rule's place and its
    children, already made nodes. Walked here rather than by Lark's `Transformer`, whose wrapping of every call
    took about 10 of the 86 ms parsing the shipped policy took; `_too_deep` has bounded the recursion."""

    def __init__(self, file: str) -> None:
        self.file = file

    def transform(self, tree: Tree[Token]) -> Any:
        children = [self.transform(c) if isinstance(c, Tree) else c for c in tree.children]
        build = getattr(self, tree.data, None)
        if build is None:  # a rule no declaration reads on its own: left a tree, as Lark's transformer leaves it
            return Tree(tree.data, children, tree.meta)
        return build(tree.meta, *children)

    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span.point(self.file)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)

    def _string(self, tok: Token) -> str:
        try:
            return _unescape(str(tok)[1:-1])
        except _BadEscape as bad:
            line, column = tok.line or 1, (tok.column or 1) + 1 + bad.offset
            span = Span(self.file, line, column, line, column + 2)
            raise _Invalid(error("bad-literal", span, bad.message, ESCAPE_HINT)) from None

    # declarations
    def start(self, meta: Any, *items: n.Declaration) -> tuple[n.Declaration, ...]:
        return items

    def import_(self, meta: Any, path: Token) -> n.Import:
        return n.Import(self._string(path), self._span(meta))

    def french(self, meta: Any, text: Token) -> str:
        return self._string(text)

    def provision(
        self, meta: Any, ident: Token, title: Token, title_fr: str | None, in_force: n.InForce | None
    ) -> n.Provision:
        return n.Provision(str(ident), self._string(title), title_fr, self._span(meta), in_force)

    def window_from(self, meta: Any, start: Token, end: Token | None) -> n.InForce:
        window = n.InForce(self._date(start), self._date(end) if end is not None else None, self._span(meta))
        if window.start and window.end and window.end < window.start:
            message = f"the window ends on {window.end} before it starts on {window.start}"
            raise _Invalid(error("bad-literal", window.span, message, "`until` names the last day in force"))
        return window

    def window_until(self, meta: Any, end: Token) -> n.InForce:
        return n.InForce(None, self._date(end), self._span(meta))

    def in_force(self, meta: Any, window: n.InForce) -> n.InForce:
        return n.InForce(window.start, window.end, self._span(meta))

    def as_of(self, meta: Any, term: n.Term) -> _AsOf:
        return _AsOf(term)

    def figure_row(self, meta: Any, window: n.InForce, value: n.Term) -> n.FigureRow:
        return n.FigureRow(window, value, self._span(meta))

    def figure(self, meta: Any, ident: Token, title: Token, title_fr: str | None, cites: Any, *rest: Any) -> n.Figure:
        name = rest[0]
        as_of = next((x.term for x in rest if isinstance(x, _AsOf)), None)
        pred = self.predicate(meta, "derived", name, *(x for x in rest[1:] if not isinstance(x, _AsOf | n.FigureRow)))
        rows = tuple(x for x in rest if isinstance(x, n.FigureRow))
        return n.Figure(str(ident), self._string(title), title_fr, cites, pred, as_of, rows, self._span(meta))

    def source(
        self,
        meta: Any,
        ident: Token,
        doc: Token,
        title: Token,
        title_fr: str | None,
        auth: Token,
        in_force: n.InForce | None,
        *provs: n.Provision,
    ) -> n.Source:
        if str(auth) not in AUTHORITIES:
            hint = did_you_mean(str(auth), AUTHORITIES) or "authority is one of " + ", ".join(AUTHORITIES)
            raise _Invalid(error("bad-literal", self._tok(auth), f"unknown authority `{auth}`", hint))
        document, text = self._string(doc), self._string(title)
        source = n.Source(str(ident), document, text, title_fr, str(auth), provs, self._span(meta), in_force)  # type: ignore[arg-type]
        return source

    def _name(self, tok: Token) -> str:
        if str(tok) in KEYWORDS:
            raise _Invalid(error("reserved-name", self._tok(tok), f"`{tok}` is a word of the language, not a name"))
        return str(tok)

    def entity(self, meta: Any, name: Token, plural: Token | None, *texts: n.Text) -> n.Entity:
        for t in texts:
            if t.kind:
                hint = 'an entity has only `en "a letter"` and `fr "une lettre"`'
                raise _Invalid(error("bad-modifier", t.span, f"entity `{name}` takes only its names", hint))
        return n.Entity(str(name), str(plural) if plural else f"{name}s", self._span(meta), tuple(texts))

    def party(self, meta: Any, name: Token, *texts: n.Text) -> n.Party:
        for t in texts:
            if t.kind:
                hint = 'a party has only `en "the applicant"` and `fr "la personne requérante"`'
                raise _Invalid(error("bad-modifier", t.span, f"party `{name}` takes only its names", hint))
        return n.Party(self._name(name), tuple(texts), self._span(meta))

    def deadline(self, meta: Any, party: Token, met_by: Token | None) -> n.Deadline:
        met = (str(met_by), self._tok(met_by)) if met_by is not None else (None, None)
        return n.Deadline(str(party), self._tok(party), self._span(meta), *met)

    def clause(self, meta: Any, lang: str, template: Token) -> n.Text:
        return n.Text(lang, self._string(template), False, self._span(meta), clause=True)  # type: ignore[arg-type]

    def passed(self, meta: Any, lang: str, template: Token) -> n.Text:
        return n.Text(lang, self._string(template), False, self._span(meta), passed=True)  # type: ignore[arg-type]

    def background(self, meta: Any) -> str:
        return "background"

    def kind(self, meta: Any, tok: Token) -> str:
        return str(tok)

    def param(self, meta: Any, var: Token, type_name: Token) -> n.Param:
        return n.Param(str(var), n.EntityType(str(type_name)), self._span(meta))

    def t_bool(self, meta: Any) -> n.Type:
        return n.BOOL

    def t_int(self, meta: Any) -> n.Type:
        return n.INT

    def t_date(self, meta: Any) -> n.Type:
        return n.DATE

    def t_entity(self, meta: Any, name: Token) -> n.Type:
        return n.EntityType(str(name))

    def enum_type(self, meta: Any, *values: Token) -> n.Type:
        return n.EnumType(tuple(self._name(v) for v in values))

    def value_type(self, meta: Any, t: n.Type) -> n.Type:
        return t

    def default_false(self, meta: Any) -> str:
        return "default_false"

    def fixed(self, meta: Any) -> str:
        return "fixed"

    def lang(self, meta: Any, tok: Token) -> str:
        return str(tok)

    def label(self, meta: Any, value: Token, lang: str, template: Token) -> n.Text:
        return n.Text(lang, self._string(template), False, self._span(meta), str(value))  # type: ignore[arg-type]

    def negated(self, meta: Any, lang: str, template: Token) -> n.Text:
        return n.Text(lang, self._string(template), False, self._span(meta), negative=True)  # type: ignore[arg-type]

    def text(self, meta: Any, question: Token | None, lang: str, template: Token) -> n.Text:
        return n.Text(lang, self._string(template), question is not None, self._span(meta))  # type: ignore[arg-type]

    def predicate(self, meta: Any, kind: str, name: Token, *rest: Any) -> n.Predicate:
        self._name(name)
        params = tuple(x for x in rest if isinstance(x, n.Param))
        types = [x for x in rest if isinstance(x, n.BoolType | n.IntType | n.DateType | n.EnumType | n.EntityType)]
        mods = {x for x in rest if isinstance(x, str)}
        texts = tuple(x for x in rest if isinstance(x, n.Text) and not x.passed)
        applies = [x for x in rest if isinstance(x, _Applies)]
        if len(applies) > 1:
            raise _Invalid(error("bad-modifier", self._span(meta), f"`{name}` has more than one `applies if`"))
        deadlines = [x for x in rest if isinstance(x, n.Deadline)]
        if len(deadlines) > 1:
            raise _Invalid(error("bad-modifier", deadlines[1].span, f"`{name}` has more than one `deadline`"))
        return n.Predicate(
            kind,
            str(name),
            params,
            types[0] if types else n.BOOL,  # type: ignore[arg-type]
            "default_false" in mods,
            "fixed" in mods,
            texts,
            self._span(meta),
            applies[0].cond if applies else None,
            tuple(x for x in rest if isinstance(x, n.Grounds)),
            deadlines[0] if deadlines else None,
            tuple(x for x in rest if isinstance(x, n.Text) and x.passed),
            "background" in mods,
        )

    def applies(self, meta: Any, cond: n.Cond) -> _Applies:
        return _Applies(cond)

    def grounds(self, meta: Any, value: Token, cond: n.Cond) -> n.Grounds:
        return n.Grounds(str(value), cond, self._span(meta))

    def summary(self, meta: Any, *names: Token) -> n.Summary:
        return n.Summary(tuple(n.NameRef(str(t), self._tok(t)) for t in names), self._span(meta))

    def cites(self, meta: Any, *ids: Token) -> tuple[n.Citation, ...]:
        return tuple(n.Citation(str(i), self._tok(i)) for i in ids)

    def head(self, meta: Any, name: Token, *rest: Any) -> n.Head:
        *vars_, value = rest
        args = tuple(n.Var(str(v), self._tok(v)) for v in vars_ if v is not None)
        return n.Head(str(name), args, value, self._span(meta))

    def exception(self, meta: Any, cond: n.Cond) -> n.Cond:
        return cond

    def rule(
        self,
        meta: Any,
        ident: Token,
        title: Token,
        title_fr: str | None,
        cites: Any,
        in_force: n.InForce | None,
        as_of: _AsOf | None,
        head: n.Head,
        body: Any,
        *exc: n.Cond,
    ) -> n.Rule:
        if as_of is not None:
            window = in_force or n.InForce(None, None, as_of.term.span)
            in_force = n.InForce(window.start, window.end, window.span, as_of.term)
        return n.Rule(str(ident), self._string(title), title_fr, cites, head, body, exc, self._span(meta), in_force)

    def priority(self, meta: Any, high: Token, low: Token, cites: Any) -> n.Priority:
        return n.Priority(
            n.RuleRef(str(high), self._tok(high)), n.RuleRef(str(low), self._tok(low)), cites or (), self._span(meta)
        )

    def invariant(
        self, meta: Any, ident: Token, title: Token, title_fr: str | None, cites: Any, cond: n.Cond
    ) -> n.Invariant:
        return n.Invariant(str(ident), self._string(title), title_fr, cites or (), cond, self._span(meta))

    # conditions
    def or_(self, meta: Any, *items: n.Cond) -> n.Cond:
        return n.Or(items, self._span(meta))

    def and_(self, meta: Any, *items: n.Cond) -> n.Cond:
        return n.And(items, self._span(meta))

    def not_(self, meta: Any, cond: n.Cond) -> n.Cond:
        return n.Not(cond, self._span(meta))

    def some(self, meta: Any, var: Token, cond: n.Cond) -> n.Cond:
        return n.Some(n.Var(str(var), self._tok(var)), cond, self._span(meta))

    def every(self, meta: Any, var: Token, cond: n.Cond, then: n.Cond) -> n.Cond:
        return n.Every(n.Var(str(var), self._tok(var)), cond, then, self._span(meta))

    def comp_op(self, meta: Any, tok: Token) -> str:
        return str(tok)

    def compare(self, meta: Any, left: n.Term, op: str, right: n.Term) -> n.Cond:
        return n.Compare(op, left, right, self._span(meta))  # type: ignore[arg-type]

    def bare(self, meta: Any, term: n.Term) -> n.Cond:
        if isinstance(term, n.Call):
            return n.Atom(term.name, term.args, term.span)
        hint = "a condition is `p(X)` or a comparison such as `X < 22`"
        if isinstance(term, n.BinOp) and isinstance(term.left, n.Call):
            hint = (
                f"`{term.left.name}(...) {term.op} ...` was read as a condition after `where`; "
                "parenthesise that condition, e.g. `number of X where (p(X)) + 1`"
            )
        raise _Invalid(error("syntax-error", term.span, "expected a condition, found a value", hint))

    # terms
    def add_op(self, meta: Any, tok: Token) -> str:
        return str(tok)

    def binop(self, meta: Any, left: n.Term, op: str, right: n.Term) -> n.Term:
        return n.BinOp(op, left, right, self._span(meta))  # type: ignore[arg-type]

    def var(self, meta: Any, tok: Token) -> n.Term:
        return n.Var(str(tok), self._tok(tok))

    def _whole(self, tok: Token) -> int:
        digits = str(tok).lstrip("0") or "0"
        if len(digits) > len(str(INT_MAX)) or int(digits) > INT_MAX:
            shown = digits if len(digits) <= 20 else digits[:17] + "..."
            raise _Invalid(
                error(
                    "bad-literal",
                    self._tok(tok),
                    f"`{shown}` is out of range: whole numbers go from {INT_MIN} to {INT_MAX}",
                )
            )
        return int(digits)

    def int(self, meta: Any, tok: Token) -> n.Term:
        return n.IntLit(self._whole(tok), self._tok(tok))

    def date(self, meta: Any, tok: Token) -> n.Term:
        return n.DateLit(self._date(tok), self._tok(tok))

    def _date(self, tok: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(tok))
        except ValueError:
            raise _Invalid(error("bad-literal", self._tok(tok), f"`{tok}` is not a valid date")) from None

    def unit(self, meta: Any, tok: Token) -> str:
        return UNITS[str(tok)]

    def duration(self, meta: Any, amount: Token, unit: n.DurationUnit) -> n.Term:
        count = self._whole(amount) if amount.type == "INT" else n.Var(str(amount), self._tok(amount))
        return n.Duration(count, unit, self._span(meta))

    def name(self, meta: Any, tok: Token) -> n.Term:
        return n.Name(self._name(tok), self._tok(tok))

    def call(self, meta: Any, name: Token, *args: n.Term | None) -> n.Term:
        return n.Call(self._name(name), tuple(a for a in args if a is not None), self._span(meta))

    def today(self, meta: Any) -> n.Term:
        return n.AssessmentDate(self._span(meta))

    def count(self, meta: Any, var: Token, cond: n.Cond) -> n.Term:
        return n.Count(n.Var(str(var), self._tok(var)), cond, self._span(meta))


def _expected_words(names: set[str]) -> str:
    parser = _parser()
    words = set()
    for name in names:
        if name in TERMINAL_WORDS:
            words.add(TERMINAL_WORDS[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            continue
        words.add(f"`{pattern.value}`" if pattern.type == "str" else name.lower())
    # Keywords first: after a condition, `and`/`or` matter more than punctuation.
    ordered = sorted(words, key=lambda w: (not w.strip("`")[:1].isalpha(), w))
    if len(ordered) > 10:
        ordered = [*ordered[:10], "..."]
    return ", ".join(ordered)


def _acceptable(err: UnexpectedToken) -> set[str]:
    """What could really come next: LALR's merged lookaheads over-approximate it."""
    try:
        return set(err.interactive_parser.accepts()) or set(err.expected)
    except Exception:
        return set(err.expected)


def _tokens_before(text: str, pos: int) -> list[Token]:
    """The tokens of the text before a position, comments skipped."""
    found: list[Token] = []
    with suppress(UnexpectedInput):  # the tokens read so far still place the error
        for tok in _parser().lex(text[:pos]):
            found.append(tok)
    return found


def _missing_period(file: str, text: str, err: UnexpectedToken) -> Diagnostic | None:
    """A rule or invariant left without its `.`: point just after its last token, not at what follows."""
    at_end = err.token.type == "$END"
    if not (at_end or str(err.token) in DECLARATION_WORDS) or "DOT" not in _acceptable(err):
        return None
    before = _tokens_before(text, len(text) if at_end else err.token.start_pos or 0)
    if not before:
        return None
    last = before[-1]
    kind = next((str(t) for t in reversed(before) if t.type in ("RULE", "INVARIANT")), "rule")
    place = Span.point(file, last.end_line or 1, last.end_column or 1)
    hint = f"{'an' if kind == 'invariant' else 'a'} {kind} ends with `.`"
    if not at_end:
        hint += f"; the next declaration begins at line {err.token.line}"
    return error("syntax-error", place, f"missing `.` at the end of the {kind}", hint)


def _syntax_error(file: str, err: UnexpectedInput, text: str = "") -> Diagnostic:
    if isinstance(err, UnexpectedToken) and (missing := _missing_period(file, text, err)) is not None:
        return missing
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        last = _tokens_before(text, len(text))
        err.line, err.column = (last[-1].end_line or 1, last[-1].end_column or 1) if last else (1, 1)
    line, col = max(err.line, 1), max(err.column, 1)
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        span = Span(file, line, col, line, col + max(1, len(str(tok))))
        hint = f"expected {_expected_words(_acceptable(err))}"
        if str(tok) == "scope":
            hint = "a verdict says which subjects it concerns with `applies if COND`"
        return error("syntax-error", span, f"unexpected `{tok}`", hint)
    if isinstance(err, UnexpectedCharacters):
        return error(
            "syntax-error",
            Span.point(file, line, col),
            f"unexpected character `{err.char}`",
            f"expected {_expected_words(set(err.allowed))}",
        )
    expected = _acceptable(err) if isinstance(err, UnexpectedToken) else getattr(err, "expected", None) or ()
    return error(
        "syntax-error",
        Span.point(file, line, col),
        "unexpected end of file",
        f"expected {_expected_words(set(expected))}" if expected else None,
    )


def parse_text(text: str, file: str) -> n.Module:
    """Parse one file's text; raises PolicyError with a syntax-error diagnostic."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise PolicyError([_syntax_error(file, err, text)]) from None
    if (deep := _too_deep(tree, file)) is not None:
        raise PolicyError([deep])
    try:
        declarations = _ToNodes(file).transform(tree)
    except _Invalid as err:
        raise PolicyError([err.diagnostic]) from None
    return n.Module(file, tuple(declarations))


def _too_deep(tree: Tree[Token], file: str) -> Diagnostic | None:
    """Nesting beyond MAX_NESTING, found without recursion: every later pass can then recurse safely."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            meta = node.meta
            line, column = (1, 1) if getattr(meta, "empty", True) else (meta.line, meta.column)
            return error(
                "too-deep",
                Span(file, line, column, line, column + 1),
                f"conditions and values are nested more than {MAX_NESTING} levels deep",
                "split the condition into derived facts concluded by rules of their own",
            )
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def _unreadable(display: str, problem: str, span: Span | None = None) -> Diagnostic:
    return error("unreadable-file", span or Span.point(display), f"cannot read `{display}`: {problem}")


def _resolved(path: Path) -> Path | str:
    """The file a path names, links followed; or what is wrong with the name."""
    if (problem := name_problem(str(path))) is not None:
        return problem
    try:
        return path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 says a symbolic link loop this way
        return "too many symbolic links (a loop?)"
    except OSError as err:
        return os_problem(err)


def parse(path: str | Path, earlier: n.Policy | None = None) -> n.Policy:
    """Load a policy: its entry file and, transitively, every file it imports from its folder. A file that reads
    as it did in `earlier` (a parse of the same policy by the same code, from the same folder) keeps its module
    from there: after an edit, only the edited files are parsed again."""
    root = entry_file(Path(path))
    resolved = _resolved(root)
    if isinstance(resolved, str) or not resolved.is_file():
        display = _display(root) if name_problem(str(root)) is None else repr(str(root))[1:-1][:80]
        if resolved == "no such file" or not isinstance(resolved, str):
            message = f"no policy file at `{display}`"
            raise PolicyError(
                [
                    error(
                        "import-not-found",
                        Span.point(display),
                        message,
                        f"a policy folder holds a `{ENTRY_FILE}` that imports the rest",
                    )
                ]
            )
        raise PolicyError([_unreadable(display, resolved)])
    folder = resolved.parent
    modules: list[n.Module] = []
    texts: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    pending: list[Path] = [resolved]
    seen: set[Path] = set()
    total = 0
    declared = _Declared()
    before = _modules_by_text(earlier)
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        display = _display(current)
        try:
            text = read_text(current, MAX_POLICY_BYTES)
        except FileProblem as problem:
            diagnostics.append(_unreadable(display, str(problem)))
            continue
        total += len(text)
        if (crowded := _crowded(text, display, declared)) is not None:
            diagnostics.append(crowded)
            break
        if len(seen) > MAX_FILES or total > MAX_TOTAL_CHARS:
            limit = f"{MAX_FILES} files" if len(seen) > MAX_FILES else f"{MAX_TOTAL_CHARS // (1 << 20)} MiB of text"
            hint = "split the policy: each programme can be a policy of its own"
            diagnostics.append(error("too-large", Span.point(display), f"a policy holds at most {limit}", hint))
            break
        texts[display] = text
        module = before.get((display, text))
        if module is None:
            try:
                module = parse_text(text, display)
            except PolicyError as err:
                diagnostics.extend(err.diagnostics)
                continue
        modules.append(module)
        for decl in module.declarations:
            if isinstance(decl, n.Import):
                found = _import(current, folder, decl, display)
                if isinstance(found, Path):
                    pending.append(found)
                else:
                    diagnostics.append(found)
    if diagnostics:
        raise PolicyError(diagnostics)
    return n.Policy(_display(root), tuple(modules), tuple(sorted(texts.items())))


def _modules_by_text(policy: n.Policy | None) -> dict[tuple[str, str], n.Module]:
    """A parsed policy's modules by their file's shown name and text."""
    if policy is None:
        return {}
    texts = dict(policy.texts)
    return {(m.path, texts[m.path]): m for m in policy.modules if m.path in texts}


def _crowded(text: str, display: str, declared: _Declared) -> Diagnostic | None:
    """A list longer than the parser handles in bounded time, found by counting words (strings and comments
    included: the count only errs on the safe side) at the word past the limit. Each word is first counted as
    text (a word inside a longer one counted too), which costs a quarter of the patterns and settles a file
    below the limits; the patterns count exactly only past them."""
    hint = "split the policy: each programme can be a policy of its own"
    checks = (
        (_CONNECTIVE, ("and", "or"), f"a file holds at most {MAX_LIST_WORDS} `and` and `or`"),
        (_COMMA, (",",), f"a file holds at most {MAX_LIST_WORDS} commas"),
    )
    for pattern, words, message in checks:
        if sum(text.count(w) for w in words) <= MAX_LIST_WORDS:
            continue
        for count, m in enumerate(pattern.finditer(text), 1):
            if count > MAX_LIST_WORDS:
                return error("too-large", _point(text, display, m.start()), message, hint)
    declared.unsettled.append(text)
    declared.bound += sum(text.count(w) for w in _DECLARING)
    if declared.exact + declared.bound <= MAX_DECLARATION_WORDS:
        return None
    declared.exact += sum(len(_DECLARATION.findall(earlier)) for earlier in declared.unsettled[:-1])
    declared.unsettled.clear()
    declared.bound = 0
    for m in _DECLARATION.finditer(text):
        declared.exact += 1
        if declared.exact > MAX_DECLARATION_WORDS:
            message = f"a policy holds at most {MAX_DECLARATION_WORDS} declarations"
            return error("too-large", _point(text, display, m.start()), message, hint)
    return None


@dataclass(slots=True)
class _Declared:
    """Declaration words so far, in every file: counted exactly, and bounded in the files not counted yet."""

    exact: int = 0
    bound: int = 0
    unsettled: list[str] = field(default_factory=list)


def _point(text: str, display: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    return Span.point(display, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _import(current: Path, folder: Path, decl: n.Import, display: str) -> Path | Diagnostic:
    """The file an import names, inside the policy's folder; or the diagnostic saying why not."""
    named = decl.path
    shown = named if named.isprintable() and len(named) <= 80 else repr(named[:80])[1:-1]
    if (problem := name_problem(named)) is not None:
        return _unreadable(shown, problem, decl.span)
    target = _resolved(current.parent / named)
    if target == "no such file" or (isinstance(target, Path) and not target.exists()):
        return error(
            "import-not-found",
            decl.span,
            f"imported file `{shown}` does not exist",
            f"paths are relative to `{display}`",
        )
    if isinstance(target, str):
        return _unreadable(shown, target, decl.span)
    if not target.is_relative_to(folder):
        return error(
            "import-not-found",
            decl.span,
            f"imported file `{shown}` is outside the policy's folder",
            f"a policy imports only files in the folder of its entry file, `{_display(folder)}`",
        )
    return target


def policy_hash(policy: n.Policy) -> str:
    """The policy's identity: its files' texts and their paths from the entry file's folder, wherever it is."""
    base = os.path.dirname(policy.root) or "."
    named = sorted((Path(os.path.relpath(path, base)).as_posix(), text) for path, text in policy.texts)
    digest = hashlib.sha256()
    for path, text in named:
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:16]


if __name__ == "__main__":  # after the grammar changes: its parser's tables, kept beside it
    TABLES.write_text(json.dumps(parser_tables(GRAMMAR.read_text(encoding="utf-8"))) + "\n", encoding="utf-8")
