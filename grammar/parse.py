"""Policy text -> typed AST. The only module that sees Lark trees."""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from grammar import nodes as n
from grammar.diagnostics import Diagnostic, PolicyError, did_you_mean, error
from grammar.files import ENTRY_FILE, entry_file
from grammar.source import Span

GRAMMAR = Path(__file__).with_name("policy.lark")
MAX_POLICY_BYTES = 4 * 1024 * 1024
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
    ]
)
# The words that begin a declaration, always at the start of a line in a formatted file.
DECLARATION_WORDS = frozenset(
    ["import", "source", "entity", "input", "judged", "derived", "verdict", "rule", "priority", "invariant", "summary"]
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
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True, maybe_placeholders=True)


@dataclass(frozen=True, slots=True)
class _Applies:
    cond: n.Cond


class _Invalid(Exception):
    """A literal that parses but means nothing (a date like 2026-02-30)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def _string(tok: Token) -> str:
    body = str(tok)[1:-1]
    return body.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in body else body


@v_args(meta=True, inline=True)
class _ToNodes(Transformer[Token, Any]):
    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span.point(self.file)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)

    # declarations
    def start(self, meta: Any, *items: n.Declaration) -> tuple[n.Declaration, ...]:
        return items

    def import_(self, meta: Any, path: Token) -> n.Import:
        return n.Import(_string(path), self._span(meta))

    def french(self, meta: Any, text: Token) -> str:
        return _string(text)

    def provision(self, meta: Any, ident: Token, title: Token, title_fr: str | None) -> n.Provision:
        return n.Provision(str(ident), _string(title), title_fr, self._span(meta))

    def source(
        self, meta: Any, ident: Token, doc: Token, title: Token, title_fr: str | None, auth: Token, *provs: n.Provision
    ) -> n.Source:
        if str(auth) not in AUTHORITIES:
            hint = did_you_mean(str(auth), AUTHORITIES) or "authority is one of " + ", ".join(AUTHORITIES)
            raise _Invalid(error("bad-literal", self._tok(auth), f"unknown authority `{auth}`", hint))
        return n.Source(str(ident), _string(doc), _string(title), title_fr, str(auth), provs, self._span(meta))  # type: ignore[arg-type]

    def _name(self, tok: Token) -> str:
        if str(tok) in KEYWORDS:
            raise _Invalid(error("reserved-name", self._tok(tok), f"`{tok}` is a word of the language, not a name"))
        return str(tok)

    def entity(self, meta: Any, name: Token, plural: Token | None) -> n.Entity:
        return n.Entity(str(name), str(plural) if plural else f"{name}s", self._span(meta))

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
        return n.Text(lang, _string(template), False, self._span(meta), str(value))  # type: ignore[arg-type]

    def text(self, meta: Any, question: Token | None, lang: str, template: Token) -> n.Text:
        return n.Text(lang, _string(template), question is not None, self._span(meta))  # type: ignore[arg-type]

    def predicate(self, meta: Any, kind: str, name: Token, *rest: Any) -> n.Predicate:
        self._name(name)
        params = tuple(x for x in rest if isinstance(x, n.Param))
        types = [x for x in rest if isinstance(x, n.BoolType | n.IntType | n.DateType | n.EnumType | n.EntityType)]
        mods = {x for x in rest if isinstance(x, str)}
        texts = tuple(x for x in rest if isinstance(x, n.Text))
        applies = [x for x in rest if isinstance(x, _Applies)]
        if len(applies) > 1:
            raise _Invalid(error("bad-modifier", self._span(meta), f"`{name}` has more than one `applies if`"))
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
        head: n.Head,
        body: Any,
        *exc: n.Cond,
    ) -> n.Rule:
        return n.Rule(str(ident), _string(title), title_fr, cites, head, body, exc, self._span(meta))

    def priority(self, meta: Any, high: Token, low: Token, cites: Any) -> n.Priority:
        return n.Priority(
            n.RuleRef(str(high), self._tok(high)), n.RuleRef(str(low), self._tok(low)), cites or (), self._span(meta)
        )

    def invariant(
        self, meta: Any, ident: Token, title: Token, title_fr: str | None, cites: Any, cond: n.Cond
    ) -> n.Invariant:
        return n.Invariant(str(ident), _string(title), title_fr, cites or (), cond, self._span(meta))

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

    def int(self, meta: Any, tok: Token) -> n.Term:
        return n.IntLit(int(tok), self._tok(tok))

    def date(self, meta: Any, tok: Token) -> n.Term:
        try:
            return n.DateLit(dt.date.fromisoformat(str(tok)), self._tok(tok))
        except ValueError:
            raise _Invalid(error("bad-literal", self._tok(tok), f"`{tok}` is not a valid date")) from None

    def unit(self, meta: Any, tok: Token) -> str:
        return UNITS[str(tok)]

    def duration(self, meta: Any, amount: Token, unit: n.DurationUnit) -> n.Term:
        count = int(amount) if amount.type == "INT" else n.Var(str(amount), self._tok(amount))
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
    try:
        declarations = _ToNodes(file).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, _Invalid):
            raise PolicyError([err.orig_exc.diagnostic]) from None
        raise
    return n.Module(file, tuple(declarations))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse(path: str | Path) -> n.Policy:
    """Load a policy: its entry file and, transitively, every file it imports."""
    root = entry_file(Path(path))
    if not root.is_file():
        raise PolicyError(
            [
                error(
                    "import-not-found",
                    Span.point(_display(root)),
                    f"no policy file at `{_display(root)}`",
                    f"a policy folder holds a `{ENTRY_FILE}` that imports the rest",
                )
            ]
        )
    modules: list[n.Module] = []
    texts: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    pending: list[Path] = [root.resolve()]
    seen: set[Path] = set()
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        display = _display(current)
        if current.stat().st_size > MAX_POLICY_BYTES:
            diagnostics.append(error("syntax-error", Span.point(display), "file is larger than 4 MiB"))
            continue
        text = current.read_text(encoding="utf-8")
        texts[display] = text
        try:
            module = parse_text(text, display)
        except PolicyError as err:
            diagnostics.extend(err.diagnostics)
            continue
        modules.append(module)
        for decl in module.declarations:
            if isinstance(decl, n.Import):
                target = (current.parent / decl.path).resolve()
                if not target.is_file():
                    diagnostics.append(
                        error(
                            "import-not-found",
                            decl.span,
                            f"imported file `{decl.path}` does not exist",
                            f"paths are relative to `{display}`",
                        )
                    )
                else:
                    pending.append(target)
    if diagnostics:
        raise PolicyError(diagnostics)
    return n.Policy(_display(root), tuple(modules), tuple(sorted(texts.items())))


def policy_hash(policy: n.Policy) -> str:
    digest = hashlib.sha256()
    for path, text in policy.texts:
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:16]
