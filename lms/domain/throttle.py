"""How long a client must wait after failed logins for one account (OWASP: back off, do not lock).

A few failures are free. After that each failure doubles the wait, up to the window; a
failure more than a window after the last one starts the count again. The count is kept
per account *and* client, so someone guessing from one place cannot shut the owner out
from another: the owner's own, unblemished client always gets to try their password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import limits


@dataclass(frozen=True)
class BackoffPolicy:
    free_failures: int
    window: timedelta
    first_wait: timedelta

    @classmethod
    def parse(cls, limit: str, first_wait_seconds: float) -> BackoffPolicy:
        """From a limit like "5 per 15 minutes": 5 free failures, waits of up to 15 minutes."""
        item = limits.parse(limit)
        return cls(item.amount, timedelta(seconds=item.get_expiry()), timedelta(seconds=first_wait_seconds))

    def wait_after(self, failures: int) -> timedelta:
        """The wait before the next try, once `failures` failures in a row were counted."""
        if failures < self.free_failures:
            return timedelta(0)
        return min(self.first_wait * 2 ** min(failures - self.free_failures, 30), self.window)
