"""The open documents over the files on disk, and the analysis of the policy each belongs to.

A policy is the entry file (`main.havre`) and the files it imports. A file's
entry is the `main.havre` of its outermost folder that has one, so
`policy/ref/main.havre`, itself imported by `policy/main.havre`, belongs to
the whole policy. A file no entry imports is a policy of its own.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from grammar.checks.check import check
from grammar.checks.checked import CheckedPolicy
from grammar.diagnostics import Diagnostic, PolicyError, error
from grammar.text.files import ENTRY_FILE
from grammar.text.recover import parse_recovering
from grammar.typed import nodes as n
from grammar.typed.source import Span
from havre.lsp.index import Index, build_index

_NAME_CODES = frozenset({"undefined-name", "undefined-source", "undefined-rule"})
_DECLARING = ("input", "judged", "derived", "verdict", "entity", "rule", "source", "provision")


@dataclass
class Analysis:
    """A policy as the editor sees it: its texts, what parsed, every diagnostic, and the checked policy if any."""

    entry: Path
    texts: dict[str, str]  # absolute path -> text, the open documents' unsaved text included
    modules: list[n.Module]
    diagnostics: list[Diagnostic]
    checked: CheckedPolicy | None
    index: Index = field(repr=False)

    def by_file(self) -> dict[str, list[Diagnostic]]:
        found: dict[str, list[Diagnostic]] = {path: [] for path in self.texts}
        for d in self.diagnostics:
            found.setdefault(d.span.file, []).append(d)
        return found


class Overlay:
    """The text of each file: the editor's for open documents, else the disk's."""

    def __init__(self) -> None:
        self.open: dict[Path, str] = {}
        self._parsed: dict[tuple[str, str], tuple[n.Module, list[Diagnostic]]] = {}

    def read(self, path: Path) -> str | None:
        if path in self.open:
            return self.open[path]
        with suppress(OSError, UnicodeDecodeError):
            return path.read_text(encoding="utf-8")
        return None

    def parse(self, path: Path, text: str) -> tuple[n.Module, list[Diagnostic]]:
        """Parsed once per text: typing in one file does not parse the others again."""
        key = (str(path), text)
        if key not in self._parsed:
            if len(self._parsed) > 512:
                self._parsed.clear()
            self._parsed[key] = parse_recovering(text, str(path))
        return self._parsed[key]

    def entry_for(self, path: Path, root: Path | None = None) -> Path:
        """The outermost `main.havre` above the file, inside the editor's folder when there is one."""
        entry = path
        for folder in path.parents:
            if root is not None and not folder.is_relative_to(root):
                break
            if (folder / ENTRY_FILE).is_file() or (folder / ENTRY_FILE) in self.open:
                entry = folder / ENTRY_FILE
        return entry

    def analyse(self, entry: Path) -> Analysis:
        texts, modules, diagnostics = self._load(entry)
        syntax = bool(diagnostics)
        checked = None
        try:
            checked = check(n.Policy(str(entry), tuple(modules), tuple(sorted(texts.items()))))
            diagnostics += checked.warnings
        except PolicyError as err:
            diagnostics += [d for d in err.diagnostics if not (syntax and _lost(d, texts))]
        return Analysis(
            entry, texts, modules, diagnostics, checked if not syntax else None, build_index(modules, texts)
        )

    def _load(self, entry: Path) -> tuple[dict[str, str], list[n.Module], list[Diagnostic]]:
        texts: dict[str, str] = {}
        modules: list[n.Module] = []
        diagnostics: list[Diagnostic] = []
        pending = [entry]
        while pending:
            current = pending.pop(0)
            if str(current) in texts:
                continue
            text = self.read(current)
            if text is None:
                diagnostics.append(
                    error("import-not-found", Span.point(str(current)), f"no policy file at `{current}`")
                )
                continue
            texts[str(current)] = text
            module, found = self.parse(current, text)
            modules.append(module)
            diagnostics += found
            for decl in module.declarations:
                if isinstance(decl, n.Import):
                    target = (current.parent / decl.path).resolve()
                    if self.read(target) is None:
                        diagnostics.append(_missing_import(decl, current))
                    else:
                        pending.append(target)
        return texts, modules, diagnostics


def _lost(d: Diagnostic, texts: dict[str, str]) -> bool:
    """An undefined name that a declaration lost to a syntax error may declare: not reported until it parses."""
    if d.code not in _NAME_CODES or not (m := re.search(r"`([^`]+)`", d.message)):
        return False
    declared = re.compile(rf"\b(?:{'|'.join(_DECLARING)})\s+{re.escape(m.group(1))}(?![\w.-])")
    return any(declared.search(text) for text in texts.values())


def _missing_import(decl: n.Import, current: Path) -> Diagnostic:
    return error(
        "import-not-found",
        decl.span,
        f"imported file `{decl.path}` does not exist",
        f"paths are relative to `{current.name}`",
    )
