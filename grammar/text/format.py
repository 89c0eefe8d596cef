"""The canonical layout of a policy file (`havre fmt`): one way to write each declaration, comments kept.

The declarations are printed from the AST; comments, which the parser skips,
are found again in the text and woven back: a comment on a line of its own
goes before the printed line that comes from the same place or after it, a
comment at the end of a line stays at the end of the line printed from there.
Formatting a formatted text changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grammar.text.parse import parse_text
from grammar.typed import nodes as n

INDENT = "  "
FIRST, AND, OR = "        ", "    and ", "     or "  # conditions start in column 9
MAX_WIDTH = 120
# A string or a comment, in the order they come: a `#` inside a string starts no comment.
_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')
# Consecutive one-line declarations of these kinds stay together when written together.
_GROUPED = (n.Import, n.Entity, n.Party, n.Priority)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    anchor: int  # the line of the original text this printed line comes from


@dataclass(frozen=True, slots=True)
class _Comment:
    line: int
    column: int  # 0-based
    text: str
    alone: bool  # on a line of its own


def format_text(text: str, file: str = "<text>") -> str:
    """The text in the canonical layout; raises PolicyError when it does not parse."""
    module = parse_text(text, file)
    comments = _comments(text)
    out: list[str] = []
    used: set[int] = set()
    prev: n.Declaration | None = None
    for decl in module.declarations:
        start, end = decl.span.line, decl.span.end_line
        lead = [c for c in comments if c.line < start and c.line not in used]
        inner = _owned(comments, start, end, used)
        used.update(c.line for c in lead + inner)
        together = isinstance(prev, _GROUPED) and type(prev) is type(decl) and not lead and not _has_texts(prev, decl)
        if out and not (together and start <= prev.span.end_line + 1):  # type: ignore[union-attr]
            out.append("")
        out.extend(_comment_block(lead, start))
        out.extend(_weave(_layout(decl), inner))
        prev = decl
    rest = [c for c in comments if c.line not in used]
    if rest and out and (prev is None or rest[0].line > prev.span.end_line + 1):
        out.append("")
    out.extend(_comment_block(rest, None))
    return "\n".join(out) + "\n" if out else ""


def _has_texts(*decls: n.Declaration) -> bool:
    """Entities with texts take more than a line: a blank line sets each apart."""
    return any(isinstance(d, n.Entity) and d.texts for d in decls)


def _owned(comments: list[_Comment], start: int, end: int, used: set[int]) -> list[_Comment]:
    """A declaration's comments: those on its lines, and the indented ones right below it."""
    owned = [c for c in comments if start <= c.line <= end and c.line not in used]
    for c in comments:
        if c.line == end + 1 and c.alone and c.column > 0:
            owned.append(c)
            end += 1
    return owned


def _comments(text: str) -> list[_Comment]:
    found: list[_Comment] = []
    for m in _SCAN.finditer(text):
        if not m.group().startswith("#"):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text.count("\n", 0, m.start()) + 1
        found.append(
            _Comment(line, m.start() - line_start, m.group().rstrip(), not text[line_start : m.start()].strip())
        )
    return found


def _comment_block(comments: list[_Comment], before: int | None) -> list[str]:
    """Comments on lines of their own, with a blank line wherever the original had one or more."""
    out: list[str] = []
    for i, c in enumerate(comments):
        if i and c.line > comments[i - 1].line + 1:
            out.append("")
        out.append(c.text)
    if comments and before is not None and before > comments[-1].line + 1:
        out.append("")
    return out


