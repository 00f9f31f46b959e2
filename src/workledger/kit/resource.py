"""One declaration per resource gives its whole REST face (DESIGN §4.1-§4.4).

A feature package declares a :class:`Resource`: its names (singular and plural, never
derived by string slicing), model, schemas, service, filters and sorts, its parent when it
is nested (``/v1/orders/{order_id}/lines/{line_id}``) and its actions
(``POST /v1/orders/{order_id}/deliver``). Everything else reads that one declaration: the
router (:meth:`Resource.router`), the listing spec, the contract test kit, the index check
and the docs table.

The request's path through a resource route::

    route (path ids checked) → principal (Reader/Writer) → service (parent loaded and
    locked, editable guard, references resolved, rules) → repository (tenant filter)
    → flush; the route class commits on success and rolls back on any error.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the real annotation
# objects of the endpoint closures below.

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, get_args, get_origin

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.exc import IntegrityError

from workledger.kit.body import (
    INVALID_LIST,
    ITEM_MISSING,
    ITEM_TWICE,
    apply_values,
    check_read_only,
    sent_values,
)
from workledger.kit.bulk import (
    IDS_PATTERN,
    MAX_IDS,
    bulk_answer,
    bulk_delete,
    bulk_result_model,
    parse_ids,
)
from workledger.kit.gates import plain_id
from workledger.kit.i18n import N_, Message
from workledger.kit.listing import ListSpec, language, query_check
from workledger.kit.problems import (
    CannotDelete,
    Conflict,
    NotFound,
    Problem,
    ValidationProblem,
    problem_responses,
)
from workledger.kit.repository import (
    RowReader,
    TenantRepository,
    rows_by_external_id,
    rows_by_id,
)
from workledger.kit.rules import BusinessRule, InvalidReference, Violation
from workledger.kit.session import TransactionalRoute, connection, get_session
from workledger.kit.urls import public_url

M = TypeVar("M")
MAX_ID = 2**63 - 1
READ_ONLY_DEFAULT = ("id", "created_at", "updated_at")
JSON = "application/json"
#: Every operation a resource can have; a declaration picks a subset.
#: A stale If-Match (409) and a row the database still finds referenced (422): no noun,
#: since a kind of object would need its gender in most languages.
CHANGED_SINCE_READ = N_("The resource changed since it was read: If-Match does not match "
                        "its current ETag. Read it again, then retry.")
STILL_REFERENCED = N_("It cannot be deleted: other records still reference it.")
OPERATIONS = ("list", "get", "create", "update", "delete", "bulk_delete")
READ_OPERATIONS = ("list", "get")


# -- names ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """How people and URLs name a resource: declared, because English plurals are not
    ``name + "s"`` (``equipment``, ``work order`` → ``work orders``)."""

    singular: str  # "work order"
    plural: str  # "work orders"
    #: The 404 detail, a whole sentence per resource so that each language can give the
    #: noun its gender and article: ``N_("No work order with id {id}.")``. Without one
    #: the detail stays English (tests' throwaway resources; tests/test_catalogues.py
    #: requires it of every resource the app mounts).
    missing: Message | None = None

    def not_found(self, object_id: object) -> str:
        """The 404 detail for ``object_id``, in the request's language."""
        if self.missing is None:
            return f"No {self.singular} with id {object_id}."
        return self.missing.say(id=object_id)

    @property
    def segment(self) -> str:
        """The collection's URL segment: lowercase, kebab-case (``work-orders``)."""
        return self.plural.replace(" ", "-")

    @property
    def param(self) -> str:
        """The element's path parameter (``work_order_id``)."""
        return f"{self.snake}_id"

    @property
    def snake(self) -> str:
        return self.singular.replace(" ", "_").replace("-", "_")

    @property
    def snake_plural(self) -> str:
        return self.plural.replace(" ", "_").replace("-", "_")

    @property
    def tag(self) -> str:
        return self.plural[:1].upper() + self.plural[1:]

    @property
    def article(self) -> str:
        return "an" if self.singular[:1] in "aeiou" else "a"


# -- declaration parts ----------------------------------------------------------------


@dataclass(frozen=True)
class Parent:
    """A nested resource's parent: ``column`` on the child holds the parent's id."""

    resource: "Resource"
    column: str


@dataclass(frozen=True)
class LinkSpec:
    """Where an external id finds the row it stands for: a table of the company's links
    (seed 000 "Company links", "Contact links") whose ``key`` column holds the caller's id
    and whose ``column`` holds ours.

    ``LinkSpec(CompanyLink, "supplier_id", noun="supplier", where=(("link_type",
    "supplier"),))``: only links of that type count, as the seed requires ("make sure the
    external ID exists in the company links with the correct link type"). ``noun`` words
    the violation: "No supplier link with external id 'X'.". Declared once per kind of
    link (``workledger.links.external``) and named by every :class:`Reference` that
    accepts it."""

    model: type
    column: str
    noun: str
    where: tuple[tuple[str, Any], ...] = ()
    key: str = "external_id"

    def matches(self, row: Any, external_id: str) -> bool:
        return getattr(row, self.key) == external_id and all(
            getattr(row, name) == value for name, value in self.where
        )


