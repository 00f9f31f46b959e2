"""The OAuth 2.0 authorization server (seed 002, DESIGN §6): Authlib's authorization
code grant with PKCE and its refresh token grant, behind a small Starlette adapter.

- ``store.py``: what the server reads and writes (async), and the views Authlib sees;
- ``grants.py``: Authlib's grants with our storage and rules;
- ``server.py``: the ``AuthorizationServer`` subclass, the adapter, errors, metadata;
- ``clients.py``: registering and managing applications, users' authorizations;
- ``endpoints.py``: ``POST /oauth2/token`` and the RFC 8414 metadata.

The pages (``GET/POST /oauth2/auth``: login, consent) live in ``workledger.web.consent``.
See docs/oauth2.md for which part is Authlib's and which is ours.
"""
