"""The invitation: a decision-bearing entity (engine.people.machines.INVITATION_MACHINE).

Only the SHA-256 of the one-time token is stored (`token_hash`, unique); the raw token exists only
in the accept link handed to the inviter once. A vendor invitation names its organization.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from engine.people.machines import INVITATION_MACHINE
from models.core.base import id_field, sql_in, tenant_field, tenant_key, ts_field
from models.core.tables import ROLE_CHECK


class Invitation(SQLModel, table=True):
    __tablename__: ClassVar[str] = "invitations"
    __table_args__ = (
        tenant_key("invitations"),
        CheckConstraint(ROLE_CHECK, name="ck_invitations_role"),
        CheckConstraint(sql_in("status", INVITATION_MACHINE.statuses), name="ck_invitations_status"),
        CheckConstraint("role <> 'vendor' or organization_id is not null", name="ck_invitations_vendor_org"),
        Index("uq_invitations_token_hash", "token_hash", "tenant_id", unique=True),  # lookups by hash
        Index("uq_invitations_email_token_hash", "email_token_hash", "tenant_id", unique=True),
        # one open invitation per address and tenant
        Index(
            "uq_invitations_pending_email",
            "tenant_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    organization_id: uuid.UUID | None = Field(default=None)
    status: str = Field(default="pending", max_length=20)
    token_hash: str = Field(max_length=64)
    # the SHA-256 of the e-mailed link's token (models/people/delivery_routes.py), set when it is sent
    email_token_hash: str | None = Field(default=None, max_length=64)
    expires_at: datetime = ts_field()
    invited_by: uuid.UUID | None = Field(default=None)
    accepted_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()