@dataclass(frozen=True)
class Reference:
    """A member that names another row of the same company (``supplier_id`` → Supplier).

    The kit resolves every reference of a body in one query per referenced table, list
    items included, before the service assigns anything; a missing row is a business rule
    (422 code 30) naming the member (``lines[2].item_id``).

    With ``external`` the body may name the row by the caller's own id instead
    (DESIGN §7): ``supplier_external_id`` beside ``supplier_id`` (the member's name with
    ``_id`` → ``_external_id``; the write schemas declare it, ``kit.types.ExternalId``).
    It is resolved through the link table in the same pass (one query per link table) and
    replaced in the body by the id it names, so ``assign`` only ever sees ids. An external
    id with no link of the right type is 422 code 30 naming the external member
    (``no_link``); both members sent, naming different rows, is a 400 naming both."""

    member: str
    model: type
    #: The violation's catalogued message id (kit.rules); default ``invalid_reference``
    #: ("Invalid Supplier Id", "Invalid Item Id").
    message: tuple[str, ...] = ()
    external: LinkSpec | None = None

    @property
    def external_member(self) -> str | None:
        """``supplier_id`` → ``supplier_external_id``; ``None`` without ``external``."""
        if self.external is None:
            return None
        return f"{self.member.removesuffix('_id')}_external_id"


@dataclass(frozen=True)
class ListField:
    """A list member of a body (``contacts``, ``lines``) whose items are rows of
    ``resource`` (a nested resource sharing its service) or of a plain child model."""

    member: str
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Action:
    """``POST /v1/<collection>/{id}/<verb>``: a change that is not CRUD.

    ``handler`` names the service method: ``async def deliver(self, obj, payload) ->
    Any``; it runs in the request's transaction with the object loaded and locked, after
    the editable guard when ``guarded``. ``request`` is the body model (``None``: no
    body); ``response`` the answer's model (default: the resource's read model)."""

    verb: str
    handler: str
    summary: str
    description: str = ""
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    #: Run the resource's editable guard before the handler.
    guarded: bool = False
    #: Business-rule codes the action can answer, for its OpenAPI description.
    rules: tuple[str, ...] = ()


# -- service --------------------------------------------------------------------------


