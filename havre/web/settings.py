"""What a running server is given: the policy, the token, the folder of cases, the decision log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from havre.log.record import DEFAULT_MASKED

if TYPE_CHECKING:
    from havre.api import Policy
    from havre.log.store import DecisionLog

MAX_BODY = 1_048_576  # as case files: a request body over 1 MiB is refused with 413


@dataclass(frozen=True)
class Settings:
    policy: Policy
    token: str | None = None  # required on every request when set; the decision log is readable only with it
    cases: Path | None = None  # a folder of case files reviewers may pick from, by name
    db: str | None = None  # the decision log's URL (default: havre.log.store.default_url)
    log: DecisionLog | None = None  # the log already opened at `db` (with `mask`), else the server opens it
    mask: tuple[str, ...] = DEFAULT_MASKED
    max_body: int = MAX_BODY
    batch: int = 25  # decisions made in one call when requests arrive at once
    workers: int = 1  # processes deciding batches; above 1, each holds a copy of the policy
