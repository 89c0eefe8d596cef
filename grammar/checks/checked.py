"""The checked policy: the AST plus what the checks established about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from grammar.diagnostics import Diagnostic
from grammar.typed import nodes as n

BUILTINS: dict[str, tuple[tuple[n.Type, ...], n.Type]] = {
    "years_since": ((n.DATE,), n.INT),
    "months_since": ((n.DATE,), n.INT),
    "days_since": ((n.DATE,), n.INT),
    "years_between": ((n.DATE, n.DATE), n.INT),
    "days_between": ((n.DATE, n.DATE), n.INT),
}
RESERVED_FIELDS = frozenset({"name", "id"})


@dataclass(frozen=True, slots=True)
class Cited:
    """What a citation resolves to: a whole source, or one provision of it."""

    id: str
    title: str
    title_fr: str | None
    source: n.Source


@dataclass(frozen=True, slots=True)
class CheckedRule:
    rule: n.Rule
    var_types: dict[str, n.Type] = field(hash=False)
    overridden_by: tuple[str, ...]  # rules with priority over this one

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True)
class CheckedInvariant:
    invariant: n.Invariant
    var_types: dict[str, n.Type] = field(hash=False)


@dataclass(frozen=True, slots=True)
class CheckedPolicy:
    policy: n.Policy
    hash: str
    entities: dict[str, n.Entity] = field(hash=False)
    predicates: dict[str, n.Predicate] = field(hash=False)
    citations: dict[str, Cited] = field(hash=False)
    rules: tuple[CheckedRule, ...]
    priorities: tuple[n.Priority, ...]
    invariants: tuple[CheckedInvariant, ...]
    warnings: tuple[Diagnostic, ...]
    # verdict -> the types of the variables of its `applies if`
    applies: dict[str, dict[str, n.Type]] = field(hash=False, default_factory=dict)
    # (verdict, value) -> the types of the variables of its `grounds`
    grounds: dict[tuple[str, str], dict[str, n.Type]] = field(hash=False, default_factory=dict)
    summary: tuple[str, ...] = ()  # the verdicts that answer a case's main questions, in reading order
    parties: dict[str, n.Party] = field(hash=False, default_factory=dict)  # who acts on the dates the policy sets
    part_of: str = ""  # a policy cut down to some verdicts (solver.compile.cone): the hash of the whole
    _by_id: dict[str, CheckedRule] = field(init=False, hash=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.id: r for r in self.rules})

    @property
    def shown_hash(self) -> str:
        """The hash decisions carry and readers see: a cut-down policy decides as its whole."""
        return self.part_of or self.hash

    def rule(self, rule_id: str) -> CheckedRule:
        return self._by_id[rule_id]

    def inputs(self) -> list[n.Predicate]:
        return [p for p in self.predicates.values() if p.is_input]

    def verdicts(self) -> list[n.Predicate]:
        return [p for p in self.predicates.values() if p.kind == "verdict"]
