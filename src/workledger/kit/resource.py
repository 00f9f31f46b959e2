"""One declaration per resource gives its whole REST face (DESIGN §4.1-§4.4).

A feature package declares its schemas, a :class:`ResourceService` (editable fields,
required fields, hooks for its own rules) and a :class:`~workledger.kit.listing.ListSpec`;
:func:`resource_router` turns that into list / create / read / PUT / PATCH / delete /
bulk delete, with the body semantics of ``kit.body`` and the errors of ``kit.problems``.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the real annotation
# objects of the endpoint closures below.

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.exc import IntegrityError

from workledger.kit.body import apply_values, check_read_only, sent_values
from workledger.kit.bulk import MAX_IDS, bulk_delete, bulk_result_model, parse_ids
from workledger.kit.listing import ListSpec, allow_parameters
from workledger.kit.problems import (
    BusinessRule,
    CannotDelete,
    ValidationProblem,
    problem_responses,
)
from workledger.kit.repository import TenantRepository
from workledger.kit.session import Session, TransactionalRoute

M = TypeVar("M")
MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The object's id")]
READ_ONLY_DEFAULT = ("id", "created_at", "updated_at")
JSON = "application/json"


class ResourceService(Generic[M]):
    """Create / update / delete with the shared body semantics; hooks for the rest."""

    repository: ClassVar[type[TenantRepository]]
    #: Scalar members a caller may set.
    fields: ClassVar[tuple[str, ...]]
    #: Members that must have a value when the object is created.
    required: ClassVar[tuple[str, ...]] = ()
    read_only: ClassVar[tuple[str, ...]] = READ_ONLY_DEFAULT

    def __init__(self, session: Any, company_id: int) -> None:
        self.session = session
        self.company_id = company_id
        self.repo = self.repository(session, company_id)

    async def create_or_update(self, payload: BaseModel) -> M:
        """Create; or, when ``import_id`` names an existing object, update it (4.1)."""
        values = sent_values(payload)
        if values.get("import_id"):
            existing = await self.repo.find(import_id=values["import_id"])
            if existing is not None:
                return await self._update(existing, values)
        check_read_only(values, self.read_only, None)
        missing = [name for name in self.required if name not in values]
        if missing:
            raise ValidationProblem(
                "Required fields are missing.",
                errors={name: [f"{name} is required"] for name in missing},
            )
        obj = self.repository.model(company_id=self.company_id)
        await self._check_import_id(obj, values)
        await self.assign(obj, values, creating=True)
        return await self.repo.add(obj)

    async def update(self, object_id: int, payload: BaseModel) -> M:
        return await self._update(await self.repo.get(object_id), sent_values(payload))

    async def _update(self, obj: M, values: Mapping[str, Any]) -> M:
        check_read_only(values, self.read_only, obj)
        await self._check_import_id(obj, values)
        await self.assign(obj, values, creating=False)
        await self.session.flush()
        return obj

    async def _check_import_id(self, obj: M, values: Mapping[str, Any]) -> None:
        import_id = values.get("import_id")
        if import_id is None or import_id == getattr(obj, "import_id", None):
            return
        if await self.repo.find(import_id=import_id) is not None:
            raise BusinessRule.on("import_id", "import_id_taken", import_id=import_id)

    async def delete(self, object_id: int) -> M:
        obj = await self.repo.get(object_id)
        await self.check_deletable(obj)
        try:
            await self.repo.delete(obj)
        except IntegrityError as error:
            # A reference the hook did not know about; the database's RESTRICT caught it.
            raise CannotDelete(
                reason=f"The {type(obj).__name__.lower()} cannot be deleted because other "
                "records still reference it."
            ) from error
        return obj

    # -- hooks ----------------------------------------------------------------------
    async def assign(self, obj: M, values: Mapping[str, Any], *, creating: bool) -> None:
        apply_values(obj, values, self.fields)

    async def check_deletable(self, obj: M) -> None:
        """Raise ``CannotDelete`` (with a reason) while something still references ``obj``."""


def resource_router(
    *,
    path: str,
    tag: str,
    service: type[ResourceService],
    read: type[BaseModel],
    spec: ListSpec,
    reader: Any,
    create: type[BaseModel] | None = None,
    update: type[BaseModel] | None = None,
    writer: Any = None,
    read_only: bool = False,
) -> APIRouter:
    """The REST face of one resource. ``reader``/``writer`` are principal dependencies;
    ``read_only`` resources get only list and get."""
    router = APIRouter(prefix=path, tags=[tag], route_class=TransactionalRoute)
    one = TypeAdapter(read)
    many = TypeAdapter(list[read])
    singular = tag.rstrip("s").lower()
    article = "an" if singular[0] in "aeiou" else "a"
    errors_read = problem_responses(400, 401, 403, 404, 429, 500)
    errors_write = problem_responses(400, 401, 403, 404, 409, 413, 429, 500)

    def render(obj: Any, headers: dict[str, str] | None = None) -> Response:
        body = one.dump_json(one.validate_python(obj, from_attributes=True))
        return Response(body, media_type=JSON, headers=headers)

    only_language, only_ids = allow_parameters(), allow_parameters("ids")

    @router.get(
        "",
        response_model=list[read],
        summary=f"List {tag.lower()}",
        description="A JSON array, one page at a time. Pagination, sorting and filtering "
        "follow the API conventions; `Link` names the next, previous and first pages.",
        openapi_extra={"parameters": spec.openapi_parameters()},
        responses=errors_read,
        operation_id=f"list_{tag.lower()}",
    )
    async def list_objects(request: Request, session: Session, principal: reader) -> Response:
        query = spec.parse(request)
        page = await service.repository(session, principal.company_id).page(query)
        body = many.dump_json(many.validate_python(page.items, from_attributes=True))
        return Response(body, media_type=JSON, headers=page.headers(request.url))

    @router.get(
        "/{object_id}",
        response_model=read,
        summary=f"Get {article} {singular}",
        responses=errors_read,
        dependencies=[only_language],
        operation_id=f"get_{singular}",
    )
    async def get_object(object_id: ObjectId, session: Session, principal: reader) -> Response:
        return render(await service.repository(session, principal.company_id).get(object_id))

    if read_only:
        return router

    @router.post(
        "",
        response_model=read,
        summary=f"Create {article} {singular} (or update it by import_id)",
        description="Creates the object and answers 200 with it and its `Location`. When "
        "`import_id` names an object that exists, that object is updated instead "
        "(partial update), so a sync job can safely re-send.",
        responses=errors_write,
        dependencies=[only_language],
        operation_id=f"create_{singular}",
    )
    async def create_object(
        request: Request, session: Session, principal: writer, payload: create
    ) -> Response:
        obj = await service(session, principal.company_id).create_or_update(payload)
        location = f"{str(request.url.remove_query_params('language_code')).rstrip('/')}/{obj.id}"
        return render(obj, {"Location": location})

    async def update_object(
        object_id: ObjectId, session: Session, principal: writer, payload: update
    ) -> Response:
        obj = await service(session, principal.company_id).update(object_id, payload)
        return render(obj)

    for method in ("PUT", "PATCH"):
        router.add_api_route(
            "/{object_id}",
            update_object,
            methods=[method],
            response_model=read,
            summary=f"Update {article} {singular} ({method}: partial, like every update)",
            description="Only the members sent change; `null` is ignored; `\"\"` clears a "
            "text member; a list member sent becomes the whole list.",
            responses=errors_write,
            dependencies=[only_language],
            operation_id=f"{method.lower()}_{singular}",
        )

    @router.delete(
        "/{object_id}",
        response_model=read,
        summary=f"Delete {article} {singular}",
        responses={**errors_write, **problem_responses(422)},
        dependencies=[only_language],
        operation_id=f"delete_{singular}",
    )
    async def delete_object(object_id: ObjectId, session: Session, principal: writer) -> Response:
        return render(await service(session, principal.company_id).delete(object_id))

    result_model = bulk_result_model(read)

    @router.delete(
        "",
        response_model=result_model,
        summary=f"Delete up to {MAX_IDS} {tag.lower()} at once",
        description="Each id is deleted on its own: one failure does not stop the rest. "
        "Failures are listed in `errors` with their problem (404 code 2, 422 code 3).",
        responses=errors_write,
        dependencies=[only_ids],
        operation_id=f"bulk_delete_{tag.lower()}",
    )
    async def bulk_delete_objects(
        session: Session,
        principal: writer,
        ids: Annotated[
            str, Query(description=f"Comma-separated ids, at most {MAX_IDS}", examples=["12,42"])
        ],
    ) -> Response:
        work = service(session, principal.company_id)

        async def delete_one(object_id: int) -> Any:
            return one.dump_python(
                one.validate_python(await work.delete(object_id), from_attributes=True),
                mode="json",
            )

        result = await bulk_delete(session, parse_ids(ids), delete_one)
        return Response(TypeAdapter(dict).dump_json(result), media_type=JSON)

    return router
