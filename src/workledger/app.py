"""create_app(): middleware order, error handlers, routers and the documentation."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from workledger import __version__
from workledger.auth.dependencies import SECURITY_SCHEME_ORDER
from workledger.auth.endpoints import router as account_router
from workledger.auth.password_cache import VerifiedPasswords
from workledger.auth.secrets import Keyring
from workledger.automation.endpoints import router as automation_router
from workledger.companies.endpoints import router as company_router
from workledger.config import Settings, get_settings
from workledger.connector.endpoints import TAG as CONNECTOR_TAG
from workledger.connector.endpoints import TAG_DESCRIPTION as CONNECTOR_DESCRIPTION
from workledger.connector.endpoints import router as connector_router
from workledger.customers.endpoints import router as customers_router
from workledger.employees.endpoints import router as employees_router
from workledger.equipment.endpoints import router as equipment_router  # issue 8: equipment
from workledger.invoice_charges.endpoints import order_router as order_charges_router
from workledger.invoice_charges.endpoints import router as invoice_charges_router
from workledger.invoices.endpoints import router as invoices_router
from workledger.items.endpoints import router as items_router
from workledger.kit.db import Database
from workledger.kit.edge import EdgeMiddleware
from workledger.kit.errors import install_error_handlers
from workledger.kit.i18n import check_catalogues
from workledger.kit.openapi import install_openapi, operation_id
from workledger.kit.ratelimit import LoginGuard, RateLimiter
from workledger.links.endpoints import company_links_router, contact_links_router
from workledger.oauth2.endpoints import router as oauth2_router
from workledger.orders.endpoints import (  # issue 8: orders
    deliveries_router,
    lines_router,
)
from workledger.orders.endpoints import router as orders_router  # issue 8: orders
from workledger.purchase_orders.endpoints import router as purchase_orders_router  # issue 8
from workledger.sandbox import PREFIX as SANDBOX_PREFIX
from workledger.sandbox import RATE_LIMIT_PREFIX, SandboxMiddleware, install_sandbox
from workledger.sandbox.schedule import start_schedule
from workledger.soap.endpoints import problem_as_fault  # issue 9: the SOAP face
from workledger.soap.endpoints import router as soap_router
from workledger.stock.endpoints import stock_movements_router, stock_router  # issue 8: stock
from workledger.suppliers.endpoints import router as suppliers_router
from workledger.warehouses.endpoints import router as warehouses_router
from workledger.web import install_web
from workledger.work_orders.endpoints import router as work_orders_router  # issue 8: equipment
from workledger.workflows.endpoints import router as workflows_router

SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_TITLE = "Workledger API — Swagger UI for the self-hosted operations platform"
DOCS_SCRIPT = '<script src="/static/web/swagger-authorize.js"></script>'

DESCRIPTION = """
**Workledger** is a self-hosted operations platform for companies that sell, install
and service equipment out of a warehouse. This REST API is the product: customers,
suppliers, items, your own ids for them (company and contact links), workflows,
employees, warehouses and invoices, the company's own management endpoints, the
automation API and the connector face for ERP/CRM packages.

**Demo credentials.** `make run` prints them before the server starts (and keeps them in
`var/demo.json`); on a database of your own, `workledger migrate && workledger demo`
creates the demo companies and prints the same. Each company's *company key* is the
line `company key: Authorization: Key wlk_...`; a company admin also finds it after
signing in at `/login`, under Settings → API configuration.

**Authentication.** Click *Authorize*. The first scheme, *CompanyKey*, takes the company
key *with its scheme* (`Key wlk_...`; the scheme may be omitted) or a short-lived token
from `POST /v1/Account/token` (`Bearer wlt_...`). *Basic* takes an API e-mail + API key,
a `WSI` API user, or an automation user with `X-Company-Id`. *CompanyAdminToken*
(`X-API-Authorization`) is for `/v1/company/...`. `docs/authentication.md` tells where
each credential comes from.

**SOAP.** Web shops and ERPs that speak SOAP use the goods-owner SOAP API: SOAP 1.1 at
`POST /soap/goodsowner`, its WSDL at `GET /soap/goodsowner?wsdl`, with the same `WSI`
API user as here. This document describes the JSON faces only; the SOAP operations,
their XML and their Faults are in `docs/soap.md`.

