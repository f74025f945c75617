"""Validated inputs of margin writes (shared by the REST API, pages and seeds). Unknown keys are refused."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from engine.inputs import Instant
from engine.margin.frames import RULES
from engine.margin.machines import ALERT_MACHINE, DEALER_LADDER, TASK_MACHINE
from engine.margin.severity import LEVELS
from engine.text import TextInput

if TYPE_CHECKING:  # the checker sees text; pydantic validates against the engine's own values
    Rule = Severity = AlertStatus = TaskStatus = DealerStatus = str
else:
    Rule = Literal[RULES]
    Severity = Literal[LEVELS]
    AlertStatus = Literal[ALERT_MACHINE.statuses]
    TaskStatus = Literal[TASK_MACHINE.statuses]
    DealerStatus = Literal[DEALER_LADDER]
TEXT_MAX = 4000  # notes and reasons
TITLE_MAX = 200
Reason = Field(None, min_length=1, max_length=TEXT_MAX)


class _Input(TextInput):
    """Unknown keys refused, text stripped, control characters (NUL, …) refused: engine.text."""


class AlertPatch(_Input):
    """A decision (`action` + `reason` where the machine requires one) and/or a note."""

    action: str | None = Field(None, min_length=1, max_length=40)
    reason: str | None = Reason
    note: str | None = Field(None, min_length=1, max_length=TEXT_MAX)
    # the status the user saw: a decision on a status the alert no longer has is refused (409)
    expected_status: AlertStatus | None = None

    @model_validator(mode="after")
    def _something(self) -> AlertPatch:
        if self.action is None and self.note is None:
            raise ValueError("give an action or a note")
        if self.reason is not None and self.action is None:
            raise ValueError("a reason goes with an action")
        if self.expected_status is not None and self.action is None:
            raise ValueError("expected_status goes with an action")
        return self


class TaskCreate(_Input):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    alert_id: uuid.UUID | None = None
    dealer_id: uuid.UUID | None = None
    assignee_user_id: uuid.UUID | None = None
    due_at: Instant | None = None
    notes: str | None = Field(None, max_length=TEXT_MAX)


class TaskPatch(_Input):
    """Status via `action` (+ `reason`, + `expected_status`: the status the user saw, 409 when
    stale); other fields are plain audited updates."""

    action: str | None = Field(None, min_length=1, max_length=40)
    reason: str | None = Reason
    expected_status: TaskStatus | None = None
    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    assignee_user_id: uuid.UUID | None = None
    due_at: Instant | None = None
    notes: str | None = Field(None, max_length=TEXT_MAX)


class DealerStatusChange(_Input):
    action: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    # the status the user saw: a stale one (someone moved the dealer first) is refused with 409
    expected_status: DealerStatus | None = None
