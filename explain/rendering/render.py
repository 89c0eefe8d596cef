"""Rendering explanation views with Jinja2: text, Markdown, HTML and JSON, in English and French.

One template per format; its words come from the message catalogues (explain.wording.i18n).
"""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from functools import cache, partial
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket

from explain.view.views import View
from explain.wording.i18n import translations
from explain.wording.phrases import number_text

Format = Literal["text", "markdown", "html", "json", "decision", "agenda"]
TEMPLATES = Path(__file__).parent.parent / "templates"
TEMPLATE = {
    "text": "explanation.txt.j2",
    "markdown": "explanation.md.j2",
    "html": "explanation.html.j2",
    "decision": "decision.txt.j2",
    "agenda": "agenda.txt.j2",
}


class _Compiled(FileSystemBytecodeCache):
    """Templates compiled by an earlier process (about 12 ms a template saved in each new one). A folder that
    cannot be read or written, or a file in it that does not load, only costs compiling the template again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, or not what Jinja2 wrote: unpickling garbage fails in many ways
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


_compiled: list[_Compiled] = []


def keep_compiled_templates(folder: Path | None) -> None:
    """Keep the compiled templates in `folder` for later processes (before the first rendering; None: never).
    Their subfolder is named after this module and Jinja2's version: what compiling depends on besides the
    template's text, which Jinja2 itself checks."""
    _compiled.clear()
    if folder is None:
        return
    made = hashlib.sha256(Path(__file__).read_bytes() + jinja2.__version__.encode()).hexdigest()[:16]
    where = folder / "templates" / made
    with suppress(OSError):
        where.mkdir(parents=True, exist_ok=True)
        _compiled.append(_Compiled(str(where)))


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=_compiled[0] if _compiled else None,
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["md"] = _markdown_escape
    env.filters["number"] = partial(number_text, lang=lang)
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
    found = {"next_deadline": None, "next_deadline_above": False, **view}  # a decision's, when the view has it
    return template.render(**found, by_key=by_key, summary_only=summary_only, searches=view.get("partial", []))
