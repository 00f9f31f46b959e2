"""Authlib's two grants with our storage and our extra rules.

Authlib does the protocol: parameter checks, client authentication, redirect URI and
``redirect_uri`` binding, PKCE (``CodeChallenge``), the order of the steps. What is ours:
where codes and tokens live (``store.py``), that ``state`` is required and public
clients must send a ``code_challenge``, the seed's wording of a denial, and replay
detection (a used code or a rotated refresh token revokes what came from it).

Every method here runs in Authlib's worker thread; database work goes through
``store.call`` (the event loop).
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import (
    AccessDeniedError,
    InvalidGrantError,
    InvalidRequestError,
    grants,
)

from workledger.kit.db import utcnow
from workledger.oauth2.store import CodeView, OAuthStore, TokenView, UserView

#: The seed's words for Deny: ``error_description=the+resource+owner+denied+the+request``.
DENIED = "the resource owner denied the request"
CODE_REPLAYED = "The code was already used: the tokens issued with it are revoked."
REFRESH_REPLAYED = ("The refresh token was already used: every token of this "
                    "authorization is revoked.")
REFRESH_RACED = ("The refresh token was rotated moments ago by another request of this "
                 "client: use the refresh token that request received.")
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


class RefreshRaceLost(InvalidGrantError):
    """A concurrent refresh lost to another with the same refresh token (within
    ``REFRESH_RACE_WINDOW``): refused, but neither a replay (nothing is revoked) nor a
    failed credential check (the sign-in limits do not count it)."""

    counts_as_failed_check = False

    def __init__(self) -> None:
        super().__init__(REFRESH_RACED)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    @property
    def store(self) -> OAuthStore:
        return self.server.store

    def validate_authorization_request(self) -> str:
        redirect_uri = super().validate_authorization_request()
        payload = self.request.payload
        if not payload.state:
            raise InvalidRequestError("Missing 'state' in request.", redirect_uri=redirect_uri)
        if self.request.client.is_public and not payload.data.get("code_challenge"):
            raise InvalidRequestError(
                "A public client must send a 'code_challenge' (PKCE).", redirect_uri=redirect_uri
            )
        return redirect_uri

    def create_authorization_response(self, redirect_uri: str, grant_user: UserView | None):
        if not grant_user:
            raise AccessDeniedError(description=DENIED, redirect_uri=redirect_uri)
        return super().create_authorization_response(redirect_uri, grant_user)

    def save_authorization_code(self, code: str, request) -> None:
        data = request.payload.data
        self.store.call(
            self.store.save_code, request.client, request.user, code,
            request.payload.redirect_uri, request.scope, data.get("code_challenge"),
            data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client) -> CodeView | None:
        found = self.store.call(self.store.find_code, code)
        if found is None or found.oauth_client_id != client.id:
            return None  # "Invalid 'code'": a code is bound to the client it was issued to
        if found.used_at is not None:
            self.store.revoke_after.append(("code", found.id))
            raise InvalidGrantError(CODE_REPLAYED)
        if found.expires_at <= utcnow():
            raise InvalidGrantError("The code has expired.")
        return found

    def delete_authorization_code(self, authorization_code: CodeView) -> None:
        """Nothing to do: the code was claimed when the token was saved (store)."""

    def authenticate_user(self, authorization_code: CodeView) -> UserView:
        return _active_user(self.store, authorization_code.user_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    #: Rotation: every refresh hands out a new refresh token (RFC 9700 §4.14.2).
    INCLUDE_NEW_REFRESH_TOKEN = True

    @property
    def store(self) -> OAuthStore:
        return self.server.store

    def authenticate_refresh_token(self, refresh_token: str) -> TokenView | None:
        found = self.store.call(self.store.find_refresh, refresh_token)
        if found is None:
            return None
        if found.refreshed_at is not None:
            if (found.oauth_client_id == self.request.client.id
                    and self.store.call(self.store.lost_refresh_race, found.id)):
                raise RefreshRaceLost()
            self.store.revoke_after.append(("family", found.family_id))
            raise InvalidGrantError(REFRESH_REPLAYED)
        if found.revoked_at is not None:
            raise InvalidGrantError("The refresh token was revoked.")
        return found

    def authenticate_user(self, refresh_token: TokenView) -> UserView:
        return _active_user(self.store, refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: TokenView) -> None:
        """Nothing to do: the old refresh token was retired when the new one was saved."""


def _active_user(store: OAuthStore, user_id: int) -> UserView:
    user = store.call(store.user, user_id)
    if user is None:
        raise InvalidGrantError("The user who authorized the application is disabled.")
    return user
