"""Alembic migrations of nimbus's database."""
