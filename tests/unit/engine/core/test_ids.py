"""`uuid5_text` is `str(uuid.uuid5(...))`, character for character."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ids import uuid5_text


@settings(max_examples=500, deadline=None)
@given(namespace=st.uuids(), name=st.text())
def test_uuid5_text_equals_the_standard_library(namespace, name):
    assert uuid5_text(namespace, name) == str(uuid.uuid5(namespace, name))
