"""The impact report: the changed main verdicts grouped by change, with rules, an example explained before and
after, and totals; as plain data (the JSON shape below), text, or a self-contained HTML page. The JSON keeps its
English labels; the words of the text and the page come from the explanations' catalogues (explain.wording.i18n).
A group's `heading` is its change in the report's language, in the verdict's own words:
"MIFI's decision on an application: selected → refused (decision)".

    {"base": {"policy", "hash"}, "current": {"policy", "hash"}, "verdicts": [main verdicts compared],
     "totals": {"cases", "changed", "unchanged", "unreadable"},
     "by_verdict": [{"verdict", "cases", "subjects"}],
     "groups": [{"verdict", "before", "after", "heading", "cases", "subjects", "changed": [{"index", "case"}],
                 "rules": [{"rule", "title", "provisions": [{"id", "title"}], "before", "after", "edit"}],
                 "example": {"index", "origin", "case", "subject", "rules": {"before", "after"}, "before", "after"}}],
     "edited_rules": [{"rule", "title", "edit"}],
     "unreadable": [{"index", "origin", "case", "base", "current"}]}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from explain.rendering.render import render
from explain.view.views import STATUS
from explain.wording.french import titled
from explain.wording.i18n import N_, gettext, translations
from explain.wording.phrases import Phrases, number_text
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from havre.api import Policy
from havre.caseload.impact import CaseDiff, Change
from solver.cases.case import Case
from solver.compile.cone import narrowed

TEMPLATES = Path(__file__).with_name("templates")
Group = tuple[str, str, str]  # verdict, outcome before, outcome after
EDITS = (N_("added"), N_("changed"), N_("removed"))  # the words of edited_rules, translated where they are shown


@dataclass
class Tally:
    """The changes of one group as they arrive: the cases, the rules that concluded on each side, the first case."""

    cases: dict[int, str | None] = field(default_factory=dict)  # index -> case id, in input order
    subjects: int = 0
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    example: tuple[CaseDiff, Change] | None = None

    def add(self, diff: CaseDiff, change: Change) -> None:
        self.cases[diff.index] = diff.case
        self.subjects += 1
        self.before.update(change.rules_before)
        self.after.update(change.rules_after)
        if self.example is None:
            self.example = (diff, change)


@dataclass
class Collected:
    """Every case's comparison, summed up as it arrives (nothing per unchanged case is kept)."""

    cases: int = 0
    changed: int = 0
    groups: dict[Group, Tally] = field(default_factory=dict)
    unreadable: list[dict[str, Any]] = field(default_factory=list)

    def add(self, diff: CaseDiff) -> None:
        self.cases += 1
        if diff.errors:
            errors = dict(diff.errors)
            self.unreadable.append(
                {"index": diff.index, "origin": diff.origin, "case": diff.case}
                | {side: errors.get(side) for side in ("base", "current")}
            )
            return
        self.changed += bool(diff.changes)
        for change in diff.changes:
            self.groups.setdefault((change.verdict, change.before, change.after), Tally()).add(diff, change)

    @classmethod
    def of(cls, diffs: Iterable[CaseDiff]) -> Collected:
        out = cls()
        for diff in diffs:
            out.add(diff)
        return out


# ---------------------------------------------------------------- rules edited between versions


def _shape(node: object) -> object:
    """A node's content without its place in the files: equal for the same rule written elsewhere."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        kept = (getattr(node, f.name) for f in dataclasses.fields(node) if f.name != "span")
        return (type(node).__name__, *(_shape(x) for x in kept))
    if isinstance(node, list | tuple):
        return tuple(_shape(x) for x in node)
    if isinstance(node, dict):
        return tuple(sorted((str(k), _shape(v)) for k, v in node.items()))
    return node


def edited_rules(base: CheckedPolicy, current: CheckedPolicy) -> dict[str, str]:
    """Rule ID -> added, removed or changed, in the current version's order, then the removed ones."""
    before = {r.rule.id: _shape(r.rule) for r in base.rules}
    after = {r.rule.id: _shape(r.rule) for r in current.rules}
    out = {rid: "added" if rid not in before else "changed" for rid, s in after.items() if before.get(rid) != s}
    return out | {rid: "removed" for rid in before if rid not in after}


# ---------------------------------------------------------------- the report as data


