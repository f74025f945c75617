"""The "Test vectors" and "Compare" tabs of the plan builder."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from app.web.comp.run_state import PlanRunState
from app.web.comp.widgets import word_diff
from app.web.kit import controls
from app.web.kit.feedback import error_box
from app.web.kit.table import compact_table
from app.web.kit.upload import STORED, upload_box

R = PlanRunState
MONO = {"font_family": "var(--code-font-family, ui-monospace, monospace)"}
STATUS_COLORS = (("ok", "green"), ("skipped", "gray"), ("failed", "red"), ("not_run", "gray"))


def _sample_box(value: Var, on_change, testid: str, rows: str) -> rx.Component:
    """The CSV box; inside a form whose submit sends its text as shown (`rows`)."""
    return rx.text_area(
        name="rows",
        value=value,
        on_change=on_change,
        rows=rows,
        width="100%",
        spellcheck=False,
        style={**MONO, "font_size": "13px"},
        aria_label="Employees as CSV",
        data_testid=testid,
    )


def tape_view(lines: Var, ref: Var, testid: str, which: str = "") -> rx.Component:
    """An employee's calculation tape: each step with what it read, the branch it took, its result."""

    def line(t: Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.text(t.name, weight="bold", style=MONO, size="2")),
            rx.table.cell(
                rx.badge(
                    t.status.to(str).replace("_", " "),
                    color_scheme=rx.match(t.status, *STATUS_COLORS, "gray"),
                    variant="soft",
                )
            ),
            rx.table.cell(
                rx.vstack(
                    rx.text(t.expr, style=MONO, size="1"),
                    rx.cond(t.condition != "", rx.text("if ", t.condition, style=MONO, size="1", color_scheme="gray")),
                    spacing="0",
                    **controls.WRAP,
                )
            ),
            rx.table.cell(rx.text(t.reads, size="1", style=MONO, **controls.WRAP)),
            rx.table.cell(rx.text(t.branches, size="1", color_scheme="gray")),
            rx.table.cell(
                rx.cond(
                    t.error != "",
                    rx.text(t.error, color_scheme="red", size="2"),
                    rx.text(t.result, weight="medium", style=MONO, size="2"),
                ),
                text_align="right",
            ),
            data_testid=f"{testid}-line",
        )

    return rx.vstack(
        rx.text("Calculation tape of ", rx.code(ref), f" ({which})" if which else "", size="2", weight="medium"),
        compact_table(["Step", "Status", "Formula", "Read", "Branch", "Result"], rx.foreach(lines, line), testid),
        spacing="2",
        width="100%",
    )


def _vector_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                row.employee_ref,
                size="1",
                variant=rx.cond(R.tape_ref == row.employee_ref, "solid", "soft"),
                on_click=R.show_tape(row.employee_ref),
                aria_label="Show the tape of " + row.employee_ref.to(str),
                data_testid="vector-ref",
            )
        ),
        rx.foreach(row.cells, lambda v: rx.table.cell(rx.text(v, style=MONO, size="2"), text_align="right")),
        rx.table.cell(rx.text(row.error, color_scheme="red", size="1")),
        data_testid="vector-row",
    )