class ResourceService(Generic[M]):
    """Create / update / delete with the shared body semantics; hooks for the rest.

    One service serves a resource's element and collection routes, its nested routes
    (with ``parent`` set to the parent row, loaded and locked) and the list field of the
    parent that holds the same rows, so every write path runs the same rules.
    """

    repository: ClassVar[type[TenantRepository]]
    #: Bound by the :class:`Resource` that declares this service.
    resource: ClassVar["Resource"]
    #: Scalar members a caller may set. Default: the update schema's members, less the
    #: read-only members and the list fields.
    fields: ClassVar[tuple[str, ...]]
    #: Members that must have a value when the object is created.
    required: ClassVar[tuple[str, ...]] = ()
    read_only: ClassVar[tuple[str, ...]] = READ_ONLY_DEFAULT
    #: Nested rows change only while the parent's ``guard`` allows it (an order's lines).
    #: ``False`` for rows that belong to the parent without being part of it: an order's
    #: invoice charges are added after it was delivered.
    guarded_by_parent: ClassVar[bool] = True

    def __init__(self, session: Any, company_id: int, *, parent: Any = None) -> None:
        self.session = session
        self.company_id = company_id
        self.parent = parent
        self.resolved: dict[str, dict[int, Any]] = {}
        scope = {}
        if parent is not None:
            scope[self.resource.parent.column] = parent.id
        self.repo = self.repository(session, company_id, **scope)

    # -- reads ----------------------------------------------------------------------
    async def get(self, object_id: int, *, for_update: bool = False) -> M:
        obj = await self.repo.get_or_none(object_id, for_update=for_update)
        if obj is None:
            raise NotFound(self.resource.names.not_found(object_id))
        return obj

    # -- writes ---------------------------------------------------------------------
    async def create_or_update(self, payload: BaseModel | Mapping[str, Any]) -> M:
        """Create; or, when ``import_id`` names an existing object, update it (4.1)."""
        values = sent_values(payload)
        if values.get("import_id"):
            # Two POSTs with one new import_id: the second waits for the first to commit,
            # then finds and updates what it created, instead of failing on the unique key.
            await self.repo.serialize("import_id", values["import_id"])
            existing = await self.repo.find(import_id=values["import_id"])
            if existing is not None:
                return await self._update(await self.get(existing.id, for_update=True), values)
        check_read_only(values, self.read_only, None)
        missing = [name for name in self.required if name not in values]
        if missing:
            raise ValidationProblem(
                N_("Required fields are missing.").in_language(),
                errors={name: [N_("{name} is required").say(name=name)] for name in missing},
            )
        if self.parent is not None and self.guarded_by_parent:
            await self.parent_service().guard(self.parent, "update")
        obj = self.new()
        await self._check_import_id(obj, values)
        self.resolved = await resolve_references(self.session, self.company_id,
                                                 self.resource, values)
        await self.assign(obj, values, creating=True)
        return await self.repo.add(obj)

    async def locked(self, object_id: int) -> M:
        """The row to change: locked until the transaction ends, and still the version
        the caller read when it sent ``If-Match`` (409 code 7 otherwise)."""
        obj = await self.get(object_id, for_update=True)
        if self.if_match is not None and "*" not in self.if_match \
                and etag(self.resource, obj) not in self.if_match:
            raise Conflict(CHANGED_SINCE_READ.in_language())
        return obj

    async def update(self, object_id: int, payload: BaseModel | Mapping[str, Any]) -> M:
        if self.parent is not None and self.guarded_by_parent:
            await self.parent_service().guard(self.parent, "update")
        obj = await self.locked(object_id)
        return await self._update(obj, sent_values(payload))

    async def _update(self, obj: M, values: Mapping[str, Any]) -> M:
        check_read_only(values, self.read_only, obj)
        await self.guard(obj, "update")
        await self._check_import_id(obj, values)
        self.resolved = await resolve_references(self.session, self.company_id,
                                                 self.resource, values)
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
        if self.parent is not None and self.guarded_by_parent:
            await self.parent_service().guard(self.parent, "update")
        obj = await self.locked(object_id)
        await self.guard(obj, "delete")
        await self.check_deletable(obj)
        try:
            await self.repo.delete(obj)
        except IntegrityError as error:
            # A reference the hook did not know about; the database's RESTRICT caught it.
            raise CannotDelete(
                reason=STILL_REFERENCED.in_language()
            ) from error
        return obj

    async def delete_many(self, ids: list[int]) -> tuple[dict[int, M], dict[int, Any]]:
        """Bulk delete as a set (kit.bulk): ``({id: deleted row}, {id: problem})``.

        The same checks as :meth:`delete`, each answered per id (404, If-Match, the
        editable guard, :meth:`check_deletable_many`, rows still referenced), in a
        constant number of statements: lock, read (with what the answer renders), one
        query per table that refers to these rows, then one ``DELETE`` in a savepoint.
        Should the database still refuse it (a reference that appeared meanwhile),
        the savepoint is rolled back and the rows go one by one as :meth:`delete`."""
        failed: dict[int, Any] = {}
        if self.parent is not None and self.guarded_by_parent:
            try:
                await self.parent_service().guard(self.parent, "update")
            except Problem as problem:
                return {}, dict.fromkeys(ids, problem)
        rows = await self.repo.get_many(ids, for_update=True)
        for object_id in ids:
            if object_id not in rows:
                failed[object_id] = NotFound(self.resource.names.not_found(object_id))
        candidates = []
        for object_id, obj in rows.items():
            try:
                if self.if_match is not None and "*" not in self.if_match \
                        and etag(self.resource, obj) not in self.if_match:
                    raise Conflict(CHANGED_SINCE_READ.in_language())
                await self.guard(obj, "delete")
            except Problem as problem:
                failed[object_id] = problem
                continue
            candidates.append(obj)
        failed.update(await self.check_deletable_many(candidates))
        referenced = await self.repo.referenced(
            [obj.id for obj in candidates if obj.id not in failed])
        for object_id in referenced:
            failed[object_id] = CannotDelete(reason=STILL_REFERENCED.in_language())
        doomed = [obj for obj in candidates if obj.id not in failed]
        if not doomed:
            return {}, failed
        try:
            async with self.session.begin_nested():
                await self.repo.delete_ids([obj.id for obj in doomed])
        except IntegrityError:
            deleted: dict[int, M] = {}
            for obj in doomed:
                savepoint = await self.session.begin_nested()
                try:
                    deleted[obj.id] = await self.delete(obj.id)
                    await self.session.flush()
                except Problem as problem:
                    await savepoint.rollback()
                    failed[obj.id] = problem
                    continue
                await savepoint.commit()
            return deleted, failed
        return {obj.id: obj for obj in doomed}, failed

    async def check_deletable_many(self, objs: Sequence[M]) -> dict[int, Any]:
        """``{id: problem}`` for those of ``objs`` that may not be deleted. By default
        :meth:`check_deletable` for each; a resource whose check queries may answer for
        the whole set at once here."""
        failed: dict[int, Any] = {}
        for obj in objs:
            try:
                await self.check_deletable(obj)
            except Problem as problem:
                failed[obj.id] = problem
        return failed

    async def act(self, action: Action, object_id: int, payload: BaseModel | None) -> Any:
        if self.parent is not None and action.guarded and self.guarded_by_parent:
            await self.parent_service().guard(self.parent, "update")
        obj = await self.locked(object_id)
        if action.guarded:
            await self.guard(obj, "update")
        result = await getattr(self, action.handler)(obj, payload)
        await self.session.flush()
        return result

    def new(self) -> M:
        """A new, unsaved row of this company (and of the parent, when nested)."""
        obj = self.repository.model(company_id=self.company_id)
        if self.parent is not None:
            setattr(obj, self.resource.parent.column, self.parent.id)
        return obj

    def parent_service(self) -> "ResourceService":
        return self.resource.parent.resource.service(self.session, self.company_id)

    async def sync_children(
        self, obj: M, member: str, incoming: Sequence[Any], service: type["ResourceService"]
    ) -> None:
        """The list-replace rule (4.2) for a list field whose items are the rows of a
        nested resource (``lines`` of an order): the child service assigns each item, so
        the list field and the nested routes run the same rules. Items with a stored
        ``id`` are updated, items without one created, the rest dropped (the
        relationship's delete-orphan cascade deletes them)."""
        child = service(self.session, self.company_id, parent=obj)
        child.resolved = self.resolved  # list items' references were resolved with the body
        existing = {row.id: row for row in getattr(obj, member)}
        result, seen, errors = [], set(), {}
        for index, raw in enumerate(incoming):
            values = sent_values(raw)
            child.where = f"{member}[{index}]."
            item_id = values.get("id")
            if item_id is None:
                check_read_only(values, child.read_only, None, prefix=child.where)
                row = child.new()
                await child.assign(row, values, creating=True)
            elif item_id not in existing:
                errors[f"{child.where}id"] = [ITEM_MISSING.say(member=member, id=item_id)]
                continue
            elif item_id in seen:
                errors[f"{child.where}id"] = [ITEM_TWICE.say(member=member, id=item_id)]
                continue
            else:
                seen.add(item_id)
                row = existing[item_id]
                check_read_only(values, child.read_only, row, prefix=child.where)
                await child.assign(row, values, creating=False)
            result.append(row)
        if errors:
            raise ValidationProblem(INVALID_LIST.say(member=member), errors=errors)
        setattr(obj, member, result)

    # -- hooks ----------------------------------------------------------------------
    #: Rows the body's references resolved to: ``{member: {id: row}}`` (see Reference).
    resolved: dict[str, dict[int, Any]]
    #: Prefix of member names in errors: ``"lines[2]."`` while assigning a list item.
    where: str = ""
    #: The entity tags of ``If-Match`` (``None``: not sent): a write applies only to the
    #: version the caller read.
    if_match: frozenset[str] | None = None

    async def assign(self, obj: M, values: Mapping[str, Any], *, creating: bool) -> None:
        apply_values(obj, values, self.fields)

    async def guard(self, obj: M, operation: Literal["update", "delete"]) -> None:
        """Raise a business rule while ``obj`` may not be changed (an order that is being
        prepared: 3026; delivered: 3025). Every write path runs it: element routes, bulk
        delete, actions marked ``guarded``, and nested routes and list fields through
        their parent's guard."""

    async def check_deletable(self, obj: M) -> None:
        """Raise ``CannotDelete`` (with a reason) while something still references ``obj``."""


