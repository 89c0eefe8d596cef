"""Commands for caseloads: batch decisions and generated cases."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the caseload commands to the command line."""
