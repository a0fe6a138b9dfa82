"""Erasure, retention and audit: tombstones, audit_log, extractions.extracted_at, purgeable
resume text, runs.erased_skipped.

Existing rows are carried over: an extraction's age starts at its resume's ``first_seen``, and
earlier runs skipped no erased candidate.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash")),
    )
    op.create_table(
        "tombstones",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_tombstones")),
    )
    with op.batch_alter_table("extractions") as batch:
        batch.add_column(sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=True))
    extractions = sa.table("extractions", sa.column("resume_id"), sa.column("extracted_at"))
    resumes = sa.table("resumes", sa.column("id"), sa.column("first_seen"))
    op.execute(extractions.update().values(extracted_at=(
        sa.select(resumes.c.first_seen).where(resumes.c.id == extractions.c.resume_id)
        .scalar_subquery())))
    with op.batch_alter_table("extractions") as batch:
        batch.alter_column("extracted_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)
    with op.batch_alter_table("resumes") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=True)
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("erased_skipped", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("erased_skipped", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("erased_skipped")
    resumes = sa.table("resumes", sa.column("text"))
    op.execute(resumes.update().where(resumes.c.text.is_(None)).values(text=""))
    with op.batch_alter_table("resumes") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("extractions") as batch:
        batch.drop_column("extracted_at")
    op.drop_table("tombstones")
    op.drop_table("audit_log")
