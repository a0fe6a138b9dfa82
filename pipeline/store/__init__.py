"""Store: the SQLAlchemy 2 schema (SQLite or PostgreSQL), its Alembic migrations, idempotent
upserts keyed by content hashes, and the run lock. Knows nothing of the stages above it.
"""
