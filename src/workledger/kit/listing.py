"""Listing, written once and declared per resource (DESIGN §4.3, seed 002).

A resource declares a :class:`ListSpec` — which fields may be filtered (with their
types) and sorted — the way NetBox declares a filterset. The spec parses the query
string strictly (an unknown parameter, sort field, operator or a badly typed value is a
400 naming the parameter and what is allowed), turns it into SQL, and produces the
``Link`` / ``X-Total-Count`` headers and the OpenAPI parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

from fastapi import Depends, Query
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import URL
from starlette.requests import Request

from workledger.kit.direct import runs_as
from workledger.kit.gates import (
    INT64,
    MAX_CONDITIONS,
    Bounds,
    column_bounds,
    plain_decimal,
    query_int,
    repeated,
    text_fault,
)
from workledger.kit.i18n import LANGUAGE_CODES, N_, parse_language
from workledger.kit.problems import ValidationProblem

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
UNKNOWN_PARAMETER = N_("Unknown query parameter '{name}'. Allowed: {allowed}")
#: The last page one may ask for. The offset, (page - 1) * per_page, must fit the
#: databases' 64-bit OFFSET; no table here comes near 10^9 pages.
MAX_PAGE = 1_000_000_000
OPERATORS = ("lt", "lte", "gt", "gte", "eq", "not")
#: Parameters every listing understands, besides the declared filter fields. Each takes
#: one value: sent twice, it is a 400 (Starlette would keep the last one silently).
#: Filters may repeat: ``date=gte:2026-01-01&date=lte:2026-03-31`` is two conditions.
COMMON_PARAMETERS = ("page", "per_page", "sort", "total", "language_code")


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True)
class ListSpec:
    model: Any
    filters: Mapping[str, Any]  # field name → Python type of its values
    sorts: Sequence[str]
    extra_parameters: Sequence[str] = field(default_factory=tuple)
    #: What each filter's column can hold (kit.gates); read from the model's columns
    #: unless given. A value outside is a 400, never a database error.
    bounds: Mapping[str, Bounds] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = set(self.filters) & {*COMMON_PARAMETERS, *self.extra_parameters}
        if clash:
            raise ValueError(f"filter fields {clash} clash with listing parameters")
        derived = {name: _column_bounds(self.model, name, kind)
                   for name, kind in self.filters.items()}
        object.__setattr__(self, "bounds", {**derived, **self.bounds})

    @property
    def allowed_parameters(self) -> tuple[str, ...]:
        return (*COMMON_PARAMETERS, *self.extra_parameters, *self.filters)

    # -- parsing ---------------------------------------------------------------------
    def parse(self, request: Request) -> ListQuery:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        for name in params:
            if name not in self.allowed_parameters:
                errors[name] = [UNKNOWN_PARAMETER.say(
                    name=name, allowed=", ".join(self.allowed_parameters))]
        errors.update(repeated(params.multi_items(), COMMON_PARAMETERS))
        page = _positive_int(params, "page", 1, MAX_PAGE, errors)
        per_page = _positive_int(params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, errors)
        want_total = _boolean(params, "total", errors)
        order = self._parse_sort(params.get("sort"), errors)
        sent = {name: [c for raw in params.getlist(name) for c in raw.split(" AND ")]
                for name in self.filters if name in params}
        count = sum(map(len, sent.values()))
        if count > MAX_CONDITIONS:
            # Refused before any is parsed: SQLite cannot nest ~1000 conditions.
            message = N_("At most {maximum} filter conditions per request; this one has "
                         "{count}").say(maximum=MAX_CONDITIONS, count=count)
            errors.update({name: [message] for name in sent})
            sent = {}
        terms: list[tuple[str, str, Any]] = []
        for name, clauses in sent.items():
            terms.extend(self._parse_filter(name, self.filters[name], clauses, errors))
        if errors:
            raise ValidationProblem(N_("The query string is not valid.").in_language(),
                                    errors=errors)
        return ListQuery(self, page, per_page, want_total, order, terms)

    def _parse_sort(self, raw: str | None, errors: dict[str, list[str]]
                    ) -> list[tuple[str, bool]]:
        """``[(field, descending)]``, ending with ``id`` unless it was named."""
        order: list[tuple[str, bool]] = []
        fields_seen: set[str] = set()
        if raw is not None:
            for part in raw.split(","):
                # "+name" arrives as " name" when the client did not encode the plus sign.
                token = part.strip(" ")
                descending = token.startswith("-")
                name = token[1:] if token[:1] in "+-" and token else token
                if name not in self.sorts:
                    errors.setdefault("sort", []).append(N_(
                        "Cannot sort by '{name}'. Allowed: {allowed}"
                    ).say(name=name, allowed=", ".join(self.sorts)))
                    continue
                if name in fields_seen:
                    # Also what bounds ORDER BY: SQLite refuses more than 2000 terms.
                    errors.setdefault("sort", []).append(
                        N_("'{name}' is named twice").say(name=name))
                    continue
                order.append((name, descending))
                fields_seen.add(name)
        if "id" not in fields_seen:
            order.append(("id", False))  # a stable order makes pages stable
        return order

    def _parse_filter(
        self, name: str, python_type: Any, clauses: list[str], errors: dict[str, list[str]]
    ) -> list[tuple[str, str, Any]]:
        """``[(field, operator, value)]`` of one filter's conditions."""
        bounds = self.bounds.get(name, Bounds())
        result: list[tuple[str, str, Any]] = []
        for clause in clauses:
            op, separator, rest = clause.partition(":")
            if separator and op in OPERATORS:
                text = rest
            else:
                op, text = "eq", clause
            value = _filter_value(python_type, text)
            if value is _INVALID:
                errors.setdefault(name, []).append(N_(
                    "'{text}' is not a valid {type}"
                ).say(text=text, type=_type_name(python_type)))
                continue
            fault = text_fault(value) if isinstance(value, str) else bounds.fault(value)
            if fault:
                errors.setdefault(name, []).append(N_(
                    "'{text}' cannot be compared with {name}: {fault}"
                ).say(text=text, name=name, fault=fault).rstrip("."))
                continue
            if isinstance(value, Enum):
                value = value.value
            result.append((name, op, value))
        return result

    # -- OpenAPI ----------------------------------------------------------------------
    def openapi_parameters(self) -> list[dict[str, Any]]:
        ops = " ".join(OPERATORS)
        parameters: list[dict[str, Any]] = [
            _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                   "Page, from 1."),
            _param(
                "per_page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                 "default": DEFAULT_PER_PAGE},
                "Items per page.",
            ),
            _param(
                "sort",
                {"type": "string"},
                "Comma-separated fields, `-` for descending, `+` (or nothing) for ascending. "
                f"Sortable: {', '.join(self.sorts)}. Default: `id`.",
            ),
            _param(
                "total",
                {"type": "boolean", "default": False},
                "Send `X-Total-Count` with the number of matching rows.",
            ),
        ]
        for name, python_type in self.filters.items():
            parameters.append(
                _param(
                    name,
                    {"type": "string"},
                    f"Filter on `{name}` ({_type_name(python_type)}): `value` for equality or "
                    f"`op:value` with op one of {ops}; join conditions with ` AND `, "
                    f"e.g. `gte:1 AND lt:9`.",
                )
            )
        return parameters


