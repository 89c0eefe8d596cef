"""The VS Code package: its TextMate grammar tokenizes every policy file with vscode-textmate, and its client builds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grammar.text.parse import KEYWORDS
from tests.helpers import ROOT

PACKAGE = ROOT / "editors/vscode"
GRAMMAR = PACKAGE / "syntaxes/havre.tmLanguage.json"
POLICY_FILES = [ROOT / "policy", ROOT / "tests/golden/format", ROOT / "tests/fixtures"]

needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js is not installed: `apt-get install nodejs npm`"
)


@pytest.fixture(scope="module")
def installed() -> Path:
    """The package's node_modules, installed from package-lock.json when missing."""
    if not (PACKAGE / "node_modules/vscode-textmate").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "npm is needed to install editors/vscode's packages: `apt-get install npm`"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PACKAGE, check=True, capture_output=True, timeout=600
        )
    return PACKAGE


def tokenize(*paths: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node") or "node"
    command = [node, "test/tokenize.js", *map(str, paths)]
    return subprocess.run(command, cwd=PACKAGE, capture_output=True, text=True, timeout=120)


@needs_node
def test_every_policy_file_tokenizes_without_an_unmatched_region(installed: Path) -> None:
    count = sum(len(list(p.rglob("*.havre"))) for p in POLICY_FILES)
    r = tokenize(*POLICY_FILES)
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, f"{count} files tokenized, 0 unmatched regions"), r.stdout


@needs_node
def test_an_unknown_character_and_an_open_string_are_reported(installed: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.havre"
    bad.write_text('rule R "t" cites S a(P) if b(P) @ c(P).\n', encoding="utf-8")
    r = tokenize(bad)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [f'{bad}:1:32: no scope for " @ "', "1 files tokenized, 1 unmatched regions"]


@needs_node
def test_the_client_compiles(installed: Path) -> None:
    npm = shutil.which("npm")
    assert npm is not None
    r = subprocess.run([npm, "run", "build"], cwd=PACKAGE, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (PACKAGE / "out/extension.js").is_file()


def test_the_grammar_knows_every_keyword_of_the_language() -> None:
    text = GRAMMAR.read_text(encoding="utf-8")
    assert {k for k in KEYWORDS if k not in text} == set()


def test_the_package_declares_the_language_its_grammar_and_the_server_command() -> None:
    manifest = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))
    assert manifest["contributes"]["languages"][0]["extensions"] == [".havre"]
    assert manifest["contributes"]["grammars"][0]["scopeName"] == json.loads(GRAMMAR.read_text())["scopeName"]
    assert manifest["contributes"]["configuration"]["properties"]["havre.server.command"]["default"] == ["havre", "lsp"]
    configuration = json.loads((PACKAGE / "language-configuration.json").read_text(encoding="utf-8"))
    assert configuration["comments"] == {"lineComment": "#"}


def test_a_placeholder_and_a_counted_one_are_highlighted_whole() -> None:
    """`{P}` and a number's `{value:person|persons}` are one placeholder each (the pattern is plain enough for
    Python's `re` to read as Oniguruma does)."""
    string = json.loads(GRAMMAR.read_text(encoding="utf-8"))["repository"]["string"]
    [pattern] = [p["match"] for p in string["patterns"] if p["name"] == "variable.other.placeholder.havre"]
    text = '"{R} concerns {value:person|persons}, {value:place est déjà occupée|places sont déjà occupées}"'
    assert re.findall(pattern, text) == [
        "{R}",
        "{value:person|persons}",
        "{value:place est déjà occupée|places sont déjà occupées}",
    ]
