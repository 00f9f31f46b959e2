"""What every page shares: templates, the route class, who is logged in, CSRF, errors.

Pages run in the request's unit of work like the API does (:class:`PageRoute` is a
:class:`TransactionalRoute`: commit on a success or redirect, roll back otherwise), and
every page response leaves with the security headers and, when it changed, the
session cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import Depends, Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from workledger.kit.i18n import (
    LOCALES,
    N_,
    Message,
    accept_language,
    current_language,
    ngettext,
    parse_language,
)
from workledger.kit.problems import Problem
from workledger.kit.session import Session, TransactionalRoute
from workledger.models import Company, User, UserRole
from workledger.web.sessions import end_session, page_session

HERE = Path(__file__).parent
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# The pages' text is catalogued like the API's messages (babel.cfg extracts the
# templates): {% trans %} blocks are whitespace-normalised, so wrapping a paragraph in
# the template does not change its message id.
TEMPLATES.policies["ext.i18n.trimmed"] = True
# Newstyle: a translation's %(name)s placeholders are filled, and escaped, by Jinja.
TEMPLATES.install_gettext_callables(
    lambda text: Message(text).in_language(), ngettext, newstyle=True
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
#: Every page is private and several show secrets: nothing is kept by any cache.
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


@dataclass(frozen=True)
class Viewer:
    """Who the page is for, copied from the user row: templates read it even after the
    request's transaction was rolled back (which expires the ORM objects)."""

    id: int
    email: str
    company_id: int | None
    role: str
    is_staff: bool
    #: Shown in the header of every page, so people see which company they act for.
    company_name: str | None = None

    @classmethod
    def of(cls, user: User, company_name: str | None = None) -> Viewer:
        return cls(user.id, user.email, user.company_id, user.role.value, user.is_staff,
                   company_name)


async def viewer_of(session: Session, user: User) -> Viewer:
    company = await session.get(Company, user.company_id) if user.company_id is not None else None
    return Viewer.of(user, company.name if company is not None else None)


# --- navigation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    #: ``aria-current``: "page" on the page itself, "true" on the section it lies in.
    current: str | None


@dataclass(frozen=True)
class NavSection:
    title: str
    links: tuple[NavLink, ...]


SETTINGS_PAGES = (
    (N_("Overview"), "/settings"),
    (N_("API configuration"), "/settings/external-data-sources/api-configuration"),
    (N_("API settings"), "/settings/api"),
    (N_("Authorized applications"), "/settings/authorized-applications"),
    (N_("ERP/CRM Overview"), "/settings/start/erp-crm"),
    (N_("Invoicing"), "/settings/invoicing"),
)
ADMIN_PAGES = (
    (N_("Overview"), "/admin"),
    (N_("API for goods owners"), "/admin/goods-owners"),
    (N_("API for automation"), "/admin/automation"),
    (N_("OAuth applications"), "/admin/oauth-applications"),
    (N_("Sandbox"), "/admin/sandbox"),
)


def area_of(path: str) -> str | None:
    for area in ("settings", "admin"):
        if path == f"/{area}" or path.startswith(f"/{area}/"):
            return area
    return None


def navigation(viewer: Viewer | None, path: str) -> NavSection | None:
    """The side navigation of the area the page is in, for those who may enter it."""
    area = area_of(path)
    if viewer is None or area is None:
        return None
    if area == "settings" and viewer.company_id is not None:
        title, pages = N_("Settings"), SETTINGS_PAGES
    elif area == "admin" and viewer.is_staff:
        title, pages = N_("Administration"), ADMIN_PAGES
    else:
        return None
    overview = pages[0][1]

    def current(href: str) -> str | None:
        if path == href:
            return "page"
        if href != overview and path.startswith(href + "/"):
            return "true"
        return None

    return NavSection(title.in_language(), tuple(
        NavLink(label.in_language(), href, current(href)) for label, href in pages
    ))


PROBLEM_TITLES = {404: N_("Not found"), 429: N_("Too many attempts")}
PROBLEM_MESSAGES = {
    429: N_("There were too many failed sign-ins for this e-mail address or from your "
            "network. Wait a few minutes, then try again."),
}


def in_language(text: str) -> str:
    """A catalogued message in the request's language; any other text as it is (a
    problem's detail that was worded, and translated, where it was raised)."""
    return text.in_language() if isinstance(text, Message) else text


def page_language(request: Request) -> int:
    """The language of a page: ``language_code`` in the query string (0, 1, 3, 4, 7),
    else the browser's ``Accept-Language``, else English. An unknown code raises
    :class:`PageProblem` 400 (the API answers one the same way)."""
    raw = request.query_params.get("language_code")
    if raw is not None:
        language = parse_language(raw)
        if language is None:
            current_language.set(accept_language(request.headers.get("accept-language")))
            raise PageProblem(400, N_("Unknown language"), N_(
                "language_code in the query string must be one of 0 (Norwegian), 1 "
                "(English), 3 (Swedish), 4 (Danish) or 7 (Spanish)."))
        return language
    return accept_language(request.headers.get("accept-language"))