@dataclass(frozen=True)
class Sides:
    """Both versions whole (for explanations and rule titles), and how the user named them."""

    base: Policy
    current: Policy
    base_name: str
    current_name: str
    verdicts: tuple[str, ...]
    lang: str = "en"


def report(sides: Sides, got: Collected, documents: dict[int, object]) -> dict[str, Any]:
    """The report as plain data; `documents` holds the case documents of the groups' examples, by index."""
    edits = edited_rules(sides.base.checked, sides.current.checked)
    ordered = sorted(got.groups.items(), key=lambda kv: (-len(kv[1].cases), sides.verdicts.index(kv[0][0]), kv[0]))
    groups = [_group(sides, key, tally, edits, documents) for key, tally in ordered]
    per_verdict: dict[str, tuple[set[int], int]] = {}
    for (verdict, _, _), tally in got.groups.items():
        cases, subjects = per_verdict.get(verdict, (set(), 0))
        per_verdict[verdict] = (cases | set(tally.cases), subjects + tally.subjects)
    readable = got.cases - len(got.unreadable)
    return {
        "base": {"policy": sides.base_name, "hash": sides.base.hash},
        "current": {"policy": sides.current_name, "hash": sides.current.hash},
        "verdicts": list(sides.verdicts),
        "totals": {
            "cases": got.cases,
            "changed": got.changed,
            "unchanged": readable - got.changed,
            "unreadable": len(got.unreadable),
        },
        "by_verdict": [
            {"verdict": v, "cases": len(per_verdict[v][0]), "subjects": per_verdict[v][1]}
            for v in sides.verdicts
            if v in per_verdict
        ],
        "groups": groups,
        "edited_rules": [{"rule": rid, "title": _rule_title(sides, rid), "edit": edit} for rid, edit in edits.items()],
        "unreadable": got.unreadable,
    }


def _group(
    sides: Sides, key: Group, tally: Tally, edits: dict[str, str], documents: dict[int, object]
) -> dict[str, Any]:
    verdict, before, after = key
    example = _example(sides, tally, documents)
    shown = {rid for rid in (*tally.before, *tally.after) if tally.before[rid] != tally.after[rid]}
    shown |= {rid for rid in edits if rid in rests_on(sides, verdict)}
    ids = sorted(shown, key=lambda rid: (rid not in edits, rid))
    rules = [_rule(sides, rid, tally.before[rid], tally.after[rid], edits.get(rid)) for rid in ids]
    return {
        "verdict": verdict,
        "before": before,
        "after": after,
        "heading": heading(sides, verdict, before, after),
        "cases": len(tally.cases),
        "subjects": tally.subjects,
        "changed": [{"index": i, "case": c} for i, c in tally.cases.items()],
        "rules": rules,
        "example": example,
    }


def _example(sides: Sides, tally: Tally, documents: dict[int, object]) -> dict[str, Any]:
    """The first case of the group explained under each version, and the rules the explanations name."""
    assert tally.example is not None
    diff, change = tally.example
    out: dict[str, Any] = {"index": diff.index, "origin": diff.origin, "case": diff.case}
    out["subject"] = list(change.subject)
    out["rules"] = {"before": list(change.rules_before), "after": list(change.rules_after)}
    for side in ("base", "current"):
        policy: Policy = getattr(sides, side)
        try:
            view = policy.explain(
                documents[diff.index],
                lang=sides.lang,
                verdicts=[change.verdict],
                subjects=[change.subject],
                why_not=True,
            )
        except Exception as err:  # an explanation that fails leaves the report whole
            _ = gettext(sides.lang)
            failed = _("(no explanation: %(error)s)") % {"error": f"{type(err).__name__}: {err}"}
            out["before" if side == "base" else "after"] = failed
            continue
        out["before" if side == "base" else "after"] = render(view, "text")
    return out


def rests_on(sides: Sides, verdict: str) -> set[str]:
    """The rules a verdict can rest on, in either version (those of the policy cut down to it)."""
    out: set[str] = set()
    for policy in (sides.base, sides.current):
        if verdict in policy.checked.predicates:
            out |= {cr.rule.id for cr in narrowed(policy.checked, [verdict]).rules}
    return out


def _checked_with(sides: Sides, rule_id: str) -> CheckedPolicy | None:
    for policy in (sides.current, sides.base):
        if any(r.rule.id == rule_id for r in policy.checked.rules):
            return policy.checked
    return None


