"""Password hashing with argon2 (pwdlib). Slow by design, so it runs off the event loop."""

from __future__ import annotations

import asyncio
import secrets
from functools import lru_cache

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(_hasher.verify, password, password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


async def spend_verification_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown login costs what a known one does."""
    await asyncio.to_thread(_hasher.verify, password, _dummy_hash())
