"""The catalog pages' create/edit forms without a browser: the form → input conversion, and the
handlers (EntityForm) driven like the websocket sweep does — as tenant A's ops and viewer, and as
tenant B's owner (catalog flags on) passing tenant A's ids."""

from __future__ import annotations

import json
import secrets
import uuid
from decimal import Decimal

import pytest

from engine.errors import Conflict, NotFound, ValidationFailed
from tests.integration.core.test_websocket_sweep import _in_own_loop, _root_with_cookie, _run, _substate
from tests.support.users import PASSWORD, add_user


def test_profile_fields_follow_each_type():
    from app.web.catalog.forms import PROFILE_FIELDS, form_to_profile, profile_fields_of, profile_to_form

    assert PROFILE_FIELDS["profile.tier"].kind == "choice"
    assert PROFILE_FIELDS["profile.tier"].options == ("platinum", "gold", "silver", "bronze")
    assert PROFILE_FIELDS["profile.brands"].types == ("manufacturer", "competitor")
    assert PROFILE_FIELDS["profile.is_self"].kind == "check"
    assert PROFILE_FIELDS["profile.payment_terms_days"].kind == "number"
    dealer = [f.name.removeprefix("profile.") for f in profile_fields_of("dealer")]
    assert dealer == ["region", "city", "tier", "tax_id", "website", "contact_email", "country", "notes"]
    form = {"profile.brands": " Nova, Lux ,", "profile.tier": "gold", "profile.is_self": "yes", "profile.city": ""}
    assert form_to_profile("manufacturer", form) == {"brands": ["Nova", "Lux"], "is_self": True}
    assert form_to_profile("dealer", form) == {"tier": "gold"}
    assert profile_to_form({"brands": ["Nova", "Lux"], "is_self": False}) == {
        "profile.brands": "Nova, Lux",
        "profile.is_self": "",
    }


def test_form_saves_use_the_api_rules(cat_a, cat_b):
    from app.web.catalog.forms import FORMS, blank_form
    from app.web.kit.forms import NONE

    ctx = cat_a.ctx("admin")
    sku_form = {**blank_form("sku"), "product_id": str(cat_a.ids.products["zinc"]), "code": "AUR-ZINC-30", "name": "Z"}
    with pytest.raises(Conflict) as taken:
        FORMS["sku"].save(ctx, None, sku_form)
    assert taken.value.fields == {"code": "taken"}
    with pytest.raises(ValidationFailed) as bad:
        FORMS["sku"].save(ctx, None, {**sku_form, "product_id": str(cat_b.ids.products["zinc"]), "code": "Z-1"})
    assert bad.value.fields == {"product_id": "not found"}
    with pytest.raises(ValidationFailed) as bad:
        FORMS["sku"].save(ctx, None, {**sku_form, "product_id": NONE, "code": "no space"})
    assert bad.value.fields["product_id"] == "required" and "code" in bad.value.fields
    with pytest.raises(NotFound):
        FORMS["sku"].load(cat_b.ctx(), str(cat_a.ids.skus["zinc"]))

    rule = {
        **blank_form("rule"),
        "price_book_id": str(cat_a.ids.books["map"]),
        "sku_id": str(cat_a.ids.skus["zinc"]),
        "amount": "249.1234567891",
        "effective_from": "2026-01-01T00:00",
    }
    for bad_value, field in (
        ({"amount": "1e3"}, "amount"),
        ({"amount": "0.12345678901"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"effective_from": "soon"}, "effective_from"),
        ({"effective_from": ""}, "effective_from"),
        ({"effective_to": "2025-01-01T00:00"}, "effective_to"),
        ({"priority": "high"}, "priority"),
        ({"org_id": str(cat_b.ids.orgs["dealer-metro"])}, "org_id"),
    ):
        with pytest.raises(ValidationFailed) as bad:
            FORMS["rule"].save(ctx, None, {**rule, **bad_value})
        assert field in bad.value.fields, (bad_value, bad.value.fields)
    saved = FORMS["rule"].save(ctx, None, rule)
    assert saved["label"] == "249.1234567891 INR"
    assert [w.severity for w in saved["warnings"]] == ["ambiguous"]  # same start and priority as the seed's
    from models.catalog.tables import PriceRule
    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        row = session.get(PriceRule, uuid.UUID(saved["id"]))
        assert row.amount == Decimal("249.1234567891") and row.effective_from.isoformat() == "2026-01-01T00:00:00+00:00"


def _signed_in_root(email: str, password: str, path: str):
    from models.core import sessions

    token, *_ = sessions.login(email, password, f"10.8.{secrets.randbelow(250)}.2")
    return _root_with_cookie(f"pharos_session={token}", path)


async def _call(root, cls, handler: str, **kwargs):
    await _run(cls.event_handlers[handler].fn, _substate(root, cls), kwargs)
    return _substate(root, cls)


