"""A code editor (CodeMirror 6) and a drag-to-reorder row, wrapped from assets/pharos/code_editor.jsx.

The npm packages are pinned below (`lib_dependencies`) and bundled by Vite with the rest of the
frontend: nothing is fetched from a CDN, and CodeMirror needs no `eval`, so the CSP holds. The editor
does not know any language's rules: the page passes `completions` (label, kind, signature, doc) and
`diagnostics` (from_line, from_col, to_line, to_col, message, hint) it computed on the server, and
`lint_text`, the text those diagnostics are about (stale answers are dropped in the browser).

    code_editor(
        value=State.expr_saved,             # initial text; give a new `key` to load another text
        completions=State.completions,      # list[EditorCompletion]
        diagnostics=State.expr_lint,        # list[EditorDiagnostic]
        lint_text=State.expr_lint_for,
        on_change=State.expr_changed,       # debounced (250 ms), also sent on blur and Mod-Enter
        testid="step-expr",
        key=State.editor_key,
    )

Keyboard: Ctrl-Space completes, Enter/Tab accept a completion, Escape closes it, Mod-Enter sends
`on_save`, Ctrl-Shift-M lists the problems, F8 goes to the next one; Tab is left to the browser
(it moves the focus on), so the editor never traps the keyboard. docs/ui.md has the maintainer notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.event import EventHandler, passthrough_event_spec
from reflex.vars import Var

LIBRARY = "$/public/pharos/code_editor.jsx"
CODEMIRROR = [
    "@codemirror/state@6.7.6",
    "@codemirror/view@6.44.2",
    "@codemirror/commands@6.11.2",
    "@codemirror/autocomplete@6.20.4",
    "@codemirror/lint@6.9.8",
    "@codemirror/language@6.13.1",
]


@dataclass(frozen=True)
class EditorCompletion:
    """One completion: what is inserted, its kind (input, step, function, keyword), a signature and a
    line of doc (engine.formula.assist.Completion)."""

    label: str = ""
    kind: str = ""
    signature: str = ""
    doc: str = ""


@dataclass(frozen=True)
class EditorDiagnostic:
    """One underlined problem, lines and columns from 1, end exclusive (engine.formula.assist.Diagnostic)."""

    from_line: int = 1
    from_col: int = 1
    to_line: int = 1
    to_col: int = 1
    message: str = ""
    hint: str = ""


class CodeEditor(rx.NoSSRComponent):
    """CodeMirror 6 with server-fed completions and diagnostics (client-only: it needs the DOM)."""

    library = LIBRARY
    tag = "CodeEditor"
    lib_dependencies: list[str] = CODEMIRROR

    value: Var[str]
    completions: Var[list[EditorCompletion]]
    diagnostics: Var[list[EditorDiagnostic]]
    lint_text: Var[str]
    read_only: Var[bool]
    placeholder: Var[str]
    aria_label: Var[str]
    testid: Var[str]
    min_height: Var[str]
    debounce: Var[int]

    on_change: EventHandler[passthrough_event_spec(str)]
    on_blur: EventHandler[passthrough_event_spec(str)]
    on_save: EventHandler[passthrough_event_spec(str)]


class SortableRow(rx.NoSSRComponent):
    """A row that can be dropped on another row of its `group`: `on_move(dragged_id, target_id)`."""

    library = LIBRARY
    tag = "SortableRow"
    lib_dependencies: list[str] = CODEMIRROR

    row_id: Var[str]
    group: Var[str]
    disabled: Var[bool]
    testid: Var[str]

    on_move: EventHandler[passthrough_event_spec(str, str)]


code_editor = CodeEditor.create
sortable_row = SortableRow.create
