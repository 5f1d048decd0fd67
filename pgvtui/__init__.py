"""pgvtui: a terminal tool for PostgreSQL operators who run pgvector."""

__version__ = "0.1.0"
