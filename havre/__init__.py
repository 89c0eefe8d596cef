"""Havre: the rules of humanitarian immigration to Québec, as code."""

from __future__ import annotations

from typing import Any

__all__ = ["Policy", "load_policy"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the pytest plugin and `havre --help` do not load the solver.
    if name in __all__:
        from havre import api

        return getattr(api, name)
    raise AttributeError(name)