async def resolve_references(
    session: Any, company_id: int, resource: "Resource", values: dict[str, Any]
) -> dict[str, dict[int, Any]]:
    """Load every row a body refers to, one query per referenced table (and per link
    table), list items included; 422 code 30 naming each member whose id or external id
    is not one of this company's, 400 naming both members where an id and an external id
    disagree. Each external id is replaced in ``values`` (and in its list item) by the id
    it names. Answers ``{member: {id: row}}``."""
    # (reference, the member's path prefix, the mapping that holds it)
    holders: list[tuple[Reference, str, Any]] = [(r, "", values) for r in resource.references]
    for list_field in resource.list_fields:
        for index, item in enumerate(values.get(list_field.member) or ()):
            for reference in list_field.references:
                holders.append((reference, f"{list_field.member}[{index}].", item))

    violations: list[Violation] = []
    linked = await _resolve_external_ids(session, company_id, holders, violations)
    places: list[tuple[Reference, str, int]] = []
    for reference, prefix, holder in holders:
        value = _member(holder, reference.member)
        if isinstance(value, int) and not isinstance(value, bool):
            path = f"{prefix}{reference.member}"
            # Named by its external id: a missing row is reported under that member.
            places.append((reference, linked.get(path, path), value))
    wanted: dict[type, set[int]] = {}
    for reference, _member_path, value in places:
        wanted.setdefault(reference.model, set()).add(value)
    found = {model: await rows_by_id(session, company_id, model, ids)
             for model, ids in wanted.items()}
    violations += [
        Violation(member, *reference.message)
        for reference, member, value in places
        if value not in found[reference.model]
    ]
    if violations:
        raise InvalidReference(*violations)
    resolved: dict[str, dict[int, Any]] = {}
    for reference, _member_path, value in places:
        resolved.setdefault(reference.member, {})[value] = found[reference.model][value]
    return resolved


