"""Persistence on SQLite through aiosqlite: migrations, transactions and the tables' queries."""
