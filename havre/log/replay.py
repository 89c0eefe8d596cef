"""Replaying a logged decision: its recorded policy, its unmasked case, decided again and compared."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from havre.log.record import differences, main_verdicts
from havre.log.store import DecisionLog
from solver.cases.case import CaseError

if TYPE_CHECKING:
    from havre.api import Policy


@dataclass(frozen=True, slots=True)
class Replayed:
    id: int
    case_id: str
    differences: tuple[str, ...] = ()
    error: str | None = None

    @property
    def same(self) -> bool:
        return not self.differences and self.error is None


@dataclass
class Replayer:
    log: DecisionLog
    _policies: dict[str, Policy] = field(default_factory=dict)

    def policy(self, policy_hash: str) -> Policy:
        """The policy as recorded, loaded once per hash from its kept files (never from the cache)."""
        if policy_hash not in self._policies:
            from havre.api import load_policy

            files = self.log.policy_files(policy_hash)
            with tempfile.TemporaryDirectory(prefix="havre-replay-") as tmp:
                root = Path(tmp) / "policy"
                for path, text in files.files:
                    target = (root / path).resolve()
                    if not target.is_relative_to(root.resolve()):
                        raise ValueError(f"a kept policy file lies outside its folder: {path}")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                self._policies[policy_hash] = load_policy(root / files.entry, cache=False)
        return self._policies[policy_hash]

    def replay(self, record_id: int) -> Replayed:
        return self.replay_many([record_id])[0]

    def replay_many(self, record_ids: Sequence[int], chunk: int = 25) -> list[Replayed]:
        """Each record decided again, in the given order; records of one policy are decided in one call, which grounds
        them in groups sized by what they leave unknown (solver.solve.decide.chunked)."""
        records = []
        for record_id in record_ids:
            record = self.log.get(record_id)
            if record is None:
                raise KeyError(record_id)
            records.append(record)
        done: dict[int, Replayed] = {}
        for start in range(0, len(records), chunk):
            by_policy: dict[str, list[dict[str, Any]]] = {}
            for record in records[start : start + chunk]:
                by_policy.setdefault(record["policy"]["hash"], []).append(record)
            for policy_hash, group in by_policy.items():
                done |= {r.id: r for r in self._replay(policy_hash, group)}
        return [done[i] for i in record_ids]

    def _replay(self, policy_hash: str, records: list[dict[str, Any]]) -> list[Replayed]:
        if self.log.policy_files(policy_hash).digest != records[0]["policy"]["digest"]:
            return [
                Replayed(r["id"], r["case_id"], error="the kept policy files do not match their digest")
                for r in records
            ]
        policy = self.policy(policy_hash)
        cases, out = [], {}
        for r in records:
            try:
                cases.append((r, policy.case(self.log.unmasked_case(r["id"]))))
            except CaseError as err:
                out[r["id"]] = Replayed(r["id"], r["case_id"], error=str(err))
        decisions = policy.decide_many([c for _, c in cases])
        for (r, _), decision in zip(cases, decisions, strict=True):
            found = differences(r["verdicts"], main_verdicts(policy.checked, decision))
            out[r["id"]] = Replayed(r["id"], r["case_id"], tuple(found))
        return [out[r["id"]] for r in records]
