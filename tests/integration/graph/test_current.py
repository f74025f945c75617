"""The graph kept between reads (models/graph/current.py): the tenant's version moves with every
statement that changes participants or relationships (and only then), a read after a change sees
it, and a transaction's own uncommitted writes never reach another read — even when it rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.graph.conftest import Org


def _version(org: Org) -> int:
    from models.core.db import tenant_session

    with tenant_session(org.ctx()) as session:
        found = session.execute(
            text("select version from graph_versions where tenant_id = :t"), {"t": org.tenant.tenant_id}
        ).scalar()
        return int(found or 0)


def _stage(org: Org, name: str) -> str:
    from models.graph import graph_queries

    found = graph_queries.graph_view(org.ctx(), graph_queries.GraphFilters())
    return next(n.lifecycle_stage for n in found.nodes if n.label == name)


def test_changes_move_the_version_and_reads_do_not(org_a: Org, org_b: Org):
    from models.core.db import tenant_session
    from models.graph import actions, graph_queries, queries

    built = _version(org_a)
    assert built == 2  # one statement adding the participants, one the relationships
    graph_queries.graph_view(org_a.ctx(), graph_queries.GraphFilters())
    graph_queries.segments_view(org_a.ctx())
    queries.participant_detail(org_a.ctx(), org_a.people["Hana"])
    assert _version(org_a) == built
    detail = actions.propose_intervention(
        org_a.ctx(), "set_stage", [str(org_a.people["Iva"])], {"stage": "paused"}, "test"
    )
    assert _version(org_a) == built  # a proposal changes no participant
    actions.decide_intervention(org_a.ctx(), detail.intervention.id, "apply", "quiet for now")
    applied = _version(org_a)
    assert applied > built
    with tenant_session(org_a.ctx()) as session:
        session.execute(
            text("delete from graph_relationships where tenant_id = :t and false"), {"t": org_a.tenant.tenant_id}
        )
    assert _version(org_a) == applied  # a statement that changed no row
    assert _version(org_b) == 2  # the other organization's count is its own


def test_a_read_after_a_change_sees_it(org_a: Org):
    from models.core.db import tenant_session
    from models.graph import graph_queries

    assert _stage(org_a, "Iva") == "active"
    assert _stage(org_a, "Iva") == "active"  # kept
    with tenant_session(org_a.ctx()) as session:
        session.execute(
            text("update graph_participants set lifecycle_stage = 'paused' where tenant_id = :t and id = :p"),
            {"t": org_a.tenant.tenant_id, "p": org_a.people["Iva"]},
        )
    assert _stage(org_a, "Iva") == "paused"
    segments = graph_queries.segments_view(org_a.ctx())
    assert segments.participants == len(org_a.people)


def test_uncommitted_writes_never_reach_another_read(org_a: Org):
    from models.core.db import tenant_session
    from models.graph.current import current

    assert _stage(org_a, "Jo") == "new"  # kept at the built version
    with pytest.raises(RuntimeError), tenant_session(org_a.ctx()) as session:
        session.execute(
            text("update graph_participants set lifecycle_stage = 'closed' where tenant_id = :t and id = :p"),
            {"t": org_a.tenant.tenant_id, "p": org_a.people["Jo"]},
        )
        mine = current(session, org_a.ctx())  # its own write, read from the tables and not kept
        assert next(p.lifecycle_stage for p in mine.people if p.display_name == "Jo") == "closed"
        raise RuntimeError("roll back")
    assert _stage(org_a, "Jo") == "new"
    with tenant_session(org_a.ctx()) as session:  # a real change that lands on the same version number
        session.execute(
            text("update graph_participants set lifecycle_stage = 'paused' where tenant_id = :t and id = :p"),
            {"t": org_a.tenant.tenant_id, "p": org_a.people["Jo"]},
        )
    assert _stage(org_a, "Jo") == "paused"
