"""Delivery: webhook endpoints, deliveries and their attempts, the e-mail sender, the dealers'
notice preferences, the invitation e-mail's token hash, and `pharos_delivery_work()` (which tenants
have outbox rows to fan out or deliveries due, read without a tenant context, as
pharos_unfinished_jobs does for jobs). Outbox rows written before this revision are marked taken
over: history is not sent.

Revision ID: 0015_delivery
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from models.core.rls import app_function, tenant_isolation_all

revision = "0015_delivery"
down_revision = "0014_comp_plans"
branch_labels = None
depends_on = None

TABLES = ("email_senders", "webhook_endpoints", "delivery_messages", "margin_notice_preferences")
APPEND_ONLY = ("delivery_attempts",)


def _string(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "email_senders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("from_name", _string(200), nullable=False),
        sa.Column("from_address", _string(320), nullable=False),
        sa.Column("reply_to", _string(320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_email_senders_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", name="uq_email_senders_tenant"),
    )
    op.create_index(op.f("ix_email_senders_tenant_id"), "email_senders", ["tenant_id"], unique=False)
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("url", _string(2000), nullable=False),
        sa.Column("description", _string(200), nullable=False),
        sa.Column("event_types", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", _string(20), nullable=False),
        sa.Column("status_note", _string(500), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status in ('enabled', 'disabled')", name="ck_webhook_endpoints_status"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_webhook_endpoints_tenant_id_id"),
    )
    op.create_index(
        "ix_webhook_endpoints_tenant_created", "webhook_endpoints", ["tenant_id", "created_at", "id"], unique=False
    )
    op.create_index(op.f("ix_webhook_endpoints_tenant_id"), "webhook_endpoints", ["tenant_id"], unique=False)
    op.create_table(
        "delivery_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("outbox_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", _string(64), nullable=False),
        sa.Column("channel", _string(10), nullable=False),
        sa.Column("destination", _string(400), nullable=False),
        sa.Column("endpoint_id", sa.UUID(), nullable=True),
        sa.Column("email_to", _string(320), nullable=True),
        sa.Column("subject", _string(300), nullable=True),
        sa.Column("event_type", _string(100), nullable=False),
        sa.Column("entity", _string(60), nullable=False),
        sa.Column("entity_id", _string(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", _string(20), nullable=False),
        sa.Column("attempt_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", _string(64), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", _string(1000), nullable=True),
        sa.Column("replays", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(channel = 'webhook' and endpoint_id is not null and body is not null) "
            "or (channel = 'email' and email_to is not null)",
            name="ck_delivery_messages_destination",
        ),
        sa.CheckConstraint("channel in ('webhook', 'email')", name="ck_delivery_messages_channel"),
        sa.CheckConstraint("status in ('pending', 'delivered', 'dead')", name="ck_delivery_messages_status"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "endpoint_id"], ["webhook_endpoints.tenant_id", "webhook_endpoints.id"]
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_delivery_messages_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "outbox_id", "destination", name="uq_delivery_messages_destination"),
    )
    op.create_index(
        "ix_delivery_messages_dead",
        "delivery_messages",
        ["tenant_id", "dead_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'dead'"),
    )
    op.create_index(
        "ix_delivery_messages_due",
        "delivery_messages",
        ["tenant_id", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_delivery_messages_endpoint",
        "delivery_messages",
        ["tenant_id", "endpoint_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_delivery_messages_entity", "delivery_messages", ["tenant_id", "entity", "entity_id"], unique=False
    )
    op.create_index(op.f("ix_delivery_messages_tenant_id"), "delivery_messages", ["tenant_id"], unique=False)
    op.create_table(
        "margin_notice_preferences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("dealer_id", sa.UUID(), nullable=False),
        sa.Column("channel", _string(10), nullable=False),
        sa.Column("email", _string(320), nullable=True),
        sa.Column("endpoint_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(channel = 'email' and email is not null) or (channel = 'webhook' and endpoint_id is not null)",
            name="ck_margin_notice_preferences_target",
        ),
        sa.CheckConstraint("channel in ('email', 'webhook')", name="ck_margin_notice_preferences_channel"),
        sa.ForeignKeyConstraint(["tenant_id", "dealer_id"], ["organizations.tenant_id", "organizations.id"]),
        sa.ForeignKeyConstraint(
            ["tenant_id", "endpoint_id"], ["webhook_endpoints.tenant_id", "webhook_endpoints.id"]
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "dealer_id", name="uq_margin_notice_preferences_dealer"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_margin_notice_preferences_tenant_id_id"),
    )
    op.create_index(
        op.f("ix_margin_notice_preferences_tenant_id"), "margin_notice_preferences", ["tenant_id"], unique=False
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("message_ref", sa.UUID(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("outcome", _string(20), nullable=False),
        sa.Column("error", _string(1000), nullable=True),
        sa.Column("response_body", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("worker", _string(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "message_ref"], ["delivery_messages.tenant_id", "delivery_messages.id"]
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_delivery_attempts_tenant_id_id"),
    )
    op.create_index(
        "ix_delivery_attempts_message", "delivery_attempts", ["tenant_id", "message_ref", "at"], unique=False
    )
    op.create_index(op.f("ix_delivery_attempts_tenant_id"), "delivery_attempts", ["tenant_id"], unique=False)
    op.add_column("invitations", sa.Column("email_token_hash", _string(64), nullable=True))
    op.create_index("uq_invitations_email_token_hash", "invitations", ["email_token_hash", "tenant_id"], unique=True)
    # the outbox before this revision is history: it is not sent now
    op.execute("UPDATE outbox_events SET delivered_at = created_at WHERE delivered_at IS NULL")
    op.create_index(
        "ix_outbox_events_waiting",
        "outbox_events",
        ["tenant_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at is null"),
    )
    for statement in [*tenant_isolation_all(TABLES), *tenant_isolation_all(APPEND_ONLY, append_only=True)]:
        op.execute(statement)
    op.execute(
        """
        CREATE FUNCTION pharos_delivery_work()
        RETURNS TABLE (tenant_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT o.tenant_id FROM outbox_events o WHERE o.delivered_at IS NULL
          UNION
          SELECT m.tenant_id FROM delivery_messages m
           WHERE m.status = 'pending' AND m.next_attempt_at <= now()
             AND (m.lease_until IS NULL OR m.lease_until < now())
        $$
        """
    )
    for statement in app_function("pharos_delivery_work()"):
        op.execute(statement)
    # an invitation is found by the hash of either link: the inviter's copy or the e-mailed one
    op.execute(
        """
        CREATE OR REPLACE FUNCTION pharos_invitation_lookup(p_token_hash text)
        RETURNS TABLE (tenant_id uuid, tenant_slug varchar, tenant_name varchar, invitation_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT i.tenant_id, t.slug, t.name, i.id
          FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          WHERE (i.token_hash = p_token_hash OR i.email_token_hash = p_token_hash) AND t.is_active
        $$
        """
    )


def downgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION pharos_invitation_lookup(p_token_hash text)
        RETURNS TABLE (tenant_id uuid, tenant_slug varchar, tenant_name varchar, invitation_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT i.tenant_id, t.slug, t.name, i.id
          FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          WHERE i.token_hash = p_token_hash AND t.is_active
        $$
        """
    )
    op.execute("DROP FUNCTION IF EXISTS pharos_delivery_work()")
    op.drop_index("ix_outbox_events_waiting", table_name="outbox_events", postgresql_where=sa.text("delivered_at is null"))
    op.drop_index("uq_invitations_email_token_hash", table_name="invitations")
    op.drop_column("invitations", "email_token_hash")
    op.drop_index(op.f("ix_delivery_attempts_tenant_id"), table_name="delivery_attempts")
    op.drop_index("ix_delivery_attempts_message", table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index(op.f("ix_margin_notice_preferences_tenant_id"), table_name="margin_notice_preferences")
    op.drop_table("margin_notice_preferences")
    op.drop_index(op.f("ix_delivery_messages_tenant_id"), table_name="delivery_messages")
    op.drop_index("ix_delivery_messages_entity", table_name="delivery_messages")
    op.drop_index("ix_delivery_messages_endpoint", table_name="delivery_messages")
    op.drop_index("ix_delivery_messages_due", table_name="delivery_messages", postgresql_where=sa.text("status = 'pending'"))
    op.drop_index("ix_delivery_messages_dead", table_name="delivery_messages", postgresql_where=sa.text("status = 'dead'"))
    op.drop_table("delivery_messages")
    op.drop_index(op.f("ix_webhook_endpoints_tenant_id"), table_name="webhook_endpoints")
    op.drop_index("ix_webhook_endpoints_tenant_created", table_name="webhook_endpoints")
    op.drop_table("webhook_endpoints")
    op.drop_index(op.f("ix_email_senders_tenant_id"), table_name="email_senders")
    op.drop_table("email_senders")
