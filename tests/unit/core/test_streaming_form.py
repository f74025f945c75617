"""The streaming multipart reader of the upload route: fields before and after the file, the file's
bytes handed on piece by piece whatever the chunking, and malformed or doubled parts refused as a 422
naming the field."""

from __future__ import annotations

import pytest

from app.api.streaming_form import StreamingForm, boundary_of
from engine.errors import ValidationFailed

BOUNDARY = "xyz-boundary"


def body(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "Content-Type: text/csv\r\n" if filename else ""
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def feed(raw: bytes, size: int) -> tuple[StreamingForm, bytes, list[str]]:
    form = StreamingForm(BOUNDARY.encode())
    got, fields = b"", []
    for start in range(0, len(raw), size):
        data, done = form.feed(raw[start : start + size])
        got += data
        fields += done
    form.finish()
    return form, got, fields


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
def test_fields_and_file_whatever_the_chunking(size):
    payload = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    raw = body(("target", None, b"margin.sales"), ("file", "a.csv", payload), ("meta", None, b'{"a": 1}'))
    form, got, fields = feed(raw, size)
    assert got == payload
    assert fields == ["target", "meta"]
    assert form.fields == {"target": "margin.sales", "meta": '{"a": 1}'}
    assert (form.file_seen, form.file_name, form.file_type) == (True, "a.csv", "text/csv")


def test_two_files_are_refused_naming_file():
    raw = body(("file", "a.csv", b"1"), ("file", "b.csv", b"2"))
    with pytest.raises(ValidationFailed) as refused:
        feed(raw, 1000)
    assert refused.value.fields == {"file": "more than one file"}


def test_a_field_that_is_not_utf8_is_refused_naming_it():
    with pytest.raises(ValidationFailed) as refused:
        feed(body(("target", None, b"\xff\xfe")), 1000)
    assert refused.value.fields == {"target": "not UTF-8"}


def test_a_body_that_is_not_multipart_names_file():
    with pytest.raises(ValidationFailed) as refused:
        boundary_of("application/json")
    assert refused.value.fields == {"file": "required"}
    assert boundary_of(f"multipart/form-data; boundary={BOUNDARY}") == BOUNDARY.encode()


def test_a_truncated_body_is_malformed():
    raw = body(("file", "a.csv", b"x" * 100))[:-20]
    form = StreamingForm(BOUNDARY.encode())
    form.feed(raw)
    with pytest.raises(ValidationFailed) as refused:
        form.finish()
    assert refused.value.fields == {"file": "malformed"}
