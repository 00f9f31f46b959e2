"""Secrets: generated with a kind prefix, stored only as keyed digests (DESIGN §4.7).

A presented secret is digested with HMAC-SHA256 under the server pepper and looked up
by that digest (a unique index), so the database never holds anything that lets a
reader of the tables log in. Secrets that the documented pages show again (the
company key) are additionally *sealed* (Fernet, key derived from the same server
secret) so that the settings page can recover them.
"""

from __future__ import annotations

import base64
import hmac
import secrets as _secrets
from hashlib import sha256

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Prefixes by kind, so secret scanners (and people) can tell what leaked.
PREFIXES = {
    "company_key": "wlk_",
    "api_key": "wla_",
    "session_token": "wlt_",
    "connector_token": "wlc_",
    "company_admin_token": "wlx_",
    "oauth_access_token": "wlo_",
    "oauth_refresh_token": "wlr_",
    "oauth_client_secret": "wls_",
}


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


class Keyring:
    """Everything derived from the server secret: the digest pepper and the sealing key."""

    def __init__(self, secret_key: str) -> None:
        self._pepper = _derive(secret_key, b"workledger/secret-digest")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"workledger/seal")))
        self._cache_key = _derive(secret_key, b"workledger/verified-password-cache")

    def digest(self, secret: str) -> str:
        return hmac.new(self._pepper, secret.encode(), sha256).hexdigest()

    def cache_digest(self, *parts: str) -> str:
        """A keyed digest naming a verified (login, password, hash) triple (DESIGN §5)."""
        return hmac.new(self._cache_key, "\x00".join(parts).encode(), sha256).hexdigest()

    def matches(self, secret: str, stored_digest: str) -> bool:
        return hmac.compare_digest(self.digest(secret), stored_digest)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def unseal(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None  # sealed under another server secret


def new_secret(kind: str) -> str:
    return PREFIXES[kind] + _secrets.token_urlsafe(32)
