"""Clingo terms read from their text.

Reading a symbol's parts through clingo's Python API costs one foreign call
per part; `str(symbol)` is a single call. Decoding a model's atoms from their
text is several times faster, and the text is also what sets compare on.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Union

Term = Union[int, str, "Fn", tuple["Term", ...]]  # numbers, strings, functions, tuples


class Fn(NamedTuple):
    """A function term or a constant (no arguments); strings stay Python strings."""

    name: str
    args: tuple[Term, ...] = ()


_TOKEN = re.compile(r'(-?\d+)|"((?:[^"\\]|\\.)*)"|(-?[_a-z][A-Za-z0-9_\']*)|(#inf|#sup)|([(),])')
_UNESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"n": "\n", '"': '"', "\\": "\\"}


def parse(text: str) -> Term:
    """The term written by clingo as `text` (numbers, strings, functions, tuples)."""
    # One regex pass, then a stack: far cheaper in Python than a recursive descent.
    stack: list[list] = [[]]
    names: list[str | None] = []
    pending: str | None = None  # a name that may open an argument list
    consumed = 0
    for m in _TOKEN.finditer(text):
        if m.start() != consumed:
            raise ValueError(f"unreadable term {text!r} at {consumed}")
        consumed = m.end()
        number, string, name, special, punct = m.groups()
        if pending is not None and punct != "(":
            stack[-1].append(Fn(pending))
            pending = None
        if number is not None:
            stack[-1].append(int(number))
        elif string is not None:
            stack[-1].append(_UNESCAPE.sub(_unescape, string) if "\\" in string else string)
        elif name is not None or special is not None:
            pending = name or special
        elif punct == "(":
            names.append(pending)
            pending = None
            stack.append([])
        elif punct == ")":
            if len(stack) < 2:
                raise ValueError(f"unbalanced term {text!r}")
            args = tuple(stack.pop())
            fname = names.pop()
            stack[-1].append(Fn(fname, args) if fname is not None else args)
    if pending is not None:
        stack[-1].append(Fn(pending))
    if consumed != len(text) or len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError(f"unreadable term {text!r}")
    return stack[0][0]


def _unescape(m: re.Match[str]) -> str:
    return _ESCAPED.get(m[1], m[1])


def text(term: Term) -> str:
    """A term written as clingo writes it."""
    if isinstance(term, bool):
        raise TypeError("booleans are not terms")
    if isinstance(term, int):
        return str(term)
    if isinstance(term, str):
        return '"' + term.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(term, Fn):
        return term.name + ("(" + ",".join(text(a) for a in term.args) + ")" if term.args else "")
    inner = ",".join(text(a) for a in term)
    return "(" + inner + ("," if len(term) == 1 else "") + ")"


STRING = r'"((?:[^"\\]|\\.)*)"'
_STRINGS = re.compile(STRING)


def unquote(body: str) -> str:
    """A string's value from the text between its quotes."""
    return _UNESCAPE.sub(_unescape, body) if "\\" in body else body


def strings(text: str) -> tuple[str, ...]:
    """The values of the strings in a text, such as a tuple of entity ids."""
    found = _STRINGS.findall(text)
    return tuple(unquote(b) for b in found) if "\\" in text else tuple(found)


def atom_parts(atom: str) -> tuple[str, str]:
    """An atom's predicate name and the text inside its parentheses ('' for a constant)."""
    at = atom.find("(")
    return (atom, "") if at < 0 else (atom[:at], atom[at + 1 : -1])