class PageProblem(Exception):
    """Stops a page with an HTML error page (403 forbidden, 404 not found, ...); title
    and message are translated when the page is rendered."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class Redirect(Exception):  # noqa: N818 - it is a control-flow signal, not an error
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def forbidden(message: str) -> PageProblem:
    return PageProblem(403, N_("Not allowed"), message)


def csrf_refused() -> PageProblem:
    return PageProblem(
        403, N_("Form refused"),
        N_("This form has expired or did not come from this site. "
           "Go back, reload the page and try again."),
    )


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def landing(user: User) -> str:
    return "/admin" if user.is_staff or user.company_id is None else "/settings"


def redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    user: Viewer | None = getattr(request.state, "viewer", None)
    path = request.url.path
    context["title"] = in_language(context.get("title", ""))
    html = TEMPLATES.get_template(template).render(
        lang=LOCALES[current_language.get()],
        user=user,
        area=area_of(path),
        nav=navigation(user, path),
        csrf_token=page_session(request).csrf,
        notice=in_language(context.pop("notice", None) or "") or None,
        errors=context.pop("errors", {}),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, title=in_language(title),
                  message=in_language(message), code=status)


def _finish(request: Request, response: Response) -> Response:
    current = getattr(request.state, "page_session", None)
    if current is not None and current.changed:
        request.app.state.web_sessions.store(response, current)
    response.headers.update(PAGE_HEADERS)
    response.headers["Content-Language"] = LOCALES[current_language.get()]
    # The same URL reads differently per Accept-Language (nothing caches pages, but a
    # shared cache told otherwise must not hand one reader's language to another).
    response.headers["Vary"] = "Accept-Language"
    # A page may widen its policy for what it must show or reach (the consent page: the
    # application's logo, and the redirect to the application after the form).
    policy = getattr(request.state, "content_security_policy", None)
    if policy:
        response.headers["Content-Security-Policy"] = policy
    return response


class PageRoute(TransactionalRoute):
    """A page: HTML errors instead of problem documents, security headers, the cookie."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run_page(request: Request) -> Response:
            try:
                current_language.set(page_language(request))
                response = await handler(request)
            except Redirect as signal:
                response = redirect(signal.location)
            except PageProblem as problem:
                response = error_page(request, problem.status, problem.title, problem.message)
            except Problem as problem:
                title = PROBLEM_TITLES.get(problem.status, N_("Something is wrong"))
                message = PROBLEM_MESSAGES.get(problem.status) or problem.detail or title
                response = error_page(request, problem.status, title, message)
                response.headers.update(problem.headers)  # Retry-After on a 429
            except RequestValidationError:
                response = error_page(
                    request, 400, N_("Incomplete request"),
                    N_("The request misses a field or has a value of the wrong type."),
                )
            except HTTPException as exc:
                # A body gate's refusal arrives as the cause of FastAPI's 400 (kit.session).
                cause = exc.__cause__
                message = cause.detail if isinstance(cause, Problem) else None
                response = error_page(request, exc.status_code, N_("Error"),
                                      message or str(exc.detail))
            except IntegrityError:
                response = error_page(
                    request, 409, N_("Changed meanwhile"),
                    N_("The data changed while you were saving. Reload the page and try "
                       "again."),
                )
            return _finish(request, response)

        return run_page


# --- who is asking ------------------------------------------------------------------------


async def session_user(request: Request, session: Session) -> User | None:
    """The session's user, re-read from the database on every request."""
    state = page_session(request)
    if state.user_id is None:
        return None
    user = await session.get(User, state.user_id)
    # A session older than the user's last change (password, role, disabled) is over.
    if user is None or not user.is_active or user.updated_at.timestamp() > state.issued_at:
        end_session(request)
        return None
    return user


async def current_user(request: Request, session: Session) -> User:
    """The logged-in user; otherwise off to the login page."""
    user = await session_user(request, session)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise Redirect("/login?next=" + quote(target, safe="/"))
    request.state.viewer = await viewer_of(session, user)
    return user


async def company_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.company_id is None:
        if user.is_staff:
            raise Redirect("/admin")
        raise forbidden(N_("Your account does not belong to a company."))
    return user


async def staff_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_staff:
        raise forbidden(N_("Administration is for platform staff only."))
    return user


def require_company_admin(user: User, refusal: Message) -> None:
    """``refusal``: the whole sentence, "Only a company admin can …" (a sentence built
    from parts cannot be translated)."""
    if user.role != UserRole.admin:
        raise forbidden(refusal)


async def require_csrf(
    request: Request, csrf_token: Annotated[str, Form()] = ""
) -> None:
    if not page_session(request).csrf_matches(csrf_token):
        raise csrf_refused()


CurrentUser = Annotated[User, Depends(current_user)]
CompanyUser = Annotated[User, Depends(company_user)]
StaffUser = Annotated[User, Depends(staff_user)]
CSRF = [Depends(require_csrf)]
