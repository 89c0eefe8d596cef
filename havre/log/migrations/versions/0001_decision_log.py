"""The decision log, the policies' files and the working cases.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("decisions", "decision_cases", "policy_files")


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "policy_files",
        sa.Column("policy_hash", sa.String(64), sa.ForeignKey("policies.hash"), primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("policy_hash", sa.String(64), sa.ForeignKey("policies.hash"), nullable=False, index=True),
        sa.Column("havre_version", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Text, nullable=False, index=True),
        sa.Column("case_masked", sa.Text, nullable=False),
        sa.Column("verdicts", sa.Text, nullable=False),
    )
    op.create_table(
        "decision_cases",
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "working_cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parent", sa.String(32), nullable=True),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("skipped", sa.Text, nullable=False),
        sa.Column("decision_id", sa.Integer, nullable=True),
    )
    _append_only(op.get_bind().dialect.name)


def _append_only(dialect: str) -> None:
    """The database itself refuses to change or delete a record, whoever connects."""
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION havre_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the decision log is append-only'; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION havre_append_only()"
            )


def downgrade() -> None:
    for table in ("working_cases", "decision_cases", "decisions", "policy_files", "policies"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS havre_append_only()")
