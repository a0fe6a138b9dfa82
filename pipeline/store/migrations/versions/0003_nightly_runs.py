"""Nightly runs: quarantine reason codes, per-resume redaction counts, run history (kind,
new/changed/unchanged, redaction totals, rubric versions, export hashes, as-of day) and the
run lock.

Existing rows are carried over: earlier runs were ``score`` runs that recorded no incremental
counts; earlier quarantine entries and resumes have no code or redaction counts (NULL).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_COUNTS = ("new", "changed", "unchanged")


def upgrade() -> None:
    op.create_table(
        "run_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_run_locks")),
    )
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("code", sa.String(length=32), nullable=True))
    with op.batch_alter_table("resumes") as batch:
        batch.add_column(sa.Column("redactions", sa.JSON(), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False,
                                   server_default="score"))
        for name in _COUNTS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        for name in ("redactions", "rubrics", "exports"):
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
        batch.add_column(sa.Column("as_of", sa.Date(), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=16), server_default=None)
        for name in _COUNTS:
            batch.alter_column(name, existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name in ("as_of", "exports", "rubrics", "redactions", *_COUNTS, "kind"):
            batch.drop_column(name)
    with op.batch_alter_table("resumes") as batch:
        batch.drop_column("redactions")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("code")
    op.drop_table("run_locks")
