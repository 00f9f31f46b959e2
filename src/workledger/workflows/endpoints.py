from __future__ import annotations

from workledger.auth.dependencies import Reader, Writer
from workledger.kit.i18n import N_
from workledger.kit.resource import ListField, Names, Resource
from workledger.models import Workflow
from workledger.workflows import schemas
from workledger.workflows.service import WorkflowService

WORKFLOWS = Resource(
    names=Names("workflow", "workflows", N_("No workflow with id {id}.")),
    model=Workflow,
    read=schemas.Workflow,
    update=schemas.WorkflowUpdate,
    service=WorkflowService,
    reader=Reader,
    writer=Writer,
    # Every company has exactly two, made with it: no create, no delete.
    operations=("list", "get", "update"),
    filters=("id", "type", "created_at", "updated_at"),
    sorts=("id", "type", "created_at", "updated_at"),
    list_fields=(ListField("statuses"),),
)

router = WORKFLOWS.router()