def _rule_title(sides: Sides, rule_id: str) -> str:
    checked = _checked_with(sides, rule_id)
    if checked is None:
        return ""
    rule = checked.rule(rule_id).rule
    return titled(sides.lang, rule.title, rule.title_fr)


def _rule(sides: Sides, rule_id: str, before: int, after: int, edit: str | None) -> dict[str, Any]:
    checked = _checked_with(sides, rule_id)
    provisions = []
    if checked is not None:
        for c in checked.rule(rule_id).rule.cites:
            cited = checked.citations.get(c.id)
            title = "" if cited is None else (cited.title_fr if sides.lang == "fr" and cited.title_fr else cited.title)
            provisions.append({"id": c.id, "title": title})
    return {
        "rule": rule_id,
        "title": _rule_title(sides, rule_id),
        "provisions": provisions,
        "before": before,
        "after": after,
        "edit": edit,
    }


# ---------------------------------------------------------------- text and HTML


def heading(sides: Sides, verdict: str, before: str, after: str) -> str:
    """A change in the verdict's own words, of any subject: "MIFI's decision on an application: selected →
    refused (decision)"."""
    policy = sides.current.checked if verdict in sides.current.checked.predicates else sides.base.checked
    decl = policy.predicates.get(verdict)
    if decl is None:
        return change_name({"verdict": verdict, "before": before, "after": after}, sides.lang)
    ph = Phrases(policy, Case("", dt.date.min, (), ()), sides.lang)
    change = f"{_outcome(ph, decl, before)} → {_outcome(ph, decl, after)}"
    subject = tuple(ph.some(p.type.name) for p in decl.params)  # any subject: "a person", "une demande"
    said = ph.fact(verdict, subject, True) if decl.is_bool else ph.fact(verdict, subject, None, blank="…")
    # "MIFI's decision on an application: …": the change takes the value's place when it ends the sentence.
    said = said[:-1] + change if said.endswith("…") else labelled(said, change, sides.lang)
    return f"{ph.cap(said)} ({verdict})"


def _outcome(ph: Phrases, decl: n.Predicate, outcome: str) -> str:
    """An outcome of `impact.outcome` worded: a status, or the value the verdict holds with."""
    status = outcome.replace(" ", "_")
    if status in STATUS:
        return ph._(STATUS[status])
    if isinstance(decl.value, n.DateType):
        return ph.value(dt.date.fromisoformat(outcome))
    if isinstance(decl.value, n.IntType):
        return ph.value(int(outcome))
    return ph.value(outcome, decl.name)


def change_name(group: dict[str, Any], lang: str = "en") -> str:
    """A group's heading; a status in the report's language where the group has none."""
    if "heading" in group:
        return str(group["heading"])
    _ = gettext(lang)
    worded = [
        _(STATUS[o.replace(" ", "_")]) if o.replace(" ", "_") in STATUS else o
        for o in (group["before"], group["after"])
    ]
    return labelled(group["verdict"], " → ".join(worded), lang)


def labelled(label: str, value: str, lang: str = "en") -> str:
    """`label: value`, with the space French puts before the colon."""
    _ = gettext(lang)
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def text(data: dict[str, Any], lang: str = "en") -> str:
    lines = _text_head(data, lang)
    if data["edited_rules"]:
        lines += ["", *_text_edited(data["edited_rules"], lang)]
    for g in data["groups"]:
        lines += ["", *_text_group(g, lang)]
    if data["unreadable"]:
        lines += ["", *_text_unreadable(data["unreadable"], lang)]
    return "\n".join(lines) + "\n"


def _text_head(data: dict[str, Any], lang: str) -> list[str]:
    _, ngettext, t = gettext(lang), translations(lang).ngettext, data["totals"]
    versions = {side: f"{data[side]['policy']} ({data[side]['hash']})" for side in ("current", "base")}
    counts = [
        ngettext("%(num)s changed", "%(num)s changed", t["changed"]) % {"num": number_text(t["changed"], lang)},
        ngettext("%(num)s unchanged", "%(num)s unchanged", t["unchanged"]) % {"num": number_text(t["unchanged"], lang)},
        ngettext("%(num)s unreadable", "%(num)s unreadable", t["unreadable"])
        % {"num": number_text(t["unreadable"], lang)},
    ]
    cases = ngettext("%(num)s case", "%(num)s cases", t["cases"]) % {"num": number_text(t["cases"], lang)}
    return [_("Impact of %(current)s against %(base)s") % versions, labelled(cases, ", ".join(counts), lang)]


