"""Alembic migrations of the comment store, shipped inside the package.

Run them with ``moderation db upgrade [--db URL]`` or ``moderation.store.ensure_schema``;
there is no alembic.ini: ``moderation.store.migrate.alembic_config`` builds the config.
"""
