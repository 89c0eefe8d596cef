"""Rendering explanation views with Jinja2: text, Markdown, HTML and JSON, in English and French.

One template per format; its words come from the message catalogues (explain.wording.i18n).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from explain.view.views import View
from explain.wording.i18n import translations

Format = Literal["text", "markdown", "html", "json", "decision", "agenda"]
TEMPLATES = Path(__file__).parent.parent / "templates"
TEMPLATE = {
    "text": "explanation.txt.j2",
    "markdown": "explanation.md.j2",
    "html": "explanation.html.j2",
    "decision": "decision.txt.j2",
    "agenda": "agenda.txt.j2",
}


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["md"] = _markdown_escape
    env.filters["capitalize_first"] = _capitalize_first
    env.filters["url"] = _url_escape
    # A question starts a sentence, with its capital. French keeps a capital after a colon for a quotation
    # only, so there each question goes on a line of its own.
    env.globals["questions_inline"] = lang != "fr"
    return env


def environment(lang: str) -> Environment:
    """The environment of a language, with its catalogue and filters: for pages that reuse the HTML macros."""
    return _environment(lang)


def _capitalize_first(text: str) -> str:
    """The first letter in upper case; HTML stays HTML (the filter sees the macro's markup)."""
    return type(text)(str(text)[:1].upper() + str(text)[1:]) if isinstance(text, str) else text


def _url_escape(text: str) -> str:
    """A link's address as it may stand in a Markdown autolink `<...>`: nothing in it can end the link."""
    return quote(str(text), safe=":/?#[]@!$&'()*+,;=%-._~")


def _markdown_escape(text: str) -> str:
    """Text from the case must not turn into Markdown markup."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in str(text))


def render(view: View, fmt: Format, *, summary_only: bool = False) -> str:
    """The view in a format; `summary_only`: the conflicts and main answers alone."""
    if fmt == "json":
        return json.dumps({k: v for k, v in view.items() if k != "groups"}, indent=2, ensure_ascii=False) + "\n"
    template = _environment(view["lang"]).get_template(TEMPLATE[fmt])
    if fmt == "agenda":
        return template.render(**view)
    by_key = {v["key"]: v for v in view["verdicts"]}
    found = {"next_deadline": None, **view}  # a decision's next deadline, when the view was built with it
    return template.render(**found, by_key=by_key, summary_only=summary_only, searches=view.get("partial", []))
