"""Engineer eligibility and ranking with known answers and one reason per engineer."""

from __future__ import annotations

from engine.rbac import Role
from engine.service.eligibility import EngineerFacts, Need, rank
from engine.service.machines import TICKET_MACHINE

ORG = {"ns": "Northstar"}
ASHA = EngineerFacts(
    "a", "A", "Asha", orgs=ORG, skills={"install": 4, "repair": 5}, coverage={"North": True, "West": False}
)
BILAL = EngineerFacts("b", "B", "Bilal", orgs=ORG, skills={"install": 3, "repair": 3}, coverage={"North": True})
CHEN = EngineerFacts("c", "C", "Chen", orgs=ORG, skills={"repair": 4}, coverage={"West": True})
DEV = EngineerFacts("d", "D", "Dev", orgs={"sw": "Swift"}, skills={"install": 5}, coverage={"North": True})
ESHA = EngineerFacts("e", "E", "Esha", active=False, orgs=ORG, skills={"install": 5}, coverage={"North": True})
ALL = [ESHA, DEV, CHEN, BILAL, ASHA]


def table(ranked):
    return [(r.engineer.name, r.rank, r.reason, r.detail) for r in ranked]


def test_rank_with_a_reason_each():
    need = Need(skills=("install",), region="north", org_id="ns", org_name="Northstar")
    assert table(rank(need, ALL)) == [
        ("Asha", 1, "eligible", "ranked first"),
        ("Bilal", 2, "eligible", "fewer skill points (3 < 4 of Asha)"),
        ("Chen", None, "outside_region", ""),
        ("Dev", None, "not_member", ""),
        ("Esha", None, "inactive", ""),
    ]
    by_name = {r.engineer.name: r for r in rank(need, ALL)}
    assert by_name["Chen"].summary == "does not cover north (covers West)"
    assert by_name["Dev"].summary == "not a member of Northstar (member of Swift)"
    assert (
        by_name["Asha"].summary
        == "member of Northstar; covers north (primary); skills install 4 (4 points); 0 open tickets"
    )


def test_primary_before_points_and_load_before_name():
    west = Need(skills=("repair",), region="West")
    assert table(rank(west, [ASHA, CHEN]))[:2] == [
        ("Chen", 1, "eligible", "ranked first"),
        ("Asha", 2, "eligible", "secondary coverage, Chen is primary"),
    ]
    busy = EngineerFacts("b", "B", "Bilal", skills={"install": 4}, open_tickets=2)
    free = EngineerFacts("z", "Z", "Zoe", skills={"install": 4}, open_tickets=0)
    twin = EngineerFacts("y", "Y", "Yan", skills={"install": 4}, open_tickets=0)
    assert table(rank(Need(skills=("install",)), [busy, free, twin])) == [
        ("Yan", 1, "eligible", "ranked first"),
        ("Zoe", 2, "eligible", "tie with Yan; ordered by name"),
        ("Bilal", 3, "eligible", "more open tickets (2 > 0 of Zoe)"),
    ]


def test_missing_skills_are_listed():
    [chen] = rank(Need(skills=("install", "cold-chain")), [CHEN])
    assert (chen.eligible, chen.summary) == (False, "lacks install, cold-chain")


def test_ticket_machine_buttons():
    assert [t.action for t in TICKET_MACHINE.ui_candidates("open", Role.OPS)] == ["acknowledge", "start", "cancel"]
    assert TICKET_MACHINE.ui_candidates("open", Role.VIEWER) == []
    assert [t.action for t in TICKET_MACHINE.ui_candidates("resolved", Role.ADMIN)] == ["reopen", "close"]
    assert TICKET_MACHINE.statuses == ("open", "acknowledged", "in_progress", "resolved", "closed", "cancelled")