def _weave(lines: list[_Line], comments: list[_Comment]) -> list[str]:
    """The printed lines with the declaration's comments: a line keeps one trailing comment, the next ones of the
    lines joined into it follow it on lines of their own."""
    texts = [line.text for line in lines]
    before: dict[int, list[str]] = {}
    trailing: set[int] = set()
    for c in comments:
        # the line printed from the comment's own line, else the last one printed from a line above it
        at = next((i for i, line in enumerate(lines) if line.anchor == c.line), None)
        at = max((i for i, line in enumerate(lines) if line.anchor <= c.line), default=0) if at is None else at
        if c.alone or at in trailing:
            at = next((i for i, line in enumerate(lines) if line.anchor >= c.line), len(lines)) if c.alone else at + 1
            indent = _indent(texts[at]) if at < len(lines) else INDENT
            before.setdefault(at, []).append(indent + c.text)
        else:
            code = texts[at]
            texts[at] = code + (" " * (c.column - len(code)) if c.column >= len(code) + 2 else "  ") + c.text
            trailing.add(at)
    out: list[str] = []
    for i, text in enumerate(texts):
        out.extend(before.get(i, []))
        out.append(text)
    out.extend(before.get(len(texts), []))
    return out


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


# ---------------------------------------------------------------- declarations


def _layout(d: n.Declaration) -> list[_Line]:
    line = d.span.line
    if isinstance(d, n.Import):
        return [_Line(f"import {_quote(d.path)}", line)]
    if isinstance(d, n.Entity):
        plural = f" plural {d.plural}" if d.plural != f"{d.name}s" else ""
        texts = sorted(d.texts, key=lambda t: t.lang != "en")
        return [_Line(f"entity {d.name}{plural}", line)] + [
            _Line(f"{INDENT}{t.lang} {_quote(t.template)}", t.span.line) for t in texts
        ]
    if isinstance(d, n.Party):
        texts = "".join(f" {t.lang} {_quote(t.template)}" for t in sorted(d.texts, key=lambda t: t.lang != "en"))
        return [_Line(f"party {d.name}{texts}", line)]
    if isinstance(d, n.Source):
        return _source(d)
    if isinstance(d, n.Predicate):
        return _predicate(d)
    if isinstance(d, n.Rule):
        return _rule(d)
    if isinstance(d, n.Priority):
        return [_Line(f"priority {d.high.id} over {d.low.id}{_cites_inline(d.cites)}", line)]
    if isinstance(d, n.Invariant):
        return _invariant(d)
    if isinstance(d, n.Figure):
        return _figure(d)
    return [_Line("summary " + ", ".join(r.name for r in d.verdicts), line)]


def _source(d: n.Source) -> list[_Line]:
    head = f"source {d.id} {_quote(d.document)} {_quote(d.title)}{_french(d.title_fr)} authority {d.authority}"
    lines = [_Line(head + _in_force(d.in_force), d.span.line)]
    for p in d.provisions:
        text = f"{INDENT}provision {p.id} {_quote(p.title)}{_french(p.title_fr)}{_in_force(p.in_force)}"
        lines.append(_Line(text, p.span.line))
    return lines


def _window(w: n.InForce) -> str:
    return (
        (f"from {w.start}" if w.start else "")
        + (" " if w.start and w.end else "")
        + (f"until {w.end}" if w.end else "")
    )


def _in_force(w: n.InForce | None) -> str:
    """` in force from … until …`, then ` as of …`: what follows a source, provision or rule's citations."""
    if w is None:
        return ""
    text = f" in force {_window(w)}" if w.start or w.end else ""
    return text + (f" as of {_term(w.as_of)}" if w.as_of is not None else "")


def _figure(d: n.Figure) -> list[_Line]:
    lines = [_Line(f"figure {d.id} {_quote(d.title)}{_french(d.title_fr)}", d.span.line)]
    lines.append(_Line(f"{INDENT}cites {', '.join(c.id for c in d.cites)}", d.cites[0].span.line))
    declared = _predicate(d.predicate)
    as_of = f" as of {_term(d.as_of)}" if d.as_of is not None else ""
    head = declared[0].text.removeprefix("derived ")
    lines.append(_Line(INDENT + head + as_of, d.predicate.params[0].span.line if d.predicate.params else d.span.line))
    lines.extend(declared[1:])
    for row in d.rows:
        lines.append(_Line(f"{INDENT}{_window(row.in_force)} = {_term(row.value)}", row.span.line))
    return lines


