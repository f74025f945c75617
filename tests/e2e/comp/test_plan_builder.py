"""The plan builder in Chromium: hr creates a plan, picks inputs from the catalog, writes steps with
the code editor (completions from the engine's catalog and the plan's names), sees a lint error
underlined at the parser's line and column, fixes it, runs test vectors (values and tape), locks
the plan, makes version 2, changes a step and reads the diff (word diff) and the impact preview.

Expected figures come from the same queries the API answers with (never hard-coded); positions from
the engine's own diagnostics. PHAROS_E2E_SHOTS=/some/dir keeps a screenshot of each stage.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UUID_RE, signed_in

pytestmark = pytest.mark.e2e

SAMPLE = "employee_ref,salary,perf_score\ne1,100000,3\ne2,50000,1.5\n"
SAMPLE_ROWS = [
    {"employee_ref": "e1", "salary": "100000", "perf_score": "3"},
    {"employee_ref": "e2", "salary": "50000", "perf_score": "1.5"},
]


def _shot(page, name: str) -> None:
    target = os.environ.get("PHAROS_E2E_SHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(400)
        page.screenshot(path=str(Path(target) / f"comp-{name}.png"), full_page=True)


def _demo_ctx():
    from engine.context import TenantContext
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)


def _plan_id(page) -> str:
    match = re.search(rf"/comp/plans/({UUID_RE})", page.url)
    assert match, page.url
    return match.group(1)


def _editor(page, testid: str):
    return page.get_by_test_id(testid).locator(".cm-content")


def _add_input(page, key: str) -> None:
    page.get_by_test_id("add-input").click()
    page.get_by_test_id("input-key").click()
    page.get_by_role("option", name=re.compile(rf"^{key} — ")).click()
    page.get_by_test_id("input-save").click()
    expect(page.get_by_test_id("plan-input-row").filter(has_text=key)).to_have_count(1)


def _new_step(page, name: str) -> None:
    page.get_by_test_id("add-step").click()
    expect(page.get_by_test_id("step-editor")).to_be_visible()
    page.get_by_test_id("step-name").fill(name)
    _editor(page, "expr-editor").click()


def _accept(page) -> None:
    """Enter on the open completion list. CodeMirror ignores an accept within 75 ms of the list
    appearing (its interactionDelay, against accidental picks while typing fast), so let that pass."""
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")


def _vector_cells(page, ref: str) -> list[str]:
    row = page.get_by_test_id("vector-row").filter(has=page.get_by_text(ref, exact=True))
    return [c.strip() for c in row.locator("td").all_inner_texts()[1:-1]]


def test_hr_builds_tests_locks_versions_and_compares_a_plan(page):
    from app.web.comp.views import num_text
    from engine.formula import assist
    from models.comp import queries

    signed_in(page, "hr@demo.test")
    expect(page.get_by_test_id("nav-group").filter(has_text="Compensation")).to_be_visible()
    page.goto("/comp/plans")
    expect(page.get_by_test_id("plan-row").first).to_be_visible()
    _shot(page, "plans")

    # a new plan opens in the builder, empty
    name = f"E2E plan {uuid.uuid4().hex[:8]}"
    page.get_by_test_id("new-plan").click()
    page.get_by_test_id("field-name").fill(name)
    page.get_by_test_id("field-effective_from").fill("2025-01-01")
    page.get_by_test_id("form-save").click()
    page.wait_for_url(re.compile(rf"/comp/plans/{UUID_RE}$"))
    expect(page.get_by_test_id("plan-name")).to_have_text(name)
    expect(page.get_by_test_id("plan-status")).to_have_text("draft")
    expect(page.get_by_test_id("steps-empty")).to_be_visible()
    expect(page.locator("[data-testid=guard][data-key=steps]")).to_have_attribute("data-ok", "no")
    v1 = _plan_id(page)

    # inputs from the catalog
    _add_input(page, "salary")
    _add_input(page, "perf_score")

    # step 1 with completions: a function (signature and doc from the catalog), then an input
    _new_step(page, "target")
    page.keyboard.type("ro")
    menu = page.locator(".cm-tooltip-autocomplete")
    expect(menu).to_contain_text("round2")
    expect(menu).to_contain_text("round2(x)")
    expect(page.locator(".cm-completionInfo")).to_contain_text("rounded half-even to 2 decimals")
    _accept(page)  # inserts round2() with the cursor inside
    page.keyboard.type("sal")
    expect(menu).to_contain_text("salary: decimal")
    _accept(page)
    page.keyboard.type(" * 0.1")
    expect(_editor(page, "expr-editor")).to_have_text("round2(salary * 0.1)")
    expect(page.get_by_test_id("lint-ok")).to_be_visible()
    page.get_by_test_id("step-save").click()
    expect(page.get_by_text("Saved step target")).to_be_visible()
    expect(page.get_by_test_id("step-row")).to_have_count(1)

    # step 2 with a mistake on its second line: underlined where the parser says, saving refused
    _new_step(page, "bonus")
    page.keyboard.type("target *")
    page.keyboard.press("Enter")
    page.keyboard.type("mim(perf_score, 2")  # ')' was closed by the editor
    page.keyboard.press("Escape")
    expr = _editor(page, "expr-editor")
    expect(expr).to_contain_text("mim(perf_score, 2)")
    squiggle = page.get_by_test_id("expr-editor").locator(".cm-lintRange-error")
    expect(squiggle).to_have_text("mim")
    typed = "\n".join(expr.locator(".cm-line").all_inner_texts())
    (engine_says,) = assist.diagnostics(typed, {"salary": "decimal", "perf_score": "decimal", "target": "decimal"})
    assert engine_says.from_line == 2 and typed.split("\n")[1][engine_says.from_col - 1 :].startswith("mim")
    # the squiggle sits on the second line of the editor, the list names the same line and column
    expect(expr.locator(".cm-line").nth(1).locator(".cm-lintRange-error")).to_have_text("mim")
    expect(page.get_by_test_id("lint-item")).to_contain_text(
        f"Expression, line 2, column {engine_says.from_col}: unknown function 'mim'"
    )
    expect(page.get_by_test_id("lint-item")).to_contain_text("did you mean 'min'?")
    squiggle.hover()
    expect(page.locator(".cm-tooltip-lint")).to_contain_text(f"Line 2, column {engine_says.from_col}")
    _shot(page, "lint-error")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("editor-error")).to_contain_text("mim")
    expect(page.get_by_test_id("step-row")).to_have_count(1)

    # fix it: the squiggle goes, the step saves
    squiggle.dblclick()
    page.keyboard.type("min")
    expect(squiggle).to_have_count(0)
    expect(page.get_by_test_id("lint-ok")).to_be_visible()
    page.get_by_test_id("step-save").click()
    expect(page.get_by_text("Saved step bonus")).to_be_visible()
    expect(page.get_by_test_id("step-row")).to_have_count(2)
    expect(page.locator("[data-testid=plan-dag-node][data-node=bonus]")).to_be_visible()
    expect(page.locator("[data-testid=plan-dag-edge][data-source=target][data-target=bonus]")).to_have_count(1)
    expect(page.locator("[data-testid=guard][data-ok=no]")).to_have_count(0)
    _shot(page, "build")

    # test vectors: every step's value and the tape, as the query computes them
    page.get_by_test_id("tab-test").click()
    page.get_by_test_id("vectors-input").fill(SAMPLE)
    page.get_by_test_id("vectors-run").click()
    expect(page.get_by_test_id("vector-row")).to_have_count(2)
    expected = queries.run_test_vectors(_demo_ctx(), uuid.UUID(v1), SAMPLE_ROWS)
    for row in expected.rows:
        assert _vector_cells(page, row.employee_ref) == [num_text(row.values[s]) for s in expected.steps]
    expect(page.get_by_test_id("tape-line")).to_have_count(2)
    expect(page.get_by_test_id("tape-line").nth(1)).to_contain_text("min(perf_score, 2)")
    page.get_by_test_id("vector-ref").filter(has_text="e2").click()
    e2_bonus = num_text(next(r for r in expected.rows if r.employee_ref == "e2").values["bonus"])
    expect(page.get_by_test_id("tape-line").nth(1)).to_contain_text(e2_bonus)
    _shot(page, "vectors")

    # lock: the guards pass, the decision asks for a note, the plan is frozen
    page.get_by_test_id("tab-build").click()
    page.locator("[data-testid=decision][data-action=lock]").click()
    page.get_by_test_id("reason-input").fill("Reviewed with the test vectors")
    page.get_by_test_id("reason-confirm").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("locked")
    expect(page.get_by_test_id("add-step")).to_have_count(0)
    expect(page.get_by_test_id("plan-frozen")).to_be_visible()

    # a new version: a draft copy, where the bonus step changes
    page.get_by_test_id("new-version").click()
    page.wait_for_url(lambda url: v1 not in url)
    expect(page.get_by_test_id("plan-version")).to_have_text("v2")
    expect(page.get_by_test_id("plan-status")).to_have_text("draft")
    v2 = _plan_id(page)
    page.get_by_test_id("step-open").filter(has_text="bonus").click()
    expr = _editor(page, "expr-editor")
    expect(expr).to_contain_text("min(perf_score, 2)")
    expr.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("target * min(perf_score, 3)")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("lint-ok")).to_be_visible()
    page.keyboard.press("ControlOrMeta+Enter")  # saves from the editor
    expect(page.get_by_text("Saved step bonus")).to_be_visible()

    # the diff against v1: one step changed, its word diff
    page.get_by_test_id("tab-compare").click()
    expect(page.get_by_test_id("diff-summary")).to_have_text(
        re.compile(r"v1 · locked → v2 · draft: 0 added, 0 removed, 1 changed")
    )
    bonus = page.locator("[data-testid=diff-step][data-name=bonus]")
    expect(bonus).to_be_visible()
    # v1 was typed on two lines: the line break went too (a whitespace change), and 2 became 3
    assert [t for t in bonus.get_by_test_id("diff-expr-del").all_inner_texts() if t.strip()] == ["2"]
    assert [t for t in bonus.get_by_test_id("diff-expr-ins").all_inner_texts() if t.strip()] == ["3"]
    expect(page.locator("[data-testid=diff-step][data-name=target]")).to_have_count(0)

    # the impact preview on the sample, as the query computes it
    from models.comp.inputs import ImpactBody

    page.get_by_test_id("impact-input").fill(SAMPLE)
    page.get_by_test_id("impact-run").click()
    expect(page.get_by_test_id("impact")).to_be_visible()
    impact = queries.impact_preview(_demo_ctx(), uuid.UUID(v2), ImpactBody(against=uuid.UUID(v1), rows=SAMPLE_ROWS))
    assert impact.changed == 1
    expect(page.get_by_test_id("impact-changed")).to_have_text(str(impact.changed))
    expect(page.get_by_test_id("impact-rows")).to_have_text(str(impact.rows))
    expect(page.get_by_test_id("mover-row")).to_have_count(len(impact.movers))
    mover = impact.movers[0]
    row = page.get_by_test_id("mover-row").first
    expect(row).to_contain_text(mover.employee_ref)
    expect(row).to_contain_text(mover.why)
    expect(page.get_by_test_id("mover-tape-line").first).to_be_visible()
    _shot(page, "compare")

    # (the same sample as an uploaded file is tested through the API: tests/integration/comp)
    expect(page.get_by_test_id("impact-delta")).to_have_text(f"+{impact.total_delta:,.2f}")


@pytest.mark.parametrize("email", ["manager@demo.test", "finance@demo.test", "auditor@demo.test"])
def test_readers_see_plans_without_edit_controls(page, email):
    from seeds.comp import plan_id

    signed_in(page, email)
    expect(page.get_by_test_id("nav-group").filter(has_text="Compensation")).to_be_visible()
    page.goto("/comp/plans")
    expect(page.get_by_test_id("plan-row").first).to_be_visible()
    expect(page.get_by_test_id("new-plan")).to_have_count(0)
    page.goto(f"/comp/plans/{plan_id(2)}")
    expect(page.get_by_test_id("plan-status")).to_have_text("draft")
    expect(page.get_by_test_id("step-row").first).to_be_visible()
    expect(page.get_by_test_id("add-step")).to_have_count(0)
    expect(page.get_by_test_id("decision")).to_have_count(0)
    page.get_by_test_id("step-open").first.click()
    expect(page.get_by_test_id("expr-editor").locator(".cm-content")).to_have_attribute("contenteditable", "false")
    expect(page.get_by_test_id("step-save")).to_have_count(0)
    page.goto("/comp/inputs")
    expect(page.get_by_test_id("input-row").first).to_be_visible()
    expect(page.get_by_test_id("new-input")).to_have_count(0)


def test_hr_adds_an_input_to_the_catalog(page):
    key = f"e2e_{uuid.uuid4().hex[:8]}"
    signed_in(page, "hr@demo.test")
    page.goto("/comp/inputs")
    expect(page.get_by_test_id("input-row").first).to_be_visible()
    # the employee data uploads: the demo's analysts file, none of its rows rejected
    from models.comp import upload_metrics

    metrics = upload_metrics.upload_metrics(_demo_ctx())
    expect(page.get_by_test_id("uploads-count")).to_have_text(f"{metrics.uploads:,}")
    expect(page.get_by_test_id("upload-row").filter(has_text="analysts-2025.csv")).to_contain_text("0.00 %")
    page.get_by_test_id("new-input").click()
    page.get_by_test_id("field-key").fill(key)
    page.get_by_test_id("field-label").fill("E2E score")
    page.get_by_test_id("field-rule_min").fill("0")
    page.get_by_test_id("field-rule_max").fill("10")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("notice")).to_contain_text(f"Added input {key}")
    row = page.get_by_test_id("input-row").filter(has_text=key)
    expect(row).to_contain_text("E2E score")
    expect(row).to_contain_text("min 0, max 10")
    # a taken key is named under its field, nothing else changes
    page.get_by_test_id("new-input").click()
    page.get_by_test_id("field-key").fill(key)
    page.get_by_test_id("field-label").fill("Again")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("entity-form")).to_contain_text(key)
    expect(page.get_by_test_id("input-row").filter(has_text=key)).to_have_count(1)
