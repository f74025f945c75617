"""The audit chain: gapless per tenant under concurrency, and every kind of tampering is caught."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from models.core import audit
from models.core.db import owner_tenant_session, tenant_session


def _append(ctx, n: int, label: str = "test.event") -> None:
    for i in range(n):
        with tenant_session(ctx) as session:
            audit.record(session, ctx, action=label, entity="things", entity_id=i, before={"n": i}, after={"n": i + 1})


def _verify(ctx):
    with tenant_session(ctx) as session:
        return audit.verify_tenant_chain(session, ctx.tenant_id)


def _tamper(ctx, sql: str, **params) -> None:
    with owner_tenant_session(ctx) as session:
        session.execute(text(sql), {"t": str(ctx.tenant_id), **params})


def test_concurrent_appends_stay_gapless_and_linked(tenant_a):
    ctx = tenant_a.ctx()
    threads = [threading.Thread(target=_append, args=(ctx, 15)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with tenant_session(ctx) as session:
        seqs = [r[0] for r in session.execute(text("select seq from audit_events order by seq"))]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) >= 90
    assert _verify(ctx) is None


def test_a_failed_transaction_leaves_no_audit_event(tenant_a):
    ctx = tenant_a.ctx()
    with tenant_session(ctx) as session:
        before = session.execute(text("select count(*) from audit_events")).scalar()
    with pytest.raises(RuntimeError), tenant_session(ctx) as session:
        audit.record(session, ctx, action="doomed", entity="things", entity_id=1)
        raise RuntimeError("boom")
    with tenant_session(ctx) as session:
        assert session.execute(text("select count(*) from audit_events")).scalar() == before
    assert _verify(ctx) is None


def test_flipped_byte_is_caught_at_its_seq(tenant_a):
    ctx = tenant_a.ctx()
    _append(ctx, 5)
    _tamper(ctx, "update audit_events set after = jsonb_set(after, '{n}', '999') where tenant_id = :t and seq = 4")
    fault = _verify(ctx)
    assert fault is not None and fault.seq == 4 and "content" in fault.reason


def test_deleted_row_is_caught(tenant_a):
    ctx = tenant_a.ctx()
    _append(ctx, 5)
    _tamper(ctx, "delete from audit_events where tenant_id = :t and seq = 3")
    fault = _verify(ctx)
    assert fault is not None and fault.seq == 3 and "gap" in fault.reason


def test_swapped_rows_are_caught(tenant_a):
    ctx = tenant_a.ctx()
    _append(ctx, 5)
    # swap the content of seq 3 and 4 (keeping each seq number in place)
    _tamper(
        ctx,
        "update audit_events a set action = b.action, entity_id = b.entity_id, before = b.before, after = b.after, "
        "hash = b.hash, prev_hash = b.prev_hash from audit_events b "
        "where a.tenant_id = :t and b.tenant_id = :t and ((a.seq = 3 and b.seq = 4) or (a.seq = 4 and b.seq = 3))",
    )
    fault = _verify(ctx)
    assert fault is not None and fault.seq == 3


def test_rehashed_forgery_still_breaks_the_next_link(tenant_a):
    """Editing a row and recomputing its own hash is caught by the following event's prev_hash."""
    ctx = tenant_a.ctx()
    _append(ctx, 4)
    with owner_tenant_session(ctx) as session:
        from sqlmodel import select

        from models.core.tables import AuditEvent

        row = session.exec(select(AuditEvent).where(AuditEvent.tenant_id == ctx.tenant_id, AuditEvent.seq == 2)).one()
        row.after = {"n": 12345}
        row.hash = audit._link_of(row).digest()
        session.add(row)
    fault = _verify(ctx)
    assert fault is not None and fault.seq == 3 and "prev_hash" in fault.reason


def test_cli_verify_exits_1_naming_the_first_bad_seq(tenant_a, tenant_b):
    ctx = tenant_a.ctx()
    _append(ctx, 3)
    _append(tenant_b.ctx(), 2)
    ok = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify", "--tenant", tenant_a.slug], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert f"{tenant_a.slug}: ok" in ok.stdout
    _tamper(ctx, "update audit_events set actor = 'mallory' where tenant_id = :t and seq = 2")
    bad = subprocess.run([sys.executable, "-m", "app.cli", "audit", "verify"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"{tenant_a.slug}: BROKEN at seq 2" in bad.stdout
    assert f"{tenant_b.slug}: ok" in bad.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify", "--tenant", "no-such"], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "no tenant with slug 'no-such'" in missing.stderr
