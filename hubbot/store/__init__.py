"""Persistence on SQLite (aiosqlite) or PostgreSQL (asyncpg): migrations, transactions, queries."""
