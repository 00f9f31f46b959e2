"""Every error leaves as a problem document (DESIGN §4.5): one renderer, few handlers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from workledger.kit.body import NOT_JSON, is_json_media_type
from workledger.kit.i18n import N_, Message
from workledger.kit.idempotency import Replay
from workledger.kit.problems import (
    PROBLEM_MEDIA_TYPE,
    BodyNotParsed,
    Conflict,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    Unauthorized,
    ValidationProblem,
)

log = logging.getLogger("workledger.errors")

try:  # orjson when present: the problem body is small, but it is on every error path
    import orjson

    def _dumps(body: dict) -> bytes:
        return orjson.dumps(body)
except ImportError:  # pragma: no cover
    import json

    def _dumps(body: dict) -> bytes:
        return json.dumps(body).encode()


def problem_response(problem: Problem) -> Response:
    headers = dict(problem.headers)
    if isinstance(problem, Unauthorized):
        headers.setdefault("WWW-Authenticate", 'Key realm="workledger"')
    return Response(
        _dumps(problem.body()),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _member(loc: tuple) -> str:
    """("body", "contacts", 0, "email") -> "contacts[0].email"."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or str(loc[0] if loc else "body")


#: Pydantic's commonest messages by error type, in its own English words (the ids), with
#: its ``ctx`` values as placeholders; the rest stay in English.
SCHEMA_MESSAGES: dict[str, Message | tuple[Message, ...]] = {
    "missing": N_("Field required"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional "
                         "part"),
    "string_type": N_("Input should be a valid string"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    # Pydantic says "1 character", "2 characters": each form is an id of its own.
    "string_too_short": (N_("String should have at least {min_length} character"),
                         N_("String should have at least {min_length} characters")),
    "string_too_long": (N_("String should have at most {max_length} character"),
                        N_("String should have at most {max_length} characters")),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be an object"),
}


def schema_message(error: dict) -> str:
    """A schema error's message in the request's language: translated only when our id,
    filled with the error's values, is exactly what Pydantic said (a Pydantic that words
    it otherwise is answered in its own English, never with a wrong message)."""
    message = error.get("msg", "Invalid value").removeprefix("Value error, ")
    templates = SCHEMA_MESSAGES.get(error.get("type", ""), ())
    values = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    for template in templates if isinstance(templates, tuple) else (templates,):
        try:
            if template.format(**values) == message:
                return template.say(**values)
        except (KeyError, IndexError, ValueError):
            continue
    return message


def validation_problem(request: Request, exc: RequestValidationError) -> Problem:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "parse error")
            return BodyNotParsed(NOT_JSON.say(error=reason))
        if loc == ("body",):
            if error.get("type") == "missing":
                return BodyNotParsed(
                    N_("The request needs a JSON object as its body.").in_language())
            # Not sent as JSON (no Content-Type, or another one): FastAPI handed the raw
            # bytes to the model. Only a body that was read as JSON and is not an object
            # (an array, a string) is a wrong type, code 3.
            if not is_json_media_type(request.headers.get("content-type")):
                return BodyNotParsed(N_(
                    "Send the body as JSON with Content-Type: application/json.").in_language())
            errors.setdefault("body", []).append(
                N_("The body must be a JSON object.").in_language())
            continue
        errors.setdefault(_member(loc), []).append(schema_message(error))
    return ValidationProblem(N_("One or more members are not valid.").in_language(),
                             errors=errors)


#: Methods an Allow header can name; HEAD is answered wherever GET is (kit.edge).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path. Starlette's 405 names only the
    methods of the first route whose path matched (``GET`` for ``PUT /v1/customers``,
    although POST and DELETE are served there too)."""
    allowed = []
    for method in METHODS:
        probe = {"type": "http", "method": "GET" if method == "HEAD" else method,
                 "path": request.scope["path"], "root_path": request.scope.get("root_path", ""),
                 "headers": [], "query_string": b""}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def body_problem(exc: HTTPException) -> Problem:
    """FastAPI answers 400 only when it cannot read the body; the gate's own problem
    (kit.body.parse_json_body, a form field) is its cause when a gate refused it."""
    if isinstance(exc.__cause__, Problem):
        return exc.__cause__
    return BodyNotParsed(f"The body could not be read: {exc.detail}.".replace("..", "."))


def install_error_handlers(app: FastAPI) -> None:
    async def on_problem(_request: Request, exc: Problem) -> Response:
        return problem_response(exc)

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(validation_problem(request, exc))

    async def on_http(request: Request, exc: HTTPException) -> Response:
        problem: Problem
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            problem = NotFound(N_("No such endpoint.").in_language())
        elif exc.status_code == 405:
            problem = MethodNotAllowed(
                N_("The method is not allowed on this endpoint.").in_language())
            headers["Allow"] = allowed_methods(request)
        elif exc.status_code == 400:
            problem = body_problem(exc)
        elif exc.status_code == 401:
            problem = Unauthorized(str(exc.detail))
        elif exc.status_code == 403:
            problem = Forbidden(str(exc.detail))
        elif exc.status_code == 413:
            problem = PayloadTooLarge()
        else:
            problem = ValidationProblem(str(exc.detail))
        response = problem_response(problem)
        response.headers.update(headers)
        return response

    async def on_integrity(_request: Request, exc: IntegrityError) -> Response:
        # Services check what they can; this catches the race between check and write.
        log.info("integrity error turned into 409: %s", exc.orig)
        return problem_response(Conflict(
            N_("The change conflicts with data stored meanwhile.").in_language()))

    async def on_data(_request: Request, exc: DataError) -> Response:
        log.info("data error turned into 400: %s", exc.orig)
        return problem_response(ValidationProblem(
            N_("A value is out of range for its field.").in_language()))

    async def on_replay(_request: Request, exc: Replay) -> Response:
        return exc.response

    app.add_exception_handler(Replay, on_replay)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(DataError, on_data)
