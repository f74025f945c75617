"""An import target for core tests (PHAROS_IMPORT_TARGET_MODULES=tests.support.sample_targets): the
core's upload and import tests need a purpose that no business module owns."""

from __future__ import annotations

from engine.imports.targets import ImportTarget, TargetField

SAMPLE_TARGET = "sample.rows"
SAMPLE_PERMISSION = "catalog.write"  # admin and ops hold it; sales and viewer do not

TARGETS = (
    ImportTarget(
        name=SAMPLE_TARGET,
        label="Sample rows",
        module="sample",
        permission=SAMPLE_PERMISSION,
        fields=(TargetField("code", "Code", "code"), TargetField("amount", "Amount", "decimal", required=False)),
    ),
)
