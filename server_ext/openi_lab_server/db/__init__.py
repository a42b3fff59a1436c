"""Database: typed SQLAlchemy models, async engine and sessions, shipped Alembic migrations."""
