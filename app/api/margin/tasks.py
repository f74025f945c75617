"""`/api/tasks`: list (newest first, as the /tasks page), create and patch (margin.tasks.write)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from app.api.deps import require
from app.api.margin import schemas
from app.api.margin.common import Cursor, Limit, row_view
from engine.context import TenantContext
from engine.margin import permissions as perm
from models.margin import actions
from models.margin.inputs import TaskCreate, TaskPatch, TaskStatus
from models.margin.queries import tasks as task_queries

router = APIRouter(prefix="/api", tags=["margin"])


def _task_view(view: task_queries.TaskView) -> dict[str, Any]:
    return row_view(view.task, actions=view.actions)


@router.get("/tasks", response_model=schemas.Page[schemas.TaskPublic])
def list_tasks(
    ctx: TenantContext = Depends(require(perm.READ)),
    status: TaskStatus | None = None,
    alert_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    assignee_user_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    filters = task_queries.TaskFilters(
        status=status, alert_id=alert_id, dealer_id=dealer_id, assignee_user_id=assignee_user_id
    )
    page = task_queries.task_page(ctx, filters, limit=limit, cursor=cursor)
    return {"items": [_task_view(v) for v in page.items], "next_cursor": page.next_cursor}


@router.post("/tasks", status_code=201, response_model=schemas.TaskPublic)
def create_task(body: TaskCreate, ctx: TenantContext = Depends(require(perm.TASKS_WRITE))) -> dict:
    return _task_view(actions.create_task(ctx, body))


@router.patch("/tasks/{task_id}", response_model=schemas.TaskPublic)
def patch_task(task_id: uuid.UUID, body: TaskPatch, ctx: TenantContext = Depends(require(perm.TASKS_WRITE))) -> dict:
    return _task_view(actions.patch_task(ctx, task_id, body))