def test_tab() -> rx.Component:
    headers = rx.fragment(
        rx.table.column_header_cell("Employee"),
        rx.foreach(R.vector_steps, lambda s: rx.table.column_header_cell(rx.text(s, style=MONO), text_align="right")),
        rx.table.column_header_cell("Error"),
    )
    results = rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(headers)),
            rx.table.body(rx.foreach(R.vector_rows, _vector_row)),
            variant="surface",
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        data_testid="vector-results",
    )
    return rx.vstack(
        controls.section(
            "Test vectors",
            rx.text(
                "Type or paste a few employees as CSV: a header with employee_ref and the plan's input keys, "
                "then a row per employee (at most 50). Empty cells take the input's default. The saved plan "
                "runs on them exactly as in a real run.",
                size="1",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    _sample_box(R.vectors_text, R.set_vectors_text.debounce(200), "vectors-input", "6"),
                    rx.hstack(
                        controls.busy_button("Run", "play", R.running, None, "vectors-run", type="submit"),
                        rx.button(
                            "Reset to the template",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=R.fill_template,
                        ),
                        spacing="3",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=R.run_vectors,
                reset_on_submit=False,
                width="100%",
            ),
            error_box(R.vectors_error, "vectors-error"),
            rx.cond(
                R.vector_rows.length() > 0,
                rx.vstack(
                    rx.text(
                        "Every step's value (exact; the last column before Error is the payout). "
                        "Pick an employee to read the tape.",
                        size="1",
                        color_scheme="gray",
                    ),
                    results,
                    tape_view(R.tape, R.tape_ref, "tape"),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
        width="100%",
    )


# --- compare ----------------------------------------------------------------------------------------------


CHANGE_COLORS = (("added", "green"), ("removed", "red"), ("changed", "amber"))


def _step_diff(d: Var) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(d.name, weight="bold", style=MONO),
                rx.badge(d.change, color_scheme=rx.match(d.change, *CHANGE_COLORS, "gray"), variant="soft"),
                align="center",
                spacing="2",
            ),
            word_diff(d.expr, "diff-expr"),
            rx.cond(
                d.has_condition,
                rx.hstack(
                    rx.text("if", size="1", color_scheme="gray"), word_diff(d.condition, "diff-cond"), align="start"
                ),
            ),
            rx.foreach(
                d.others,
                lambda f: rx.text(f.field, ": ", f.base, " → ", f.new, size="1", color_scheme="gray"),
            ),
            spacing="1",
            width="100%",
        ),
        padding="0.6rem 0.75rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-2)",
        width="100%",
        data_testid="diff-step",
        data_change=d.change,
        data_name=d.name,
    )


def _figure(label: str, value: Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="4", weight="bold", data_testid=testid),
        spacing="0",
    )


def _mover(m: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                m.employee_ref,
                size="1",
                variant=rx.cond(R.mover_ref == m.employee_ref, "solid", "soft"),
                on_click=R.show_mover(m.employee_ref),
                data_testid="mover-ref",
            )
        ),
        rx.table.cell(rx.text(m.base, style=MONO), text_align="right"),
        rx.table.cell(rx.text(m.new, style=MONO), text_align="right"),
        rx.table.cell(
            rx.text(m.delta, style=MONO, weight="medium", color_scheme=rx.cond(m.up, "green", "red")),
            text_align="right",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(m.why, size="2"),
                rx.text(m.steps, size="1", color_scheme="gray", style=MONO),
                spacing="0",
                **controls.WRAP,
            )
        ),
        data_testid="mover-row",
    )


