"""Case documents from requests: a body, a pasted text, an uploaded file, or a name in the --cases folder.

No file path is ever taken from a request: a named case is looked up among the files the folder lists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from solver.cases.case import CaseError
from solver.cases.casefile import Kind, parse_document, read_document

REQUEST = "<request>"
PASTED = "<pasted>"
CASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.(?:ya?ml|json)")
_KINDS: dict[str, Kind] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def kind_of(content_type: str) -> Kind:
    media = content_type.split(";")[0].strip().lower()
    if media in ("application/json", "text/json"):
        return "json"
    if media in ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"):
        return "yaml"
    raise CaseError(REQUEST, "", "send the case as application/json or application/yaml")


def decode(data: bytes, origin: str = REQUEST) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CaseError(origin, "", f"not UTF-8 text (byte {err.start})") from None


def document_from_body(body: bytes, content_type: str) -> object:
    return parse_document(decode(body), kind_of(content_type), REQUEST)


def document_from_text(text: str, filename: str | None = None, origin: str = REQUEST) -> object:
    """A pasted or uploaded case: JSON if its name says so, or if it starts with `{`; YAML otherwise."""
    origin = shown_name(filename) if filename else origin
    ext = os.path.splitext(filename or "")[1].lower()
    if filename and ext not in _KINDS:
        raise CaseError(origin, "", f"unsupported file type {ext or '(none)'}; use .yaml, .yml or .json")
    kind = _KINDS.get(ext) or ("json" if text.lstrip().startswith("{") else "yaml")
    return parse_document(text, kind, origin)


def shown_name(filename: str) -> str:
    """An uploaded file's own name, as the browser sent it, shown in messages (never opened)."""
    return os.path.basename(filename.replace("\\", "/"))[:128] or REQUEST


def case_names(folder: Path | None) -> list[str]:
    if folder is None:
        return []
    try:
        return sorted(e.name for e in os.scandir(folder) if e.is_file() and CASE_NAME.fullmatch(e.name))
    except OSError:
        return []


def named_case(folder: Path | None, name: str) -> tuple[object, str]:
    """The document of a case file of the folder, chosen by its name; the name it is shown under."""
    if folder is None:
        raise CaseError(REQUEST, "name", "this server was started without --cases")
    if not CASE_NAME.fullmatch(name) or name not in case_names(folder):
        raise CaseError(REQUEST, "name", f"no case file named {name!r} in the folder of cases")
    try:
        return read_document(folder / name), name
    except CaseError as err:  # the folder's own path stays on the server
        raise CaseError(name, err.path, err.message) from None
