"""The one identity every way in resolves to (DESIGN §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass

READ, WRITE, INVOICES = "read", "write", "invoices"
ALL_PERMISSIONS = frozenset({READ, WRITE, INVOICES})


@dataclass(frozen=True, slots=True)
class Principal:
    #: Which kind of credential the caller presented (``company_key``, ...).
    kind: str
    #: The company acted for; ``None`` only for callers that span companies.
    company_id: int | None
    permissions: frozenset[str]
    credential_id: int | None = None
    user_id: int | None = None
    #: What the rate limit counts against when it is not the credential itself (an OAuth
    #: grant: every refresh makes a new token, but the limit stays with user + client).
    limit_key: str | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def rate_limit_key(self) -> str:
        """One window per credential: API and automation users are their own credential."""
        return self.limit_key or f"{self.kind}:{self.credential_id or self.user_id}"