def _predicate(d: n.Predicate) -> list[_Line]:
    params = ", ".join(f"{p.var}: {p.type.name}" for p in d.params)
    value = "" if isinstance(d.value, n.BoolType) else f": {d.value}"
    mods = (" default false" if d.default_false else "") + (" fixed" if d.fixed else "")
    mods += " background" if d.background else ""
    lines = [_Line(f"{d.kind} {d.name}({params}){value}{mods}", d.span.line)]
    if d.applies is not None:
        lines.append(_Line(f"{INDENT}applies if {_cond(d.applies)}", d.applies.span.line))
    for t in sorted(d.texts, key=lambda t: _text_rank(t, d.value)):
        lead = f"label {t.value} " if t.value is not None else f"{t.kind} " if t.kind else ""
        lines.append(_Line(f"{INDENT}{lead}{t.lang} {_quote(t.template)}", t.span.line))
    if d.deadline is not None:
        met = f" met by {d.deadline.met_by}" if d.deadline.met_by else ""
        lines.append(_Line(f"{INDENT}deadline for {d.deadline.party}{met}", d.deadline.span.line))
    for t in sorted(d.passed, key=lambda t: t.lang != "en"):
        lines.append(_Line(f"{INDENT}passed {t.lang} {_quote(t.template)}", t.span.line))
    for g in d.grounds:
        lines.append(_Line(f"{INDENT}grounds {g.value}: {_cond(g.cond)}", g.span.line))
    return lines


def _text_rank(t: n.Text, value: n.Type) -> tuple[int, int, int]:
    """Texts, then the texts when not holding, then inside a sentence, then questions, then labels in the order of
    the values; English before French."""
    lang = 0 if t.lang == "en" else 1
    if t.value is None:
        return (_TEXT_ORDER.index(t.kind), 0, lang)
    values = value.values if isinstance(value, n.EnumType) else ()
    return (len(_TEXT_ORDER), values.index(t.value) if t.value in values else len(values), lang)


_TEXT_ORDER = ("", "not", "clause", "question")  # a predicate's texts by the word that leads them; labels last


def _rule(d: n.Rule) -> list[_Line]:
    lines = [_Line(f"rule {d.id} {_quote(d.title)}{_french(d.title_fr)}", d.span.line)]
    if d.cites:
        lines.append(_Line(f"{INDENT}cites {', '.join(c.id for c in d.cites)}", d.cites[0].span.line))
    if d.in_force is not None:
        lines.append(_Line(INDENT + _in_force(d.in_force).lstrip(), d.in_force.span.line))
    head = INDENT + _head(d.head)
    if d.body is None:
        lines.append(_Line(head, d.head.span.line))
    elif _items(d.body) is None and len(f"{head} if {_cond(d.body)}.") <= MAX_WIDTH:
        lines.append(_Line(f"{head} if {_cond(d.body)}", d.head.span.line))
    else:
        lines.append(_Line(f"{head} if", d.head.span.line))
        lines.extend(_conditions(d.body))
    for exc in d.exceptions:
        lines.append(_Line(f"{INDENT}unless {_cond(exc)}", exc.span.line))
    lines[-1] = _Line(lines[-1].text + ".", lines[-1].anchor)
    return lines


def _invariant(d: n.Invariant) -> list[_Line]:
    lines = [_Line(f"invariant {d.id} {_quote(d.title)}{_french(d.title_fr)}", d.span.line)]
    if d.cites:
        lines.append(_Line(f"{INDENT}cites {', '.join(c.id for c in d.cites)}", d.cites[0].span.line))
    inline = f"{INDENT}never {_cond(d.cond)}."
    if len(inline) <= MAX_WIDTH or _items(d.cond) is None:
        return [*lines, _Line(inline, d.cond.span.line)]
    body = _conditions(d.cond)
    body[0] = _Line(f"{INDENT}never " + body[0].text.lstrip(), body[0].anchor)
    body[-1] = _Line(body[-1].text + ".", body[-1].anchor)
    return lines + body


