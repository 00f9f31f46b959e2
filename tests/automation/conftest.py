from tests.auth.conftest import access  # noqa: F401 - fixture: credentials of every kind
