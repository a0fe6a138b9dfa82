"""Trust boundaries: scores.rubric_hash, runs.audit_head/audit_seq, tombstones.audit_seq.

``scores.rubric_hash`` is the content hash of the rubric a score was computed with, so a rubric
that changed under the same name and version is refused instead of overwriting the stored
scores. ``runs.audit_head`` is the audit log's head hash when the run finished, an anchor that
shows when the newest audit entries (or all of them) were removed; ``tombstones.audit_seq`` does
the same for the entry of each erasure. Existing rows are carried
over with NULL (unknown): they neither block a rubric nor anchor the log.

The audit chain becomes keyed (HMAC-SHA256 under the secret key): the entries already there are
re-hashed under the key only if their plain SHA-256 chain verifies; a chain that is already
broken is left as it is, so ``trajectory audit verify`` goes on reporting it.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    _rekey_audit_log()
    with op.batch_alter_table("scores") as batch:
        batch.add_column(sa.Column("rubric_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("audit_head", sa.String(64), nullable=True))
        batch.add_column(sa.Column("audit_seq", sa.Integer(), nullable=True))
    with op.batch_alter_table("tombstones") as batch:
        batch.add_column(sa.Column("audit_seq", sa.Integer(), nullable=True))


GENESIS = "0" * 64


def _entry_hash(prev: str, seq: int, at: datetime, action: str, actor: str, details: Any,
                key: bytes | None = None) -> str:
    """pipeline.audit.log.entry_hash as of this revision (a migration keeps its own copy)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    body = json.dumps({"seq": seq, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                       "action": action, "actor": actor, "details": details},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    message = (prev + body).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _rekey_audit_log() -> None:
    from pipeline.config import secret_key

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT seq, at, action, actor, details, prev_hash, entry_hash "
                                "FROM audit_log ORDER BY seq")).all()
    if not rows:
        return
    prev, expected, rehashed = GENESIS, 1, []
    for seq, at, action, actor, details, prev_hash, digest in rows:
        try:
            moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
            body = json.loads(details)
        except (TypeError, ValueError):
            return  # a damaged row: the chain is broken, leave it for verify to report
        if (seq != expected or prev_hash != prev
                or _entry_hash(prev_hash, seq, moment, action, actor, body) != digest):
            return
        rehashed.append((seq, moment, action, actor, body))
        prev, expected = digest, seq + 1
    key, prev = secret_key(), GENESIS
    # New hashes never equal old ones, so the unique prev_hash holds row by row.
    for seq, moment, action, actor, body in rehashed:
        digest = _entry_hash(prev, seq, moment, action, actor, body, key)
        bind.execute(sa.text("UPDATE audit_log SET prev_hash = :p, entry_hash = :h "
                             "WHERE seq = :s"), {"p": prev, "h": digest, "s": seq})
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("tombstones") as batch:
        batch.drop_column("audit_seq")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("audit_seq")
        batch.drop_column("audit_head")
    with op.batch_alter_table("scores") as batch:
        batch.drop_column("rubric_hash")
