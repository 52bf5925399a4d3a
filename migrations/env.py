"""Alembic environment: uses the engine handed in by the app, or DATABASE_URL for the alembic CLI."""
from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

import models
from dashboard.config import Config

config = context.config
target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(Config.from_env().database_url)
    with engine.connect() as connection:
        # Batch mode rebuilds tables on SQLite, which cannot ALTER most constraints in place.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
