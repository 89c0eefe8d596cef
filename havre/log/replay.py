"""Replaying a logged decision: its recorded policy, its unmasked case, decided again and compared."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from havre.log.record import differences, main_verdicts
from havre.log.store import DecisionLog
from solver.case import CaseError

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
        record = self.log.get(record_id)
        if record is None:
            raise KeyError(record_id)
        digest = self.log.policy_files(record["policy"]["hash"]).digest
        if digest != record["policy"]["digest"]:
            return Replayed(record_id, record["case_id"], error="the kept policy files do not match their digest")
        policy = self.policy(record["policy"]["hash"])
        try:
            decision = policy.decide(self.log.unmasked_case(record_id))
        except CaseError as err:
            return Replayed(record_id, record["case_id"], error=str(err))
        found = differences(record["verdicts"], main_verdicts(policy.checked, decision))
        return Replayed(record_id, record["case_id"], tuple(found))