class ListQuery:
    """One request's page, sort and filter conditions.

    Kept as data (``sort``: ``[(field, descending)]``, ``terms``: ``[(field, operator,
    value)]``) so that a prebuilt statement can be chosen by their shape
    (kit.repository.RowReader); ``order`` and ``conditions`` are the SQLAlchemy
    expressions, made on first use, or given directly (the SOAP face's own filters)."""

    def __init__(self, spec: ListSpec, page: int, per_page: int, want_total: bool,
                 sort: Sequence[tuple[str, bool]] = (),
                 terms: Sequence[tuple[str, str, Any]] = (), *,
                 order: list[Any] | None = None,
                 conditions: list[ColumnElement[bool]] | None = None) -> None:
        self.spec, self.page, self.per_page, self.want_total = spec, page, per_page, want_total
        self.sort, self.terms = list(sort), list(terms)
        self._order, self._conditions = order, conditions

    @property
    def order(self) -> list[Any]:
        if self._order is None:
            self._order = [sort_column(getattr(self.spec.model, name), descending)
                           for name, descending in self.sort]
        return self._order

    @property
    def conditions(self) -> list[ColumnElement[bool]]:
        if self._conditions is None:
            self._conditions = [compare(getattr(self.spec.model, name), op, value)
                                for name, op, value in self.terms]
        return self._conditions

    @property
    def shape(self) -> tuple | None:
        """What the statement's text depends on (not the values): a cache key; ``None``
        when the query holds expressions of its own."""
        if self._order is not None or self._conditions is not None:
            return None
        return (tuple((name, op) for name, op, _ in self.terms), tuple(self.sort),
                self.want_total)

    def filtered(self, statement: Select) -> Select:
        conditions = self.conditions
        return statement.where(*conditions) if conditions else statement

    async def fetch(self, session: AsyncSession, statement: Select) -> Page:
        """Rows of the requested page (one extra row tells whether a next page exists)."""
        filtered = self.filtered(statement)
        paged = (
            filtered.order_by(*self.order)
            .limit(self.per_page + 1)
            .offset((self.page - 1) * self.per_page)
        )
        rows = list((await session.scalars(paged)).all())
        total = None
        if self.want_total:
            count = select(func.count()).select_from(filtered.order_by(None).subquery())
            total = (await session.execute(count)).scalar_one()
        has_next = len(rows) > self.per_page
        return Page(rows[: self.per_page], self.page, self.per_page, has_next, total)


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    has_next: bool
    total: int | None

    def headers(self, url: URL) -> dict[str, str]:
        def link(page: int, rel: str) -> str:
            return f'<{url.include_query_params(page=page, per_page=self.per_page)}>; rel="{rel}"'

        links = []
        if self.has_next:
            links.append(link(self.page + 1, "next"))
        if self.page > 1:
            links.append(link(self.page - 1, "prev"))
        links.append(link(1, "first"))
        if self.total is not None:
            last = max(1, -(-self.total // self.per_page))
            links.append(link(last, "last"))
        headers = {"Link": ", ".join(links)}
        if self.total is not None:
            headers["X-Total-Count"] = str(self.total)
        return headers


def sort_column(column: Any, descending: bool) -> Any:
    return column.desc() if descending else column.asc()


def compare(column: Any, op: str, value: Any) -> ColumnElement[bool]:
    if op == "lt":
        return column < value
    if op == "lte":
        return column <= value
    if op == "gt":
        return column > value
    if op == "gte":
        return column >= value
    if op == "not":
        return column.is_distinct_from(value)
    return column == value


_ADAPTERS: dict[Any, TypeAdapter] = {}
_INVALID = object()


def _adapter(python_type: Any) -> TypeAdapter:
    if python_type not in _ADAPTERS:
        _ADAPTERS[python_type] = TypeAdapter(python_type)
    return _ADAPTERS[python_type]


def _filter_value(python_type: Any, text: str) -> Any:
    """The value of one condition, or ``_INVALID``. Numbers are read by the ASCII gates
    (pydantic, like ``int()`` and ``Decimal()``, also reads " 1", "1.0", "1_0" and "١");
    the rest by the type's pydantic validator."""
    if python_type is int:
        # Wider than any column, so that "out of range" can be told from "not a number".
        value = query_int(text, minimum=-(2**64), maximum=2**64, signed=True)
        return _INVALID if value is None else value
    if python_type is Decimal:
        value = plain_decimal(text)
        return _INVALID if value is None else value
    try:
        return _utc(_adapter(python_type).validate_strings(text))
    except ValidationError:
        return _INVALID


def _column_bounds(model: Any, name: str, python_type: Any) -> Bounds:
    try:
        bounds = column_bounds(getattr(model, name).property.columns[0].type)
    except AttributeError:  # not a mapped column (a hybrid, a relationship)
        bounds = Bounds()
    if python_type is int and bounds.integers is None:
        bounds = replace(bounds, integers=INT64)
    return bounds


def _type_name(python_type: Any) -> str:
    if isinstance(python_type, type) and issubclass(python_type, Enum):
        return "value, one of " + ", ".join(str(m.value) for m in python_type)
    if get_origin(python_type) is Literal:
        return "value, one of " + ", ".join(str(v) for v in get_args(python_type))
    names = {int: "integer", str: "string", bool: "boolean (true/false)",
             datetime: "date-time (ISO 8601)", date: "date (YYYY-MM-DD)", Decimal: "number"}
    return names.get(python_type, getattr(python_type, "__name__", str(python_type)))


def _positive_int(params, name: str, default: int, maximum: int, errors) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    value = query_int(raw, minimum=1, maximum=maximum)
    if value is None:
        errors.setdefault(name, []).append(N_(
            "{name} must be an integer (ASCII digits) of at least 1 and at most {maximum}"
        ).say(name=name, maximum=maximum))
        return default
    return value


def _boolean(params, name: str, errors) -> bool:
    raw = params.get(name)
    if raw is None:
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    errors.setdefault(name, []).append(N_("{name} must be true or false").say(name=name))
    return False


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def reject_unknown_parameters(request: Request, allowed: Sequence[str]) -> None:
    """400 for a query parameter the endpoint does not understand (DESIGN §4.3), and for
    one it understands sent more than once: these parameters take one value each."""
    if not request.scope.get("query_string"):
        return  # nothing to refuse (most reads): no parse
    known = ("language_code", *allowed)
    unknown = [name for name in request.query_params if name not in known]
    errors = {name: [UNKNOWN_PARAMETER.say(name=name, allowed=", ".join(known))]
              for name in unknown}
    errors.update(repeated(request.query_params.multi_items(), known))
    if errors:
        raise ValidationProblem(
            (N_("Unknown query parameter.") if unknown
             else N_("A parameter was sent more than once.")).in_language(),
            errors=errors,
        )


def allow_parameters(*names: str) -> Any:
    """A dependency refusing any query parameter but ``language_code`` and ``names``."""
    async def check(request: Request) -> None:  # async: sync dependencies cost a thread hop
        reject_unknown_parameters(request, names)

    return Depends(check)


LanguageCode = Annotated[
    str | None,
    Query(description="Language of messages: 0 nb, 1 en (default), 3 sv, 4 da, 7 es",
          # Documented, not enforced by FastAPI: the check below words the 400.
          json_schema_extra={"enum": [str(code) for code in LANGUAGE_CODES]}),
]


def query_check(*names: str) -> Any:
    """One dependency for an endpoint's whole query string: ``language_code`` checked
    (and documented) as :data:`language` does, and any parameter but it and ``names``
    refused as :func:`allow_parameters` does."""
    async def check_request(request: Request) -> None:
        if not request.scope.get("query_string"):
            return
        _check_language_code(request.query_params.get("language_code"))
        reject_unknown_parameters(request, names)

    # ``language_code`` is declared for the document only: both ways in (FastAPI's solver
    # and kit.direct) run the same check, which reads the query string itself.
    @runs_as(check_request)
    async def check(request: Request, language_code: LanguageCode = None) -> None:
        await check_request(request)

    return Depends(check)


def _check_language_code(language_code: str | None) -> None:
    if language_code is not None and parse_language(language_code) is None:
        raise ValidationProblem.single("language_code", N_(
            "language_code in the query string must be one of {codes}"
        ).say(codes=", ".join(map(str, LANGUAGE_CODES))))


async def _check_language_of(request: Request) -> None:
    _check_language_code(request.query_params.get("language_code"))


@runs_as(_check_language_of)
async def _check_language(request: Request, language_code: LanguageCode = None) -> None:
    await _check_language_of(request)  # the parameter documents; the twin checks


#: Every /v1 router depends on this: ``language_code`` is documented, and an unknown code
#: is a 400 (the edge middleware has already chosen the language of the answer).
language = Depends(_check_language)
