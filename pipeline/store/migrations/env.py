"""Alembic environment: migrate the connection that ``pipeline.store.migrations`` hands over.

Migrations run only through ``pipeline.store.migrations.upgrade`` (``trajectory db upgrade``, or
``open_store`` on an empty database), which holds a lock so that two processes never migrate
the same database at once. A new migration is written with
``pipeline.store.migrations.new_revision(url, message)`` (autogenerate against a database at head).
"""

from __future__ import annotations

from alembic import context

from pipeline.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through pipeline.store.migrations (trajectory db upgrade), "
                       "which supplies the connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place: Alembic rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
