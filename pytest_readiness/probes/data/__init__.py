"""Data stores: PostgreSQL, PgBouncer, Redis, Supabase, migrations and backups."""
