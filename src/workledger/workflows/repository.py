from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workledger.kit.repository import TenantRepository
from workledger.models import Workflow, WorkflowStatus
from workledger.models.workflows import NAME_COLUMNS
from workledger.workflows.defaults import DEFAULT_WORKFLOWS


class WorkflowRepository(TenantRepository[Workflow]):
    model = Workflow
    # Statuses render with every workflow: one more query per page or per workflow.
    load_options = (selectinload(Workflow.statuses),)

    async def statuses_of(self, workflow_type: str) -> list[WorkflowStatus]:
        """The statuses of this company's workflow of ``workflow_type``, in order."""
        statement = (
            select(WorkflowStatus)
            .join(Workflow, Workflow.id == WorkflowStatus.workflow_id)
            .where(WorkflowStatus.company_id == self.company_id,
                   Workflow.company_id == self.company_id,
                   Workflow.type == workflow_type)
            .order_by(WorkflowStatus.position, WorkflowStatus.id)
        )
        return list((await self.session.scalars(statement)).all())

    async def add_defaults(self) -> list[Workflow]:
        """The two workflows of a new company, with their default statuses."""
        workflows = []
        for workflow_type, statuses in DEFAULT_WORKFLOWS.items():
            workflow = Workflow(company_id=self.company_id, type=workflow_type, statuses=[
                WorkflowStatus(company_id=self.company_id, position=position,
                               is_final=is_final,
                               **{column: name.in_language(language)
                                  for language, column in NAME_COLUMNS.items()})
                for position, (is_final, name) in enumerate(statuses, 1)
            ])
            self.session.add(workflow)
            workflows.append(workflow)
        await self.session.flush()
        return workflows
