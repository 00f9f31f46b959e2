"""``workledger serve | migrate | demo | create-admin``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from workledger.config import SecretKeyMissing, Settings, get_settings

app = typer.Typer(
    help="Workledger: operations platform with a public API.",
    no_args_is_help=True,
    # Tracebacks must never print local variables: they hold passwords and keys.
    pretty_exceptions_show_locals=False,
)
ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str | None = None):
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url or get_settings().database_url
    return config


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            return Path(path)
    return None


def _ensure_sqlite_dir(url: str) -> None:
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def demo_file() -> Path | None:
    """Where ``make run`` keeps the demo credentials: beside the SQLite database."""
    path = _sqlite_path(get_settings().database_url)
    return path.with_name("demo.json") if path is not None else None


def secret_key_or_exit(settings: Settings) -> str:
    """The secret key, or the reason there is none and how to make one (exit 1)."""
    try:
        return settings.resolved_secret_key()
    except SecretKeyMissing as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None


def _local_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches ``serve --host HOST --port PORT``."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


#: Handed to uvicorn so every worker process logs the same way (access log included).
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "workledger": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply the database migrations (up to REVISION, default head)."""
    from alembic import command

    url = get_settings().database_url
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
    typer.echo(f"database at {revision}: {url.split('@')[-1]}")


@app.command("check-migrations")
def check_migrations() -> None:
    """Fail if the models hold changes that no migration describes yet."""
    from alembic import command

    command.check(alembic_config())
    typer.echo("migrations match the models")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    workers: int = 1,
    dev: Annotated[bool, typer.Option(help="Allow plain HTTP (development).")] = False,
) -> None:
    """Serve the API (production rules unless --dev)."""
    import uvicorn

    from workledger.kit.protocol import PROTOCOL_PATH

    if dev:
        os.environ["WORKLEDGER_DEV"] = "true"
        # The URLs the server makes (Link, Location, pages) name the port it listens on,
        # unless the caller configured the address people use.
        if not os.environ.get("WORKLEDGER_PUBLIC_URL"):
            os.environ["WORKLEDGER_PUBLIC_URL"] = _local_url(host, port)
        get_settings.cache_clear()
    settings = get_settings()
    secret_key_or_exit(settings)
    _ensure_sqlite_dir(settings.database_url)
    typer.echo(f"Workledger on http://{host}:{port}  —  Swagger UI: http://{host}:{port}/docs")
    if settings.public_url != _local_url(host, port):
        typer.echo(f"Public address (WORKLEDGER_PUBLIC_URL): {settings.public_url}")
    uvicorn.run(
        "workledger.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        server_header=False,
        access_log=False,  # ours (kit.edge) masks credentials; uvicorn's would not
        log_config=LOG_CONFIG,
        http=PROTOCOL_PATH,  # uvicorn's own 400s as problem documents (kit.protocol)
    )


async def _demo(saved: dict | None) -> dict:
    """The saved credentials while they still work in this database; else new ones."""
    from workledger.auth.secrets import Keyring
    from workledger.demo import demo_still_valid, ensure_demo
    from workledger.kit.db import Database

    settings = get_settings()
    keyring = Keyring(secret_key_or_exit(settings))
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            if saved is not None and await demo_still_valid(session, keyring, saved):
                return saved
            return await ensure_demo(session, keyring, settings.api_email_host)
    finally:
        await database.dispose()


def _is_stdout(path: Path) -> bool:
    """Whether our standard output is that file (``demo --json > var/demo.json``): the
    caller's redirect then holds the credentials, and writing beside it would corrupt it."""
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(path))
    except (OSError, ValueError):
        return False


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of it; secrets stay 0600."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    first_time: Annotated[
        bool, typer.Option(help="Only create when absent; otherwise show the saved credentials.")
    ] = False,
) -> None:
    """Create the demo data when absent (rotating its secrets when present) and print them."""
    path = demo_file()
    saved = None
    if first_time and path is not None and path.exists() and not _is_stdout(path):
        try:
            saved = json.loads(path.read_text())
        except ValueError:  # a half-written or foreign file: make the demo anew
            saved = None
    data = asyncio.run(_demo(saved))
    if path is not None and data is not saved and not _is_stdout(path):
        _write_atomically(path, json.dumps(data, indent=2))
    if as_json:
        typer.echo(json.dumps(data))
        return
    for key in ("company", "other_company"):
        company = data[key]
        typer.echo(f"{company['name']} (company {company['id']})")
        typer.echo(f"  company key:      Authorization: Key {company['company_key']}")
        admin = company["admin"]
        typer.echo(f"  page login:       {admin['email']} / {admin['password']}")
        typer.echo(f"  API key (Basic):  {company['api_email']} : {company['api_key']}")
        for label in ("api_user", "invoice_api_user"):
            user = company[label]
            typer.echo(f"  {label + ':':18}{user['username']} / {user['password']}")
        typer.echo(f"  connector:        /openapi/1/GetCompany/?token={company['connector_token']}")
        typer.echo(f"  admin token:      X-API-Authorization: {company['company_admin_token']}")
    typer.echo(f"Staff login:        {data['staff']['email']} / {data['staff']['password']}")
    robot = data["automation_user"]
    typer.echo(f"Automation user:    {robot['username']} / {robot['password']} (+ X-Company-Id)")
    oauth = data.get("oauth_client")
    if oauth:
        typer.echo(f"OAuth application:   client_id {oauth['client_id']} / client_secret "
                   f"{oauth['client_secret']} / redirect_uri {oauth['redirect_uri']}")


@app.command("create-admin")
def create_admin(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create a platform staff user (or reset that user's password)."""
    from workledger.companies.service import set_user
    from workledger.kit.db import Database

    async def run() -> None:
        database = Database(get_settings().database_url)
        try:
            async with database.session() as session:
                await set_user(session, email, password, company_id=None, is_staff=True)
        finally:
            await database.dispose()

    asyncio.run(run())
    typer.echo(f"staff user {email} is ready")


if __name__ == "__main__":
    app()
