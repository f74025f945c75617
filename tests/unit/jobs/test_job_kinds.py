"""Job kinds are typed data: one registration per name, refused when it would silently replace
another kind; a kind's chunk hooks are a typed ChunkHooks, never attributes on the handler."""

from __future__ import annotations

import uuid

import pytest

from engine.jobs import Done
from models.jobs.kinds import ChunkHooks, JobKind, get_kind, register


def _handle(ic):
    return Done()


def _other(ic):
    return Done()


def _noop(*args):
    return None


def test_a_kind_registers_once_and_is_found_by_name():
    name = f"test.kind.{uuid.uuid4().hex[:8]}"
    kind = register(JobKind(name, _handle, chunk_size=7))
    assert get_kind(name) is kind and kind.chunk_size == 7 and kind.chunk is None
    assert register(JobKind(name, _handle, chunk_size=7)) is not None  # the same kind again: harmless
    with pytest.raises(ValueError, match=f"job kind '{name}' is already registered"):
        register(JobKind(name, _other))


def test_chunk_hooks_are_typed_and_collecting_is_explicit():
    hooks = ChunkHooks(begin=_noop, undo=_noop, end=_noop, abort=_noop, collects=True)
    kind = JobKind(f"test.chunked.{uuid.uuid4().hex[:8]}", _handle, chunk_size=100, chunk=hooks)
    assert kind.chunk is hooks and kind.chunk.collects
    assert ChunkHooks(begin=_noop, undo=_noop, end=_noop, abort=_noop).collects is False


@pytest.mark.parametrize(
    ("name", "size", "message"), [("", 50, "1-60 characters"), ("x" * 61, 50, "1-60"), ("ok", 0, "chunk_size")]
)
def test_bad_kinds_are_refused_when_declared(name, size, message):
    with pytest.raises(ValueError, match=message):
        JobKind(name, _handle, chunk_size=size)


def test_margin_kinds_are_declared_with_their_chunk_preferences():
    from models.margin.kinds import DETECT, ENFORCE

    # one detection item per claim (a part of the scan), so workers share a run; no long lease needed
    assert (DETECT.name, DETECT.chunk_size, DETECT.chunk) == ("margin.detect", 1, None)
    assert DETECT.min_lease_seconds == 0 and DETECT.complete is not None
    assert (ENFORCE.name, ENFORCE.chunk_size) == ("margin.enforce", 100)
    assert ENFORCE.chunk is not None and ENFORCE.chunk.collects