def _impact() -> rx.Component:
    i = R.impact
    return rx.vstack(
        rx.grid(
            _figure("Employees", i.rows, "impact-rows"),
            _figure("Payouts changed", i.changed, "impact-changed"),
            _figure("Up / down", i.increased + " / " + i.decreased, "impact-updown"),
            _figure("Total before", i.base_total, "impact-base-total"),
            _figure("Total after", i.new_total, "impact-new-total"),
            _figure("Total delta", i.total_delta, "impact-delta"),
            columns=rx.breakpoints(initial="2", md="3", lg="6"),
            spacing="4",
            width="100%",
        ),
        rx.text("Pool: ", i.pool, size="2", data_testid="impact-pool"),
        rx.cond(i.pool_share != "", rx.text(i.pool_share, size="2", color_scheme="gray")),
        rx.text("Rows that failed (before → after): ", i.errors, size="1", color_scheme="gray"),
        rx.foreach(i.notes, lambda n: rx.text(n, size="1", color_scheme="gray")),
        rx.cond(
            R.movers.length() > 0,
            rx.vstack(
                rx.text("Top movers, each explained by where its payout starts to change:", size="2", weight="medium"),
                compact_table(["Employee", "Before", "After", "Delta", "Why"], rx.foreach(R.movers, _mover), "movers"),
                tape_view(R.mover_tape, R.mover_ref, "mover-tape", "this version"),
                spacing="2",
                width="100%",
            ),
            rx.text("No payout changes on this sample.", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
        data_testid="impact",
    )


def compare_tab() -> rx.Component:
    others = [rx.foreach(R.versions, lambda v: rx.cond(~v.current, rx.select.item(v.label, value=v.id)))]
    picker = rx.select.root(
        rx.select.trigger(placeholder="Pick a version", aria_label="Compare with", data_testid="compare-with"),
        rx.select.content(*others),
        value=R.against,
        on_change=R.set_against,
    )
    d = R.diff
    diff = rx.cond(
        R.against == "",
        rx.text("This is the first version: there is nothing to compare with yet.", color_scheme="gray", size="2"),
        rx.vstack(
            error_box(R.diff_error, "diff-error"),
            rx.cond(
                d.same,
                rx.text("No differences.", size="2", data_testid="diff-summary"),
                rx.text(
                    d.base,
                    " → ",
                    d.new,
                    ": ",
                    d.added,
                    " added, ",
                    d.removed,
                    " removed, ",
                    d.changed,
                    " changed",
                    size="2",
                    weight="medium",
                    data_testid="diff-summary",
                ),
            ),
            rx.foreach(
                R.diff_header,
                lambda f: rx.text(f.field, ": ", f.base, " → ", f.new, size="2", data_testid="diff-header"),
            ),
            rx.foreach(
                R.diff_inputs,
                lambda i: rx.text(
                    "input ",
                    rx.code(i.key),
                    " ",
                    i.change,
                    rx.cond(i.details != "", ": " + i.details.to(str), ""),
                    size="2",
                    data_testid="diff-input",
                ),
            ),
            rx.vstack(rx.foreach(R.diff_steps, _step_diff), spacing="2", width="100%"),
            spacing="2",
            width="100%",
        ),
    )
    impact = controls.section(
        "Impact preview",
        rx.text(
            "Run this version and the one compared with on the same employees (paste a sample as CSV, up to "
            "10,000 rows): how many payouts change, the totals and the pool, and the top movers explained by "
            "their tapes.",
            size="1",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                _sample_box(R.impact_text, R.set_impact_text.debounce(200), "impact-input", "5"),
                rx.hstack(
                    controls.busy_button(
                        "Preview impact",
                        "chart-no-axes-column",
                        R.impacting,
                        None,
                        "impact-run",
                        type="submit",
                        disabled=R.impacting | (R.against == ""),
                    ),
                    rx.button(
                        "Use the test-vector rows",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=R.impact_from_vectors,
                        data_testid="impact-use-vectors",
                    ),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=R.run_impact,
            reset_on_submit=False,
            width="100%",
        ),
        rx.accordion.root(
            rx.accordion.item(
                header="Or upload a sample file (CSV or XLSX: employee_ref and a column per input)",
                content=rx.vstack(
                    upload_box(
                        R,
                        "comp-sample",
                        accept={
                            "text/csv": [".csv"],
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
                        },
                    ),
                    rx.cond(
                        R.upload_phase == STORED,
                        rx.hstack(
                            rx.text(
                                "The preview uses this file (and the pasted rows, if any).",
                                size="1",
                                data_testid="impact-upload-used",
                            ),
                            rx.button(
                                "Use pasted rows only",
                                size="1",
                                variant="soft",
                                color_scheme="gray",
                                on_click=R.forget_upload,
                            ),
                            align="center",
                            spacing="2",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                value="upload",
            ),
            type="single",
            collapsible=True,
            variant="ghost",
            width="100%",
        ),
        error_box(R.impact_error, "impact-error"),
        rx.cond(R.impact.present, _impact()),
    )
    return rx.vstack(
        controls.section(
            "Differences",
            diff,
            action=rx.hstack(rx.text("Compare with", size="2"), picker, align="center", spacing="2"),
        ),
        impact,
        spacing="4",
        width="100%",
    )