async def _ops_creates_and_edits_an_org(root, cat_a):
    from app.web.catalog.organizations import OrgsState

    state = await _call(root, OrgsState, "load")
    assert state.can_write
    await _call(root, OrgsState, "open_new", kind="org")
    assert state.form_open and state.form["type"] == "dealer" and state.form["profile.tier"] == ""
    code = f"CMP-{uuid.uuid4().hex[:6]}"
    for name, value in (
        ("type", "competitor"),
        ("code", code),
        ("name", "Rival Labs"),
        ("profile.price_position", "premium"),
        ("profile.brands", "Nova, Lux"),
        ("profile.country", "india"),  # must be two capitals
        ("tenant_id", str(cat_a.tenant.tenant_id)),  # not a field: ignored
    ):
        await _call(root, OrgsState, "set_value", name=name, value=value)
    assert "tenant_id" not in state.form
    await _call(root, OrgsState, "save")
    assert state.form_open and "profile.country" in state.errors and not state.saving
    assert state.form["name"] == "Rival Labs"  # nothing typed is lost
    await _call(root, OrgsState, "set_value", name="profile.country", value="IN")
    assert "profile.country" not in state.errors
    await _call(root, OrgsState, "save")
    assert not state.form_open and state.notice == "Saved Rival Labs."
    assert state.selected.name == "Rival Labs" and state.selected.type == "competitor"
    org_id = state.selected.id
    await _call(root, OrgsState, "open_edit", kind="org", row_id=org_id)
    assert state.editing and state.form["profile.brands"] == "Nova, Lux" and state.form["code"] == code
    await _call(root, OrgsState, "set_value", name="type", value="dealer")  # the type is fixed once created
    await _call(root, OrgsState, "set_value", name="name", value="Rival Labs Ltd")
    await _call(root, OrgsState, "save")
    assert state.selected.name == "Rival Labs Ltd" and state.selected.type == "competitor"
    return org_id


async def _viewer_cannot(root):
    from app.web.catalog.organizations import OrgsState
    from app.web.catalog.skus import SkusState

    for cls, kind in ((OrgsState, "org"), (SkusState, "sku")):
        state = await _call(root, cls, "load")
        assert not state.can_write
        await _call(root, cls, "open_new", kind=kind)
        await _call(root, cls, "save")
        assert not state.form_open


async def _b_owner_with_a_ids(root, cat_a) -> str:
    from app.web.catalog.organizations import OrgsState
    from app.web.catalog.pricing import PricingState
    from app.web.catalog.skus import SkusState

    await _call(root, OrgsState, "open_edit", kind="org", row_id=str(cat_a.ids.orgs["dealer-metro"]))
    skus = await _call(root, SkusState, "open_edit", kind="sku", row_id=str(cat_a.ids.skus["zinc"]))
    assert not skus.form_open and skus._edit_id == ""
    await _call(root, SkusState, "open_new", kind="sku")
    for name, value in (("product_id", str(cat_a.ids.products["zinc"])), ("code", "B-NEW"), ("name", "n")):
        await _call(root, SkusState, "set_value", name=name, value=value)
    await _call(root, SkusState, "save")
    assert skus.form_open and skus.errors == {"product_id": "not found"}
    prices = await _call(root, PricingState, "open_new", kind="rule")
    await _call(root, PricingState, "open_new", kind="sku")  # not a form of this page
    assert prices.form_kind == "rule"
    for name, value in (
        ("price_book_id", str(cat_a.ids.books["map"])),
        ("sku_id", str(cat_a.ids.skus["zinc"])),
        ("amount", "1"),
        ("effective_from", "2026-01-01T00:00"),
    ):
        await _call(root, PricingState, "set_value", name=name, value=value)
    await _call(root, PricingState, "save")
    assert prices.errors == {"price_book_id": "not found"}
    for cls in (OrgsState, SkusState, PricingState):
        assert _substate(root, cls)._serialize()  # the state manager pickles every state between events
    return json.dumps(root.dict(), default=str)


async def _scenario(cat_a, cat_b):
    import asyncio

    ops = await asyncio.to_thread(add_user, cat_a.tenant, "ops")
    viewer = await asyncio.to_thread(add_user, cat_a.tenant, "viewer")
    root = await asyncio.to_thread(_signed_in_root, ops, PASSWORD, "/catalog/organizations")
    org_id = await _ops_creates_and_edits_an_org(root, cat_a)
    await _viewer_cannot(await asyncio.to_thread(_signed_in_root, viewer, PASSWORD, "/catalog/skus"))
    b_root = await asyncio.to_thread(_signed_in_root, cat_b.tenant.owner_email, cat_b.tenant.password, "/catalog/skus")
    tree = await _b_owner_with_a_ids(b_root, cat_a)
    return org_id, tree


def test_form_handlers_as_ops_viewer_and_another_tenant(cat_a, cat_b):
    import app.app  # noqa: F401  (registers every page state under the root state)
    import app.web.modules  # noqa: F401  (the page modules: app.app does not import them yet)

    org_id, b_tree = _in_own_loop(_scenario(cat_a, cat_b))
    sent = {
        str(cat_a.ids.orgs["dealer-metro"]),
        str(cat_a.ids.skus["zinc"]),
        str(cat_a.ids.products["zinc"]),
        str(cat_a.ids.books["map"]),
    }
    a_only = {str(i) for group in (cat_a.ids.orgs, cat_a.ids.skus, cat_a.ids.books) for i in group.values()} - sent
    assert org_id not in b_tree and not [i for i in a_only if i in b_tree]
