"""The tables of the decision log and of the web application's working cases.

The schema is created and changed by the migrations in `migrations/versions`, never by `create_all`.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

# A policy's files, once per hash: what replay loads the policy from.
policies = Table(
    "policies",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("digest", String(64), nullable=False),  # sha256 of the files' relative paths and texts
    Column("entry", Text, nullable=False),  # the entry file, relative to the policy's folder
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
policy_files = Table(
    "policy_files",
    metadata,
    Column("policy_hash", String(64), ForeignKey("policies.hash"), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("text", Text, nullable=False),
)
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(16), nullable=False),  # api, page, interview, cli
    Column("policy_hash", String(64), ForeignKey("policies.hash"), nullable=False, index=True),
    Column("havre_version", String(32), nullable=False),
    Column("case_id", Text, nullable=False, index=True),
    Column("case_masked", Text, nullable=False),  # JSON: the case with configured fields masked
    Column("verdicts", Text, nullable=False),  # JSON: the main verdicts, their rules and provisions
)
# The case as decided, unmasked: read by replay alone.
decision_cases = Table(
    "decision_cases",
    metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True),
    Column("document", Text, nullable=False),
)
# The web application's working copies of cases (an upload, each step of an interview); not part of the log.
working_cases = Table(
    "working_cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("parent", String(32), nullable=True),
    Column("step", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("skipped", Text, nullable=False),  # JSON list of facts answered "unknown / not yet"
    Column("decision_id", Integer, nullable=True),
)
