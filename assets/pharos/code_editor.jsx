// PharOS code editor: CodeMirror 6, bundled by Vite from npm (no CDN, no eval — the CSP holds).
// Wrapped in app/web/kit/code_editor.py. The editor knows nothing of the formula language's rules:
// completions and diagnostics come from the server (engine/formula/assist.py) as props; this file
// only shows them. Notes for maintainers: docs/ui.md ("Code editor").
import { useEffect, useRef } from "react";
import { EditorState, Compartment } from "@codemirror/state";
import { EditorView, keymap, placeholder as placeholderExt } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { setDiagnostics, lintKeymap } from "@codemirror/lint";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";

const WORDS = new Set(["if", "then", "else", "date"]);

// Highlighting only (numbers, text, keywords, functions); errors are the engine's business.
const formula = StreamLanguage.define({
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^"[^"\n]*"?/)) return "string";
    if (stream.match(/^([0-9]+(\.[0-9]*)?|\.[0-9]+)/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (word) {
      if (WORDS.has(word[0])) return "keyword";
      return stream.match(/^\s*\(/, false) ? "function" : "variableName";
    }
    if (stream.match(/^(==|!=|<=|>=|&&|\|\||[-+*\/%^<>])/)) return "operator";
    stream.next();
    return null;
  },
});

const TYPES = { input: "variable", step: "property", function: "function", keyword: "keyword" };

function completionSource(optionsRef) {
  return (context) => {
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word && !context.explicit) return null;
    if (word && word.from === word.to && !context.explicit) return null;
    const options = (optionsRef.current || []).map((c) => ({
      label: c.label,
      type: TYPES[c.kind] || "text",
      detail: c.signature,
      info: c.doc,
      apply: c.kind === "function" ? applyCall(c.label) : c.label,
      boost: c.kind === "input" || c.kind === "step" ? 1 : 0,
    }));
    return { from: word ? word.from : context.pos, options, validFor: /^[A-Za-z0-9_]*$/ };
  };
}

// A function is inserted with its parentheses and the cursor between them.
function applyCall(name) {
  return (view, completion, from, to) => {
    view.dispatch({
      changes: { from, to, insert: name + "()" },
      selection: { anchor: from + name.length + 1 },
      userEvent: "input.complete",
    });
  };
}

function toOffset(doc, line, col) {
  const n = Math.min(Math.max(line || 1, 1), doc.lines);
  const l = doc.line(n);
  return Math.min(l.from + Math.max((col || 1) - 1, 0), l.to);
}

function toDiagnostics(doc, items) {
  return (items || []).map((d) => {
    const from = toOffset(doc, d.from_line, d.from_col);
    const to = Math.max(from, toOffset(doc, d.to_line, d.to_col));
    return {
      from,
      to,
      severity: d.severity || "error",
      message: d.hint ? `${d.message} — ${d.hint}` : d.message,
      renderMessage: () => {
        const box = document.createElement("div");
        const what = document.createElement("div");
        what.className = "pharos-diag-message";
        what.textContent = `Line ${d.from_line}, column ${d.from_col}: ${d.message}`;
        box.appendChild(what);
        if (d.hint) {
          const hint = document.createElement("div");
          hint.className = "pharos-diag-hint";
          hint.textContent = d.hint;
          box.appendChild(hint);
        }
        return box;
      },
    };
  });
}

const theme = EditorView.theme({
  "&": { fontSize: "13px", border: "1px solid var(--gray-7)", borderRadius: "var(--radius-2)", background: "white" },
  "&.cm-focused": { outline: "2px solid var(--accent-8)", outlineOffset: "1px" },
  ".cm-content": { fontFamily: "var(--code-font-family, ui-monospace, monospace)", padding: "6px 0" },
  ".cm-scroller": { fontFamily: "var(--code-font-family, ui-monospace, monospace)" },
  ".cm-tooltip-autocomplete ul li": { fontFamily: "var(--code-font-family, ui-monospace, monospace)" },
  ".cm-completionDetail": { marginLeft: "1em", color: "var(--gray-11)", fontStyle: "normal" },
  ".cm-tooltip-autocomplete ul li[aria-selected] .cm-completionDetail": { color: "inherit", opacity: 0.9 },
  ".cm-tooltip.cm-completionInfo": { maxWidth: "28rem" },
  ".pharos-diag-hint": { color: "var(--gray-11)", marginTop: "2px" },
});

