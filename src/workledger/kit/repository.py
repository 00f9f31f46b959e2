"""The base of every tenant-owned repository (DESIGN §2: queries live in repositories).

Every query starts from :meth:`TenantRepository.readable`, the one statement that
filters by ``company_id`` (and, for a nested resource, by its parent). Nothing else
filters by tenant, and another company's row is simply not found (404, no existence
leak).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import BigInteger, Column, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.listing import ListQuery, Page
from workledger.kit.problems import NotFound

M = TypeVar("M")


class TenantRepository(Generic[M]):
    model: ClassVar[type]
    #: What a person calls one row ("work order"); bound by the resource declaration.
    noun: ClassVar[str] = "object"
    #: The resource's names (kit.resource.Names), bound with ``noun``: its 404 detail.
    names: ClassVar[Any] = None
    #: For a nested resource: the column holding the parent's id (bound by the resource).
    parent_column: ClassVar[str | None] = None
    #: Loader options for the relationships a resource renders (they are lazy="raise"):
    #: ``load_options`` for pages of rows (selectin: one more query per page),
    #: ``one_options`` for a single row (joined: the same single round trip).
    load_options: ClassVar[tuple[Any, ...]] = ()
    one_options: ClassVar[tuple[Any, ...] | None] = None

    def __init__(self, session: AsyncSession, company_id: int, **parent: int) -> None:
        self.session = session
        self.company_id = company_id
        #: ``{parent_column: parent_id}`` when the rows are scoped by a parent row.
        self.parent = parent

    def readable(self) -> Select:
        statement = select(self.model).where(self.model.company_id == self.company_id)
        for column, value in self.parent.items():
            statement = statement.where(getattr(self.model, column) == value)
        return statement

    def listed(self) -> Select:
        return self.readable().options(*self.load_options)

    async def _first(self, statement: Select) -> M | None:
        options = self.load_options if self.one_options is None else self.one_options
        return (await self.session.scalars(statement.options(*options))).unique().first()

    async def get_or_none(self, object_id: int, *, for_update: bool = False) -> M | None:
        """The row, or ``None``. ``for_update`` locks it until the transaction ends
        (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are already
        exclusive), so a read-check-write cannot interleave with another writer."""
        statement = self.readable().where(self.model.id == object_id)
        if for_update:
            # Lock the row alone first, then read it and its children in a statement of
            # their own: under READ COMMITTED a statement that waited for a lock re-reads
            # the locked row but not the rows it joined, so children loaded with the lock
            # could be the ones a concurrent writer just replaced. populate_existing:
            # refresh what the identity map holds from before the lock.
            locked = await self.session.scalar(
                self.readable().with_only_columns(self.model.id)
                .where(self.model.id == object_id).with_for_update()
            )
            if locked is None:
                return None
            statement = statement.execution_options(populate_existing=True)
        return await self._first(statement)

    async def get_many(self, ids: Sequence[int], *, for_update: bool = False) -> dict[int, M]:
        """``{id: row}`` of those ``ids`` that are readable here, with what the resource
        renders; ``for_update`` locks them first, as :meth:`get_or_none` does one row."""
        if not ids:
            return {}
        if for_update:
            # In id order, so that two bulk deletes over overlapping ids take their row
            # locks in the same order whatever plan PostgreSQL picks: no deadlock.
            await self.session.execute(
                self.readable().with_only_columns(self.model.id)
                .where(self.model.id.in_(ids)).order_by(self.model.id).with_for_update()
            )
        statement = self.listed().where(self.model.id.in_(ids))
        if for_update:
            statement = statement.execution_options(populate_existing=True)
        return {row.id: row for row in (await self.session.scalars(statement)).unique()}

    async def referenced(self, ids: Sequence[int]) -> set[int]:
        """Those of ``ids`` that a row of another table still refers to through a
        foreign key the database would refuse to break (not ``ON DELETE CASCADE``):
        one query per such table, whatever the number of ids."""
        if not ids:
            return set()
        found: set[int] = set()
        for child, column in _restricting_references(self.model.__table__):
            statement = select(column).distinct().where(column.in_(ids))
            if "company_id" in child.c:
                statement = statement.where(child.c.company_id == self.company_id)
            found.update((await self.session.execute(statement)).scalars())
        return found

    async def delete_ids(self, ids: Sequence[int]) -> None:
        """Delete these rows in one statement (children go by ``ON DELETE CASCADE``)."""
        table = self.model.__table__
        await self.session.execute(
            delete(table).where(table.c.company_id == self.company_id, table.c.id.in_(ids))
        )

    async def serialize(self, *key: str | int) -> None:
        """Make concurrent transactions that pass the same ``key`` run one after the
        other from here on (until this one ends): a transaction-scoped advisory lock on
        PostgreSQL, for check-then-insert sequences that no row lock can cover (two POSTs
        with one new ``import_id``). SQLite needs nothing: its writers already hold the
        database's write lock from their first statement."""
        if self.session.bind.dialect.name != "postgresql":
            return
        text_key = ":".join(str(part) for part in (self.model.__tablename__, self.company_id,
                                                   *key))
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(text_key, 0)))
        )

    async def get(self, object_id: int, *, for_update: bool = False) -> M:
        obj = await self.get_or_none(object_id, for_update=for_update)
        if obj is None:
            raise NotFound(self.names.not_found(object_id) if self.names is not None
                           else f"No {self.noun} with id {object_id}.")
        return obj

    async def find(self, **equals: Any) -> M | None:
        return await self._first(self.readable().filter_by(**equals))

    async def exists(self, object_id: int) -> bool:
        statement = self.readable().with_only_columns(self.model.id).where(
            self.model.id == object_id
        )
        return (await self.session.scalar(statement)) is not None

    async def page(self, query: ListQuery) -> Page:
        return await query.fetch(self.session, self.listed())

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)
        await self.session.flush()


