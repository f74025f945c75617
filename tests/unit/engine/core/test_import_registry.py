"""The import target registry: every registered module's targets plus the extra modules named in
PHAROS_IMPORT_TARGET_MODULES; an unknown name is a 422 naming the field."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.imports import registry
from tests.support.sample_targets import SAMPLE_TARGET, TARGETS


def test_extra_modules_add_their_targets(monkeypatch):
    monkeypatch.setenv(registry.EXTRA_ENV, "tests.support.sample_targets")
    assert registry.targets()[SAMPLE_TARGET] is TARGETS[0]
    assert registry.target(SAMPLE_TARGET) is TARGETS[0]


def test_an_unknown_target_is_refused_naming_the_field(monkeypatch):
    monkeypatch.setenv(registry.EXTRA_ENV, "tests.support.sample_targets")
    with pytest.raises(ValidationFailed) as refused:
        registry.target("nope.rows", field="target")
    assert refused.value.fields == {"target": "unknown target"}
    assert SAMPLE_TARGET in refused.value.message


def test_a_target_declared_twice_is_an_error(monkeypatch):
    monkeypatch.setenv(registry.EXTRA_ENV, "tests.support.sample_targets,tests.support.sample_targets")
    with pytest.raises(ValueError, match="declared twice"):
        registry.targets()
