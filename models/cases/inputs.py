"""Validated inputs of the cases module's writes (REST, pages, seeds): unknown keys refused, text
stripped, control characters refused (engine.text), lengths as the tables allow."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal

from pydantic import Field, StrictBool

from engine.cases.rules import BODY_MAX, CASE_TYPES, STEP_MAX, SUBJECT_MAX
from engine.text import TextInput

if TYPE_CHECKING:
    CaseType = str
else:
    CaseType = Literal[tuple(CASE_TYPES)]


class CaseCreate(TextInput):
    vendor_id: uuid.UUID = Field(description="the vendor: an organization of this tenant's catalog")
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    case_type: CaseType = "general"
    assignee_id: uuid.UUID | None = None
    message: str | None = Field(default=None, max_length=BODY_MAX, description="the first message to the vendor")
    payment_id: uuid.UUID | None = Field(default=None, description="the payment the case is about (holds it)")


class CaseUpdate(TextInput):
    """Non-decision edits (PATCH): absent keys stay; the status never changes here."""

    subject: str | None = Field(default=None, min_length=1, max_length=SUBJECT_MAX)
    case_type: CaseType | None = None
    assignee_id: uuid.UUID | None = None


class MessageCreate(TextInput):
    body: str = Field(min_length=1, max_length=BODY_MAX)


class StepCreate(TextInput):
    label: str = Field(min_length=1, max_length=STEP_MAX)


class StepUpdate(TextInput):
    done: StrictBool


class VendorInvite(TextInput):
    email: str = Field(min_length=3, max_length=320)
