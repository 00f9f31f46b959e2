"""``workledger serve | migrate | demo | create-admin``."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from workledger.config import VAR_DIR, get_settings

app = typer.Typer(help="Workledger: operations platform with a public API.", no_args_is_help=True)
ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = VAR_DIR / "demo.json"


def alembic_config(database_url: str | None = None):
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url or get_settings().database_url
    return config


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


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
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if dev:
        os.environ["WORKLEDGER_DEV"] = "true"
        get_settings.cache_clear()
    _ensure_sqlite_dir(get_settings().database_url)
    typer.echo(f"Workledger on http://{host}:{port}  —  Swagger UI: http://{host}:{port}/docs")
    uvicorn.run(
        "workledger.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        access_log=False,
    )


async def _demo() -> dict:
    from workledger.auth.secrets import Keyring
    from workledger.demo import ensure_demo
    from workledger.kit.db import Database

    settings = get_settings()
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            return await ensure_demo(session, Keyring(settings.resolved_secret_key()))
    finally:
        await database.dispose()


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    first_time: Annotated[
        bool, typer.Option(help="Only create when absent; otherwise show the saved credentials.")
    ] = False,
) -> None:
    """Create the demo data when absent (rotating its secrets when present) and print them."""
    if first_time and DEMO_FILE.exists():
        data = json.loads(DEMO_FILE.read_text())
    else:
        data = asyncio.run(_demo())
        if get_settings().database_url.startswith("sqlite"):
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            DEMO_FILE.write_text(json.dumps(data, indent=2))
            DEMO_FILE.chmod(0o600)
    if as_json:
        typer.echo(json.dumps(data))
        return
    for key in ("company", "other_company"):
        company = data[key]
        typer.echo(f"{company['name']} (company {company['id']})")
        typer.echo(f"  company key:  Authorization: Key {company['company_key']}")
        typer.echo(f"  admin login:  {company['admin']['email']} / {company['admin']['password']}")
    typer.echo(f"Staff login:    {data['staff']['email']} / {data['staff']['password']}")


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
