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


_UNESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"n": "\n", '"': '"', "\\": "\\"}


_TOKENS = re.compile(r'-?\d+|"(?:[^"\\]|\\.)*"|-?[_a-z][A-Za-z0-9_\']*|#inf|#sup|[(),]')


def parse(text: str) -> Term:
    """The term written by clingo as `text` (numbers, strings, functions, tuples)."""
    # One regex pass, then a stack: far cheaper in Python than a recursive descent.
    tokens = _TOKENS.findall(text)
    if "".join(tokens) != text:
        raise ValueError(f"unreadable term {text!r}")
    stack: list[list[Term]] = [[]]
    names: list[str | None] = []
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        first = token[0]
        if first == '"':
            body = token[1:-1]
            stack[-1].append(_UNESCAPE.sub(_unescape, body) if "\\" in body else body)
        elif first == ",":
            continue
        elif first == "(":
            names.append(None)
            stack.append([])
        elif first == ")":
            if len(stack) < 2:
                raise ValueError(f"unbalanced term {text!r}")
            args = tuple(stack.pop())
            name = names.pop()
            stack[-1].append(Fn(name, args) if name is not None else args)
        elif first.isdigit() or (first == "-" and token[1:2].isdigit()):
            stack[-1].append(int(token))
        elif i < last and tokens[i + 1] == "(":
            names.append(token)
            stack.append([])
            tokens[i + 1] = ","  # its parenthesis is opened here
        else:
            stack[-1].append(Fn(token))
    if len(stack) != 1 or len(stack[0]) != 1:
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
