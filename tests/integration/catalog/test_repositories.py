"""Repositories and the database's guarantees: immutable history, RLS, no partial writes, batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from engine.errors import NotFound, ValidationFailed
from models.catalog import orgs, pricing, publishing
from models.catalog.inputs import OrgCreate
from models.catalog.tables import ChannelCatalogItem, ChannelCatalogVersion, Organization, PriceRule
from models.core.db import tenant_session
from seeds.catalog import FUTURE


def test_published_version_is_immutable_in_the_database(cat_a):
    ctx = cat_a.ctx()
    online = cat_a.ids.channels["online"]
    with tenant_session(ctx) as session:
        v1 = publishing.get_version(session, ctx, online, 1)
        version_id = v1.id
    for statement in (
        "update channel_catalog_versions set note = 'rewritten' where id = :v",
        "update channel_catalog_versions set status = 'draft' where id = :v",
    ):
        with pytest.raises(DBAPIError, match="immutable"), tenant_session(ctx) as session:
            session.execute(text(statement), {"v": str(version_id)})
    for statement in (
        "delete from channel_catalog_versions where id = :v",
        "update channel_catalog_items set title = 'x' where version_id = :v",
        "delete from channel_catalog_items where version_id = :v",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), tenant_session(ctx) as session:
            session.execute(text(statement), {"v": str(version_id)})
    with tenant_session(ctx) as session:
        item = session.exec(select(ChannelCatalogItem).where(ChannelCatalogItem.version_id == version_id)).first()
        clone = ChannelCatalogItem(
            tenant_id=ctx.tenant_id,
            version_id=version_id,
            offering_id=item.offering_id,
            sku_id=item.sku_id,
            sku_code="X",
            title="smuggled",
        )
    with pytest.raises(DBAPIError, match="draft"), tenant_session(ctx) as session:
        session.add(clone)
        session.flush()


def test_price_rules_are_append_only(cat_a):
    ctx = cat_a.ctx()
    for statement in ("update price_rules set amount = 1 where id = :r", "delete from price_rules where id = :r"):
        with pytest.raises(DBAPIError, match="permission denied"), tenant_session(ctx) as session:
            session.execute(text(statement), {"r": str(cat_a.ids.rules["map:d3"])})


def test_rls_hides_other_tenants_rows_even_without_a_filter(cat_a, cat_b):
    with tenant_session(cat_b.ctx()) as session:
        names = {o.id for o in session.exec(select(Organization)).all()}
        rules = session.exec(select(PriceRule)).all()
    assert names == set(cat_b.ids.orgs.values())
    assert {r.tenant_id for r in rules} == {cat_b.tenant.tenant_id}
    with pytest.raises(NotFound), tenant_session(cat_b.ctx()) as session:
        orgs.get_org(session, cat_b.ctx(), cat_a.ids.orgs["brand"])


def test_a_refused_publish_writes_nothing(cat_a):
    ctx = cat_a.ctx()
    retail = cat_a.ids.channels["retail"]
    with tenant_session(ctx) as session:
        before = len(
            session.exec(select(ChannelCatalogVersion).where(ChannelCatalogVersion.channel_id == retail)).all()
        )
    foreign = cat_a.ids.offerings["online:d3"]  # exists, but on the other channel
    with pytest.raises(ValidationFailed) as err, tenant_session(ctx) as session:
        publishing.change_catalog(session, ctx, retail, "unlist", [cat_a.ids.offerings["retail:d3"]])
        publishing.change_catalog(session, ctx, retail, "publish", [foreign])
    assert err.value.fields == {"offering_ids": "not on this channel"}
    with tenant_session(ctx) as session:
        after = len(session.exec(select(ChannelCatalogVersion).where(ChannelCatalogVersion.channel_id == retail)).all())
    assert after == before  # the unlist in the same unit of work rolled back too


def test_org_profile_is_validated_per_type(cat_a):
    ctx = cat_a.ctx()
    with pytest.raises(ValidationFailed) as err, tenant_session(ctx) as session:
        orgs.create_org(
            session, ctx, OrgCreate(type="dealer", code="D-X", name="X", profile={"tier": "diamond", "brands": []})
        )
    assert set(err.value.fields) == {"profile.tier", "profile.brands"}
    with tenant_session(ctx) as session:
        org = orgs.create_org(
            session,
            ctx,
            OrgCreate(type="competitor", code=f"C-{uuid.uuid4().hex[:6]}", name="Y", profile={"brands": ["Z"]}),
        )
    assert org.profile == {"brands": ["Z"]}


def test_resolve_many_matches_single_resolutions(cat_a, cat_b):
    ctx = cat_a.ctx()
    at = [datetime(2026, 6, 1, tzinfo=UTC), FUTURE]  # before and at the seed's future-dated rule
    rows = []
    for key in ("d3", "omega", "zinc"):
        for org in (None, "dealer-metro", "dealer-coastal"):
            for moment in at:
                rows.append(
                    {
                        "sale_id": len(rows),
                        "sku_id": str(cat_a.ids.skus[key]),
                        "org_id": str(cat_a.ids.orgs[org]) if org else None,
                        "channel_id": None,
                        "at": moment,
                        "currency": "INR",
                        "kind": "map",
                    }
                )
    rows.append({**rows[0], "sale_id": 999, "sku_id": str(cat_b.ids.skus["d3"])})  # another tenant's SKU
    frame = pl.DataFrame(rows, schema_overrides={"at": pl.Datetime("us", "UTC")})
    with tenant_session(ctx) as session:
        out = pricing.resolve_many(session, ctx, frame, record=True, purpose="test")
        for row in out.head(len(rows) - 1).iter_rows(named=True):
            single = pricing.resolve_price(
                session,
                ctx,
                sku_id=row["sku_id"],
                org_id=row["org_id"],
                currency="INR",
                kind="map",
                at=row["at"],
                record=False,
            )
            assert (row["price"], row["rule_id"]) == (single.price, single.rule_id)
    assert out["sale_id"].to_list() == [r["sale_id"] for r in rows]
    assert out["price"].to_list()[-1] is None  # other tenant's rules are invisible
    metro_d3 = out.filter(
        (pl.col("org_id") == str(cat_a.ids.orgs["dealer-metro"])) & (pl.col("sku_id") == str(cat_a.ids.skus["d3"]))
    )
    assert metro_d3["price"].to_list() == [Decimal("479"), Decimal("479")]
    assert metro_d3["level"].to_list() == ["org", "org"]


def test_seeding_twice_changes_nothing(cat_a):
    from models.core.tables import AuditEvent
    from seeds.catalog import build_catalog, tenant_ids

    ctx = cat_a.ctx()
    with tenant_session(ctx) as session:
        head = session.exec(
            select(AuditEvent.seq).where(AuditEvent.tenant_id == ctx.tenant_id).order_by(AuditEvent.seq.desc())
        ).first()
        again = build_catalog(session, ctx, tenant_ids(ctx.tenant_id))
        head_after = session.exec(
            select(AuditEvent.seq).where(AuditEvent.tenant_id == ctx.tenant_id).order_by(AuditEvent.seq.desc())
        ).first()
    assert again.rules == cat_a.ids.rules
    assert head_after == head
