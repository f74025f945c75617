"""The service-policy resolver with known answers: precedence and tie-breaks between policies, and
the manufacturer → distributor → dealer fallback with territory, certification and status checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.service.policy import OrgFacts, PolicyStep, ServicePolicy, TicketFacts, resolve

T0 = datetime(2026, 3, 1, tzinfo=UTC)
BRAND = OrgFacts("brand", "Brand", "manufacturer")
DIST_NW = OrgFacts(
    "d-nw", "North-West Dist", "distributor", coverage=("North", "West"), certifications=frozenset({"fs"})
)
DIST_S = OrgFacts("d-s", "South Dist", "distributor", coverage=("South",))
DEALER = OrgFacts("dealer", "Metro", "dealer", coverage=("North",))
PARTNER = OrgFacts("partner", "Swift", "service_partner", coverage=("South", "East"))
CHAIN = (PolicyStep("manufacturer", certification="fs"), PolicyStep("distributor"), PolicyStep("dealer"))


def ticket(region: str | None = "North", **over) -> TicketFacts:
    base = dict(
        at=T0,
        region=region,
        category="Supplements",
        manufacturer=BRAND,
        distributors=(DIST_NW, DIST_S),
        dealer=DEALER,
        orgs={o.id: o for o in (BRAND, DIST_NW, DIST_S, DEALER, PARTNER)},
    )
    return TicketFacts(**{**base, **over})


def policy(code: str = "P", **over) -> ServicePolicy:
    base = dict(id=code.lower(), code=code, name=code, steps=CHAIN, effective_from=T0 - timedelta(days=30))
    return ServicePolicy(**{**base, **over})


def trace(answer) -> list[tuple]:
    return [(s.index, s.org_id, s.outcome, s.reason) for s in answer.steps]


def test_manufacturer_without_certification_falls_back_to_the_covering_distributor():
    answer = resolve(ticket("North"), [policy()])
    assert (answer.org_id, answer.step, answer.decided_by) == ("d-nw", 2, "step")
    assert trace(answer) == [
        (1, "brand", "skipped", "missing_certification"),
        (2, "d-nw", "chosen", "chosen"),
        (2, "d-s", "not_reached", "not_reached"),
        (3, None, "not_reached", "not_reached"),
    ]
    assert (
        answer.summary
        == "North-West Dist is responsible: step 2 (distributor) of policy P ('P', global), after 1 skipped."
    )


def test_the_second_distributor_then_the_dealer_then_the_default():
    assert resolve(ticket("South"), [policy()]).org_id == "d-s"
    answer = resolve(ticket("East"), [policy(default_org_id="partner")])
    assert (answer.org_id, answer.decided_by, answer.step) == ("partner", "default_org", None)
    assert [s.reason for s in answer.steps] == [
        "missing_certification",
        "outside_territory",
        "outside_territory",
        "outside_territory",
    ]
    assert answer.steps[1].detail == "North-West Dist serves North, West (its profile); the ticket is in East"
    nobody = resolve(ticket("East"), [policy()])
    assert (nobody.org_id, nobody.decided_by) == (None, "no_org")


def test_certified_manufacturer_wins_step_one_and_an_inactive_one_is_skipped():
    certified = OrgFacts("brand", "Brand", "manufacturer", certifications=frozenset({"fs"}))
    assert resolve(ticket(manufacturer=certified), [policy()]).org_id == "brand"
    held = OrgFacts("brand", "Brand", "manufacturer", status="on_hold", certifications=frozenset({"fs"}))
    answer = resolve(ticket(manufacturer=held), [policy()])
    assert answer.steps[0].reason == "inactive" and answer.steps[0].detail == "Brand is on hold, not active"
    assert answer.org_id == "d-nw"


def test_step_territories_override_the_profile_and_no_region_cannot_be_checked():
    steps = (PolicyStep("distributor", territories=("East",)), PolicyStep("organization", org_id="partner"))
    answer = resolve(ticket("East"), [policy(steps=steps)])
    assert trace(answer)[:2] == [(1, "d-nw", "chosen", "chosen"), (1, "d-s", "not_reached", "not_reached")]
    no_region = resolve(ticket(None), [policy(steps=steps)])
    assert [s.reason for s in no_region.steps] == ["no_region", "no_region", "no_region"]
    dealer_only = resolve(ticket(None), [policy(steps=(PolicyStep("manufacturer"),))])
    assert dealer_only.org_id == "brand"  # a manufacturer states no coverage: it serves every region


def test_missing_parties_are_named():
    answer = resolve(ticket("North", dealer=None, distributors=()), [policy(steps=CHAIN[1:])])
    assert [(s.reason, s.detail) for s in answer.steps] == [
        ("no_org", "the ticket names no dealer, so no distributor can be found"),
        ("no_org", "the ticket names no dealer"),
    ]


def test_policy_precedence_priority_effective_from_and_code():
    specific = policy("SPECIFIC", manufacturer_org_id="brand", category="supplements", steps=(PolicyStep("dealer"),))
    maker = policy("MAKER", manufacturer_org_id="brand", priority=99)
    category = policy("CAT", category="Supplements")
    glob = policy("GLOBAL")
    answer = resolve(ticket(), [glob, category, maker, specific])
    assert answer.policy_code == "SPECIFIC" and answer.org_id == "dealer"
    assert [(c.policy.code, c.outcome, c.reason) for c in answer.candidates] == [
        ("SPECIFIC", "winner", "winner"),
        ("MAKER", "outranked", "lower_precedence"),
        ("CAT", "outranked", "lower_precedence"),
        ("GLOBAL", "outranked", "lower_precedence"),
    ]
    high, low = policy("B-HIGH", priority=5), policy("A-LOW", priority=1)
    assert [(c.policy.code, c.reason) for c in resolve(ticket(), [low, high]).candidates] == [
        ("B-HIGH", "winner"),
        ("A-LOW", "lower_priority"),
    ]
    newer = policy("Z-NEW", effective_from=T0 - timedelta(days=1))
    assert resolve(ticket(), [policy("A-OLD"), newer]).candidates[1].reason == "earlier_effective_from"
    assert resolve(ticket(), [policy("B"), policy("A")]).candidates[1].reason == "higher_code"


def test_exclusions_in_their_order():
    other_maker = policy("OTHER", manufacturer_org_id="someone-else")
    off = policy("OFF", enabled=False, manufacturer_org_id="someone-else")
    later = policy("LATER", effective_from=T0 + timedelta(seconds=1))
    ended = policy("ENDED", effective_to=T0)  # exclusive end
    cat = policy("CAT", category="Appliances")
    answer = resolve(ticket(), [other_maker, off, later, ended, cat])
    assert answer.decided_by == "no_policy" and answer.org_id is None
    assert {c.policy.code: c.reason for c in answer.candidates} == {
        "OTHER": "other_manufacturer",
        "OFF": "disabled",
        "LATER": "not_yet_effective",
        "ENDED": "expired",
        "CAT": "other_category",
    }
    assert answer.summary == "No responsible organization: no service policy applies (5 excluded)."
    assert resolve(ticket(), []).summary == "No responsible organization: no service policy applies (there are none)."


def test_to_dict_is_the_stored_provenance():
    data = resolve(ticket("North"), [policy()]).to_dict()
    assert data["responsible_org_id"] == "d-nw" and data["level"] == "global" and data["at"] == "2026-03-01T00:00:00Z"
    assert data["steps"][0] == {
        "step": 1,
        "role": "manufacturer",
        "org_id": "brand",
        "org_name": "Brand",
        "outcome": "skipped",
        "reason": "missing_certification",
        "detail": "Brand lacks certification 'fs' (holds: none)",
    }
