"""Trust boundaries: scores.rubric_hash and runs.audit_head.

``scores.rubric_hash`` is the content hash of the rubric a score was computed with, so a rubric
that changed under the same name and version is refused instead of overwriting the stored
scores. ``runs.audit_head`` is the audit log's head hash when the run finished, an anchor that
shows when the newest audit entries (or all of them) were removed. Existing rows are carried
over with NULL (unknown): they neither block a rubric nor anchor the log.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("scores") as batch:
        batch.add_column(sa.Column("rubric_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("audit_head", sa.String(64), nullable=True))
        batch.add_column(sa.Column("audit_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("audit_seq")
        batch.drop_column("audit_head")
    with op.batch_alter_table("scores") as batch:
        batch.drop_column("rubric_hash")
