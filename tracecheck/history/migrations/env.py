"""Alembic environment: migrations run on the connection ``tracecheck.history.database.migrate``
passes, inside its transaction (and lock), never on a URL of their own."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
