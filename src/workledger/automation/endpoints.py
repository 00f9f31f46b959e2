"""``/v1/automation/...``: the automation API (DESIGN §8; seed 001: one automation user
reaches every goods owner). Only automation users may call it (403 for every other
credential); the company is chosen per row (``company_id``), not by ``X-Company-Id``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import TypeAdapter

from workledger.auth.dependencies import AutomationCaller
from workledger.automation import schemas, service
from workledger.automation.repository import AutomationRepository
from workledger.kit.idempotency import HEADER as IDEMPOTENCY_KEY
from workledger.kit.idempotency import MAX_LENGTH as IDEMPOTENCY_KEY_LENGTH
from workledger.kit.listing import allow_parameters, language
from workledger.kit.problems import problem_responses
from workledger.kit.resource import HEADER_LIST, JSON
from workledger.kit.session import Session, TransactionalRoute
from workledger.kit.urls import public_url

router = APIRouter(prefix="/v1/automation", tags=["Automation"],
                   route_class=TransactionalRoute, dependencies=[language])
no_parameters = [allow_parameters()]
#: What every automation operation can answer.
CALLER_ERRORS = {
    400: "An unknown query parameter, an invalid `language_code` or an `X-Company-Id` "
    "that is not a company id (code 3)",
    401: "Missing, unknown or inactive credential (code 1)",
    403: "The caller is not an automation user, or plain HTTP where HTTPS is "
    "required (code 6)",
    404: "`X-Company-Id` was sent and names no company (code 2)",
}
PICK_LIST_LINES = TypeAdapter(list[schemas.PickListLine])
PICK = TypeAdapter(schemas.Pick)


@router.get(
    "/companies", response_model=list[schemas.CompanySummary],
    dependencies=no_parameters,
    responses=problem_responses(400, 401, 403, 404, 429, 500, descriptions=CALLER_ERRORS),
    summary="Every company (goods owner) an automation user can act on",
    description="The companies with API access, by id (the others are invisible to "
    "automation users: `X-Company-Id` naming one is 404). Choose one per call with the "
    "`X-Company-Id` header.",
    operation_id="list_automation_companies",
)
async def automation_companies(
    session: Session, principal: AutomationCaller
) -> list[schemas.CompanySummary]:
    companies = await AutomationRepository(session).open_companies()
    return [schemas.CompanySummary.model_validate(row) for row in companies]


@router.get(
    "/pick-list", response_model=list[schemas.PickListLine],
    responses={200: {"description": "A page of lines to pick", "headers": HEADER_LIST},
               **problem_responses(400, 401, 403, 404, 429, 500, descriptions={
                   **CALLER_ERRORS,
                   400: "An unknown query parameter, sort field or filter value, an "
                   "invalid `language_code` or an `X-Company-Id` that is not a company id "
                   "(code 3)"})},
    openapi_extra={"parameters": service.PICK_LIST.openapi_parameters()},
    summary="Order lines waiting to be picked, in every company",
    description="Allocated, unpicked order lines of every company (goods owner) with API "
    "access — of orders that are `allocated` or `picked` — with what is still to pick "
    "(allocated − picked) and, for unique items, the serials the line names. Companies "
    "without API access are not listed. A JSON array, one page at a time, like every "
    "list: `Link` names the next, previous and first pages. Filter by `company_id` or "
    "`warehouse_id` (`value` or `op:value`).",
    operation_id="list_automation_pick_list",
)
async def pick_list(request: Request, session: Session, principal: AutomationCaller
                    ) -> Response:
    query = service.PICK_LIST.parse(request)
    page, rows = await service.pick_list(session, query)
    return Response(PICK_LIST_LINES.dump_json(PICK_LIST_LINES.validate_python(rows)),
                    media_type=JSON, headers=page.headers(public_url(request)))


@router.post(
    "/picks", response_model=schemas.Pick,
    dependencies=no_parameters,
    responses={
        200: {"description": "The pick, and the line after it", "headers": {
            "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier "
                "request with the same `Idempotency-Key` and body: nothing was done again. "
                "Sent on replays only",
                "required": False, "schema": {"type": "string", "enum": ["true"]}}}},
        **problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 500, descriptions={
            **CALLER_ERRORS,
            400: "A body that is not valid (a missing member, a wrong type, serials for an "
            "item that has none), an unknown query parameter, an invalid `language_code` "
            "or `Idempotency-Key` (code 3); a body that is not JSON (code 5)",
            404: "The company does not exist or has no API access, or the order line is "
            "not that company's (code 2); or `X-Company-Id` names no company",
            409: "The `Idempotency-Key` was used with another request, or its first request "
            "is still running (code 7)",
            422: "A business rule: more than the line has left to pick (30, naming "
            "`quantity`), an order that cannot be picked now (3025 once delivered, 30 when "
            "cancelled), too little stock (3008), a serial per unit missing (3013), a "
            "quantity of 0 or less (3019), whole units (30)",
        })},
    openapi_extra={"parameters": [{
        "name": IDEMPOTENCY_KEY, "in": "header", "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_LENGTH},
        "description": "Your id for this pick (1-255 visible ASCII characters), per "
        "automation user and kept 24 hours: a retry with the same key and body answers "
        "the stored result with `Idempotent-Replayed: true` and picks nothing more; the "
        "same key with another body is 409 code 7."}]},
    summary="Record a pick of one order line",
    description="What a picker took for one order line of any company with API access: "
    "the order's pick action for that line, in one transaction with the order locked "
    "(concurrent picks of one line never pick more than it has). Answers the pick and the "
    "line after it; the order is `picked` once every line is picked in full.",
    operation_id="create_automation_pick",
)
async def create_pick(session: Session, principal: AutomationCaller,
                      body: schemas.PickRequest) -> Response:
    return Response(PICK.dump_json(PICK.validate_python(
        await service.pick(session, body), from_attributes=True)), media_type=JSON)
