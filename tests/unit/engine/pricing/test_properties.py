"""Property tests: the two resolver forms agree on every input; results obey the stated rules."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.pricing import (
    Level,
    PriceQuery,
    PriceRule,
    find_overlaps,
    queries_frame,
    resolve,
    resolve_frame,
    rules_frame,
)
from tests.unit.engine.pricing.helpers import T0, US

HOURS = [T0 + timedelta(hours=h) for h in range(5)]
# exact boundaries and their neighbours, so windows start/end exactly at query instants
INSTANTS = sorted({t + d for t in HOURS for d in (-US, timedelta(0), US)})

skus = st.sampled_from(["s1", "s2"])
orgs = st.sampled_from([None, "o1", "o2"])
channels = st.sampled_from([None, "c1", "c2"])
currencies = st.sampled_from(["USD", "EUR"])
kinds = st.sampled_from(["map", "mrp"])
ids = st.sampled_from(["r1", "r2", "r10", "r20", "a", "b9", "rule-x", "R"])


@st.composite
def rule_sets(draw) -> list[PriceRule]:
    chosen = draw(st.lists(ids, unique=True, max_size=8))
    rules = []
    for rid in chosen:
        start = draw(st.sampled_from(HOURS))
        end = draw(st.one_of(st.none(), st.sampled_from([h for h in HOURS if h > start] or [start + US])))
        rules.append(
            PriceRule(
                id=rid,
                sku_id=draw(skus),
                amount=draw(
                    st.decimals(min_value=0, max_value=10**6, places=10, allow_nan=False, allow_infinity=False)
                ),
                currency=draw(currencies),
                effective_from=start,
                effective_to=end,
                org_id=draw(orgs),
                channel_id=draw(channels),
                priority=draw(st.integers(0, 2)),
                kind=draw(kinds),
                price_book_id=draw(st.sampled_from([None, "b1", "b2"])),
            )
        )
    return rules


queries = st.builds(
    PriceQuery,
    sku_id=skus,
    at=st.sampled_from(INSTANTS),
    currency=currencies,
    kind=kinds,
    org_id=orgs,
    channel_id=channels,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rules=rule_sets(), qs=st.lists(queries, min_size=1, max_size=12))
def test_scalar_and_vectorized_forms_agree(rules, qs):
    out = resolve_frame(queries_frame(qs), rules_frame(rules))
    for q, row in zip(qs, out.iter_rows(named=True), strict=True):
        r = resolve(q, rules)
        assert row["rule_id"] == r.rule_id
        assert row["price"] == r.price
        assert row["level"] == (r.level.label if r.level else None)
        assert row["price_book_id"] == (r.winner.rule.price_book_id if r.winner else None)


@SETTINGS
@given(rules=rule_sets(), qs=st.lists(queries, min_size=1, max_size=40))
def test_direct_and_segment_strategies_agree(rules, qs):
    frame, table = queries_frame(qs), rules_frame(rules)
    direct = resolve_frame(frame, table, strategy="direct")
    segments = resolve_frame(frame, table, strategy="segments")
    assert direct.to_dicts() == segments.to_dicts()


@SETTINGS
@given(rules=rule_sets(), q=queries)
def test_winner_is_the_best_effective_applicable_rule(rules, q):
    r = resolve(q, rules)
    assert sorted(c.rule.id for c in r.candidates) == sorted(x.id for x in rules)
    applicable = [
        x
        for x in rules
        if x.sku_id == q.sku_id
        and x.kind == q.kind
        and x.currency == q.currency
        and x.org_id in (None, q.org_id)
        and x.channel_id in (None, q.channel_id)
        and x.effective_at(q.at)
    ]
    assert r.found == bool(applicable)
    if not applicable:
        assert all(c.outcome == "excluded" for c in r.candidates)
        return
    winner = r.winner.rule
    assert winner in applicable
    assert winner.level == min(x.level for x in applicable)
    peers = [x for x in applicable if x.level == winner.level]
    assert winner.priority == max(x.priority for x in peers)
    assert all(isinstance(lv, Level) for lv in [r.level])
    outcomes = {c.rule.id: c.outcome for c in r.candidates}
    assert {x.id for x in applicable} == {rid for rid, o in outcomes.items() if o in ("winner", "outranked")}


@SETTINGS
@given(rules=rule_sets())
def test_linter_pairs_are_simultaneously_effective_at_the_same_scope(rules):
    reported = {(o.first.id, o.second.id) for o in find_overlaps(rules)}
    for o in find_overlaps(rules):
        assert o.first.effective_at(o.overlap_from) and o.second.effective_at(o.overlap_from)
    by_id = {x.id: x for x in rules}
    for a in rules:
        for b in rules:
            if a.id >= b.id:
                continue
            same_scope = (a.sku_id, a.kind, a.currency, a.org_id, a.channel_id) == (
                b.sku_id,
                b.kind,
                b.currency,
                b.org_id,
                b.channel_id,
            )
            both = any(a.effective_at(t) and b.effective_at(t) for t in INSTANTS)
            assert ((a.id, b.id) in reported) == (same_scope and both), (by_id[a.id], by_id[b.id])