export function CodeEditor(props) {
  const host = useRef(null);
  const view = useRef(null);
  const options = useRef(props.completions);
  const callbacks = useRef({});
  const timer = useRef(null);
  const editable = useRef(new Compartment());
  callbacks.current = { onChange: props.onChange, onBlur: props.onBlur, onSave: props.onSave };
  options.current = props.completions;
  const delay = props.debounce ?? 250;

  useEffect(() => {
    const flush = (text) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      if (callbacks.current.onChange) callbacks.current.onChange(text);
    };
    const state = EditorState.create({
      doc: props.value || "",
      extensions: [
        history(),
        closeBrackets(),
        autocompletion({ override: [completionSource(options)], icons: false, activateOnTyping: true }),
        formula,
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        theme,
        editable.current.of([EditorView.editable.of(!props.readOnly), EditorState.readOnly.of(!!props.readOnly)]),
        props.placeholder ? placeholderExt(props.placeholder) : [],
        EditorView.contentAttributes.of({ "aria-label": props.ariaLabel || "Expression", "aria-multiline": "true" }),
        keymap.of([
          {
            key: "Mod-Enter",
            run: (v) => {
              const text = v.state.doc.toString();
              flush(text);
              if (callbacks.current.onSave) callbacks.current.onSave(text);
              return true;
            },
          },
          ...closeBracketsKeymap,
          ...completionKeymap,
          ...lintKeymap,
          ...historyKeymap,
          ...defaultKeymap,
        ]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            const text = u.state.doc.toString();
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => flush(text), delay);
          }
          if (u.focusChanged && !u.view.hasFocus) {
            const text = u.state.doc.toString();
            if (timer.current) flush(text);
            if (callbacks.current.onBlur) callbacks.current.onBlur(text);
          }
        }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current });
    return () => {
      if (timer.current) clearTimeout(timer.current);
      view.current.destroy();
      view.current = null;
    };
    // The document is set once; a new `value` arrives by remounting (give the editor a new key).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch({
      effects: editable.current.reconfigure([
        EditorView.editable.of(!props.readOnly),
        EditorState.readOnly.of(!!props.readOnly),
      ]),
    });
  }, [props.readOnly]);

  // Diagnostics are shown only for the text they were computed for (a late answer about an older
  // text is dropped; the answer for the current text follows).
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const text = v.state.doc.toString();
    if (props.lintText !== undefined && props.lintText !== null && props.lintText !== text) return;
    v.dispatch(setDiagnostics(v.state, toDiagnostics(v.state.doc, props.diagnostics)));
  }, [props.diagnostics, props.lintText]);

  return (
    <div
      ref={host}
      id={props.id}
      className={props.className}
      data-testid={props.testid}
      data-lint-count={(props.diagnostics || []).length}
      style={{ minHeight: props.minHeight, width: "100%" }}
    />
  );
}

// A list row that can be dragged onto another row of the same group to move it there. The move is
// reported as (dragged id, target id); the server reorders and re-renders. Keyboard users have the
// row's own move up / move down buttons.
export function SortableRow(props) {
  const over = useRef(0);
  const mime = `application/x-pharos-${props.group || "row"}`;
  return (
    <div
      draggable={!props.disabled}
      data-testid={props.testid}
      data-row-id={props.rowId}
      className={props.className}
      style={{ width: "100%", ...(props.style || {}) }}
      onDragStart={(e) => {
        e.dataTransfer.setData(mime, String(props.rowId));
        e.dataTransfer.effectAllowed = "move";
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(mime)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = "move";
        }
      }}
      onDragEnter={(e) => {
        if (e.dataTransfer.types.includes(mime)) {
          over.current += 1;
          e.currentTarget.dataset.dropTarget = "true";
        }
      }}
      onDragLeave={(e) => {
        over.current = Math.max(0, over.current - 1);
        if (over.current === 0) delete e.currentTarget.dataset.dropTarget;
      }}
      onDrop={(e) => {
        const from = e.dataTransfer.getData(mime);
        over.current = 0;
        delete e.currentTarget.dataset.dropTarget;
        if (!from) return;
        e.preventDefault();
        if (from !== String(props.rowId) && props.onMove) props.onMove(from, String(props.rowId));
      }}
    >
      {props.children}
    </div>
  );
}
