"""Remembering verified Basic-auth passwords so argon2 never runs per request (DESIGN §5).

An entry is a keyed digest of (kind, login, password, stored hash): nothing in memory
reveals a password, and a password change makes a new hash, so the old entry can never
match again. Disabling a user needs no invalidation either: the row (``is_active``) is
read on every request, before the cache is consulted. Entries expire after a few
minutes; the cache is per worker and safe to miss.
"""

from __future__ import annotations

import time
from collections import OrderedDict


class VerifiedPasswords:
    def __init__(self, ttl_seconds: float = 300.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, digest: str) -> bool:
        expires = self._entries.get(digest)
        if expires is None:
            return False
        if expires < time.monotonic():
            del self._entries[digest]
            return False
        return True

    def remember(self, digest: str) -> None:
        self._entries[digest] = time.monotonic() + self.ttl
        self._entries.move_to_end(digest)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
