"""Database models, sessions, migrations and queries."""
