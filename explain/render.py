"""Rendering explanation views with Jinja2: text, Markdown, HTML and JSON, in English and French."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from explain.partial import PARTIAL
from explain.views import View

Format = Literal["text", "markdown", "html", "json"]
TEMPLATES = Path(__file__).with_name("templates")
SUFFIX = {"text": "txt", "markdown": "md", "html": "html"}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _markdown_escape
    env.filters["url"] = _url_escape
    return env


def _url_escape(text: str) -> str:
    """A link's address as it may stand in a Markdown autolink `<...>`: nothing in it can end the link."""
    return quote(str(text), safe=":/?#[]@!$&'()*+,;=%-._~")


def _markdown_escape(text: str) -> str:
    """Text from the case must not turn into Markdown markup."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in str(text))


def render(view: View, fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(view, indent=2, ensure_ascii=False) + "\n"
    template = _environment().get_template(f"{view['lang']}/explanation.{SUFFIX[fmt]}.j2")
    return _with_notes(template.render(**view), view, fmt)


def _with_notes(text: str, view: View, fmt: Format) -> str:
    """A note for each search cut short by its time limit, after the explanation (before `</body>` in HTML)."""
    words = PARTIAL[view["lang"]]
    notes = [f"{words['note']} {words[p]}." for p in view.get("partial", ())]
    if not notes:
        return text
    if fmt == "html":
        html = "".join(f'<p class="partial">{escape(note)}</p>\n' for note in notes)
        at = text.rfind("</body>")
        return text[:at] + html + text[at:] if at >= 0 else text + html
    prefix = "> " if fmt == "markdown" else ""
    return text.rstrip("\n") + "\n\n" + "\n".join(prefix + note for note in notes) + "\n"