def _restricting_references(table: Any) -> list[tuple[Any, Any]]:
    """``[(table, column)]``: the columns of other tables that refer to ``table``'s id by
    a foreign key without ``ON DELETE CASCADE`` (kit.db.tenant_reference: the column
    besides ``company_id``)."""
    found = _REFERENCES.get(table)
    if found is None:
        found = []
        for other in table.metadata.tables.values():
            for fk in other.foreign_key_constraints:
                if fk.referred_table is not table or (fk.ondelete or "").upper() == "CASCADE":
                    continue
                columns = [element.parent for element in fk.elements
                           if element.column.name == "id"]
                if len(columns) == 1:
                    found.append((other, columns[0]))
        _REFERENCES[table] = found
    return found


_REFERENCES: dict[Any, list[tuple[Any, Any]]] = {}


async def rows_by_id(session: AsyncSession, company_id: int, model: type, ids: set[int]) -> dict:
    """``{id: row}`` for those of ``ids`` that are rows of ``model`` in this company: one
    query however many ids (references of a whole body are resolved with it)."""
    if not ids:
        return {}
    statement = select(model).where(model.company_id == company_id, model.id.in_(ids))
    return {row.id: row for row in (await session.scalars(statement)).all()}


async def rows_by_external_id(
    session: AsyncSession, company_id: int, model: type, external_ids: set[str],
    key: str = "external_id",
) -> list:
    """The rows of the link table ``model`` in this company whose ``key`` column is one
    of ``external_ids``: one query however many (a link table may hold one external id
    once per link type, so the caller picks the row of the type it needs)."""
    if not external_ids:
        return []
    column = getattr(model, key)
    statement = select(model).where(model.company_id == company_id, column.in_(external_ids))
    return list((await session.scalars(statement)).all())


# -- reading rows straight into answers -------------------------------------------------


