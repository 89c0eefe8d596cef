"""The checks, in order: resolve, typecheck, safety, stratify -> CheckedPolicy."""

from __future__ import annotations

from pathlib import Path

from grammar import nodes as n
from grammar import safety, stratify, typecheck
from grammar.checked import CheckedInvariant, CheckedPolicy, CheckedRule
from grammar.completeness import missing_texts
from grammar.diagnostics import Diagnostic, PolicyError, error
from grammar.normal import dnf
from grammar.parse import parse, policy_hash
from grammar.resolve import resolve

LANGS = ("en", "fr")


MAX_RULES = 1000  # eight times the shipped policy; deciding grows faster than the number of rules
MAX_DECLARATIONS = 5000
MAX_BRANCHES = 64  # alternatives of one rule's conditions; the shipped policy's most is 5


def check(policy: n.Policy) -> CheckedPolicy:
    """Every check; raises PolicyError with all errors found, in file order."""
    if (large := _too_large(policy)) is not None:
        raise PolicyError([large])
    tables, diags = resolve(policy)
    overriders: dict[str, list[str]] = {}
    for p in tables.priorities:
        overriders.setdefault(p.low.id, []).append(p.high.id)
    rules: list[CheckedRule] = []
    for rule in tables.rules.values():
        types, found = typecheck.check_rule(rule, tables)
        diags += found
        rules.append(CheckedRule(rule, types, tuple(overriders.get(rule.id, ()))))
    scopes: dict[str, dict[str, n.Type]] = {}
    for pred in tables.predicates.values():
        if pred.scope is None:
            continue
        if pred.kind != "verdict" or pred.is_bool:
            hint = "a scope says which subjects of a verdict with a value must get one"
            diags.append(error("bad-modifier", pred.span, f"`{pred.name}` cannot have a scope", hint))
            continue
        types, found = typecheck.check_scope(pred, tables)
        diags += found
        scopes[pred.name] = types
    invariants: list[CheckedInvariant] = []
    for inv in tables.invariants:
        types, found = typecheck.check_invariant(inv, tables)
        diags += found
        invariants.append(CheckedInvariant(inv, types))
    if not diags:  # safety and cycles are only meaningful on well-typed rules
        for cr in rules:
            diags += safety.check_rule(cr)
        for ci in invariants:
            for branch in dnf(ci.invariant.cond):
                diags += safety.check_branch(branch, ci.var_types, set(), ci.invariant.cond)
        diags += stratify.priority_cycles(tuple(tables.priorities))
        if not diags:
            diags += stratify.check(tuple(rules), tables.rules)
            diags += stratify.unbounded(tuple(rules), tables.rules)
    errors = _unique([d for d in diags if d.severity == "error"])
    if errors:
        raise PolicyError(errors)
    return CheckedPolicy(
        policy=policy,
        hash=policy_hash(policy),
        entities=tables.entities,
        predicates=tables.predicates,
        citations=tables.citations,
        rules=tuple(rules),
        priorities=tuple(tables.priorities),
        invariants=tuple(invariants),
        scopes=scopes,
        warnings=tuple(missing_texts(tables.predicates.values(), tables.rules.values())),
    )


def _too_large(policy: n.Policy) -> Diagnostic | None:
    """More rules or declarations than Havre decides within its time bounds (see policy/README.md, Limits)."""
    declarations = policy.declarations()
    rules = [d for d in declarations if isinstance(d, n.Rule)]
    hint = "split the policy: each programme can be a policy of its own"
    if len(rules) > MAX_RULES:
        return error("too-large", rules[MAX_RULES].span, f"a policy holds at most {MAX_RULES} rules", hint)
    if len(declarations) > MAX_DECLARATIONS:
        span = declarations[MAX_DECLARATIONS].span
        return error("too-large", span, f"a policy holds at most {MAX_DECLARATIONS} declarations", hint)
    for rule in rules:
        if len(dnf(rule.body)) > MAX_BRANCHES:
            message = f"rule `{rule.id}` has more than {MAX_BRANCHES} alternatives (`or`)"
            return error("too-large", rule.span, message, "split it into rules that conclude the same thing")
    return None


def _unique(diags: list[Diagnostic]) -> list[Diagnostic]:
    return list({(d.code, d.span, d.message): d for d in diags}.values())


def load(path: str | Path) -> CheckedPolicy:
    return check(parse(path))
