"""Alembic environment: runs online against the engine handed over by db.migrate."""

from alembic import context
from sqlalchemy import create_engine

from db.models import Base

config = context.config


def run() -> None:
    """Run migrations on the engine in config.attributes (or one built from the URL)."""
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
