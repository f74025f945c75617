"""QA #5(b): an unexpected exception in a page handler is logged with a reference and shown to
the user by a normal backend event — not Reflex's default toast, which `eval`s in the browser and
is blocked by our CSP (no 'unsafe-eval')."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest


def _boom() -> Exception:
    try:
        raise RuntimeError("psycopg.DataError: secret SQL detail at line 42")
    except RuntimeError as exc:
        return exc


def test_handler_logs_and_queues_a_backend_event_with_only_a_reference(caplog):
    from reflex.event import Event

    from app.web.shell.error_notice import ErrorNoticeState, backend_exception_handler

    with caplog.at_level(logging.ERROR, logger="pharos.web"):
        spec = backend_exception_handler(_boom())
    (event,) = Event.from_event_type(spec)
    # a backend handler of our own state: Reflex routes it to the server, no frontend eval
    assert event.name == f"{ErrorNoticeState.get_full_name()}.show"
    assert not event.name.startswith("_")
    assert list(event.payload) == ["reference"]
    reference = event.payload["reference"]
    assert re.fullmatch(r"[0-9a-f]{16}", reference)
    assert "secret" not in str(event.payload)
    (record,) = [r for r in caplog.records if r.name == "pharos.web"]
    assert reference in record.getMessage() and record.correlation_id == reference
    assert record.exc_info and record.exc_info[1].args[0].startswith("psycopg.DataError")


def test_each_error_gets_its_own_reference():
    from reflex.event import Event

    from app.web.shell.error_notice import backend_exception_handler

    refs = {Event.from_event_type(backend_exception_handler(_boom()))[0].payload["reference"] for _ in range(5)}
    assert len(refs) == 5


def test_the_default_reflex_handler_would_have_needed_eval():
    """Why ours exists: the stock handler answers with a script call the browser evals from a
    string (blocked by the CSP)."""
    from reflex.app import default_backend_exception_handler
    from reflex.event import Event

    (event,) = Event.from_event_type(default_backend_exception_handler(_boom()))
    assert event.name in ("_call_script", "_call_function")


def test_the_app_uses_our_handler_and_renders_the_notice_on_every_page():
    import app.app as main
    from app.web.shell.error_notice import backend_exception_handler, error_notice_wrap

    assert main.app.backend_exception_handler is backend_exception_handler
    assert main.app.extra_app_wraps[(3, "PharosErrorNotice")] is error_notice_wrap
    rendered = str(error_notice_wrap(True).render())
    assert "backend-error" in rendered and "backend-error-reference" in rendered
    assert error_notice_wrap(False) is None


def _state():
    from reflex.state import State

    import app.app  # noqa: F401
    from app.web.shell.error_notice import ErrorNoticeState

    root = State(_reflex_internal_init=True)
    return root.get_substate(ErrorNoticeState.get_full_name().split("."))


@pytest.mark.parametrize("hostile", ["", "<script>alert(1)</script>", "x" * 40, "DEADBEEFDEADBEEF", None, 123])
def test_show_accepts_only_a_server_style_reference(hostile):
    from app.web.shell.error_notice import ErrorNoticeState

    state = _state()
    asyncio.run(_call(ErrorNoticeState.event_handlers["show"].fn, state, reference=hostile))
    assert state.message == "" and state.reference == ""


def test_show_and_dismiss():
    from app.web.shell.error_notice import MESSAGE, ErrorNoticeState

    state = _state()
    asyncio.run(_call(ErrorNoticeState.event_handlers["show"].fn, state, reference="0123456789abcdef"))
    assert (state.message, state.reference) == (MESSAGE, "0123456789abcdef")
    assert "Traceback" not in state.message
    asyncio.run(_call(ErrorNoticeState.event_handlers["dismiss"].fn, state))
    assert (state.message, state.reference) == ("", "")


async def _call(fn, state, **kwargs):
    result = fn(state, **kwargs)
    if asyncio.iscoroutine(result):
        await result
