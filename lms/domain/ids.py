"""Row ids: INTEGER columns, 32-bit on PostgreSQL and 64-bit on SQLite, so the smaller bound holds."""

LARGEST_ID = 2**31 - 1  # a larger number names no row, and PostgreSQL refuses to compare it
