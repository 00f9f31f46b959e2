"""``workledger serve | migrate | demo | create-admin | sandbox``."""

from __future__ import annotations

import asyncio
import copy
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
def migrate(
    revision: str = "head",
    sandbox: Annotated[bool, typer.Option(help="Migrate the sandbox's copy too.")] = True,
) -> None:
    """Apply the database migrations (up to REVISION, default head) to production, then to
    the sandbox's current copy (created empty before the first restore)."""
    from alembic import command

    settings = get_settings()
    url = settings.database_url
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
    typer.echo(f"database at {revision}: {_shown(url)}")
    if sandbox:
        sandbox_url = asyncio.run(_sandbox_url(settings))
        if sandbox_url is None:
            typer.echo("Error: the sandbox's current copy is missing; make a new one with "
                       "`workledger sandbox restore`.", err=True)
            raise typer.Exit(1)
        _ensure_sqlite_dir(sandbox_url)
        command.upgrade(alembic_config(sandbox_url), revision)
        typer.echo(f"sandbox at {revision}: {_shown(sandbox_url)}")


def _shown(url: str) -> str:
    return url.split("@")[-1]


async def _sandbox_url(settings: Settings) -> str | None:
    """The sandbox's current copy; before any restore its base database, created here
    when missing (PostgreSQL). ``None`` when the current copy was removed by hand."""
    import asyncpg
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from workledger.kit.db import Database
    from workledger.sandbox.database import current_copy, is_sqlite, url_of

    base = settings.resolved_sandbox_database_url()
    production = Database(settings.database_url)
    try:
        copy = await current_copy(production)
    except DBAPIError:  # migrated to a revision before the sandbox's table
        copy = None
    finally:
        await production.dispose()
    if is_sqlite(base):
        if copy is not None and not await asyncio.to_thread(Path(copy).exists):
            return None
        return url_of(base, copy)
    name = copy or make_url(base).database
    dsn = make_url(settings.database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            if copy is not None:
                return None
            await connection.execute('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
    finally:
        await connection.close()
    return url_of(base, copy)


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
    from workledger.demo import demo_still_valid, ensure_demo, with_addresses
    from workledger.kit.db import Database

    settings = get_settings()
    keyring = Keyring(secret_key_or_exit(settings))
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            if saved is not None and await demo_still_valid(session, keyring, saved):
                refreshed = with_addresses(copy.deepcopy(saved), settings.public_url)
                return saved if refreshed == saved else refreshed
            return await ensure_demo(session, keyring, settings.api_email_host,
                                     settings.public_url)
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
    connector, soap = data["connector"], data["soap"]
    typer.echo(f"Connector:          {connector['get_workorder_url']}")
    typer.echo(f"SOAP:               {soap['wsdl_url']} (GoodsOwnerCode "
               f"{soap['goods_owner_code']}, {soap['username']} / {soap['password']})")
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


sandbox_app = typer.Typer(help="The sandbox: a copy of production under /sandbox.",
                          no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.command("restore")
def sandbox_restore(
    first_time: Annotated[
        bool, typer.Option(help="Only when the sandbox was never restored (make run).")
    ] = False,
    wait: Annotated[
        bool, typer.Option(help="Wait for a restore that is running, then restore.")
    ] = False,
) -> None:
    """Restore the sandbox from production now: a new copy, then every process switches."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from workledger.kit.db import Database
    from workledger.sandbox.database import current_copy
    from workledger.sandbox.restore import Progress as RestoreProgress
    from workledger.sandbox.restore import RestoreBusy, restore

    settings = get_settings()
    console = Console()

    async def run():
        if first_time:
            production = Database(settings.database_url)
            try:
                if await current_copy(production) is not None:
                    return None
            finally:
                await production.dispose()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("copying production", total=None)
            report = RestoreProgress(
                on_start=lambda tables: bar.update(task, total=len(tables)),
                on_table=lambda table, rows: bar.update(
                    task, advance=1, description=f"{table}: {rows} rows"),
            )
            return await restore(settings.database_url,
                                 settings.resolved_sandbox_database_url(),
                                 trigger="command", progress=report, wait=wait)

    try:
        summary = asyncio.run(run())
    except RestoreBusy:
        typer.echo("Error: a restore of the sandbox is running in another process; try again "
                   "when it is done, or add --wait.", err=True)
        raise typer.Exit(1) from None
    if summary is None:
        typer.echo("the sandbox was restored before: nothing to do (--first-time)")
        return
    table = Table("table", "rows", title=f"sandbox restored into {summary.database}")
    for name, rows in summary.rows.items():
        if rows:
            table.add_row(name, str(rows))
    console.print(table)
    typer.echo(f"{summary.total_rows} rows in {len(summary.rows)} tables "
               f"({sum(1 for r in summary.rows.values() if not r)} empty) in "
               f"{summary.seconds:.2f} s; production snapshot held "
               f"{summary.snapshot_seconds:.2f} s")


@sandbox_app.command("status")
def sandbox_status() -> None:
    """The sandbox's current copy, its last restore and the next scheduled one."""
    from sqlalchemy import select

    from workledger.kit.db import Database
    from workledger.models import SandboxRestore
    from workledger.sandbox.schedule import next_restore

    settings = get_settings()

    async def run():
        production = Database(settings.database_url)
        try:
            async with production.sessions() as session:
                return await session.scalar(
                    select(SandboxRestore).order_by(SandboxRestore.id.desc()).limit(1))
        finally:
            await production.dispose()

    last = asyncio.run(run())
    if last is None:
        base = _shown(settings.resolved_sandbox_database_url())
        typer.echo(f"never restored: the sandbox is {base}")
    else:
        typer.echo(f"current copy: {last.database}")
        typer.echo(f"last restore: {last.finished_at:%Y-%m-%d %H:%M:%S} UTC ({last.trigger}), "
                   f"{last.total_rows} rows in {last.seconds:.2f} s")
    upcoming = next_restore(settings)
    typer.echo(f"next restore: {upcoming:%Y-%m-%d %H:%M} UTC ({settings.sandbox_restore})"
               if upcoming else "next restore: none (WORKLEDGER_SANDBOX_RESTORE=off)")


if __name__ == "__main__":
    app()