def _items(c: n.Cond) -> tuple[str, tuple[n.Cond, ...]] | None:
    """A top-level `and` or `or`: its joining word and items; None for a single condition."""
    if isinstance(c, n.And):
        return AND, c.items
    if isinstance(c, n.Or):
        return OR, c.items
    return None


def _conditions(c: n.Cond) -> list[_Line]:
    """One condition per line, aligned."""
    joiner, items = _items(c) or (AND, (c,))
    lines: list[_Line] = []
    for i, item in enumerate(items):
        lines.extend(_item(FIRST if i == 0 else joiner, item))
    return lines


def _item(lead: str, c: n.Cond) -> list[_Line]:
    """A condition on its line; one too long is broken inside its parenthesised `and` or `or`, one part a line,
    each part under the first: `not some X where (a(X)` / `and b(X))`."""
    text = lead + _cond(c, nested=True)
    prefix, inner = "", c
    while isinstance(inner, n.Not | n.Some):
        prefix += "not " if isinstance(inner, n.Not) else f"some {inner.var.name} where "
        inner = inner.cond
    if len(text) + 1 <= MAX_WIDTH or not isinstance(inner, n.And | n.Or):
        return [_Line(text, c.span.line)]
    head = f"{lead}{prefix}("
    word = "and " if isinstance(inner, n.And) else "or "
    lines = [_Line(head + _cond(inner.items[0], nested=True), inner.items[0].span.line)]
    for part in inner.items[1:]:
        lines.append(_Line(" " * (len(head) - len(word)) + word + _cond(part, nested=True), part.span.line))
    lines[-1] = _Line(lines[-1].text + ")", lines[-1].anchor)
    return lines


def _head(h: n.Head) -> str:
    text = f"{h.name}({', '.join(a.name for a in h.args)})"
    return f"{text} = {_term(h.value)}" if h.value is not None else text


def _cites_inline(cites: tuple[n.Citation, ...]) -> str:
    return f" cites {', '.join(c.id for c in cites)}" if cites else ""


def _french(title: str | None) -> str:
    return f" fr {_quote(title)}" if title is not None else ""


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------- conditions and terms


def _cond(c: n.Cond, nested: bool = False) -> str:
    """A condition on one line; `nested` parenthesises `and` and `or`."""
    if isinstance(c, n.Atom):
        return f"{c.name}({', '.join(_term(a) for a in c.args)})"
    if isinstance(c, n.Compare):
        return f"{_term(c.left, tail=True)} {c.op} {_term(c.right)}"
    if isinstance(c, n.Not):
        return f"not {_cond(c.cond, nested=True)}"
    if isinstance(c, n.Some):
        return f"some {c.var.name} where {_cond(c.cond, nested=True)}"
    if isinstance(c, n.Every):
        return f"every {c.var.name} where {_cond(c.cond, nested=True)} satisfies {_cond(c.then, nested=True)}"
    text = (" and " if isinstance(c, n.And) else " or ").join(_cond(i, nested=True) for i in c.items)
    return f"({text})" if nested else text


def _term(t: n.Term, tail: bool = False) -> str:
    """A term; `tail` when an operator follows, which a count's condition would otherwise swallow."""
    if isinstance(t, n.Var):
        return t.name
    if isinstance(t, n.IntLit):
        return str(t.value)
    if isinstance(t, n.DateLit):
        return t.value.isoformat()
    if isinstance(t, n.Duration):
        amount = t.amount.name if isinstance(t.amount, n.Var) else str(t.amount)
        return f"{amount} {t.unit[:-1] if amount == '1' else t.unit}"
    if isinstance(t, n.Name):
        return t.name
    if isinstance(t, n.AssessmentDate):
        return "assessment_date"
    if isinstance(t, n.Call):
        return f"{t.name}({', '.join(_term(a) for a in t.args)})"
    if isinstance(t, n.BinOp):
        return f"{_term(t.left, tail=True)} {t.op} {_term(t.right, tail)}"
    inner = _cond(t.cond, nested=True)
    if tail and not inner.startswith("("):
        inner = f"({inner})"
    return f"number of {t.var.name} where {inner}"