def _text_edited(rules: list[dict[str, Any]], lang: str) -> list[str]:
    _ = gettext(lang)
    width = 1 + max(len(_(edit)) for edit in EDITS)
    return [_("Rules edited:")] + [f"  {_(r['edit']):{width}} {r['rule']}  {r['title']}" for r in rules]


def _text_group(g: dict[str, Any], lang: str) -> list[str]:
    _, ngettext = gettext(lang), translations(lang).ngettext
    cases = ngettext("%(num)s case", "%(num)s cases", g["cases"]) % {"num": number_text(g["cases"], lang)}
    subjects = ngettext("%(num)s subject", "%(num)s subjects", g["subjects"]) % {
        "num": number_text(g["subjects"], lang)
    }
    lines = [f"{change_name(g, lang)}   {cases} ({subjects})", *(_text_rule(r, lang) for r in g["rules"])]
    shown = ", ".join(str(c["case"]) for c in g["changed"][:10])
    more = len(g["changed"]) - 10
    if more > 0:
        shown += " " + ngettext("and %(num)s more", "and %(num)s more", more) % {"num": number_text(more, lang)}
    lines.append("  " + _("cases:") + " " + shown)
    ex = g["example"]
    said = {"case": ex["case"], "origin": ex["origin"], "subject": ", ".join(ex["subject"])}
    lines += ["", "  " + _("example: case %(case)s (%(origin)s), subject %(subject)s") % said]
    for side, word in (("before", _("before")), ("after", _("after"))):
        lines += [f"  --- {word}", *("    " + line if line else "" for line in ex[side].splitlines())]
    return lines


def _text_rule(r: dict[str, Any], lang: str) -> str:
    _ = gettext(lang)
    if r["before"] or r["after"]:
        how = _("concluded %(before)s → %(after)s") % {
            "before": number_text(r["before"], lang),
            "after": number_text(r["after"], lang),
        }
    else:
        how = _("the verdict rests on it")
    said = {
        "rule": r["rule"],
        "edit": f" [{_(r['edit'])}]" if r["edit"] else "",
        "title": r["title"],
        "how": how,
        "cites": ", ".join(f"{p['id']} {p['title']}" for p in r["provisions"]),
    }
    return "  " + _('rule %(rule)s%(edit)s "%(title)s": %(how)s (%(cites)s)') % said


def _text_unreadable(unreadable: list[dict[str, Any]], lang: str) -> list[str]:
    _ = gettext(lang)
    return [_("Unreadable:")] + ["  " + labelled(u["origin"], _problems(u, lang), lang) for u in unreadable]


def _problems(u: dict[str, Any], lang: str) -> str:
    """Why a case was not decided, under each version that failed on it."""
    _ = gettext(lang)
    if u["base"] and u["current"]:
        return _("base: %(base)s; current: %(current)s") % {"base": u["base"], "current": u["current"]}
    if u["base"]:
        return _("base: %(error)s") % {"error": u["base"]}
    return _("current: %(error)s") % {"error": u["current"]} if u["current"] else ""


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = partial(number_text, lang=lang)
    return env


def side_by_side(before: str, after: str) -> list[tuple[str, str, str, str]]:
    """Rows of (before line, its mark, after line, its mark); a mark is `same`, `removed`, `added` or `empty`."""
    a, b = before.splitlines(), after.splitlines()
    rows: list[tuple[str, str, str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [(x, "same", y, "same") for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            continue
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            x, y = (left[k] if k < len(left) else None), (right[k] if k < len(right) else None)
            rows.append((x or "", "empty" if x is None else "removed", y or "", "empty" if y is None else "added"))
    return rows


def html(data: dict[str, Any], lang: str = "en") -> str:
    most = max((v["cases"] for v in data["by_verdict"]), default=1)
    words = {"change_name": partial(change_name, lang=lang), "labelled": partial(labelled, lang=lang)}
    page = _environment(lang).get_template("impact.html.j2")
    return page.render(**data, lang=lang, most=most, side_by_side=side_by_side, **words)


def groups_of(data: dict[str, Any], verdicts: Sequence[str]) -> list[dict[str, Any]]:
    """The groups of changes of these verdicts."""
    return [g for g in data["groups"] if g["verdict"] in verdicts]
