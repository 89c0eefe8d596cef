"""Working copies of cases for the pages: an upload, and each step of an interview (its parent is the step
before). They live in the decision log's database but are not part of the log: nothing replays them."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select

from havre.log.tables import working_cases

DRAFT_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class Draft:
    id: str
    parent: str | None
    step: int  # questions answered or put aside since the interview started
    document: Any
    skipped: tuple[str, ...]  # facts answered "unknown / not yet": not asked again
    decision_id: int | None


class Drafts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        document: object,
        *,
        parent: str | None = None,
        step: int = 0,
        skipped: Sequence[str] = (),
        decision_id: int | None = None,
    ) -> Draft:
        draft = Draft(secrets.token_hex(16), parent, step, document, tuple(skipped), decision_id)
        row = {
            "id": draft.id,
            "created_at": dt.datetime.now(dt.UTC),
            "parent": parent,
            "step": step,
            "document": json.dumps(document, ensure_ascii=False, default=str),
            "skipped": json.dumps(list(skipped)),
            "decision_id": decision_id,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(working_cases).values(**row))
        return draft

    def get(self, draft_id: str) -> Draft | None:
        if not DRAFT_ID.fullmatch(draft_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(working_cases).where(working_cases.c.id == draft_id)).first()
        if row is None:
            return None
        r = row._mapping
        doc = json.loads(r["document"])
        return Draft(r["id"], r["parent"], r["step"], doc, tuple(json.loads(r["skipped"])), r["decision_id"])
