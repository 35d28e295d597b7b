"""Sync, export and import: the change feed, Idempotency-Key, CSV/XML export and CSV import."""
