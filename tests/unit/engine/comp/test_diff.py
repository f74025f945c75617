"""The version diff: steps added, removed and changed (with a word diff of each expression),
inputs added, removed and changed."""

from __future__ import annotations

from engine.comp.diff import Segment, diff_plans, tokens, word_diff
from engine.comp.spec import InputSpec, PlanSpec, StepSpec


def test_word_diff_marks_only_the_changed_tokens():
    assert word_diff("if (perf_score >= 4.5) then 1.5 else 1", "if (perf_score >= 4.5) then 1.6 else 1") == [
        Segment("equal", "if (perf_score >= 4.5) then "),
        Segment("delete", "1.5"),
        Segment("insert", "1.6"),
        Segment("equal", " else 1"),
    ]
    assert word_diff("a && b", "a || b") == [
        Segment("equal", "a "),
        Segment("delete", "&&"),
        Segment("insert", "||"),
        Segment("equal", " b"),
    ]
    assert word_diff("", "x * 2") == [Segment("insert", "x * 2")]
    assert word_diff("salary_base", "salary") == [Segment("delete", "salary_base"), Segment("insert", "salary")]


def test_tokens_keep_names_numbers_strings_and_operators_whole():
    assert tokens('x>=10.5&&d!="a b"') == ["x", ">=", "10.5", "&&", "d", "!=", '"a b"']
    assert "".join(tokens("if (a)\n then  b else c")) == "if (a)\n then  b else c"


def test_steps_added_removed_changed_and_inputs():
    base = PlanSpec(
        "p",
        1,
        (InputSpec("salary", "decimal"), InputSpec("bonus_pct", "decimal", default="10")),
        (
            StepSpec(10, "target", "salary * 0.15", outputs=("target",)),
            StepSpec(20, "mult", "1.2", notes="old"),
            StepSpec(30, "old_step", "target + 1"),
            StepSpec(40, "bonus", "target * mult"),
        ),
    )
    new = PlanSpec(
        "p",
        2,
        (InputSpec("salary", "decimal"), InputSpec("bonus_pct", "decimal", default="12"), InputSpec("tenure", "int")),
        (
            StepSpec(10, "target", "salary * 0.15"),  # its declared outputs differ: a change
            StepSpec(20, "mult", "1.3", "tenure > 2", notes="old"),
            StepSpec(35, "uplift", "1"),
            StepSpec(40, "bonus", "target * mult"),
        ),
    )
    found = diff_plans(base, new)
    kinds = {d.name: d.change for d in found.steps}
    assert kinds == {"target": "changed", "mult": "changed", "old_step": "removed", "uplift": "added"}
    assert [d.name for d in found.steps] == ["target", "mult", "old_step", "uplift"]  # by order, removed in place
    mult = next(d for d in found.steps if d.name == "mult")
    assert {f.field for f in mult.fields} == {"expr", "condition"}
    assert mult.expr_diff == [Segment("delete", "1.2"), Segment("insert", "1.3")]
    assert mult.condition_diff == [Segment("insert", "tenure > 2")]
    assert (found.added, found.removed, found.changed) == (1, 1, 2)
    assert {(i.key, i.change) for i in found.inputs} == {("bonus_pct", "changed"), ("tenure", "added")}
    pct = next(i for i in found.inputs if i.key == "bonus_pct")
    assert [(f.field, f.base, f.new) for f in pct.fields] == [("default", "10", "12")]


def test_identical_versions_have_no_diff():
    spec = PlanSpec("p", 1, (InputSpec("a", "decimal"),), (StepSpec(10, "x", "a", condition=""),))
    same = PlanSpec("p", 2, (InputSpec("a", "decimal"),), (StepSpec(10, "x", "a", condition=None),))
    assert diff_plans(spec, same).same
