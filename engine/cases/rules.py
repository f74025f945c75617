"""The cases module's vocabularies and rules: case types with their SLA, a case's age against it,
and what an evidence file may be (size, type by its content, name).

Pure functions: the models layer calls them before it writes anything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.errors import ValidationFailed

# case type → (label, days the tenant gives itself to resolve it: the SLA the inbox measures against)
CASE_TYPES: dict[str, tuple[str, int]] = {
    "general": ("General", 10),
    "invoice_dispute": ("Invoice dispute", 7),
    "payment_query": ("Payment query", 5),
    "onboarding": ("Onboarding", 14),
    "quality": ("Quality issue", 7),
    "enforcement": ("Enforcement notice", 5),
}
DEFAULT_TYPE = "general"

SUBJECT_MAX = 200
BODY_MAX = 4000
LABEL_MAX = 200
STEP_MAX = 200
MAX_STEPS = 50

# evidence files: at most this many bytes, and only these kinds, recognised by their first bytes
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 4096
FILENAME_MAX = 200


def sla_days(case_type: str) -> int:
    return CASE_TYPES[case_type][1]


def type_label(case_type: str) -> str:
    return CASE_TYPES.get(case_type, (case_type, 0))[0]


def check_type(case_type: str, field: str = "case_type") -> str:
    if case_type not in CASE_TYPES:
        raise ValidationFailed(
            f"{field}: unknown case type {case_type!r} (one of: {', '.join(CASE_TYPES)})", fields={field: "unknown"}
        )
    return case_type


def due_at(opened_at: datetime, case_type: str) -> datetime:
    return opened_at + timedelta(days=sla_days(case_type))


@dataclass(frozen=True)
class Age:
    days: int  # whole days since the case was opened
    overdue: bool  # still active and past its SLA


def age(opened_at: datetime, due: datetime, now: datetime, *, active: bool) -> Age:
    return Age(max(0, (now - opened_at).days), active and now > due)


def clean_text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    """Trimmed text without control characters (line breaks kept), at most `limit` characters."""
    text = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if required and not text:
        raise ValidationFailed(f"{field} is required", fields={field: "required"})
    if len(text) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters", fields={field: "too long"})
    return text


# ---- evidence files -----------------------------------------------------------------------------

# (content type, accepted extensions, a test on the first bytes)
_PDF = ("application/pdf", (".pdf",))
_PNG = ("image/png", (".png",))
_JPEG = ("image/jpeg", (".jpg", ".jpeg"))
_GIF = ("image/gif", (".gif",))
_WEBP = ("image/webp", (".webp",))
_ZIP_OFFICE = (
    "application/vnd.openxmlformats-officedocument",
    (".docx", ".xlsx", ".pptx"),
)
_TEXT = ("text/plain", (".txt", ".csv", ".md"))

ALLOWED_KINDS = ("PDF", "PNG", "JPEG", "GIF", "WebP", "Word/Excel/PowerPoint (OOXML)", "plain text or CSV")


def sniff(head: bytes) -> tuple[str, tuple[str, ...]] | None:
    """The kind of a file from its first bytes (never from its name or the browser's word), or None."""
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    if head.startswith(b"PK\x03\x04") and (b"[Content_Types].xml" in head or b"word/" in head or b"xl/" in head):
        return _ZIP_OFFICE
    if head and _looks_like_text(head):
        return _TEXT
    return None


_BINARY = frozenset(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | frozenset(range(0x10, 0x20)) | {0x7F}


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 without control bytes (tab, line breaks and form feed allowed)."""
    if any(b in _BINARY for b in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # a multi-byte character cut at the end of the sample is fine
            return False
    return True


_UNSAFE = re.compile(r"[\\/:*?\"<>|]")


def clean_filename(name: str | None) -> str:
    """The last path segment, without control or path characters; a 422 naming `file` when empty
    or too long."""
    raw = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")).strip(" .")
    if not cleaned:
        raise ValidationFailed("file: the file has no usable name", fields={"file": "no name"})
    if len(cleaned) > FILENAME_MAX:
        raise ValidationFailed(
            f"file: the name is longer than {FILENAME_MAX} characters", fields={"file": "name too long"}
        )
    return cleaned


def check_file(filename: str, head: bytes, size: int) -> str:
    """The content type of an acceptable evidence file, or a 422/413-worthy refusal naming `file`."""
    if size == 0:
        raise ValidationFailed("file: the file is empty", fields={"file": "empty"})
    kind = sniff(head)
    if kind is None:
        raise ValidationFailed(
            f"file: {filename} is not a kind of file evidence may be ({', '.join(ALLOWED_KINDS)})",
            fields={"file": "type not allowed"},
        )
    content_type, extensions = kind
    if not filename.lower().endswith(extensions):
        raise ValidationFailed(
            f"file: {filename} holds {content_type} but its name does not end in {' or '.join(extensions)}",
            fields={"file": "name does not match content"},
        )
    return content_type