class RowReader:
    """A flat resource's ``get`` and list page as plain data, through statements of
    :mod:`workledger.kit.prepared` (built and compiled once; pages once per filter and
    sort shape), for answers rendered straight from rows to JSON (DESIGN §5).

    Made by :meth:`for_resource` only where that gives exactly what the ORM path
    renders: every member of the read schema is a column of the model, or a list of a
    relationship's rows whose members are all columns (``contacts``), no aliases or
    model validators, and a repository and service that change nothing about reading.
    Everything else reads through the ORM as before.

    The statements select what the answer renders; one row comes with its children in
    the same statement (LEFT OUTER JOIN, the relationship's order), a page's children
    come in one more statement for the whole page (``IN`` the page's ids)."""

    #: Distinct filter/sort shapes kept compiled per resource; beyond it, the cache
    #: starts over (a client walking every combination cannot grow memory).
    MAX_SHAPES = 256

    def __init__(self, model: type, members: list[str],
                 children: list[tuple[str, Any, list[str]]]) -> None:
        from sqlalchemy import bindparam

        from workledger.kit.prepared import Prepared

        self.model = model
        self.members = members
        self.children = children
        table = model.__table__
        self._columns = [table.c[name] for name in members]
        scope = (table.c.company_id == bindparam("company_id"))
        if len(children) == 1:
            _name, relationship, child_members = children[0]
            child_table = relationship.mapper.local_table
            child = child_table.alias(f"{child_table.name}_1")
            join = table.outerjoin(child, _join_condition(relationship, table, child))
            self._one = Prepared(
                select(*self._columns, *(child.c[m] for m in child_members))
                .select_from(join).where(scope, table.c.id == bindparam("id"))
                .order_by(*_child_order(relationship, child))
            )
        else:
            self._one = Prepared(
                select(*self._columns).where(scope, table.c.id == bindparam("id"))
            )
        self._children = [self._children_of(relationship, child_members)
                          for _name, relationship, child_members in children]
        self._pages: dict[tuple, tuple[Any, Any]] = {}

    @classmethod
    def for_resource(cls, resource: Any) -> RowReader | None:
        """The reader of ``resource``, or ``None`` where the ORM path must stay."""
        from sqlalchemy import inspect as sa_inspect

        repository, service = resource.service.repository, resource.service
        if resource.parent is not None:
            return None
        if service.get is not _base_service_get():
            return None
        for name in ("readable", "listed", "get_or_none", "_first", "page"):
            if getattr(repository, name) is not getattr(TenantRepository, name):
                return None
        model = resource.model
        mapper = sa_inspect(model)
        read = resource.read
        if not _plain_schema(read):
            return None
        members, children = [], []
        for name, info in read.model_fields.items():
            if name in mapper.columns and name in model.__table__.c:
                members.append(name)
                continue
            relationship = mapper.relationships.get(name)
            item = _list_item(info.annotation)
            if relationship is None or not relationship.uselist or item is None \
                    or not _plain_schema(item):
                return None
            child_table = relationship.mapper.local_table
            if any(m not in child_table.c for m in item.model_fields):
                return None
            if _link_columns(relationship) is None or not all(
                    isinstance(c, Column) for c in relationship.order_by or ()):
                return None
            children.append((name, relationship, list(item.model_fields)))
        if "id" not in members:
            return None
        return cls(model, members, children)

    # -- statements -------------------------------------------------------------------
    def _children_of(self, relationship: Any, child_members: list[str]) -> Any:
        from sqlalchemy import bindparam

        from workledger.kit.prepared import Prepared

        child = relationship.mapper.local_table
        parent_column, child_column = _link_columns(relationship)
        return Prepared(
            select(child.c[child_column.name], *(child.c[m] for m in child_members))
            .where(child.c.company_id == bindparam("company_id"),
                   child.c[child_column.name].in_(bindparam("ids", expanding=True)))
            .order_by(*_child_order(relationship, child))
        )

    def _page_statements(self, query: ListQuery) -> tuple[Any, Any]:
        from sqlalchemy import bindparam

        from workledger.kit.listing import compare, sort_column
        from workledger.kit.prepared import Prepared

        key = query.shape
        found = self._pages.get(key)
        if found is not None:
            return found
        table = self.model.__table__
        conditions = [table.c.company_id == bindparam("company_id")]
        conditions += [compare(table.c[name], op, bindparam(f"v{index}", type_=table.c[name].type))
                       for index, (name, op, _) in enumerate(query.terms)]
        filtered = select(*self._columns).where(*conditions)
        page = Prepared(
            filtered.order_by(*(sort_column(table.c[name], descending)
                                for name, descending in query.sort))
            .limit(bindparam("limit", type_=BigInteger))
            .offset(bindparam("offset", type_=BigInteger))
        )
        total = None
        if query.want_total:
            total = Prepared(select(func.count()).select_from(filtered.subquery()))
        if len(self._pages) >= self.MAX_SHAPES:
            self._pages.clear()
        self._pages[key] = (page, total)
        return page, total

    # -- reading ----------------------------------------------------------------------
    async def one(self, connection: Any, company_id: int, object_id: int) -> dict | None:
        """The row as ``{member: value}`` (children as lists of dicts), or ``None``."""
        rows = await self._one.fetch(connection, company_id=company_id, id=object_id)
        if not rows:
            return None
        width = len(self.members)
        data = dict(zip(self.members, rows[0][:width], strict=True))
        if len(self.children) == 1:
            name, _relationship, child_members = self.children[0]
            # An outer join: a row without children has NULLs there (never a NULL id).
            id_at = width + child_members.index("id") if "id" in child_members else None
            data[name] = [dict(zip(child_members, row[width:], strict=True)) for row in rows
                          if (row[id_at] if id_at is not None else any(row[width:]))
                          is not None]
        elif self.children:
            await self._attach(connection, company_id, [data])
        return data

    async def page(self, connection: Any, company_id: int, query: ListQuery) -> Page:
        """A page of rows as dicts, as :meth:`ListQuery.fetch` pages ORM rows."""
        page_statement, total_statement = self._page_statements(query)
        values = {f"v{index}": value for index, (_n, _o, value) in enumerate(query.terms)}
        rows = await page_statement.fetch(
            connection, company_id=company_id, limit=query.per_page + 1,
            offset=(query.page - 1) * query.per_page, **values)
        has_next = len(rows) > query.per_page
        items = [dict(zip(self.members, row, strict=True)) for row in rows[: query.per_page]]
        total = None
        if total_statement is not None:
            total = (await total_statement.fetch(connection, company_id=company_id,
                                                 **values))[0][0]
        if self.children and items:
            await self._attach(connection, company_id, items)
        return Page(items, query.page, query.per_page, has_next, total)

    async def _attach(self, connection: Any, company_id: int, items: list[dict]) -> None:
        ids = [item["id"] for item in items]
        for (name, _relationship, child_members), statement in zip(
                self.children, self._children, strict=True):
            by_parent: dict[int, list[dict]] = {}
            for row in await statement.fetch(connection, company_id=company_id, ids=ids):
                by_parent.setdefault(row[0], []).append(
                    dict(zip(child_members, row[1:], strict=True)))
            for item in items:
                item[name] = by_parent.get(item["id"], [])