**Conventions.** Every success is `200 OK`; a create also sends `Location`. Updates
(`PUT` and `PATCH`) are partial. Lists take `page`, `per_page` (≤ 500), `sort`
(`-id,+name`), `total=true` and filters (`field=value` or `field=op:value`, op one of
`lt lte gt gte eq not`, joined with ` AND `). Every `/v1` error is
`application/problem+json` with `code` and `traceId`; the connector answers its own
envelope (see its tag). Every answer carries `X-Trace-Id`. `language_code`
(0 Norwegian, 1 English, 3 Swedish, 4 Danish, 7 Spanish) selects the language of
messages. Calls are limited to 3600 per 15 minutes per credential (`X-Ratelimit-*`
headers; 429 with `Retry-After`).
"""


SANDBOX_TITLE = "Workledger API — sandbox"
SANDBOX_DESCRIPTION = """
**This is the sandbox**: the same API as production, under `/sandbox`, on a copy of
production's data that is restored from production on a schedule (weekly by default) and
by staff. Test here, not on production: whatever you write here is temporary and is
replaced by the next restore; it never reaches production. The same credentials work;
rate limits count apart from production's; nothing sends mail. Every answer carries
`X-Workledger-Environment: sandbox`.
"""


def freeze_startup_objects() -> None:
    """Take what the start built out of the garbage collector's generations.

    Routes, schemas, mappers, catalogues and the sandbox's copy of all of them live as
    long as the process (~200,000 objects), yet every full collection walked them: on
    the benchmark's list page that was a ~150 ms pause about once per 1,500 requests
    (the p99 of the list row) and ~0.1 ms of CPU per request (bench/README.md, issue
    13). ``gc.freeze()`` moves them to a permanent generation the collector skips;
    garbage from the start is collected first so none of it is kept."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None, *, environment: str = "production",
    database: Database | None = None,
) -> FastAPI:
    """The application. ``environment="sandbox"`` builds the copy that production mounts
    at ``/sandbox`` (workledger.sandbox), on ``database``."""
    settings = settings or get_settings()
    sandbox = environment == "sandbox"
    # First, before anything is opened: production refuses to start without the key.
    secret_key = settings.resolved_secret_key()
    check_catalogues()  # a missing compiled catalogue stops the start, not a request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Only production's runs (a mounted app's lifespan is not): it serves both.
        schedule = start_schedule(settings, app.state.sandbox)
        freeze_startup_objects()
        yield
        if schedule is not None:
            schedule.shutdown(wait=False)
        await app.state.sandbox.dispose()
        await app.state.database.dispose()

    app = FastAPI(
        title=SANDBOX_TITLE if sandbox else "Workledger API",
        version=__version__,
        description=SANDBOX_DESCRIPTION + DESCRIPTION if sandbox else DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        openapi_tags=[{"name": CONNECTOR_TAG, "description": CONNECTOR_DESCRIPTION}],
        generate_unique_id_function=operation_id,
        telemetry=None if settings.opentelemetry else {
            "tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.environment = environment
    app.state.database = database or Database(settings.database_url, echo=settings.echo_sql)
    app.state.keyring = Keyring(secret_key)
    app.state.verified_passwords = VerifiedPasswords()
    app.state.limiter = RateLimiter(
        settings.redis_url,
        default=settings.rate_limit,
        login=settings.rate_limit_login,
        login_per_address=settings.rate_limit_login_per_address,
        login_per_username=settings.rate_limit_login_per_username,
        overrides=settings.rate_limits,
        key_prefix=RATE_LIMIT_PREFIX if sandbox else None,
    )
    app.state.login_guard = LoginGuard(app.state.limiter)

    install_error_handlers(app)
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        dev=settings.dev,
        trusted_proxies=settings.trusted_proxies,
        limiter=app.state.limiter,
        public_url=settings.public_url,
        # The sandbox app has its own edge (its own counters): production's lets it be.
        passthrough=() if sandbox else (SANDBOX_PREFIX,),
        renderers=(("/soap/", problem_as_fault),),  # the SOAP face's refusals are Faults
    )

    # Every router carries its full path ("/v1/...") and its own dependencies: included
    # without a prefix, a route's ``path`` is its whole template (rate-limit keys, walks).
    for router in (account_router, customers_router, suppliers_router, items_router,
                   company_links_router, contact_links_router, workflows_router,
                   employees_router, warehouses_router, invoices_router, company_router,
                   automation_router):
        app.include_router(router)
    # -- stock and purchase orders (issue 8) --
    for router in (stock_router, stock_movements_router, purchase_orders_router):
        app.include_router(router)
    # -- orders (issue 8) --
    for router in (orders_router, lines_router, deliveries_router):
        app.include_router(router)
    # -- end of stock and purchase orders --
    # -- equipment and work orders (issue 8) --
    for router in (equipment_router, work_orders_router):
        app.include_router(router)
    # -- end of equipment and work orders --
    for router in (invoice_charges_router, order_charges_router):
        app.include_router(router)
    app.include_router(connector_router)
    app.include_router(oauth2_router)
    app.include_router(soap_router)  # issue 9: before the sandbox, which serves it too

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        """For load balancers: 200 when the database answers, 503 when it does not."""
        try:
            async with app.state.database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_ASSETS), name="swagger-assets")

    prefix = SANDBOX_PREFIX if sandbox else ""

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=f"{prefix}/openapi.json",
            title=DOCS_TITLE.replace("Workledger API", SANDBOX_TITLE) if sandbox else DOCS_TITLE,
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
        )
        # After Swagger UI's own script: it opens the Authorize dialog at its top.
        html = bytes(page.body).decode().replace("</body>", f"{DOCS_SCRIPT}\n</body>", 1)
        return HTMLResponse(html)

    # The way in for people: /sandbox and /sandbox/ lead to the sandbox's Swagger UI.
    docs_path = urlsplit(settings.public_url).path.rstrip("/") + "/docs"
    if sandbox:
        @app.get("/", include_in_schema=False)
        async def sandbox_home() -> Response:
            return RedirectResponse(docs_path, status_code=307)
    else:
        @app.get(SANDBOX_PREFIX, include_in_schema=False)
        async def sandbox_entry() -> Response:
            target = urlsplit(settings.public_url).path.rstrip("/") + SANDBOX_PREFIX + "/docs"
            return RedirectResponse(target, status_code=307,
                                    headers={"X-Workledger-Environment": "sandbox"})

    if sandbox:
        # Swagger UI's requests go where the document's servers say: to the sandbox.
        servers = [{"url": urlsplit(settings.public_url).path.rstrip("/") or "/",
                    "description": "Sandbox"}]
        install_openapi(app, scheme_order=SECURITY_SCHEME_ORDER, servers=servers)
        app.add_middleware(SandboxMiddleware, database=app.state.database)  # outermost
        return app
    install_web(app)
    install_openapi(app, scheme_order=SECURITY_SCHEME_ORDER)
    install_sandbox(app, create_app)
    return app
