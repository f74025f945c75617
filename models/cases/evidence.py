"""Evidence files as repositories: receiving one upload (a new evidence row or a new version of one),
loading, the decisions (VERIFY, REJECT, REPLACE, REMOVE) and the versions.

The bytes go through the upload storage adapter (models.uploads.storage: local or S3), under
`<tenant>/evidence/<version id>`, streamed chunk by chunk with SHA-256 computed on the way. The
type is decided by the first bytes (engine.cases.rules.sniff), never by the name or the browser;
the name must agree with it. Nothing is kept from a refused file: the row is written only once
every byte is in and checked, and a refusal removes the stored bytes.

REPLACE does not mix an upload with a decision (§11.3): a new version is uploaded first (a CRUD
create that leaves the evidence's status alone), then the REPLACE decision puts the newest version
in place. REMOVE is a soft delete: the status is `removed`, and the rows and bytes stay (the app
role has no DELETE on these tables).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.cases import rules
from engine.cases.machines import ACTIVE, EVIDENCE_MACHINE, REJECTED, SUBMITTED
from engine.cases.permissions import WRITE
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, TooLarge
from models.cases.cases import get_case, scoped
from models.cases.tables import Case, Evidence, EvidenceVersion
from models.core import mutations
from models.core.db import tenant_session
from models.core.decisions import StatusEntity, decide
from models.uploads.storage import Writer, get_storage

REPLACEABLE = frozenset({SUBMITTED, REJECTED})  # a new version may be uploaded for these


def get_evidence(session: Session, ctx: TenantContext, evidence_id: uuid.UUID) -> Evidence:
    row = session.exec(scoped(select(Evidence), Evidence, ctx).where(Evidence.id == evidence_id)).first()
    if row is None:
        raise NotFound("evidence not found")
    return row


def evidence_of(session: Session, ctx: TenantContext, case: Case) -> list[Evidence]:
    return list(
        session.exec(
            scoped(select(Evidence), Evidence, ctx)
            .where(Evidence.case_id == case.id)
            .order_by(col(Evidence.created_at), col(Evidence.id))
        ).all()
    )


def versions_of(session: Session, ctx: TenantContext, evidence_ids: list[uuid.UUID]) -> list[EvidenceVersion]:
    if not evidence_ids:
        return []
    return list(
        session.exec(
            scoped(select(EvidenceVersion), EvidenceVersion, ctx)
            .where(col(EvidenceVersion.evidence_id).in_(evidence_ids))
            .order_by(col(EvidenceVersion.evidence_id), col(EvidenceVersion.version))
        ).all()
    )


def version_row(session: Session, ctx: TenantContext, row: Evidence, version: int | None) -> EvidenceVersion:
    wanted = row.current_version if version is None else version
    found = session.exec(
        scoped(select(EvidenceVersion), EvidenceVersion, ctx).where(
            EvidenceVersion.evidence_id == row.id, EvidenceVersion.version == wanted
        )
    ).first()
    if found is None:
        raise NotFound("evidence version not found")
    return found


def _latest_version(session: Session, ctx: TenantContext, row: Evidence) -> int:
    return int(
        session.exec(
            select(func.coalesce(func.max(EvidenceVersion.version), 0)).where(
                EvidenceVersion.tenant_id == ctx.tenant_id, EvidenceVersion.evidence_id == row.id
            )
        ).one()
    )


def apply_decision(session: Session, ctx: TenantContext, row: StatusEntity, action: str, reason: str | None) -> Any:
    """VERIFY / REJECT / REMOVE decide only; REPLACE puts the newest uploaded version in place
    (409 when no newer version was uploaded)."""
    if not isinstance(row, Evidence):
        raise TypeError("apply_decision decides evidence only")
    if action != "replace":
        decide(session, ctx, EVIDENCE_MACHINE, row, action, reason=reason)
        return None
    session.refresh(row, with_for_update=True)
    EVIDENCE_MACHINE.check(row.status, action, ctx, reason)
    latest = _latest_version(session, ctx, row)
    if latest <= row.current_version:
        raise Conflict("upload the new version of this file first, then replace", fields={"file": "no new version"})
    decide(session, ctx, EVIDENCE_MACHINE, row, action, reason=reason, details={"version": latest})
    mutations.update(session, ctx, row, {"current_version": latest}, action="evidence.version")
    return {"version": str(latest)}


class EvidenceUpload:
    """One evidence file arriving in chunks: `write` each, then `commit` (or `discard`).

    `evidence_id` None: a new evidence row on `case_id`; else a new (not yet current) version of
    that evidence row, put in place later by the REPLACE decision."""

    def __init__(self, ctx: TenantContext, case_id: uuid.UUID | None, evidence_id: uuid.UUID | None = None):
        ctx.require(WRITE)
        self.ctx = ctx
        self.case_id = case_id
        self.evidence_id = evidence_id
        self.version_id = uuid.uuid4()
        self.key = f"{ctx.tenant_id}/evidence/{self.version_id}"
        self.storage = get_storage()
        self.digest = hashlib.sha256()
        self.head = bytearray()
        self.size = 0
        self.writer: Writer | None = None
        with tenant_session(ctx) as session:  # refuse an unknown, foreign or closed case before any byte
            self._target(session)

    def _target(self, session: Session) -> tuple[Case, Evidence | None]:
        evidence = None
        if self.evidence_id is not None:
            evidence = get_evidence(session, self.ctx, self.evidence_id)
            if evidence.status not in REPLACEABLE:
                raise Conflict(f"this evidence is '{evidence.status}': no new version can be added")
            self.case_id = evidence.case_id
        if self.case_id is None:
            raise NotFound("case not found")
        case = get_case(session, self.ctx, self.case_id)
        if case.status not in ACTIVE:
            raise Conflict(f"this case is '{case.status}': a closed case takes no new evidence")
        return case, evidence

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > rules.EVIDENCE_MAX_BYTES:
            raise TooLarge(
                f"file: evidence files are at most {rules.EVIDENCE_MAX_BYTES} bytes", fields={"file": "too large"}
            )
        if self.writer is None:
            self.writer = self.storage.writer(self.key)
        self.writer.write(chunk)
        self.digest.update(chunk)
        if len(self.head) < rules.SNIFF_BYTES:
            self.head += chunk[: rules.SNIFF_BYTES - len(self.head)]
        self.size += len(chunk)

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.storage.delete(self.key)

    def commit(self, *, filename: str | None, label: str | None = None) -> tuple[Evidence, EvidenceVersion]:
        """Every byte is in: check the name and the content, then write the rows in one transaction."""
        try:
            name = rules.clean_filename(filename)
            content_type = rules.check_file(name, bytes(self.head), self.size)
            text = rules.clean_text(label or "", "label", rules.LABEL_MAX, required=False) or name
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            self.storage.finalize(self.key)
            with tenant_session(self.ctx) as session:
                case, evidence = self._target(session)
                if evidence is None:
                    evidence = mutations.create(
                        session,
                        self.ctx,
                        Evidence(
                            tenant_id=self.ctx.tenant_id,
                            case_id=case.id,
                            vendor_org_id=case.vendor_org_id,
                            label=text,
                            created_by=self.ctx.user_id,
                        ),
                        action="evidence.create",
                    )
                    number = 1
                else:
                    session.refresh(evidence, with_for_update=True)
                    number = _latest_version(session, self.ctx, evidence) + 1
                version = mutations.create(
                    session,
                    self.ctx,
                    EvidenceVersion(
                        id=self.version_id,
                        tenant_id=self.ctx.tenant_id,
                        evidence_id=evidence.id,
                        vendor_org_id=evidence.vendor_org_id,
                        version=number,
                        filename=name,
                        content_type=content_type,
                        size=self.size,
                        sha256=self.digest.hexdigest(),
                        storage_key=self.key,
                        created_by=self.ctx.user_id,
                    ),
                    action="evidence.upload",
                )
                return evidence, version
        except BaseException:
            self.discard()
            raise


def attach_bytes(session: Session, ctx: TenantContext, case: Case, data: bytes, filename: str, label: str) -> Evidence:
    """A whole small file as a new evidence row on `case`, in the caller's unit of work (seeds and
    the job path): the same checks, storage and rows as an upload."""
    name = rules.clean_filename(filename)
    content_type = rules.check_file(name, data[: rules.SNIFF_BYTES], len(data))
    version_id = uuid.uuid4()
    key = f"{ctx.tenant_id}/evidence/{version_id}"
    storage = get_storage()
    writer = storage.writer(key)
    writer.write(data)
    writer.close()
    storage.finalize(key)
    row = mutations.create(
        session,
        ctx,
        Evidence(
            tenant_id=ctx.tenant_id,
            case_id=case.id,
            vendor_org_id=case.vendor_org_id,
            label=label,
            created_by=ctx.user_id,
        ),
        action="evidence.create",
    )
    mutations.create(
        session,
        ctx,
        EvidenceVersion(
            id=version_id,
            tenant_id=ctx.tenant_id,
            evidence_id=row.id,
            vendor_org_id=case.vendor_org_id,
            version=1,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_key=key,
            created_by=ctx.user_id,
        ),
        action="evidence.upload",
    )
    return row
