"""The language server: pygls over stdio, each request answered from the analysis of the document's policy."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from havre.lsp import edit, lens, navigate
from havre.lsp.convert import diagnostic_of, finding_diagnostic, path_of, place_of, uri_of
from havre.lsp.index import Occurrence
from havre.lsp.search import Searches
from havre.lsp.workspace import Analysis, Overlay


class HavreServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("havre", "0.1.0")
        self.overlay = Overlay()
        self.analyses: dict[Path, Analysis] = {}
        self.published: dict[Path, set[str]] = {}  # per entry: the files it last gave diagnostics to
        self.examples = lens.Examples()
        self.searches = Searches()

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the policy the document belongs to, made again only after an edit."""
        path = path_of(uri)
        root = self.workspace.root_path
        entry = self.overlay.entry_for(path, Path(root).resolve() if root else None)
        if entry not in self.analyses:
            self.analyses[entry] = self.overlay.analyse(entry)
        found = self.analyses[entry]
        if str(path) not in found.texts and path != entry:  # a file the policy does not import
            found = self.analyses[path] = self.overlay.analyse(path)
        return found

    def refresh(self, uri: str) -> None:
        """Analyse the document's policy again; publish the document's diagnostics first, then those of the other
        files that have some or had some. The search's findings (from the last save) follow the language's."""
        self.analyses.clear()
        analysis = self.analysis(uri)
        current = str(path_of(uri))
        searched = self.searches.by_file(analysis.entry)
        files = {
            file: [diagnostic_of(d, analysis.texts.get(file, "")) for d in found]
            + [finding_diagnostic(f, file, analysis.texts.get(file, "")) for f in searched.get(file, [])]
            for file, found in analysis.by_file().items()
        }
        files = {file: found for file, found in files.items() if found or file == current}
        before = self.published.get(analysis.entry, set())
        for file in sorted(set(files) | before, key=lambda f: f != current):
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri_of(file), files.get(file, [])))
        self.published[analysis.entry] = {file for file, found in files.items() if found}

    @asynccontextmanager
    async def progress(self, title: str) -> AsyncIterator[Callable[[str], None]]:
        """Work in progress shown by the editor, when it can: `say` reports a step, from any thread."""
        token = str(uuid.uuid4())
        if not await self._progress_created(token):
            yield lambda _: None
            return
        self.work_done_progress.begin(token, t.WorkDoneProgressBegin(title))
        loop = asyncio.get_running_loop()

        def say(step: str) -> None:
            loop.call_soon_threadsafe(self.work_done_progress.report, token, t.WorkDoneProgressReport(message=step))

        try:
            yield say
        finally:
            self.work_done_progress.end(token, t.WorkDoneProgressEnd())

    async def _progress_created(self, token: str) -> bool:
        window = self.client_capabilities.window
        if not (window and window.work_done_progress):
            return False
        try:
            await self.work_done_progress.create_async(token)
        except Exception:  # the editor declined: the work goes on unseen
            return False
        return True

    def occurrence(self, uri: str, position: t.Position) -> tuple[Analysis, Occurrence | None]:
        analysis = self.analysis(uri)
        file = str(path_of(uri))
        line, column = place_of(position, analysis.texts.get(file, ""))
        return analysis, analysis.index.at(file, line, column)


server = HavreServer()


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: HavreServer, params: t.DidOpenTextDocumentParams) -> None:
    """The language's diagnostics at once; the search's too, the first time a file of the policy is opened."""
    ls.overlay.open[path_of(params.text_document.uri)] = params.text_document.text
    ls.refresh(params.text_document.uri)
    if not ls.searches.asked(ls.analysis(params.text_document.uri).entry):
        await search(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: HavreServer, params: t.DidChangeTextDocumentParams) -> None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    ls.overlay.open[path_of(params.text_document.uri)] = document.source
    ls.refresh(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: HavreServer, params: t.DidSaveTextDocumentParams) -> None:
    """The language's diagnostics at once; the search's of the text as saved when it is done (havre.lsp.search)."""
    ls.refresh(params.text_document.uri)
    await search(ls, params.text_document.uri)


async def search(ls: HavreServer, uri: str) -> None:
    """The search of the policy the file belongs to, its steps shown as the editor shows work in progress."""
    analysis = ls.analysis(uri)
    if analysis.checked is None:
        changed = await ls.searches.search(analysis.entry, None)
    else:
        async with ls.progress("havre check") as say:
            changed = await ls.searches.search(analysis.entry, analysis.checked, say)
    if changed:
        ls.refresh(uri)


@server.feature(t.SHUTDOWN)
def shutdown(ls: HavreServer, params: None) -> None:
    ls.searches.close()


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: HavreServer, params: t.DidCloseTextDocumentParams) -> None:
    ls.overlay.open.pop(path_of(params.text_document.uri), None)  # the disk's text again
    ls.refresh(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: HavreServer, params: t.HoverParams) -> t.Hover | None:
    analysis, found = ls.occurrence(params.text_document.uri, params.position)
    return navigate.hover(analysis, found) if found else None


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: HavreServer, params: t.DefinitionParams) -> t.Location | None:
    analysis, found = ls.occurrence(params.text_document.uri, params.position)
    return navigate.definition(analysis, found) if found else None


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def references(ls: HavreServer, params: t.ReferenceParams) -> list[t.Location]:
    analysis, found = ls.occurrence(params.text_document.uri, params.position)
    return navigate.references(analysis, found, params.context.include_declaration) if found else []


@server.feature(t.TEXT_DOCUMENT_RENAME)
def rename(ls: HavreServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    analysis, found = ls.occurrence(params.text_document.uri, params.position)
    return navigate.rename(analysis, found, params.new_name) if found else None


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def symbols(ls: HavreServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    return navigate.symbols(ls.analysis(params.text_document.uri), str(path_of(params.text_document.uri)))


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", "("]))
def completion(ls: HavreServer, params: t.CompletionParams) -> t.CompletionList:
    document = ls.workspace.get_text_document(params.text_document.uri)
    line = document.lines[params.position.line] if params.position.line < len(document.lines) else ""
    before = line.encode("utf-16-le")[: params.position.character * 2].decode("utf-16-le", errors="ignore")
    items = edit.completion(ls.analysis(params.text_document.uri), before)
    return t.CompletionList(is_incomplete=False, items=items)


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: HavreServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    return edit.formatting(document.source, str(path_of(params.text_document.uri)))


@server.feature(t.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: HavreServer, params: t.CodeLensParams) -> list[t.CodeLens]:
    return lens.lenses(ls.analysis(params.text_document.uri), str(path_of(params.text_document.uri)))


@server.feature(t.CODE_LENS_RESOLVE)
def code_lens_resolve(ls: HavreServer, item: t.CodeLens) -> t.CodeLens:
    return ls.examples.resolve(item)


def serve() -> None:
    server.start_io()
