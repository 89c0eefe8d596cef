"""Inputs for the fuzzing command: the corpus and the project's own files, mutated at random.

Mutations work on bytes (flips, cuts, copies, splices), on words (the language's keywords and the values
that once broke Havre: 2^31, dates at the ends of the calendar, escapes, braces, deep nesting) and, for case
files, on the document (values of the wrong type, extreme numbers, control characters, copied entities).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.fuzz.harness import MINI, ROOT

CORPUS = Path(__file__).with_name("corpus")
WORDS = [
    b"rule",
    b"if",
    b"and",
    b"or",
    b"not",
    b"unless",
    b"some",
    b"every",
    b"where",
    b"satisfies",
    b"number of",
    b"priority",
    b"over",
    b"invariant",
    b"never",
    b"import",
    b"entity",
    b"input",
    b"derived",
    b"verdict",
    b"judged",
    b"default false",
    b"fixed",
    b"source",
    b"provision",
    b"cites",
    b"(",
    b")",
    b".",
    b",",
    b"=",
    b"<",
    b">=",
    b"!=",
    b"+",
    b"-",
    b"days",
    b"months",
    b"years",
    b"2147483647",
    b"2147483648",
    b"-2147483648",
    b"0001-01-01",
    b"9999-12-31",
    b"2024-02-29",
    b"2023-02-29",
    b"0000-01-01",
    b'"{P}"',
    b'"{"',
    b'"}"',
    b'"\\x4"',
    b'"\\N{BULLET}"',
    b'"\\U0001F600"',
    b'"\\ud800"',
    b"\\",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\n",
    b"\t",
    b"#",
    b"assessment_date",
    b"years_since(",
    b"days_between(",
    b'import "../../etc/passwd"',
    b"not " * 60,
    b"(" * 60,
    b"+ 1" * 60,
    b"9" * 5000,
    b"P",
    b"Q",
    b"X",
    b"person",
    b"application",
]
VALUES: list[object] = [
    None,
    True,
    False,
    0,
    -1,
    2147483647,
    2147483648,
    -2147483649,
    10**400,
    1.5,
    float("inf"),
    "",
    "x" * 5000,
    "A\nB",
    "A \ud800",
    "\x1b[31m",
    "\u202e",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-1-1",
    [],
    {},
    [1, [2, [3]]],
    {"a": {"b": {"c": {}}}},
    "amina",
    "../x",
    "{",
    "}",
]


@dataclass(frozen=True, slots=True)
class Input:
    kind: str  # policy, case, args
    data: bytes  # a file's bytes, or JSON of the arguments
    suffix: str = ".havre"


def _files(pattern: str, folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def _single_mini() -> bytes:
    """The fixture policy in one file: its files with the imports left out."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(MINI.rglob("*.havre"))]
    lines = [line for text in parts for line in text.splitlines() if not line.startswith("import ")]
    return ("\n".join(lines) + "\n").encode("utf-8")


class Mutator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.policies = [p.read_bytes() for p in _files("*.havre", CORPUS / "policy")]
        self.policies += [p.read_bytes() for p in _files("*/main.havre", ROOT / "tests/fixtures/broken")]
        self.policies += [_single_mini()] * 6
        self.cases = [(p.read_bytes(), p.suffix) for p in _files("*", CORPUS / "case")]
        self.cases += [(p.read_bytes(), ".yaml") for p in _files("*.yaml", ROOT / "policy/examples")] * 3
        self.args = [json.loads(p.read_text(encoding="utf-8")) for p in _files("*.json", CORPUS / "args")]

    def next(self) -> Input:
        roll = self.rng.random()
        if roll < 0.5:
            return Input("policy", self.bytes(self.rng.choice(self.policies)))
        if roll < 0.85:
            data, suffix = self.rng.choice(self.cases)
            return self.case(data, suffix)
        return Input("args", json.dumps(self.arguments()).encode("utf-8"), ".json")

    # ------------------------------------------------------------ bytes
    def bytes(self, data: bytes) -> bytes:
        out = bytearray(data)
        for _ in range(self.rng.randint(1, 4)):
            op = self.rng.randrange(7)
            at = self.rng.randrange(len(out) + 1)
            end = min(len(out), at + self.rng.randint(0, 200))
            if op == 0 and out:
                out[min(at, len(out) - 1)] ^= 1 << self.rng.randrange(8)
            elif op == 1:
                del out[at:end]
            elif op == 2:
                out[at:at] = out[at:end] * self.rng.randint(1, 50)
            elif op in (3, 4):
                out[at:at] = b" " + self.rng.choice(WORDS) + b" "
            elif op == 5:
                other = self.rng.choice(self.policies)
                start = self.rng.randrange(len(other) + 1)
                out[at:at] = other[start : start + self.rng.randint(1, 400)]
            else:
                out[at:end] = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 8)))
        return bytes(out[: 1 << 20])

    # ------------------------------------------------------------ case files
    def case(self, data: bytes, suffix: str) -> Input:
        if self.rng.random() < 0.3:
            return Input("case", self.bytes(data), suffix)
        try:
            doc = yaml.safe_load(data)
        except (yaml.YAMLError, ValueError):
            return Input("case", self.bytes(data), suffix)
        for _ in range(self.rng.randint(1, 5)):
            doc = self.document(doc, 0)
        if self.rng.random() < 0.5:
            return Input("case", json.dumps(doc, default=str).encode("utf-8", "surrogatepass"), ".json")
        text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=self.rng.random() < 0.3)
        return Input("case", text.encode("utf-8", "surrogatepass"), ".yaml")

    def document(self, node: object, depth: int) -> object:
        if isinstance(node, dict) and node and depth < 6:
            key = self.rng.choice(list(node))
            roll = self.rng.random()
            if roll < 0.15:
                node.pop(key)
            elif roll < 0.3:
                node[f"{key}-{self.rng.randrange(1000)}"] = node[key]  # a copied entity or field
            elif roll < 0.45:
                node[key] = self.value()
            else:
                node[key] = self.document(node[key], depth + 1)
            return node
        if isinstance(node, list) and node and depth < 6:
            i = self.rng.randrange(len(node))
            node[i] = self.value() if self.rng.random() < 0.5 else self.document(node[i], depth + 1)
            return node
        return self.value() if self.rng.random() < 0.7 else node

    def value(self) -> object:
        return self.rng.choice(VALUES)

    # ------------------------------------------------------------ command lines
    def arguments(self) -> list[str]:
        if self.rng.random() < 0.5:
            args = list(self.rng.choice(self.args))
        else:
            command = self.rng.choice(["decide", "explain", "check", "generate", "batch", "schema", "compile", "test"])
            args = [command] + (["{case}"] if command in ("decide", "explain", "batch") else [])
            args += ["--policy", "{mini}"]
        for _ in range(self.rng.randint(0, 3)):
            option = self.rng.choice(
                ["-o", "--format", "--lang", "--verdict", "--unknown-rate", "-n", "-k", "-w", "--universe", "--policy"]
            )
            args += [option, self.rng.choice(ARG_VALUES)]
        return args


ARG_VALUES = [
    "", "{dir}", "{fifo}", "{case}", "{dir}/out.txt", "{dir}/no/such/x", "/dev/null", "/dev/full", "/sys/x",
    "/proc/version", "x" * 300, "..", "-1", "0", "1", "64", "65", "nan", "inf", "1e309", "9" * 40, "json",
    "html", "markdown", "xml", "fr", "de", "person=9", "person=10", "person=\u0663", "decision", "\u202e", "\n",
]  # fmt: skip
