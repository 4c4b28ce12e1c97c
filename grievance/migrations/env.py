"""Alembic environment: runs inside the app (`grievance db ...`), on the app's engine."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    # Leave the host's logging alone (tests, the app); configure it only for the bare CLI.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
target_metadata = migrate_ext.db.metadata
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline() -> None:
    """Emit SQL for the migrations without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the app's engine."""
    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
