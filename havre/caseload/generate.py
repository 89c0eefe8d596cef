"""Random, valid case documents made from a policy's input declarations.

Each case is a family of a realistic shape: a principal applicant, maybe a
spouse, 0-4 children (now and then a spouse's child from an earlier union or a
grandchild), an application or two, and entities of every other type the
policy declares (documents, letters, countries, ...). Every input is filled
with a value of its declared type; dates cluster around the boundaries the
policy's rules test (durations such as `60 days`, `24 months`, `22 years`, and
whole numbers compared with ages), so both sides of each deadline occur.
A share of the facts (`unknown_rate`) is left out: unknown.

Case `i` of seed `s` depends only on `(s, i)`: the same seed gives the same
output byte for byte, and a shorter run is a prefix of a longer one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from explain.wording.french import elide
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases import calendar
from solver.cases import schema as sc


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Amina Omar Yusuf Lina Nour Fatima Salma Kofi Ama Rosa Mateo Lucía Andrés Oksana Taras Sofiia Ahmad Zahra "
    "Farid Mariam Jean-Baptiste Nadège Wilner Esther Grace Patrice Mireille Chantal Tenzin Dolma Ravi Priya "
    "Thi Minh Hamid Leila Samuel Ruth Abdi Hodan Yaw Efua Carlos Valentina Dmytro Iryna Ali Parisa Moïse Aline"
)
FAMILY = _words(
    "Haddad Mensah Méndez Kovalenko Rahimi Joseph Mbala Nguyen Tshering Osei Castillo Hussein Pierre Dlamini "
    "Petrenko Ahmadi Kamara Saint-Fleur Farah Bakari Gómez Ilunga Yousef Sharma Tesfaye Lukwago Morales Karimi"
)
COUNTRIES = _words(
    "Syria Haiti Afghanistan Ukraine Colombia Honduras Ghana Morocco Democratic_Republic_of_the_Congo Eritrea "
    "Venezuela Iran Somalia Nigeria Cameroon Burundi Mexico El_Salvador Guatemala Tibet Ethiopia Sudan Yemen"
)
PAPERS = {  # the papers a person's role calls for
    "child": ("Birth certificate", "Passport"),
    "married": ("Passport", "Police certificate", "Marriage certificate"),
    "single": ("Passport", "Police certificate", "Identity card"),
}
PAPERS_FR = {  # with their article: a name is said inside sentences ("MIFI received the passport of …")
    "Birth certificate": "l'acte de naissance",
    "Passport": "le passeport",
    "Police certificate": "le certificat de police",
    "Marriage certificate": "l'acte de mariage",
    "Identity card": "la carte d'identité",
}
RARELY = ("doubt", "claim", "needed", "refus", "reject", "late", "abroad")  # yes/no inputs that are seldom true
START, DAYS = dt.date(2025, 6, 1), 760  # assessment dates: mid-2025 to mid-2027


@dataclass(frozen=True, slots=True)
class Bounds:
    """What the policy's rules compare against: durations and whole numbers."""

    durations: tuple[tuple[int, str], ...]  # (amount, unit), including (0, "days")
    ages: tuple[int, ...]  # years in durations, and whole numbers 1..120 compared in conditions (ages)
    ints: tuple[int, ...]  # every whole number in conditions and durations

    @classmethod
    def of(cls, policy: CheckedPolicy) -> Bounds:
        durations: set[tuple[int, str]] = {(0, "days")}
        compared: set[int] = set()
        stack: list[object] = [r.rule for r in policy.rules] + [i.invariant for i in policy.invariants]
        while stack:
            node = stack.pop()
            if isinstance(node, n.Duration) and isinstance(node.amount, int):
                durations.add((node.amount, node.unit))
            if isinstance(node, n.Compare):
                compared.update(t.value for t in (node.left, node.right) if isinstance(t, n.IntLit))
            if isinstance(node, tuple):
                stack.extend(node)
            elif dataclasses.is_dataclass(node) and not isinstance(node, type):
                stack.extend(getattr(node, f.name) for f in dataclasses.fields(node) if f.name != "span")
        years = {a for a, u in durations if u == "years"} | {i for i in compared if 1 <= i <= 120}
        ints = {0, *compared, *(a for a, _ in durations)}
        return cls(tuple(sorted(durations)), tuple(sorted(years)) or (18,), tuple(sorted(ints)))


