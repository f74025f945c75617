"""The explainable price resolver: one request at a time, every candidate accounted for.

Precedence, most specific first: org_channel > channel > org > global. A rule applies to a request
when its SKU and price-book kind match, its org/channel are either unset or equal to the request's,
its currency equals the requested currency (no conversion ever: a mismatch is excluded and says so)
and the request instant lies in `[effective_from, effective_to)`.

Tie-break (TIE_BREAK_RULE): among effective rules at the same precedence step the higher priority
wins, then the later effective_from, then the lexicographically smallest rule id.

Exclusion checks run in a fixed order (sku, kind, org, channel, currency, window) so each rule gets
exactly one, stable reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.pricing.model import (
    EXCLUDED,
    LEVEL_DESCRIPTIONS,
    OUTRANKED,
    R_CURRENCY,
    R_EARLIER_FROM,
    R_EXPIRED,
    R_HIGHER_ID,
    R_LOWER_PRECEDENCE,
    R_LOWER_PRIORITY,
    R_NOT_YET,
    R_OTHER_CHANNEL,
    R_OTHER_KIND,
    R_OTHER_ORG,
    R_OTHER_SKU,
    R_WINNER,
    WINNER,
    Candidate,
    PriceQuery,
    PriceRule,
    Resolution,
    _iso,
)

DECIDED_ONLY = "only_rule_at_step"
DECIDED_PRIORITY = "priority"
DECIDED_FROM = "effective_from"
DECIDED_ID = "rule_id"
DECIDED_NONE = "no_price"

_EXCLUSION_ORDER = {
    R_OTHER_SKU: 0,
    R_OTHER_KIND: 1,
    R_OTHER_ORG: 2,
    R_OTHER_CHANNEL: 3,
    R_CURRENCY: 4,
    R_NOT_YET: 5,
    R_EXPIRED: 6,
}


def exclusion(query: PriceQuery, rule: PriceRule) -> tuple[str, str] | None:
    """Why `rule` cannot price `query` (reason code, sentence), or None when it applies."""
    if rule.sku_id != query.sku_id:
        return R_OTHER_SKU, f"rule is for SKU {rule.sku_id}, not {query.sku_id}"
    if rule.kind != query.kind:
        return R_OTHER_KIND, f"rule is in a '{rule.kind}' price book, the request asks for '{query.kind}'"
    if rule.org_id is not None and rule.org_id != query.org_id:
        asked = f"organization {query.org_id}" if query.org_id else "no organization"
        return R_OTHER_ORG, f"rule is for organization {rule.org_id}; the request names {asked}"
    if rule.channel_id is not None and rule.channel_id != query.channel_id:
        asked = f"channel {query.channel_id}" if query.channel_id else "no channel"
        return R_OTHER_CHANNEL, f"rule is for channel {rule.channel_id}; the request names {asked}"
    if rule.currency != query.currency:
        return R_CURRENCY, f"rule is priced in {rule.currency}, the request asks for {query.currency} (no conversion)"
    if query.at < rule.effective_from:
        return R_NOT_YET, f"rule takes effect at {_iso(rule.effective_from)}, after {_iso(query.at)}"
    if rule.effective_to is not None and query.at >= rule.effective_to:
        return R_EXPIRED, f"rule ended at {_iso(rule.effective_to)} (exclusive), at or before {_iso(query.at)}"
    return None


def _outranked_reason(loser: PriceRule, winner: PriceRule) -> tuple[str, str]:
    if loser.level != winner.level:
        return (
            R_LOWER_PRECEDENCE,
            f"effective, but step '{loser.level.label}' ranks below step '{winner.level.label}' of rule {winner.id}",
        )
    if loser.priority != winner.priority:
        return R_LOWER_PRIORITY, f"same step, lower priority ({loser.priority} < {winner.priority})"
    if loser.effective_from != winner.effective_from:
        return (
            R_EARLIER_FROM,
            f"same step and priority, earlier effective_from ({_iso(loser.effective_from)} < "
            f"{_iso(winner.effective_from)})",
        )
    return R_HIGHER_ID, f"same step, priority and effective_from; rule id {loser.id} sorts after {winner.id}"


def _decided_by(winner: PriceRule, same_step: list[PriceRule]) -> str:
    """The strongest tie-break criterion that separated the winner from the runner-up at its step."""
    others = [r for r in same_step if r is not winner]
    if not others:
        return DECIDED_ONLY
    runner_up = min(others, key=PriceRule.rank_key)
    code, _ = _outranked_reason(runner_up, winner)
    return {R_LOWER_PRIORITY: DECIDED_PRIORITY, R_EARLIER_FROM: DECIDED_FROM}.get(code, DECIDED_ID)


def resolve(query: PriceQuery, rules: Iterable[PriceRule]) -> Resolution:
    """Resolve one request against `rules`; every rule appears once in the explanation."""
    excluded: list[Candidate] = []
    applicable: list[PriceRule] = []
    for rule in rules:
        why = exclusion(query, rule)
        if why is None:
            applicable.append(rule)
        else:
            level = None if why[0] in (R_OTHER_SKU, R_OTHER_KIND, R_OTHER_ORG, R_OTHER_CHANNEL) else rule.level
            excluded.append(Candidate(rule, EXCLUDED, why[0], why[1], level))
    excluded.sort(key=lambda c: (_EXCLUSION_ORDER[c.reason], c.rule.rank_key()))

    if not applicable:
        return Resolution(
            query=query,
            price=None,
            rule_id=None,
            level=None,
            decided_by=DECIDED_NONE,
            summary=_no_price_summary(query, excluded),
            candidates=tuple(excluded),
        )

    applicable.sort(key=PriceRule.rank_key)
    winner = applicable[0]
    step = winner.level
    decided = _decided_by(winner, [r for r in applicable if r.level == step])
    ranked = [Candidate(winner, WINNER, R_WINNER, _winner_detail(winner, decided), step)]
    for rule in applicable[1:]:
        code, detail = _outranked_reason(rule, winner)
        ranked.append(Candidate(rule, OUTRANKED, code, detail, rule.level))
    outranked = len(applicable) - 1
    summary = (
        f"{winner.amount.normalize():f} {query.currency} from rule {winner.id}, picked at precedence step "
        f"'{step.label}' ({LEVEL_DESCRIPTIONS[step]})"
        + (f" by {decided.replace('_', ' ')}" if decided != DECIDED_ONLY else "")
        + f"; {outranked} outranked, {len(excluded)} excluded."
    )
    return Resolution(
        query=query,
        price=winner.amount,
        rule_id=winner.id,
        level=step,
        decided_by=decided,
        summary=summary,
        candidates=tuple(ranked + excluded),
    )


def _winner_detail(winner: PriceRule, decided: str) -> str:
    base = f"most specific effective step '{winner.level.label}'"
    if decided == DECIDED_ONLY:
        return base + "; the only effective rule at that step"
    return base + f"; won the tie-break by {decided.replace('_', ' ')}"


def _no_price_summary(query: PriceQuery, excluded: list[Candidate]) -> str:
    if not excluded:
        return f"No price: there is no '{query.kind}' rule for SKU {query.sku_id}."
    counts: dict[str, int] = {}
    for c in excluded:
        counts[c.reason] = counts.get(c.reason, 0) + 1
    parts = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in counts.items())
    return f"No price: none of the {len(excluded)} candidate rules applies ({parts})."
