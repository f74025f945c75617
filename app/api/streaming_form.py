"""A multipart/form-data body read as it arrives: small text fields are kept, the one file part is
handed on piece by piece. Starlette's own form parser spools the whole file first; an upload must
go to storage while it streams (docs/uploads.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from python_multipart.multipart import MultipartParser, parse_options_header

from engine.errors import ValidationFailed

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 20


# the OpenAPI request body of a route that takes one multipart `file` (its `openapi_extra`)
MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def boundary_of(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ValidationFailed(
            "send the file as multipart/form-data (field `file`), or create a resumable upload with Upload-Length",
            fields={"file": "required"},
        )
    return boundary


class StreamingForm:
    """Feed it the body's chunks (`feed`); it returns the file bytes found in each, and keeps the
    text fields in `fields`. `file_name` / `file_type` come from the file part's headers."""

    def __init__(self, boundary: bytes, file_field: str = "file"):
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.file_name: str | None = None
        self.file_type: str | None = None
        self.file_seen = False
        self._pending: list[bytes] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._name: str | None = None
        self._value = bytearray()
        self._in_file = False
        self._field_done: list[str] = []
        self._ended = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._header_name.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    def feed(self, chunk: bytes) -> tuple[bytes, list[str]]:
        """(the file's bytes in this chunk, names of text fields completed in it)."""
        try:
            self._parser.write(chunk)
        except ValidationFailed:
            raise
        except Exception as exc:  # python-multipart's own parse errors
            raise ValidationFailed(f"the multipart body is malformed: {exc}", fields={"file": "malformed"}) from None
        data, self._pending = b"".join(self._pending), []
        done, self._field_done = self._field_done, []
        return data, done

    def finish(self) -> None:
        """The body is over: it must have ended with the closing boundary (else the file may be cut)."""
        try:
            self._parser.finalize()
        except Exception as exc:
            raise ValidationFailed(f"the multipart body is malformed: {exc}", fields={"file": "malformed"}) from None
        if not self._ended:
            raise ValidationFailed("the multipart body ends before its closing boundary", fields={"file": "malformed"})

    def _end(self) -> None:
        self._ended = True

    def _part_begin(self) -> None:
        self._headers = {}
        self._name = None
        self._value = bytearray()
        self._in_file = False

    def _header_end(self) -> None:
        self._headers[self._header_name.decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        self._name = name
        if name == self.file_field:
            if self.file_seen:
                raise ValidationFailed("send one file per upload", fields={"file": "more than one file"})
            self.file_seen = self._in_file = True
            raw = options.get(b"filename")
            self.file_name = raw.decode("utf-8", "replace") if raw is not None else None
            self.file_type = self._headers.get("content-type", b"").decode("latin-1") or None
        elif len(self.fields) >= MAX_FIELDS:
            raise ValidationFailed(f"at most {MAX_FIELDS} form fields", fields={name or "form": "too many fields"})

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(bytes(data[start:end]))
            return
        self._value.extend(data[start:end])
        if len(self._value) > MAX_FIELD_BYTES:
            name = self._name or "form"
            raise ValidationFailed(f"field {name!r} is over {MAX_FIELD_BYTES} bytes", fields={name: "too long"})

    def _part_end(self) -> None:
        if not self._in_file and self._name:
            try:
                self.fields[self._name] = self._value.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationFailed(f"field {self._name!r} is not UTF-8", fields={self._name: "not UTF-8"}) from None
            self._field_done.append(self._name)
        self._in_file = False


async def read_form(
    chunks: AsyncIterator[bytes],
    form: StreamingForm,
    on_file: Callable[[bytes], Awaitable[None]],
    on_field: Callable[[str, str], Awaitable[None]],
) -> None:
    """Drive `form` over the body: each piece of the file to `on_file`, each text field (as soon as
    it is complete, so `target` can be checked before the file arrives) to `on_field`."""
    async for chunk in chunks:
        data, done = form.feed(chunk)
        for name in done:
            await on_field(name, form.fields[name])
        if data:
            await on_file(data)
    form.finish()