async def _resolve_external_ids(
    session: Any, company_id: int, holders: list[tuple[Reference, str, Any]],
    violations: list[Violation],
) -> dict[str, str]:
    """Replace each external id in ``holders`` by the id its link names (one query per
    link table); append a violation for each that has no link. Answers the id members
    that came from an external id: ``{"lines[0].supplier_id":
    "lines[0].supplier_external_id"}``."""
    wanted: dict[tuple[type, str], set[str]] = {}
    sent: list[tuple[Reference, str, Any, str]] = []
    for reference, prefix, holder in holders:
        if reference.external is None:
            continue
        external_id = _member(holder, reference.external_member)
        if isinstance(external_id, str):
            sent.append((reference, prefix, holder, external_id))
            spec = reference.external
            wanted.setdefault((spec.model, spec.key), set()).add(external_id)
    if not sent:
        return {}
    links = {(model, key): await rows_by_external_id(session, company_id, model, ids, key)
             for (model, key), ids in wanted.items()}
    errors: dict[str, list[str]] = {}
    linked: dict[str, str] = {}
    for reference, prefix, holder, external_id in sent:
        spec, external_member = reference.external, reference.external_member
        candidates = links[(spec.model, spec.key)]
        link = next((row for row in candidates if spec.matches(row, external_id)), None)
        if link is None:
            violations.append(Violation(f"{prefix}{external_member}", "no_link",
                                        link_type=spec.noun, external_id=external_id))
            continue
        target = getattr(link, spec.column)
        given = _member(holder, reference.member)
        if given is not None and given != target:
            # Member names and values only: a kind of object ("supplier") would need
            # its gender in most languages.
            values = {"member": reference.member, "given": given, "target": target,
                      "external_member": external_member, "external_id": external_id}
            errors[f"{prefix}{reference.member}"] = [N_(
                "{member} {given} is not what {external_member} '{external_id}' names: "
                "send one of the two").say(**values)]
            errors[f"{prefix}{external_member}"] = [N_(
                "{external_member} '{external_id}' names {target}, not {member} {given}"
            ).say(**values)]
            continue
        _set_member(holder, reference.member, target)
        linked[f"{prefix}{reference.member}"] = f"{prefix}{external_member}"
    if errors:
        raise ValidationProblem(
            N_("An id and an external id name different objects.").in_language(),
            errors=errors)
    return linked


def _member(holder: Any, name: str) -> Any:
    if isinstance(holder, BaseModel):
        return getattr(holder, name, None)
    return holder.get(name) if isinstance(holder, Mapping) else None


def _set_member(holder: Any, name: str, value: Any) -> None:
    if isinstance(holder, BaseModel):
        setattr(holder, name, value)  # marks it as set: sent_values() sees it
    else:
        holder[name] = value


# -- the declaration --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Resource:
    names: Names
    model: type
    read: type[BaseModel]
    service: type[ResourceService]
    reader: Any
    writer: Any = None
    create: type[BaseModel] | None = None
    update: type[BaseModel] | None = None
    #: Filterable members. A sequence takes each member's type from the model's column
    #: (or the read schema's ``Literal`` of strings); a mapping names types where needed.
    filters: Sequence[str] | Mapping[str, Any] = ()
    sorts: Sequence[str] = ()
    parent: Parent | None = None
    references: tuple[Reference, ...] = ()
    list_fields: tuple[ListField, ...] = ()
    actions: tuple[Action, ...] = ()
    #: Which of OPERATIONS the resource offers; default: all when it has a create
    #: schema, otherwise list and get.
    operations: tuple[str, ...] | None = None
    #: Put into every operation id (``"order_"`` → ``list_order_invoice_charges``) when
    #: the same rows are also served elsewhere under the same names: ids must be unique.
    operation_scope: str = ""
    spec: ListSpec = field(init=False)
    adapter: TypeAdapter = field(init=False)

    def __post_init__(self) -> None:
        filters = self.filters
        if not isinstance(filters, Mapping):
            filters = dict.fromkeys(filters)
        filters = {name: kind or filter_type(self.model, self.read, name)
                   for name, kind in filters.items()}
        object.__setattr__(self, "spec", ListSpec(self.model, filters, tuple(self.sorts)))
        object.__setattr__(self, "adapter", TypeAdapter(self.read))
        if self.operations is None:
            chosen = OPERATIONS if self.create is not None else READ_OPERATIONS
            object.__setattr__(self, "operations", chosen)
        unknown = set(self.operations) - set(OPERATIONS)
        if unknown:
            raise ValueError(f"{self.names.plural}: unknown operations {unknown}")
        for schema in (self.create, self.update):
            missing = [r.external_member for r in self.references
                       if r.external and schema and r.external_member not in schema.model_fields]
            if missing:
                raise TypeError(f"{self.names.plural}: {schema.__name__} must declare "
                                f"{missing} (their references accept external ids)")
        self.service.resource = self
        if "fields" not in vars(self.service):
            self.service.fields = editable_fields(self)
        self.service.repository.noun = self.names.singular
        self.service.repository.names = self.names
        if self.parent is not None:
            self.service.repository.parent_column = self.parent.column
        REGISTRY.append(self)

    # -- paths ------------------------------------------------------------------------
    @property
    def collection_path(self) -> str:
        if self.parent is None:
            return f"/{self.names.segment}"
        return f"{self.parent.resource.element_path}/{self.names.segment}"

    @property
    def element_path(self) -> str:
        return f"{self.collection_path}/{{{self.names.param}}}"

    @property
    def path_params(self) -> tuple[str, ...]:
        """The ids in the element path, outermost first (``order_id``, ``line_id``)."""
        own = (self.names.param,)
        return own if self.parent is None else (*self.parent.resource.path_params, *own)

    def router(self, prefix: str = "/v1") -> APIRouter:
        return build_router(self, prefix)


#: Every declared resource, in declaration order (read by tests and docs).
REGISTRY: list[Resource] = []


def editable_fields(resource: Resource) -> tuple[str, ...]:
    schema = resource.update or resource.create
    if schema is None:
        return ()
    skip = {*READ_ONLY_DEFAULT, *resource.service.read_only,
            *(f.member for f in resource.list_fields),
            # Resolved into the id member before assign (resolve_references).
            *(r.external_member for r in resource.references if r.external)}
    return tuple(name for name in schema.model_fields if name not in skip)


