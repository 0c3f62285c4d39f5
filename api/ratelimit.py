"""Per-client rate limit: a token bucket per signed-in user (the JWT subject) or, without one, per address.

The address's bucket is also looked at before any credential is checked, and spent by every request whose
credentials are refused, so invalid tokens are limited like anonymous requests rather than not at all.

In memory, per process: a limit for one server process, not a cluster-wide quota (a gateway in front does that).
Buckets of clients that have gone quiet are forgotten oldest first once there are many, so memory stays bounded.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

MAX_CLIENTS = 100_000


class RateLimiter:
    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, last refill)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def waiting(self, key: str) -> float:
        """Like `take`, without spending: 0 when a request may go ahead, otherwise the seconds until it may."""
        if not self.enabled or key not in self._buckets:
            return 0.0
        tokens, last = self._buckets[key]
        tokens = min(float(self.burst), tokens + (self.clock() - last) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self, key: str) -> float:
        """0 when the request may go ahead; otherwise the seconds until it may (for Retry-After)."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        tokens, last = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1 - tokens) / self.rate
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