def _base_service_get() -> Any:
    from workledger.kit.resource import ResourceService

    return ResourceService.get


def _plain_schema(schema: Any) -> bool:
    """Members read by their own names, no validator that needs the ORM object
    (computed fields are fine: they read the schema's own members)."""
    decorators = schema.__pydantic_decorators__
    if decorators.model_validators:
        return False
    return all(info.alias is None and info.validation_alias is None
               for info in schema.model_fields.values())


def _list_item(annotation: Any) -> Any:
    from typing import get_args, get_origin

    from pydantic import BaseModel

    if get_origin(annotation) is not list:
        return None
    (item,) = get_args(annotation)
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


def _link_columns(relationship: Any) -> tuple[Any, Any] | None:
    """(parent column, child column) of a one-to-many over a tenant reference: the pair
    besides ``company_id`` (kit.db.tenant_join)."""
    pairs = [(local, remote) for local, remote in relationship.local_remote_pairs
             if local.name != "company_id"]
    if len(pairs) != 1 or relationship.direction.name != "ONETOMANY":
        return None
    return pairs[0]


def _join_condition(relationship: Any, table: Any, child: Any) -> Any:
    from sqlalchemy import and_

    parent_column, child_column = _link_columns(relationship)
    return and_(table.c[parent_column.name] == child.c[child_column.name],
                table.c.company_id == child.c.company_id)


def _child_order(relationship: Any, child: Any) -> list[Any]:
    """The relationship's ``order_by`` on ``child`` (the table or its alias); its
    primary key when it declares none."""
    order = relationship.order_by or [relationship.mapper.local_table.c.id]
    return [child.c[column.name] for column in order]