def filter_type(model: type, read: type[BaseModel], name: str) -> Any:
    """The Python type a filter's values parse to: a ``Literal`` of strings from the read
    schema (so ``kind=bogus`` is a 400 naming the allowed values), else the column's."""
    info = read.model_fields.get(name)
    annotation = info.annotation if info is not None else None
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Literal and all(isinstance(v, str) for v in get_args(annotation)):
        return annotation
    column_type = getattr(model, name).property.columns[0].type
    python_type = getattr(column_type, "impl", column_type).python_type
    if python_type not in (int, str, bool, datetime, date, Decimal):
        raise TypeError(f"{model.__name__}.{name}: declare the filter's type")
    return python_type


# -- entity tags ------------------------------------------------------------------------


def etag_of(body: bytes) -> str:
    """A strong entity tag of one rendered representation: equal bodies, equal tags."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag(resource: "Resource", obj: Any) -> str:
    adapter = resource.adapter
    return etag_of(adapter.dump_json(adapter.validate_python(obj, from_attributes=True)))


def entity_tags(header: str | None) -> frozenset[str] | None:
    """The tags of ``If-Match`` / ``If-None-Match``: ``*`` or quoted tags; a weak tag
    (``W/"..."``) never matches ours, which are strong (RFC 9110 §13.1.1)."""
    if header is None:
        return None
    tags = {part.strip() for part in header.split(",")}
    return frozenset(
        tag for tag in tags if tag == "*" or (len(tag) > 1 and tag[0] == tag[-1] == '"')
    )


# -- the router -------------------------------------------------------------------------


def deletes_as_a_set(resource: Resource) -> bool:
    """Whether a bulk delete of ``resource`` may run as a set (ResourceService.delete_many):
    its deletion runs no code of its own (``delete``, ``locked``, ``get`` as the kit's; no
    ORM delete events) and everything the ORM would delete or change with a row the
    database does itself (children by ``ON DELETE CASCADE``; no association tables)."""
    from sqlalchemy import inspect as sa_inspect

    service, repository = resource.service, resource.service.repository
    if any(getattr(service, name) is not getattr(ResourceService, name)
           for name in ("delete", "locked", "get")):
        return False
    if any(getattr(repository, name) is not getattr(TenantRepository, name)
           for name in ("delete", "get_or_none", "readable")):
        return False
    return _database_cascades(sa_inspect(resource.model), set())


def _database_cascades(mapper: Any, seen: set) -> bool:
    """Whether deleting a row of ``mapper`` in SQL does what the ORM's delete does: no
    delete events, no association tables, and every one-to-many (and theirs, down the
    tree) removed by the database's ``ON DELETE CASCADE``."""
    if mapper in seen:
        return True
    seen.add(mapper)
    if mapper.dispatch.before_delete or mapper.dispatch.after_delete:
        return False
    table = mapper.local_table
    for relationship in mapper.relationships:
        if relationship.secondary is not None:
            return False
        if relationship.direction.name != "ONETOMANY":
            continue
        child = relationship.mapper.local_table
        cascades = [fk.ondelete for fk in child.foreign_key_constraints
                    if fk.referred_table is table]
        if not cascades or any((c or "").upper() != "CASCADE" for c in cascades):
            return False
        if not _database_cascades(relationship.mapper, seen):
            return False
    return True


def path_id(request: Request, name: str) -> int:
    """A path id as the caller wrote it: plain ASCII digits without leading zeros, in
    the id range. ``/v1/customers/%201``, ``/1.0`` and ``/00001`` are not object 1."""
    value = plain_id(request.path_params[name])
    if value is None:
        raise ValidationProblem.single(
            name, N_("{name} must be a positive integer id").say(name=name))
    return value


def _id_parameters(names: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
         "description": f"The {name.removesuffix('_id').replace('_', ' ')}'s id"}
        for name in names
    ]


HEADER_LOCATION = {"Location": {"description": "The URL of the object created or updated",
                                "schema": {"type": "string", "format": "uri"}}}
HEADER_ETAG = {"ETag": {"description": "The entity tag of this version of the object: send "
                        "it back in `If-Match` to change only that version",
                        "schema": {"type": "string"}}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "schema": {"type": "string"},
            "description": "Apply only if the object still has this `ETag` (409 code 7 "
            "otherwise): a read-modify-write that cannot overwrite another client's change."}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False,
                 "schema": {"type": "string"},
                 "description": "Answer 304 with no body when the object still has this "
                 "`ETag`."}
HEADER_LIST = {
    "Link": {"description": "RFC 8288 links to the `next`, `prev`, `first` (and, with "
             "`total=true`, `last`) pages", "schema": {"type": "string"}},
    "X-Total-Count": {"description": "The number of matching rows; sent with `total=true`",
                      "schema": {"type": "integer"}},
}


