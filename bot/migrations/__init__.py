"""Alembic migrations of the bot's database; run by `storage.migrate` at start-up."""
