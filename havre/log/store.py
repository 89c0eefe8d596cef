"""The decision log's database: SQLite by default, PostgreSQL by URL, through SQLAlchemy; migrated on open.

One transaction per record: a server killed mid-request leaves either the whole record or none of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Collection, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from grammar.checks.checked import CheckedPolicy
from havre.log.record import DEFAULT_MASKED, PolicyFiles, main_verdicts, masked, policy_files
from havre.log.tables import decision_cases, decisions, policies
from havre.log.tables import policy_files as files_table
from solver.solve.answer import Decision

MIGRATIONS = Path(__file__).with_name("migrations")


def default_url() -> str:
    """HAVRE_DB, or a SQLite file in the user's data folder."""
    if url := os.environ.get("HAVRE_DB"):
        return url
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('havre')) / 'decisions.sqlite3'}"


def engine_for(url: str) -> Engine:
    if "://" not in url:  # a file's path, most likely: say how to name it
        raise ValueError(
            f"`{url}` is not a database URL: write sqlite:///{Path(url).expanduser().resolve()} for a SQLite file,"
            " or postgresql://USER@HOST/DB"
        )
    scheme = url.split("://", 1)[0]
    if scheme != "sqlite" and not scheme.startswith("postgres"):  # postgres, postgresql, postgresql+psycopg
        raise ValueError(
            f"`{scheme}://`: the log is kept in SQLite (sqlite:///PATH) or PostgreSQL (postgresql://USER@HOST/DB)"
        )
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith(("postgresql://", "postgres://")):  # psycopg 3 unless the URL names a driver
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration shipped with Havre."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def havre_version() -> str:
    try:
        return version("havre")
    except PackageNotFoundError:  # run from a source tree
        return "unknown"


def _utc(moment: dt.datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).isoformat()


class DecisionLog:
    """Append and read decision records; nothing here updates or deletes one (the database refuses it too)."""

    def __init__(self, engine: Engine, mask: Collection[str] = DEFAULT_MASKED) -> None:
        self.engine, self.mask = engine, tuple(mask)
        self._kept: set[str] = set()
        self._writing = threading.Lock()  # SQLite has one writer: queue them here rather than on its busy timeout
        self._sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str | None = None, mask: Collection[str] = DEFAULT_MASKED) -> DecisionLog:
        engine = engine_for(url or default_url())
        migrate(engine)
        return cls(engine, mask)

    def record(self, policy: CheckedPolicy, decision: Decision, document: object, channel: str) -> int:
        """Append one decision; its id."""
        self.keep_policy(policy_files(policy))
        row = {
            "recorded_at": dt.datetime.now(dt.UTC),
            "channel": channel,
            "policy_hash": policy.hash,
            "havre_version": havre_version(),
            "case_id": decision.case_id,
            "case_masked": json.dumps(masked(document, self.mask), ensure_ascii=False, default=str),
            "verdicts": json.dumps(main_verdicts(policy, decision), ensure_ascii=False),
        }
        full = json.dumps(document, ensure_ascii=False, default=str)
        with self._lock(), self.engine.begin() as conn:  # the record and its case, or neither
            new_id = int(conn.execute(insert(decisions).values(**row)).inserted_primary_key[0])
            conn.execute(insert(decision_cases).values(decision_id=new_id, document=full))
        return new_id

    def _lock(self) -> threading.Lock | _NoLock:
        return self._writing if self._sqlite else _NoLock()

    def keep_policy(self, files: PolicyFiles) -> None:
        """The policy's files, once per hash."""
        if files.hash in self._kept:
            return
        with self._lock():
            try:
                with self.engine.begin() as conn:
                    if conn.execute(select(policies.c.hash).where(policies.c.hash == files.hash)).first() is None:
                        conn.execute(
                            insert(policies).values(
                                hash=files.hash,
                                digest=files.digest,
                                entry=files.entry,
                                recorded_at=dt.datetime.now(dt.UTC),
                            )
                        )
                        conn.execute(
                            insert(files_table),
                            [{"policy_hash": files.hash, "path": p, "text": t} for p, t in files.files],
                        )
            except IntegrityError:  # another process kept the same policy first
                pass
        self._kept.add(files.hash)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())

    def records(self, *, limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[dict[str, Any]]:
        order = decisions.c.id.desc() if newest_first else decisions.c.id
        query = select(decisions, policies.c.digest).join(policies).order_by(order).offset(offset).limit(limit)
        with self.engine.connect() as conn:
            return [self._view(row._mapping) for row in conn.execute(query)]

    def iter_records(self, batch: int = 500) -> Iterator[dict[str, Any]]:
        last = 0
        while True:
            query = select(decisions, policies.c.digest).join(policies).where(decisions.c.id > last)
            with self.engine.connect() as conn:
                rows = [self._view(r._mapping) for r in conn.execute(query.order_by(decisions.c.id).limit(batch))]
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1]["id"]

    def get(self, record_id: int) -> dict[str, Any] | None:
        query = select(decisions, policies.c.digest).join(policies).where(decisions.c.id == record_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return self._view(row._mapping) if row is not None else None

    @staticmethod
    def _view(row: Any) -> dict[str, Any]:
        return {
            "id": row["id"],
            "recorded_at": _utc(row["recorded_at"]),
            "channel": row["channel"],
            "policy": {"hash": row["policy_hash"], "digest": row["digest"]},
            "havre": row["havre_version"],
            "case_id": row["case_id"],
            "case": json.loads(row["case_masked"]),
            "verdicts": json.loads(row["verdicts"]),
        }

    # ------------------------------------------------------------ for replay alone
    def unmasked_case(self, record_id: int) -> object:
        query = select(decision_cases.c.document).where(decision_cases.c.decision_id == record_id)
        with self.engine.connect() as conn:
            return json.loads(conn.execute(query).scalar_one())

    def policy_files(self, policy_hash: str) -> PolicyFiles:
        with self.engine.connect() as conn:
            entry = conn.execute(select(policies.c.entry).where(policies.c.hash == policy_hash)).scalar_one()
            rows = conn.execute(
                select(files_table.c.path, files_table.c.text).where(files_table.c.policy_hash == policy_hash)
            )
            files = tuple(sorted((r.path, r.text) for r in rows))
        return PolicyFiles(policy_hash, entry, files)


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None
