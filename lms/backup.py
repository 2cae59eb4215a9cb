"""Online backups of the embedded SQLite database (PostgreSQL: use pg_dump, see docs/security.md)."""

import sqlite3
from pathlib import Path


def backup_sqlite(database_path: str, target: Path) -> Path:
    """Copy a live SQLite database consistently, even while the site is writing to it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
    return target