def build_router(resource: Resource, prefix: str) -> APIRouter:
    names = resource.names
    # The full path on every route (no include prefix): the rate limiter keys on it.
    router = APIRouter(prefix=prefix, tags=[names.tag], route_class=TransactionalRoute,
                       )
    one = TypeAdapter(resource.read)
    many = TypeAdapter(list[resource.read])
    service_class = resource.service
    reader, writer = resource.reader, resource.writer or resource.reader
    parent = resource.parent
    collection, element = resource.collection_path, resource.element_path
    parent_params = resource.path_params[:-1]
    own_param = names.param
    errors_read = problem_responses(400, 401, 403, 404, 429, 500)
    errors_write = problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 500)
    within = f" of one {parent.resource.names.singular}" if parent else ""
    # One dependency checks the query string (language_code, nothing unknown), one
    # authenticates: FastAPI resolves each on every call (DESIGN §5). The session is
    # opened in the endpoint, when it needs one.
    only_language, only_ids = query_check(), query_check("ids")
    operations = resource.operations
    scope = resource.operation_scope
    # Reads straight from rows where the answer is plain columns (kit.repository).
    rows = RowReader.for_resource(resource)

    def render(obj: Any, headers: dict[str, str] | None = None, *, tagged: bool = True,
               request: Request | None = None) -> Response:
        body = one.dump_json(one.validate_python(obj, from_attributes=True))
        if not tagged:
            return Response(body, media_type=JSON, headers=headers)
        tag = etag_of(body)
        if request is not None:
            unchanged = entity_tags(request.headers.get("if-none-match"))
            if unchanged and ("*" in unchanged or tag in unchanged):
                return Response(status_code=304, headers={"ETag": tag})
        return Response(body, media_type=JSON, headers={**(headers or {}), "ETag": tag})

    async def service_for(
        request: Request, session: Any, principal: Any, *, lock_parent: bool
    ) -> ResourceService:
        """The service, with the parent row loaded (404 when it is not the caller's) and,
        for writes, locked, so that a child never changes under a concurrent parent
        action."""
        parent_row = None
        if parent is not None:
            ids = [path_id(request, name) for name in parent_params]
            parent_row = await _load_parent(request, session, principal, parent, ids,
                                            lock=lock_parent)
        service = service_class(session, principal.company_id, parent=parent_row)
        service.if_match = entity_tags(request.headers.get("if-match"))
        return service

    def extra(params: Iterable[str], more: list[dict[str, Any]] | None = None) -> dict:
        return {"parameters": [*_id_parameters(params), *(more or [])]}

    if "list" in operations:
        @router.get(
            collection,
            response_model=list[resource.read],
            summary=f"List {names.plural}{within}",
            description="A JSON array, one page at a time. Pagination, sorting and filtering "
            "follow the API conventions; `Link` names the next, previous and first pages.",
            openapi_extra=extra(parent_params, resource.spec.openapi_parameters()),
            responses={200: {"description": "A page of objects", "headers": HEADER_LIST},
                       **errors_read},
            dependencies=[language],
            operation_id=f"list_{scope}{names.snake_plural}",
        )
        async def list_objects(request: Request, principal: reader) -> Response:
            query = resource.spec.parse(request)
            if rows is not None:
                page = await rows.page(await connection(request), principal.company_id, query)
                body = many.dump_json(many.validate_python(page.items))
                return Response(body, media_type=JSON, headers=page.headers(public_url(request)))
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=False)
            page = await service.repo.page(query)
            body = many.dump_json(many.validate_python(page.items, from_attributes=True))
            return Response(body, media_type=JSON, headers=page.headers(public_url(request)))

    if "get" in operations:
        @router.get(
            element,
            response_model=resource.read,
            summary=f"Get {names.article} {names.singular}",
            responses={200: {"description": "The object", "headers": HEADER_ETAG},
                       304: {"description": "Not modified: `If-None-Match` names the "
                             "current `ETag`", "headers": HEADER_ETAG},
                       **errors_read},
            dependencies=[only_language],
            openapi_extra=extra(resource.path_params, [IF_NONE_MATCH]),
            operation_id=f"get_{scope}{names.snake}",
        )
        async def get_object(request: Request, principal: reader) -> Response:
            if rows is not None:
                object_id = path_id(request, own_param)
                data = await rows.one(await connection(request), principal.company_id,
                                      object_id)
                if data is None:
                    raise NotFound(names.not_found(object_id))
                return render(data, request=request)
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=False)
            return render(await service.get(path_id(request, own_param)), request=request)

    if "create" in operations:
        create_model = resource.create

        @router.post(
            collection,
            response_model=resource.read,
            summary=f"Create {names.article} {names.singular}"
            + (" (or update it by import_id)" if "import_id" in create_model.model_fields
               else ""),
            description="Creates the object and answers 200 with it and its `Location`."
            + (" When `import_id` names an object that exists, that object is updated "
               "instead (partial update), so a sync job can safely re-send."
               if "import_id" in create_model.model_fields else ""),
            responses={200: {"description": "The object",
                             "headers": {**HEADER_LOCATION, **HEADER_ETAG}},
                       **errors_write},
            dependencies=[only_language],
            openapi_extra=extra(parent_params),
            operation_id=f"create_{scope}{names.snake}",
        )
        async def create_object(
            request: Request, principal: writer, payload: create_model
        ) -> Response:
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=True)
            obj = await service.create_or_update(payload)
            location = str(public_url(request).replace(query="")).rstrip("/") + f"/{obj.id}"
            return render(obj, {"Location": location})

    if "update" in operations:
        update_model = resource.update

        async def update_object(
            request: Request, principal: writer, payload: update_model
        ) -> Response:
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=True)
            return render(await service.update(path_id(request, own_param), payload))

        for method in ("PUT", "PATCH"):
            router.add_api_route(
                element,
                update_object,
                methods=[method],
                response_model=resource.read,
                summary=f"Update {names.article} {names.singular} "
                f"({method}: partial, like every update)",
                description="Only the members sent change; `null` is ignored; `\"\"` clears "
                "a text member; a list member sent becomes the whole list.",
                responses={200: {"description": "The object", "headers": HEADER_ETAG},
                           **errors_write},
                dependencies=[only_language],
                openapi_extra=extra(resource.path_params, [IF_MATCH]),
                operation_id=f"{'replace' if method == 'PUT' else 'update'}_{scope}{names.snake}",
            )

    if "delete" in operations:
        @router.delete(
            element,
            response_model=resource.read,
            summary=f"Delete {names.article} {names.singular}",
            responses=errors_write,
            dependencies=[only_language],
            openapi_extra=extra(resource.path_params, [IF_MATCH]),
            operation_id=f"delete_{scope}{names.snake}",
        )
        async def delete_object(request: Request, principal: writer) -> Response:
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=True)
            return render(await service.delete(path_id(request, own_param)), tagged=False)

    if "bulk_delete" in operations:
        result_model = bulk_result_model(resource.read)
        set_based = deletes_as_a_set(resource)

        @router.delete(
            collection,
            response_model=result_model,
            summary=f"Delete up to {MAX_IDS} {names.plural} at once",
            description="Each id is deleted on its own: one failure does not stop the rest. "
            "Failures are listed in `errors` with their problem (404 code 2, 422 code 3).",
            responses=errors_write,
            dependencies=[only_ids],
            openapi_extra=extra(parent_params),
            operation_id=f"bulk_delete_{scope}{names.snake_plural}",
        )
        async def bulk_delete_objects(
            request: Request,
            principal: writer,
            ids: Annotated[
                str, Query(description=f"Comma-separated ids, at most {MAX_IDS}",
                           examples=["12,42"],
                           # Documented, not enforced here: parse_ids gives the clearer 400.
                           json_schema_extra={"pattern": IDS_PATTERN})
            ],
        ) -> Response:
            session = await get_session(request)
            work = await service_for(request, session, principal, lock_parent=True)
            wanted = parse_ids(ids)

            def dumped(obj: Any) -> Any:
                return one.dump_python(one.validate_python(obj, from_attributes=True),
                                       mode="json")

            if set_based:
                deleted, failed = await work.delete_many(wanted)
                result = bulk_answer(wanted, {i: dumped(o) for i, o in deleted.items()},
                                     failed)
            else:
                async def delete_one(object_id: int) -> Any:
                    return dumped(await work.delete(object_id))

                result = await bulk_delete(session, wanted, delete_one)
            return Response(TypeAdapter(dict).dump_json(result), media_type=JSON)

    for action in resource.actions:
        _add_action(router, resource, action, service_for, writer, errors_write)

    return router


