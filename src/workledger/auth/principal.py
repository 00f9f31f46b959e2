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

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def rate_limit_key(self) -> str:
        return f"{self.kind}:{self.credential_id}"
