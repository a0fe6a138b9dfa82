"""``trajectory db upgrade``: the database schema's Alembic migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.common import (
    DatabaseOption,
    console,
    fail,
)
from pipeline.errors import TrajectoryError

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOption = None,
    revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
) -> None:
    """Migrate the database schema to the newest revision (back the database up first).

    Also adopts a database created before migrations existed.
    """
    from pipeline.config import database_url
    from pipeline.store.db import engine_for
    from pipeline.store.migrations import upgrade

    url = database_url(database)
    try:
        engine = engine_for(url)
        before, after = upgrade(engine, revision)
        engine.dispose()
    except TrajectoryError as err:
        raise fail(err) from err
    console.print(f"{engine.url.render_as_string(hide_password=True)}: "
                  f"{before or 'empty'} → {after}")