def _add_action(router, resource, action, service_for, writer, errors) -> None:
    names = resource.names
    response_model = action.response or resource.read
    answer = TypeAdapter(response_model)
    own_param = names.param
    rules = f" Business rules: {', '.join(action.rules)}." if action.rules else ""

    def rendered(result: Any) -> Response:
        body = answer.dump_json(answer.validate_python(result, from_attributes=True))
        return Response(body, media_type=JSON)

    if action.request is None:
        async def run(request: Request, principal: writer) -> Response:
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=True)
            return rendered(await service.act(action, path_id(request, own_param), None))
    else:
        request_model = action.request

        async def run(  # type: ignore[misc]
            request: Request, principal: writer,
            payload: request_model | None = None,
        ) -> Response:
            session = await get_session(request)
            service = await service_for(request, session, principal, lock_parent=True)
            return rendered(await service.act(action, path_id(request, own_param), payload))

    router.add_api_route(
        f"{resource.element_path}/{action.verb}",
        run,
        methods=["POST"],
        response_model=response_model,
        summary=action.summary,
        description=(action.description + rules).strip(),
        responses=errors,
        dependencies=[query_check()],
        openapi_extra={"parameters": [*_id_parameters(resource.path_params), IF_MATCH]},
        operation_id=f"{action.verb.replace('-', '_')}_{resource.operation_scope}{names.snake}",
    )


async def _load_parent(
    request: Request, session: Any, principal: Any, parent: Parent, ids: list[int], *, lock: bool
) -> Any:
    """The parent row for ``ids`` (outermost first), each level scoped by the one above."""
    chain: list[Resource] = []
    level: Resource | None = parent.resource
    while level is not None:
        chain.insert(0, level)
        level = level.parent.resource if level.parent else None
    row = None
    for depth, (level_resource, object_id) in enumerate(zip(chain, ids, strict=True)):
        service = level_resource.service(session, principal.company_id, parent=row)
        is_last = depth == len(chain) - 1
        row = await service.get(object_id, for_update=lock and is_last)
    return row


