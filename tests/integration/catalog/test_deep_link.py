"""Deep links into the "why this price?" panel, without a browser: `deep_link` validates each query
parameter against this tenant (another tenant's ids look unknown), and `rule_verdict` says whether
the linked rule won or which rule beat it."""

from __future__ import annotations

import re

import pytest

from app.web.kit.forms import NONE


@pytest.fixture(scope="module")
def pp():
    import app.web.modules  # noqa: F401  (registers the pages)
    from app.web.catalog import price_views

    return price_views


def _link(cat, **extra) -> dict[str, str]:
    return {
        "sku": "AUR-D3-60",
        "org": str(cat.ids.orgs["dealer-metro"]),
        "kind": "map",
        "at": "2026-06-01",
        **extra,
    }


FORM_KEYS = {
    "w_sku": "sku_id",
    "w_org": "org_id",
    "w_channel": "channel_id",
    "w_kind": "kind",
    "w_currency": "currency",
}


def _form(fields: dict[str, str]) -> dict[str, str]:
    return {FORM_KEYS.get(k, k.removeprefix("w_")): v for k, v in fields.items()}


def test_valid_link_prefills_and_runs(pp, cat_a):
    ctx = cat_a.ctx("viewer")
    rule = str(cat_a.ids.rules["map:d3:dealer-metro"])
    link = pp.deep_link(ctx, _link(cat_a, rule=rule, channel="retail"))
    assert link["problems"] == [] and link["run"] is True and link["rule"] == rule
    assert link["fields"] == {
        "w_sku": str(cat_a.ids.skus["d3"]),
        "w_org": str(cat_a.ids.orgs["dealer-metro"]),
        "w_channel": str(cat_a.ids.channels["retail"]),
        "w_kind": "map",
        "w_at": "2026-06-01",
        "w_currency": "INR",  # inferred from the SKU's MAP rules
    }
    # the channel may also be given by id; no org / channel → the "none" choices
    by_id = pp.deep_link(ctx, {"sku": "aur-d3-60", "channel": str(cat_a.ids.channels["online"])})
    assert by_id["problems"] == [] and by_id["fields"]["w_channel"] == str(cat_a.ids.channels["online"])
    assert by_id["fields"]["w_org"] == NONE and by_id["fields"]["w_kind"] == "map"

    answer = pp.explain(ctx, _form(link["fields"]))
    assert answer.price == "479 INR" and answer.winner == rule
    assert pp.rule_verdict(rule, answer).startswith(f"Rule {rule[:8]} is the winning rule")
    global_rule = str(cat_a.ids.rules["map:d3"])
    verdict = pp.rule_verdict(global_rule, answer)
    assert verdict.startswith(f"Rule {global_rule[:8]} did not win (outranked: lower precedence)")
    assert f"Rule {rule[:8]} beat it (479 INR, step org)" in verdict
    at_coastal = pp.explain(ctx, {**_form(link["fields"]), "org_id": str(cat_a.ids.orgs["dealer-coastal"])})
    excluded = pp.rule_verdict(rule, at_coastal)
    assert excluded.startswith(f"Rule {rule[:8]} did not win: it does not apply here (other org).")
    assert excluded.endswith(f"The winning rule is {global_rule[:8]} (499 INR, step global).")
    other = str(cat_a.ids.rules["mrp:d3"])
    assert "not a candidate" in pp.rule_verdict(other, answer)
    assert pp.rule_verdict("", answer) == ""


def test_malformed_params_are_named_and_the_rest_prefilled(pp, cat_a):
    ctx = cat_a.ctx("viewer")
    link = pp.deep_link(ctx, _link(cat_a, org="not-a-uuid", at="2026-13-45", kind="msrp", rule="x", currency="RUPEES"))
    names = [p.split(":", 1)[0] for p in link["problems"]]
    assert names == ["org", "kind", "at", "currency", "rule"]
    assert link["run"] is False and link["rule"] == ""
    assert link["fields"] == {"w_sku": str(cat_a.ids.skus["d3"]), "w_channel": NONE}
    missing = pp.deep_link(ctx, {"kind": "mrp", "at": "2026-06-01"})
    assert [p.split(":", 1)[0] for p in missing["problems"]] == ["sku"] and missing["run"] is False
    assert missing["fields"]["w_kind"] == "mrp" and missing["fields"]["w_at"] == "2026-06-01"
    unknown = pp.deep_link(ctx, _link(cat_a, sku="NOPE-1", channel="NOWHERE"))
    assert [p.split(":", 1)[0] for p in unknown["problems"]] == ["sku", "channel"]
    assert unknown["fields"]["w_org"] == str(cat_a.ids.orgs["dealer-metro"]) and "w_sku" not in unknown["fields"]


def test_another_tenants_ids_look_unknown(pp, cat_a, cat_b):
    ctx = cat_a.ctx("owner")
    foreign = pp.deep_link(
        ctx,
        _link(
            cat_b,  # tenant B's Metro, channel and rule ids; the SKU code exists in both tenants
            channel=str(cat_b.ids.channels["retail"]),
            rule=str(cat_b.ids.rules["map:d3:dealer-metro"]),
        ),
    )
    unknown = pp.deep_link(
        ctx,
        _link(
            cat_a,
            org="00000000-0000-4000-8000-000000000001",
            channel="00000000-0000-4000-8000-000000000002",
            rule="00000000-0000-4000-8000-000000000003",
        ),
    )
    assert [p.split(":", 1)[0] for p in foreign["problems"]] == ["org", "channel", "rule"]
    for got, want in zip(foreign["problems"], unknown["problems"], strict=True):
        assert got.split(" with ")[0] == want.split(" with ")[0]  # same sentence, only the id differs
    assert foreign["fields"] == unknown["fields"] and foreign["run"] is unknown["run"] is False
    assert foreign["fields"]["w_sku"] == str(cat_a.ids.skus["d3"])  # this tenant's SKU of that code


def test_inactive_skus_leave_the_picker_and_the_toggle_is_tenant_checked(pp, cat_a, cat_b):
    from app.web.catalog import views
    from engine.errors import NotFound
    from models.catalog.actions import set_active

    zinc = str(cat_a.ids.skus["zinc"])
    ops = cat_a.ctx("ops")
    assert set_active(ops, "sku", zinc, False) == "AUR-ZINC-30"
    try:
        assert {r.code: r.is_active for r in views.sku_page(ops).skus}["AUR-ZINC-30"] is False
        data = pp.overview(cat_a.ctx("viewer"), "__all__")
        assert zinc not in {s.id for s in data.skus} and len(data.skus) == 2
        assert any(r.sku == "AUR-ZINC-30" for r in data.rules)  # its rules are still listed
        link = pp.deep_link(cat_a.ctx("viewer"), {"sku": "AUR-ZINC-30", "kind": "mrp", "at": "2026-06-01"})
        assert link["run"] and link["fields"]["w_sku"] == zinc and link["inactive_sku"].id == zinc
        assert re.fullmatch(r"AUR-ZINC-30 — .+ \(inactive\)", link["inactive_sku"].label)
        with pytest.raises(NotFound):
            set_active(cat_b.ctx("owner"), "sku", zinc, True)  # another tenant's id looks absent
        online = str(cat_a.ids.channels["online"])
        set_active(ops, "channel", online, False)
        assert {c.code: c.is_active for c in views.channel_rows(ops)}["ONLINE"] is False
        set_active(ops, "channel", online, True)
    finally:
        set_active(ops, "sku", zinc, True)
    assert pp.deep_link(cat_a.ctx("viewer"), {"sku": "AUR-ZINC-30"})["inactive_sku"] is None
