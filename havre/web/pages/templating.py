"""The pages' Jinja2 environments: the explanation's own (its catalogue, filters and HTML macros), with the web
templates in front; autoescaping on for every .html.j2 template."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from explain.rendering.render import TEMPLATES, environment

WEB_TEMPLATES = Path(__file__).parent.parent / "templates"
STATIC = Path(__file__).parent.parent / "static"
EXPLANATION_CSS = TEMPLATES / "explanation.css"


@cache
def page_environment(lang: str) -> Environment:
    loader = ChoiceLoader([FileSystemLoader(WEB_TEMPLATES), FileSystemLoader(TEMPLATES)])
    return environment(lang).overlay(loader=loader)


def page(name: str, lang: str, **context: Any) -> str:
    return page_environment(lang).get_template(name).render(lang=lang, **context)