@dataclass
class _Ent:
    type: str
    id: str
    name: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    name_fr: str | None = None  # when the name is not a person's or a country's (explain.wording.french names those)
    role: str = ""  # principal, spouse, child, other
    parents: tuple[str, ...] = ()
    spouse: str | None = None
    age: int | None = None


class Generator:
    """Makes case documents for one policy."""

    def __init__(self, policy: CheckedPolicy, *, seed: int = 0, unknown_rate: float = 0.1) -> None:
        if not 0.0 <= unknown_rate <= 1.0:
            raise ValueError("the unknown rate must be between 0 and 1")
        self.policy, self.seed, self.unknown_rate = policy, seed, unknown_rate
        self.layout = sc.layout(policy)
        self.bounds = Bounds.of(policy)
        self.types = list(policy.entities)
        self.person = "person" if "person" in policy.entities else (self.types[0] if self.types else None)

    def case(self, index: int) -> dict[str, Any]:
        """Case `index`: a mapping as a case file holds it."""
        rng = random.Random(f"havre-generate:{self.seed}:{index}")
        today = START + dt.timedelta(days=rng.randrange(DAYS))
        ents = self._entities(rng)
        for e in ents:
            self._fill(rng, e, ents, today)
        doc: dict[str, Any] = {"case": f"gen-{self.seed}-{index:06d}", "assessment_date": today.isoformat()}
        for etype in self.types:
            section = {
                e.id: {"name": _name(e), **e.fields} if e.name else dict(e.fields) for e in ents if e.type == etype
            }
            if section:
                doc[self.policy.entities[etype].plural] = section
        return doc

    def cases(self, count: int, start: int = 0) -> Iterator[dict[str, Any]]:
        return (self.case(i) for i in range(start, start + count))

    # ------------------------------------------------------------ entities

    def _entities(self, rng: random.Random) -> list[_Ent]:
        taken: set[str] = set()

        def new(etype: str, base: str, name: str | None, **kw: Any) -> _Ent:
            slug = _slug(base) or etype
            eid, k = slug, 1
            while eid in taken:
                k += 1
                eid = f"{slug}_{k}"
            taken.add(eid)
            return _Ent(etype, eid, name, **kw)

        ents: list[_Ent] = []
        people: list[_Ent] = []
        if self.person is not None:
            people = self._family(rng, new)
            ents += people
        for etype in self.types:
            if etype == self.person:
                continue
            ents += self._others(rng, etype, people, new)
        return ents

    def _family(self, rng: random.Random, new: Any) -> list[_Ent]:
        family = rng.choice(FAMILY)
        named: set[str] = set()

        def person(role: str, age: int, surname: str = family, **kw: Any) -> _Ent:
            first = rng.choice(FIRST)
            # Two people of a case never share a name: the next first name on the list (no draw of its own,
            # so that the rest of the case is drawn as before).
            at = FIRST.index(first)
            names = (FIRST[(at + k) % len(FIRST)] for k in range(len(FIRST)))
            first = next(f for f in names if f"{f} {surname}" not in named)
            named.add(f"{first} {surname}")
            return new(self.person, first, f"{first} {surname}", role=role, age=age, **kw)

        principal = person("principal", rng.randint(22, 64))
        out = [principal]
        if rng.random() < 0.55:
            spouse = person("spouse", max(20, principal.age + rng.randint(-8, 8)), spouse=principal.id)
            principal.spouse = spouse.id
            out.append(spouse)
        parents = tuple(p.id for p in out)
        young = min(p.age for p in out if p.age is not None)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            out.append(person("child", self._child_age(rng, young), parents=parents))
        if len(parents) == 2 and rng.random() < 0.15:  # the spouse's child from an earlier union
            out.append(person("child", self._child_age(rng, young), rng.choice(FAMILY), parents=(parents[1],)))
        grown = [c for c in out if c.role == "child" and c.age is not None and c.age >= 18]
        if grown and rng.random() < 0.2:
            out.append(person("child", rng.randint(0, 4), parents=(rng.choice(grown).id,)))
        return out

    def _child_age(self, rng: random.Random, parent_age: int | None) -> int:
        top = max(0, (parent_age or 40) - 17)
        if rng.random() < 0.45:  # right at an age the policy tests
            return min(top, max(0, rng.choice(self.bounds.ages) + rng.choice((-1, 0, 0, 1))))
        return rng.randint(0, min(top, 30))

    def _others(self, rng: random.Random, etype: str, people: list[_Ent], new: Any) -> list[_Ent]:
        principal = people[0].name if people else None
        if etype == "country" or etype.endswith("country"):
            picks = rng.sample(COUNTRIES, rng.choice((1, 1, 1, 2)))
            return [new(etype, c.lower(), c.replace("_", " ")) for c in picks]
        if etype == "application":
            count = rng.choice((1, 1, 1, 1, 2))
            one = [("the application", "la demande")]
            titles = one if count == 1 else [(f"application {i + 1}", f"demande {i + 1}") for i in range(count)]
            return [
                new(
                    etype,
                    f"app{i + 1}",
                    f"{en} of {principal}" if principal else None,
                    name_fr=elide(f"{fr} de {principal}") if principal else None,
                )
                for i, (en, fr) in enumerate(titles)
            ]
        if etype == "document" and people:
            docs = []
            for p in people[: rng.randint(1, len(people))]:
                paper = rng.choice(PAPERS["child" if p.role == "child" else "married" if p.spouse else "single"])
                docs.append(
                    new(
                        etype,
                        f"{paper}_{p.id}",
                        f"the {paper.lower()} of {p.name}",
                        name_fr=elide(f"{PAPERS_FR[paper]} de {p.name}"),
                    )
                )
            return docs
        if etype == "letter":
            return [new(etype, f"letter{i + 1}", None) for i in range(rng.choice((0, 0, 1, 1, 2)))]
        decl = self.policy.entities[etype]
        noun = _noun(decl.text("en")) or etype.replace("_", " ").capitalize()
        noun_fr = _noun(decl.text("fr"))
        return [
            new(etype, f"{etype}{i + 1}", f"{noun} {i + 1}", name_fr=f"{noun_fr} {i + 1}" if noun_fr else None)
            for i in range(rng.randint(1, 3))
        ]

    # ------------------------------------------------------------ fields

    def _fill(self, rng: random.Random, e: _Ent, ents: list[_Ent], today: dt.date) -> None:
        anchor: dt.date | None = None
        for name, pred in self.layout.fields.get(e.type, {}).items():
            # officers record their findings about the principal applicant above all
            secondary = pred.kind == "judged" and e.role not in ("", "principal")
            if rng.random() < (min(1.0, 6 * self.unknown_rate) if secondary else self.unknown_rate):
                continue  # unknown
            if len(pred.params) == 2:
                value = self._relation(rng, e, pred, ents, today)
            else:
                value = self._value(rng, e, pred, pred.value, ents, today, anchor)
            if value is None:
                continue
            if isinstance(pred.value, n.DateType) and len(pred.params) == 1:
                anchor = anchor or dt.date.fromisoformat(value)
            e.fields[name] = value
        if e.type == "letter" and e.name is None:
            sent = next((v for v in e.fields.values() if isinstance(v, str) and sc.parse_date(v)), None)
            e.name = f"the letter of {sent}" if sent else f"letter {e.id[6:]}"
            e.name_fr = f"la lettre du {sent}" if sent else f"lettre {e.id[6:]}"
            if sent and any(o.name == e.name for o in ents if o is not e):  # two letters sent the same day
                e.name, e.name_fr = f"letter {e.id[6:]} of {sent}", f"lettre {e.id[6:]} du {sent}"

    def _value(
        self,
        rng: random.Random,
        e: _Ent,
        pred: n.Predicate,
        t: n.Type,
        ents: list[_Ent],
        today: dt.date,
        anchor: dt.date | None,
    ) -> Any:
        match t:
            case n.BoolType():
                return self._yes_no(rng, e, pred.name)
            case n.IntType():
                if rng.random() < 0.6:
                    return max(0, rng.choice(self.bounds.ints) + rng.choice((-1, 0, 0, 1)))
                return rng.randint(0, 120)
            case n.DateType():
                return self._date(rng, e, pred.name, today, anchor).isoformat()
            case n.EnumType(values):
                return rng.choice(values)
            case n.EntityType(name):
                return self._reference(rng, e, pred.name, name, ents)
        return None

    def _yes_no(self, rng: random.Random, e: _Ent, name: str) -> bool:
        if "union" in name and e.role:
            return e.spouse is not None or (e.role == "child" and rng.random() < 0.1)
        if "abroad" not in name and ("resid" in name or "quebec" in name):
            return rng.random() < 0.85
        return rng.random() < (0.15 if any(w in name for w in RARELY) else 0.75)

    def _date(self, rng: random.Random, e: _Ent, name: str, today: dt.date, anchor: dt.date | None) -> dt.date:
        if "birth" in name and e.age is not None:
            born = calendar.add_years(today, -e.age) - dt.timedelta(days=rng.randrange(365))
            if e.role == "child" and rng.random() < 0.5:  # a birthday within days of the assessment date
                born = calendar.add_years(today, -e.age) + dt.timedelta(days=rng.choice((-2, -1, 0, 1, 2)))
            return born
        jitter = dt.timedelta(days=rng.choice((-2, -1, 0, 0, 1, 2)))
        if anchor is not None and rng.random() < 0.6:  # a deadline counted from the entity's first date
            # from a birth date, a number of years; from an event, days or months
            spans = [d for d in self.bounds.durations if (d[1] == "years") == (e.age is not None)]
            amount, unit = rng.choice(spans or [(0, "days")])
            return min(today, _shift(anchor, amount, unit) + jitter)
        if rng.random() < 0.6:  # a deadline counted back from the assessment date
            amount, unit = rng.choice([d for d in self.bounds.durations if d[1] != "years"])
            return _shift(today, -amount, unit) + jitter
        return today - dt.timedelta(days=rng.randrange(3 * 365))

    def _reference(self, rng: random.Random, e: _Ent, name: str, etype: str, ents: list[_Ent]) -> str | None:
        if etype == self.person and "principal" in name:
            return next((x.id for x in ents if x.role == "principal"), None)
        choices = [x for x in ents if x.type == etype and x is not e]
        if not choices:
            return None
        return choices[0].id if rng.random() < 0.8 else rng.choice(choices).id  # families share a country

    def _relation(self, rng: random.Random, e: _Ent, pred: n.Predicate, ents: list[_Ent], today: dt.date) -> Any:
        other = pred.params[1].type.name
        targets = [x for x in ents if x.type == other and x is not e]
        if e.type == other == self.person and e.role:
            if "child" in pred.name or "parent" in pred.name:
                chosen = [x for x in targets if x.id in e.parents]
            elif "spouse" in pred.name or "partner" in pred.name:
                chosen = [x for x in targets if x.id == e.spouse]
            else:
                chosen = [x for x in targets if x.id in e.parents and rng.random() < 0.5]
        elif other == self.person and e.type != other:
            chosen = [x for x in targets if x.role != "principal" and rng.random() < 0.8]
        else:
            chosen = [x for x in targets if rng.random() < 0.8]
        if not pred.is_bool:
            return {x.id: self._value(rng, e, pred, pred.value, ents, today, None) for x in chosen} or None
        if rng.random() < 0.8:
            return [x.id for x in chosen]  # exactly these: every other pair is false
        given = [x for x in targets if x in chosen or rng.random() >= self.unknown_rate * 5]
        return {x.id: x in chosen for x in given}  # the pairs not given are unknown


def _shift(d: dt.date, amount: int, unit: str) -> dt.date:
    if unit == "days":
        return d + dt.timedelta(days=amount)
    return calendar.add_months(d, amount * (12 if unit == "years" else 1))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    out = "".join(c if c.isalnum() else "_" for c in plain).strip("_")
    while "__" in out:
        out = out.replace("__", "_")
    return out


def write_jsonl(out: TextIO, cases: Iterator[dict[str, Any]]) -> int:
    """One case per line, compact JSON; returns the count."""
    count = 0
    for doc in cases:
        out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _name(e: _Ent) -> str | dict[str, str] | None:
    return {"en": e.name, "fr": e.name_fr} if e.name and e.name_fr else e.name


def _noun(text: str | None) -> str | None:
    """An entity's text as a name starts: "a sponsor" -> "Sponsor", "un bassin de réfugiés" -> "Bassin de
    réfugiés"."""
    if not text:
        return None
    for article in ("a ", "an ", "the ", "un ", "une ", "le ", "la ", "l'", "les "):
        if text.startswith(article):
            text = text[len(article) :]
            break
    return text[:1].upper() + text[1:]
