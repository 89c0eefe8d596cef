"""The language server as an editor uses it: a real client talking to `havre lsp` over stdio, on a copy of the
shipped policy with edits and errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.helpers import ROOT

pytestmark = pytest.mark.asyncio

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "havre", "lsp"])


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    """A copy of the shipped policy, for the tests to edit."""
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    return tmp_path / "policy"


@pytest_asyncio.fixture
async def client(policy: Path) -> AsyncIterator[LanguageClient]:
    """pytest-lsp's client, with the capabilities VS Code announces, connected to a fresh server."""
    lsp_client = await SERVER.start()
    assert isinstance(lsp_client, LanguageClient)
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    await lsp_client.initialize_session(t.InitializeParams(capabilities=capabilities, root_uri=policy.as_uri()))
    yield lsp_client
    await lsp_client.shutdown_session()


def doc(path: Path) -> t.TextDocumentIdentifier:
    return t.TextDocumentIdentifier(path.as_uri())


def ctx(declaration: bool) -> t.ReferenceContext:
    return t.ReferenceContext(include_declaration=declaration)


def at(text: str, needle: str, offset: int = 0) -> t.Position:
    """The position of a needle in a text, plus an offset in characters."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return t.Position(line, index - (text.rfind("\n", 0, index) + 1))


async def opened(client: LanguageClient, path: Path, text: str | None = None) -> str:
    text = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(path.as_uri(), "havre", 1, text)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return text


async def changed(client: LanguageClient, path: Path, text: str, version: int = 2) -> None:
    change = t.TextDocumentContentChangeWholeDocument(text)
    params = t.DidChangeTextDocumentParams(t.VersionedTextDocumentIdentifier(version, path.as_uri()), [change])
    client.text_document_did_change(params)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def found(client: LanguageClient, path: Path) -> list[tuple[str, str, int, int, int]]:
    return [
        (str(d.code), d.message, d.range.start.line, d.range.start.character, int(d.severity or 0))
        for d in client.diagnostics.get(path.as_uri(), [])
    ]


# ---------------------------------------------------------------- diagnostics


async def test_diagnostics_as_the_analyst_types_recovering_after_a_syntax_error(
    client: LanguageClient, policy: Path
) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    assert found(client, path) == []
    broken = text.replace("if authenticity_doubt(A).", "if authenticity_doubt(A)").replace(
        "    and invited(A)\n", "    and invitd(A)\n"
    )
    await changed(client, path, broken)
    end = at(broken, "if authenticity_doubt(A)", len("if authenticity_doubt(A)"))
    typo = at(broken, "invitd(A)")
    assert found(client, path) == [
        (
            "syntax-error",
            "missing `.` at the end of the rule\nhint: a rule ends with `.`; the next declaration begins at line "
            f"{at(broken, 'rule PROC-2.late-documents').line + 1}",
            end.line,
            end.character,
            1,
        ),
        ("undefined-name", "`invitd` is not declared\nhint: did you mean `invited`?", typo.line, typo.character, 1),
    ]
    await changed(client, path, text, version=3)
    assert found(client, path) == []


async def test_the_same_codes_and_messages_as_havre_check(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("principal(A) = P\n    and eligible_for_program(P)", "principal(A, P)\n    and eligible(Q)")
    broken += '\ninput undocumented(A: application)\n  en "{A} is undocumented"\n'
    path.write_text(broken, encoding="utf-8")
    await opened(client, path, broken)
    r = subprocess.run(
        [sys.executable, "-m", "havre", "check", "--static-only", "--format", "json", "--policy", str(policy)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    expected = [
        (d["code"], d["message"] + (f"\nhint: {d['hint']}" if d["hint"] else ""), d["line"] - 1, d["column"] - 1, 1)
        for d in json.loads(r.stderr)
    ]
    assert r.returncode == 2
    assert [e[0] for e in expected] == ["wrong-arity", "undefined-name", "type-mismatch"]
    assert found(client, path) == expected
    path.write_text(
        text.replace(
            "\nrule PROC-6.authenticity", '\ninput undocumented(A: application)\n  en "{A}"\n\nrule PROC-6.authenticity'
        )
    )
    await changed(client, path, path.read_text(encoding="utf-8"))
    line = at(path.read_text(encoding="utf-8"), "input undocumented").line
    assert found(client, path) == [
        ("missing-text", '`undocumented` has no fr text\nhint: add e.g. `fr "..."` under its declaration', line, 0, 1),
        (
            "missing-text",
            "`undocumented` has no en or fr question\n"
            'hint: add e.g. `question en "..."` to ask for it when it is missing',
            line,
            0,
            1,
        ),
        (
            "plain-sentence",
            '`undocumented` has no `not en` text: explanations say "it is not the case that …"\n'
            'hint: a case may state it false; add e.g. `not en "..."` with the sentence when it does not hold',
            line,
            0,
            2,
        ),
    ]


async def test_an_unsaved_edit_in_one_file_shows_in_the_others(client: LanguageClient, policy: Path) -> None:
    applications = policy / "common/applications.havre"
    text = await opened(client, applications)
    await changed(client, applications, text.replace("input principal(", "input main_applicant("))
    decision = policy / "qhc/decision.havre"
    await until(client, lambda: bool(client.diagnostics.get(decision.as_uri())))
    use = at(decision.read_text(encoding="utf-8"), "principal(A) = P")
    assert found(client, decision)[0] == (
        "undefined-name",
        "`principal` is not declared\nhint: did you mean `refugee_principal` or `oyw_principal_case`?",
        use.line,
        use.character,
        1,
    )
    await changed(client, applications, text, version=3)
    await until(client, lambda: not client.diagnostics.get(decision.as_uri()))
    assert found(client, decision) == []


async def until(client: LanguageClient, done: Callable[[], bool], seconds: float = 20) -> None:
    """Wait for diagnostics until a condition holds: those of other files come after the edited one's."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not done():
        assert loop.time() < deadline, "the expected diagnostics never came"
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 0.5)


