"""The command line builds only the command it runs; what a user sees is the same as with every command built."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from havre.cli.main import _app_for, _command_name, app


def test_a_command_or_group_named_first_is_given_alone() -> None:
    decide = _app_for(["decide", "case.yaml"])
    assert [_command_name(c) for c in decide.registered_commands] == ["decide"]
    assert decide.registered_groups == []
    log = _app_for(["log", "list"])
    assert log.registered_commands == []
    assert [g.name for g in log.registered_groups] == ["log"]
    assert len(app.registered_commands) > 10  # the application itself is left whole


@pytest.mark.parametrize("args", [[], ["--help"], ["decde", "case.yaml"], ["Decide"]])
def test_no_command_help_and_unknown_names_see_every_command(args: list[str]) -> None:
    assert _app_for(args) is app


@pytest.mark.parametrize(
    "args",
    [
        ["decide", "--help"],
        ["decide"],
        ["decide", "--bogus", "case.yaml"],
        ["compile", "--help"],
        ["log", "--help"],
        ["log", "list", "--help"],
        ["log", "lost"],
    ],
)
def test_help_and_argument_errors_read_as_with_every_command(args: list[str]) -> None:
    alone, whole = CliRunner().invoke(_app_for(args), args), CliRunner().invoke(app, args)
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert alone.exit_code == (0 if "--help" in args else 2)


def test_a_mistyped_command_is_answered_with_the_right_name() -> None:
    result = CliRunner().invoke(_app_for(["decde"]), ["decde", "case.yaml"], prog_name="havre")
    assert result.exit_code == 2
    assert "No such command 'decde'. Did you mean 'decide'?" in result.output
