"""Workflows: the editable list of statuses, and what orders ask of it.

Orders and order lines (DESIGN §7.3) name a status of their company's workflow by
``workflow_status_id``. They use :func:`workflow_statuses` (one query, then any number
of checks), :func:`check_workflow_status` and :func:`first_status`, and declare with
:func:`uses_workflow_statuses` how to find the orders that use a status, so that a
status still in use cannot be removed from its workflow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.body import check_read_only, sent_values, sync_list
from workledger.kit.db import utcnow
from workledger.kit.i18n import N_
from workledger.kit.problems import CannotDelete, ValidationProblem
from workledger.kit.resource import READ_ONLY_DEFAULT, ResourceService
from workledger.kit.rules import BusinessRule
from workledger.models import Workflow, WorkflowStatus
from workledger.workflows.repository import WorkflowRepository

#: Members of a status the caller cannot set (4.2: accepted when unchanged).
STATUS_READ_ONLY = ("position", "name")
LANGUAGES = ("nb", "en", "sv", "da", "es")

#: ``async (session, company_id, status_ids) -> {status_id: ["Order 1001", ...]}``: what
#: still uses each of the given statuses of one company (only the used ones).
StatusUsage = Callable[[AsyncSession, int, Sequence[int]], Awaitable[Mapping[int, Sequence[str]]]]
#: Every registered StatusUsage; see uses_workflow_statuses.
STATUS_USERS: list[StatusUsage] = []


def uses_workflow_statuses(usage: StatusUsage) -> StatusUsage:
    """Register what uses workflow statuses, as a decorator. Orders and order lines
    register theirs (a query in their repository), so that removing a status they use
    from its workflow is 422 code 3 with a ``reason`` naming them. The tables that name
    statuses refer to them with ``ondelete="RESTRICT"`` as well, so an unregistered use
    still refuses the removal, with a reason that names no object."""
    STATUS_USERS.append(usage)
    return usage


class WorkflowService(ResourceService[Workflow]):
    """Only ``statuses`` changes (the list rule of DESIGN §4.2); workflows are neither
    created nor deleted through the API: every company has exactly its two."""

    repository = WorkflowRepository
    read_only = (*READ_ONLY_DEFAULT, "type")

    async def assign(self, obj: Workflow, values: Mapping[str, Any], *, creating: bool) -> None:
        if "statuses" not in values:
            return
        incoming = [sent_values(item) for item in values["statuses"]]
        stored = {status.id: status for status in obj.statuses}
        for index, item in enumerate(incoming):
            row = stored.get(item.get("id"))
            if "id" in item and row is None:
                continue  # sync_list names the unknown id
            check_read_only(item, STATUS_READ_ONLY, row, prefix=f"statuses[{index}].")
        statuses = sync_list("statuses", list(obj.statuses), incoming,
                             create=self._new_status, update=_change_status)
        for index, status in enumerate(statuses):
            if not any(getattr(status, f"name_{language}") for language in LANGUAGES):
                raise ValidationProblem.single(f"statuses[{index}].names", N_(
                    "a status needs a name in at least one language").in_language())
        kept = {status.id for status in statuses}
        removed = [status for status in obj.statuses if status.id not in kept]
        await _check_removable(self.session, self.company_id, removed)
        for position, status in enumerate(statuses, 1):
            status.position = position
        obj.statuses = statuses
        obj.updated_at = utcnow()  # the row may be unchanged; its statuses are not
        if removed:
            try:
                await self.session.flush()
            except IntegrityError as error:
                # A use that registered no StatusUsage; the database's RESTRICT caught it.
                raise CannotDelete(reason=N_(
                    "A removed status is still used by other records.").in_language()
                ) from error

    def _new_status(self, values: Mapping[str, Any]) -> WorkflowStatus:
        status = WorkflowStatus(company_id=self.company_id, is_final=False,
                                **{f"name_{language}": "" for language in LANGUAGES})
        _change_status(status, values)
        return status


def _change_status(status: WorkflowStatus, values: Mapping[str, Any]) -> None:
    for language, name in (values.get("names") or {}).items():
        if name is not None:
            setattr(status, f"name_{language}", name)
    if values.get("is_final") is not None:
        status.is_final = values["is_final"]


async def _check_removable(
    session: AsyncSession, company_id: int, removed: Sequence[WorkflowStatus]
) -> None:
    if not removed or not STATUS_USERS:
        return
    ids = [status.id for status in removed]
    used: dict[int, list[str]] = {}
    for usage in STATUS_USERS:
        for status_id, users in (await usage(session, company_id, ids)).items():
            used.setdefault(status_id, []).extend(users)
    if used:
        reasons = [N_("the status '{name}' (id {id}) is used by: {users}").say(
                       name=status.name, id=status.id, users=", ".join(used[status.id]))
                   for status in removed if status.id in used]
        raise CannotDelete(reason=N_("A status still in use cannot be removed: {reasons}.").say(
            reasons="; ".join(reasons)))


# -- for orders and order lines ------------------------------------------------------


class WorkflowStatuses:
    """The statuses of one company's workflow of one type, loaded once: enough to check
    every line of a large order without a query per line."""

    def __init__(self, workflow_type: str, statuses: Sequence[WorkflowStatus]) -> None:
        self.workflow_type = workflow_type
        self.ordered = list(statuses)
        self.by_id = {status.id: status for status in statuses}

    @property
    def first(self) -> WorkflowStatus:
        """The status an order (line) gets when it names none (DESIGN §7.1)."""
        return self.ordered[0]  # a workflow keeps at least one status (WorkflowUpdate)

    def check(self, status_id: int, member: str = "workflow_status_id") -> WorkflowStatus:
        """The status ``status_id`` names; 422 code 30 with seed 000's violation
        ``{"memberNames": [member], "errorMessage": "Invalid Workflow Status Id"}``
        (translated) when it is not a status of this workflow: another type's status,
        another company's, or none."""
        status = self.by_id.get(status_id)
        if status is None:
            raise BusinessRule.on(member, "invalid_workflow_status_id")
        return status


async def workflow_statuses(
    session: AsyncSession, company_id: int, workflow_type: str
) -> WorkflowStatuses:
    """The statuses of the company's ``order`` or ``order_line`` workflow, in order
    (one query)."""
    statuses = await WorkflowRepository(session, company_id).statuses_of(workflow_type)
    return WorkflowStatuses(workflow_type, statuses)


async def check_workflow_status(
    session: AsyncSession, company_id: int, workflow_type: str, status_id: int,
    member: str = "workflow_status_id",
) -> WorkflowStatus:
    """``workflow_status_id`` of an order (``"order"``) or line (``"order_line"``) must
    be a status of the company's workflow of that type: 422 code 30 naming ``member``
    (``lines[2].workflow_status_id``) otherwise. See WorkflowStatuses.check."""
    return (await workflow_statuses(session, company_id, workflow_type)).check(status_id, member)


async def first_status(session: AsyncSession, company_id: int, workflow_type: str
                       ) -> WorkflowStatus:
    """The first status of the company's workflow of ``workflow_type``: the default of
    ``workflow_status_id`` on create."""
    return (await workflow_statuses(session, company_id, workflow_type)).first


async def create_default_workflows(session: AsyncSession, company_id: int) -> list[Workflow]:
    """The ``order`` and ``order_line`` workflows of a company being created
    (companies.service.create_company), with their default statuses."""
    return await WorkflowRepository(session, company_id).add_defaults()