# ---------------------------------------------------------------- navigation


async def test_hover_on_a_predicate_a_provision_and_a_rule(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    hover = await client.text_document_hover_async(t.HoverParams(doc(path), at(text, "principal(A) = P", 2)))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    assert hover.contents.value.splitlines() == [
        "```havre",
        "input principal(A: application): person",
        "```",
        "- en: The principal applicant of {A} is {value}",
        "- fr: La personne requérante principale de {A} est {value}",
        "- question en: Who is the principal applicant of {A}?",
        "- question fr: Qui est la personne requérante principale de {A} ?",
    ]
    hover = await client.text_document_hover_async(t.HoverParams(doc(path), at(text, "never decision(A)", 7)))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    assert hover.contents.value.splitlines()[3:7] == [
        "- en: MIFI's decision on {A}: {value}",
        "- fr: Décision du MIFI sur {A} : {value}",
        "- clause en: MIFI decided that {A} is {value}",
        "- clause fr: le MIFI a décidé que {A} est {value}",
    ]
    hover = await client.text_document_hover_async(t.HoverParams(doc(path), at(text, "cites PROC-6, LIQ-A57", 7)))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    assert hover.contents.value.splitlines()[0] == "**provision PROC-6**: Rejected: grounds and answer"
    assert "authority **official**" in hover.contents.value
    hover = await client.text_document_hover_async(t.HoverParams(doc(path), at(text, "over PROC-4.selected", 6)))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    lines = hover.contents.value.splitlines()
    assert lines[0] == "**rule PROC-4.selected**: Selected: every programme condition is met and no interview is needed"
    assert "- cites PROC-4: Selected: CSQ valid 24 months" in lines


async def test_definitions_of_predicates_rules_provisions_and_imports(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)

    async def definition(needle: str, offset: int) -> tuple[str, int, int]:
        params = t.DefinitionParams(doc(path), at(text, needle, offset))
        loc = await client.text_document_definition_async(params)
        assert isinstance(loc, t.Location)
        return loc.uri, loc.range.start.line, loc.range.start.character

    applications = (policy / "common/applications.havre").read_text(encoding="utf-8")
    assert await definition("principal(A) = P", 0) == (
        (policy / "common/applications.havre").as_uri(),
        at(applications, "input principal").line,
        len("input "),
    )
    assert await definition("over PROC-4.selected", 5) == (path.as_uri(), at(text, "rule PROC-4.selected").line, 5)
    sources = (policy / "sources.havre").read_text(encoding="utf-8")
    assert await definition("cites PROC-6, LIQ-A57", 6) == (
        (policy / "sources.havre").as_uri(),
        at(sources, "provision PROC-6 ").line,
        len("  provision "),
    )
    assert await definition('import "processing.havre"', 3) == ((policy / "qhc/processing.havre").as_uri(), 0, 0)


async def test_references_to_a_provision_and_to_a_predicate(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    params = t.ReferenceParams(
        context=ctx(False), text_document=doc(path), position=at(text, "cites PROC-6, LIQ-A57", 6)
    )
    locations = await client.text_document_references_async(params) or []
    lines = {(loc.uri, loc.range.start.line) for loc in locations}
    for rule in ("PROC-6.authenticity", "PROC-6.rejected", "PROC-6.missed-interview"):
        assert (path.as_uri(), at(text, f"rule {rule} ").line + 1) in lines
    assert all(any(f in loc.uri for f in ("qhc/decision", "qhc/processing", "qhc/next_steps")) for loc in locations)
    params = t.ReferenceParams(
        context=ctx(True), text_document=doc(path), position=at(text, "derived rejection_ground", 9)
    )
    locations = await client.text_document_references_async(params) or []
    assert sorted(loc.range.start.line for loc in locations if loc.uri == path.as_uri()) == sorted(
        i for i, line in enumerate(text.splitlines()) if "rejection_ground(" in line
    )
    assert any("qhc/next_steps" in loc.uri for loc in locations)  # the rejection letter's step reads it too


async def test_rename_a_predicate_and_a_rule_across_files(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    params = t.RenameParams(
        text_document=doc(path), position=at(text, "principal(A) = P", 1), new_name="main_applicant"
    )
    edit = await client.text_document_rename_async(params)
    assert edit is not None and edit.changes is not None
    uses = {
        p.as_uri(): len(re.findall(r"\bprincipal\(", p.read_text(encoding="utf-8"))) for p in policy.rglob("*.havre")
    }
    expected = {uri: count for uri, count in uses.items() if count}
    assert {uri: len(edits) for uri, edits in edit.changes.items()} == expected
    assert all(e.new_text == "main_applicant" for edits in edit.changes.values() for e in edits)
    params = t.RenameParams(
        text_document=doc(path), position=at(text, "rule PROC-6.rejected", 5), new_name="PROC-6.rejection"
    )
    edit = await client.text_document_rename_async(params)
    assert edit is not None and edit.changes is not None
    assert sorted(e.range.start.line for e in edit.changes[path.as_uri()]) == sorted(
        i for i, line in enumerate(text.splitlines()) if "PROC-6.rejected" in line
    )


async def test_rename_refuses_a_name_the_language_would_not_read(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    for new_name in ("Main_applicant", "not", "main applicant"):
        position = at(text, "principal(A) = P", 1)
        params = t.RenameParams(text_document=doc(path), position=position, new_name=new_name)
        assert await client.text_document_rename_async(params) is None
    params = t.RenameParams(text_document=doc(path), position=at(text, "cites PROC-6, LIQ-A57", 6), new_name="P-6")
    assert await client.text_document_rename_async(params) is None  # provisions are renamed in their sources


async def test_outline_of_a_file(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    await opened(client, path)
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc(path))) or []
    names = [(s.name, s.kind) for s in symbols if isinstance(s, t.DocumentSymbol)]
    assert names[:6] == [
        ("interview_needed", t.SymbolKind.Field),
        ("authenticity_doubt", t.SymbolKind.Field),
        ("rejection_reasons_addressed", t.SymbolKind.Field),
        ("rejection_ground", t.SymbolKind.Function),
        ("rejection_overcome", t.SymbolKind.Function),
        ("decision", t.SymbolKind.Event),
    ]
    assert ("PROC-4.selected", t.SymbolKind.Method) in names
    sources = policy / "sources.havre"
    await opened(client, sources)
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc(sources))) or []
    first = symbols[0]
    assert isinstance(first, t.DocumentSymbol) and first.kind == t.SymbolKind.Module
    assert [c.name for c in first.children or []][:2] == ["JUR-1", "JUR-2"]


# ---------------------------------------------------------------- editing


async def test_completion_offers_citations_after_cites_and_everything_in_conditions(
    client: LanguageClient, policy: Path
) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    edited = text.replace("  cites PROC-6, LIQ-A57\n", "  cites PROC-6, \n", 1)
    await changed(client, path, edited)
    position = at(edited, "  cites PROC-6, \n", len("  cites PROC-6, "))
    result = await client.text_document_completion_async(t.CompletionParams(doc(path), position))
    assert isinstance(result, t.CompletionList)
    assert {i.kind for i in result.items} == {t.CompletionItemKind.Reference}
    assert "LIQ-A57" in {i.label for i in result.items}
    position = at(edited, "    and invited(A)", 8)
    result = await client.text_document_completion_async(t.CompletionParams(doc(path), position))
    assert isinstance(result, t.CompletionList)
    items = {i.label: i for i in result.items}
    assert items["principal"].detail == "input principal(A: application): person"
    assert items["principal"].insert_text == "principal(${1:A})"
    assert items["rejected"].kind == t.CompletionItemKind.EnumMember
    assert items["unless"].kind == t.CompletionItemKind.Keyword
    assert items["PROC-4.selected"].kind == t.CompletionItemKind.Method
    assert {"applies", "grounds", "summary"} <= set(items)


async def test_formatting_a_document(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/extra.havre"
    ugly = (
        'derived extra(A: application)\n  fr "{A} en plus"  # why\n  en "{A} extra"\n'
        'rule X "t" fr "t" cites PROC-4 extra(A) if invited(A) and complete(A).\n'
    )
    path.write_text(ugly, encoding="utf-8")
    await opened(client, path)
    options = t.FormattingOptions(tab_size=2, insert_spaces=True)
    edits = await client.text_document_formatting_async(
        t.DocumentFormattingParams(text_document=doc(path), options=options)
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == (
        'derived extra(A: application)\n  en "{A} extra"\n  fr "{A} en plus"  # why\n\n'
        'rule X "t" fr "t"\n  cites PROC-4\n  extra(A) if\n        invited(A)\n    and complete(A).\n'
    )
    assert (edits[0].range.start, edits[0].range.end) == (t.Position(0, 0), t.Position(4, 0))


async def test_code_lens_decides_a_rule_and_a_verdict_on_an_example(client: LanguageClient, policy: Path) -> None:
    path = policy / "qhc/decision.havre"
    text = await opened(client, path)
    lenses = await client.text_document_code_lens_async(t.CodeLensParams(doc(path))) or []
    by_line = {lens.range.start.line: lens for lens in lenses}
    assert len(lenses) == text.count("\nrule ") + text.count("\nverdict ")
    assert all(lens.command is None for lens in lenses)  # decided only when resolved
    lens = await client.code_lens_resolve_async(by_line[at(text, "rule PROC-4.selected").line])
    assert lens.command is not None
    assert lens.command.title == "decide on example amina-selected: decision(app1) = selected, holds"
    assert lens.command.command == "havre.run"
    assert list(lens.command.arguments or []) == [
        "decide",
        str(policy / "examples/amina-selected.yaml"),
        "--policy",
        str(policy),
    ]
    lens = await client.code_lens_resolve_async(by_line[at(text, "verdict decision").line])
    assert lens.command is not None and lens.command.title.startswith("decide on example ")
    lens = await client.code_lens_resolve_async(by_line[at(text, "rule PROC-6.authenticity").line])
    assert lens.command is not None and ": decision(" in lens.command.title


# ---------------------------------------------------------------- the search on opening and saving


async def diagnostics_until(
    client: LanguageClient, path: Path, done: Callable[[list[tuple[str, str, int, int, int]]], bool]
) -> list[tuple[str, str, int, int, int]]:
    """The file's diagnostics once they satisfy `done`, as the notifications come (the search takes seconds)."""
    async with asyncio.timeout(120):
        while not done(found(client, path)):
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return found(client, path)


async def test_opening_and_saving_show_what_havre_check_finds_where_it_is(tmp_path: Path) -> None:
    """A dead rule, with `havre check`'s code and message at its rule, once the file is opened, the search's steps
    shown meanwhile; still there while the mended text is unsaved, gone once it is saved, back when the dead rule
    is saved again."""
    root = tmp_path / "dead-rule"
    shutil.copytree(ROOT / "tests/fixtures/broken/dead-rule", root)
    path = root / "main.havre"
    r = subprocess.run(
        [sys.executable, "-m", "havre", "check", "--format", "json", "--policy", str(root)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    checked = json.loads(r.stdout)
    (dead,) = checked["findings"]
    assert dead["code"] == "dead-rule"
    at_rule = ("dead-rule", dead["message"], dead["line"] - 1, 0, 2)
    client = await SERVER.start()
    assert isinstance(client, LanguageClient)
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    await client.initialize_session(t.InitializeParams(capabilities=capabilities, root_uri=root.as_uri()))
    try:
        text = await opened(client, path)
        shown = await diagnostics_until(client, path, lambda ds: at_rule in ds)
        language = shown[:-1]
        assert language and all(code == "missing-text" for code, *_ in language)  # the fixture has no French
        assert shown == [*language, at_rule]
        (steps,) = client.progress_reports.values()  # shown by the editor as the search goes
        assert isinstance(steps[0], t.WorkDoneProgressBegin) and steps[0].title == "havre check"
        assert isinstance(steps[1], t.WorkDoneProgressReport)
        assert steps[1].message == f"grounding the universe ({checked['universe']})"
        assert isinstance(steps[-1], t.WorkDoneProgressEnd)
        mended = text.replace("status(P) = citizen and status(P) = foreign_national", "status(P) = citizen")
        path.write_text(mended, encoding="utf-8")
        await changed(client, path, mended)
        assert found(client, path)[-1] == at_rule  # the search is of the text as saved
        client.text_document_did_save(t.DidSaveTextDocumentParams(doc(path)))
        assert await diagnostics_until(client, path, lambda ds: at_rule not in ds) == language
        path.write_text(text, encoding="utf-8")
        await changed(client, path, text, version=3)
        client.text_document_did_save(t.DidSaveTextDocumentParams(doc(path)))
        assert await diagnostics_until(client, path, lambda ds: at_rule in ds) == [*language, at_rule]
        assert len(client.progress_reports) == 3  # one search for the opening, one for each save
    finally:
        await client.shutdown_session()


@pytest.mark.parametrize("searching", [False, True], ids=["idle", "while-searching"])
async def test_the_server_ends_quietly_when_the_editor_ends_the_session(searching: bool) -> None:
    """`shutdown` then `exit`: exit code 0 and nothing on stderr (the editor shows it in its log), also when the
    search that opening a file starts is still running."""

    def message(payload: dict[str, object]) -> bytes:
        body = json.dumps(payload).encode()
        return f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    file = ROOT / "policy/qhc/decision.havre"
    item = {"uri": file.as_uri(), "languageId": "havre", "version": 1, "text": file.read_text(encoding="utf-8")}
    opening = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}
    session = b"".join(
        message(m)
        for m in (
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            *([opening] if searching else []),
            {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
            {"jsonrpc": "2.0", "method": "exit"},
        )
    )
    r = subprocess.run([sys.executable, "-m", "havre", "lsp"], input=session, capture_output=True, cwd=ROOT, timeout=60)
    assert (r.returncode, r.stderr.decode()) == (0, "")
