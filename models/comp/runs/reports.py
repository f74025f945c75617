"""Reports of a run (compensation-platform-prd.md §7, §13 "Export bundles reflect frozen state"):
the individual statement (PDF: inputs → steps → payout, from the stored run) and exports of the
whole run as CSV, XLSX and PDF. Every figure is the stored result, as exact text; every text cell of
the CSV and XLSX is neutralised against formula injection (engine/csv_safety.py), numbers are
written as numbers. Each export names the run's status and snapshot hash (the frozen one once the
run is approved) and is recorded in the audit chain (`comp_run.export`, `comp_run.statement`).

PDFs are drawn with fpdf2 (pure Python, text stays selectable). A document whose text is all
Latin-1 uses the built-in Helvetica (no font to embed: ~1 ms a statement). Any other character
("Zoë Łukasiewicz", Cyrillic, Greek, "山田") switches the document to embedded Unicode fonts shipped
in assets/fonts (docs/comp.md, "Fonts"): DejaVu Sans, and Droid Sans Fallback for what DejaVu lacks
(CJK) — subsets of them, embedded with a ToUnicode map, so the text extracts as written. Embedding
costs ~0.4 s (DejaVu) to ~1.2 s (with the fallback) a document, hence the Latin-1 path.
"""

from __future__ import annotations

import functools
import io
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from fpdf import FPDF
from sqlmodel import col

from engine.comp.permissions import EXPORT
from engine.context import TenantContext
from engine.csv_safety import neutralise, to_csv
from engine.errors import Conflict
from models.comp.runs import queries, runs
from models.comp.runs.tables import RunResult
from models.comp.runs.views import RunView, TapeView
from models.core import audit
from models.core.db import tenant_session

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def money(value: str | None) -> str:
    """A figure for people: 2 decimals, thousands separated (the exact value is printed beside it)."""
    if value is None:
        return "-"
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


def _audit(ctx: TenantContext, run_id: uuid.UUID, action: str, after: dict[str, Any]) -> None:
    with tenant_session(ctx) as session:
        audit.record(session, ctx, action=action, entity="comp_run", entity_id=run_id, after=after)


def _state(view: RunView) -> str:
    frozen = view.frozen_hash or view.snapshot_hash or ""
    label = "frozen" if view.frozen_hash else "computed, not approved yet"
    return f"{view.status} ({label}); snapshot {frozen}"


# --- the individual statement ------------------------------------------------------------------


FONTS = Path(__file__).resolve().parents[3] / "assets" / "fonts"
LATIN, UNICODE, FALLBACK = 0, 1, 2  # the fonts a document needs: built-in, DejaVu, DejaVu + fallback
# typography the tapes and texts use, written in ASCII: a statement of plain names stays Latin-1
ASCII_PUNCTUATION = str.maketrans(
    {"…": "...", "—": "-", "–": "-", "→": "->", "≤": "<=", "≥": ">=", "≠": "!=", "‘": "'", "’": "'", "“": '"', "”": '"'}
)


@functools.cache
def _sans_chars() -> frozenset[int]:
    """The code points both DejaVu Sans faces draw (read once per process)."""
    from fontTools.ttLib import TTFont

    faces = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(FONTS / name, lazy=True) as font:
            faces.append(frozenset(font.getBestCmap() or {}))
    return faces[0] & faces[1]


def fonts_for(text: str) -> int:
    """LATIN when the built-in fonts draw `text`, UNICODE when DejaVu does, else FALLBACK."""
    try:
        text.encode("latin-1")
        return LATIN
    except UnicodeEncodeError:
        pass
    covered = _sans_chars()
    return UNICODE if all(ord(c) in covered for c in text) else FALLBACK


class _NeedsFonts(Exception):
    """A text the document's fonts cannot draw: the document is drawn again with `level`'s fonts."""

    def __init__(self, level: int):
        super().__init__(level)
        self.level = level


class _Pdf(FPDF):
    def __init__(self, title: str, footer: str, level: int):
        super().__init__(orientation="P", unit="mm", format="A4")
        self._title, self._footer, self._level = title, footer, level
        self._family = "Helvetica"
        if level >= UNICODE:
            self.add_font("Sans", "", str(FONTS / "DejaVuSans.ttf"))
            self.add_font("Sans", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
            self._family = "Sans"
        if level >= FALLBACK:
            self.add_font("Fallback", "", str(FONTS / "DroidSansFallback.ttf"))
            self.set_fallback_fonts(["Fallback"], exact_match=False)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(self._t(title))
        self.set_creator("PharOS")

    def _t(self, text: object) -> str:
        shown = str(text).translate(ASCII_PUNCTUATION)
        needs = fonts_for(shown)
        if needs > self._level:
            raise _NeedsFonts(needs)
        return shown

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self._family, size=7)
        self.cell(0, 5, self._t(f"{self._footer} - page {self.page_no()}"), align="C")

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font(self._family, "B", size)
        self._line(7, self._t(text))

    def line_text(self, text: str, size: int = 9, bold: bool = False) -> None:
        self.set_font(self._family, "B" if bold else "", size)
        self._line(5, self._t(text))

    def _line(self, height: float, text: str) -> None:
        """A text on its own line(s). fpdf2's line breaking re-measures the line for every character
        it adds (quadratic in the line's length: ~85 % of a statement's time), so a text that fits on
        one line is drawn as one cell, measured once. Only with the CJK fallback font, whose glyphs
        the measure does not count, is every text broken by multi_cell."""
        if self._level < FALLBACK and "\n" not in text and self.get_string_width(text) <= self.epw:
            self.cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def rows(self, widths: list[float], cells: list[list[str]], header: list[str]) -> None:
        self.set_font(self._family, "B", 8)
        for w, h in zip(widths, header, strict=True):
            self.cell(w, 6, self._t(h), border="B")
        self.ln(6)
        self.set_font(self._family, "", 8)
        for row in cells:
            for w, value in zip(widths, row, strict=True):
                self.cell(w, 5, self._t(value)[: int(w * 0.6)])
            self.ln(5)


def _render(title: str, footer: str, draw: Callable[[_Pdf], None]) -> bytes:
    """`draw` on a document with the fonts its text needs (Latin-1 first; again with richer fonts
    when a text needs them)."""
    level = max(fonts_for(title.translate(ASCII_PUNCTUATION)), fonts_for(footer.translate(ASCII_PUNCTUATION)))
    while True:
        pdf = _Pdf(title, footer, level)
        try:
            draw(pdf)
            return bytes(pdf.output())
        except _NeedsFonts as more:
            level = more.level


def statement_pdf(ctx: TenantContext, run_id: uuid.UUID, employee_ref: str) -> bytes:
    """One employee's statement: who, which plan and run, the inputs, every step, the payout."""
    ctx.require(EXPORT)
    view = computed_view(ctx, run_id, "a statement")
    out = statement_document(view, queries.tape(ctx, run_id, employee_ref))
    _audit(
        ctx,
        run_id,
        "comp_run.statement",
        {"employee_ref": employee_ref, "snapshot_hash": view.frozen_hash or view.snapshot_hash},
    )
    return out


def computed_view(ctx: TenantContext, run_id: uuid.UUID, what: str) -> RunView:
    """The run, refused (409) while it has no results."""
    view = queries.run_detail(ctx, run_id)
    if not view.computed:
        raise Conflict(f"the run is {view.progress.phase}: {what} needs its results", fields={"run_id": "not computed"})
    return view


def statement_document(view: RunView, tape: TapeView) -> bytes:
    """The statement's PDF (no audit: the caller records what it hands out)."""
    currency = ((view.totals.get("pool") or {}).get("currency")) or ""

    def draw(pdf: _Pdf) -> None:
        pdf.add_page()
        pdf.heading("Individual compensation statement", 15)
        pdf.line_text(
            f"Employee: {tape.employee_ref}" + (f" - {tape.employee_name}" if tape.employee_name else ""), 10, True
        )
        dims = ", ".join(f"{k}: {v}" for k, v in (("team", tape.team), ("fund", tape.fund), ("role", tape.role)) if v)
        if dims:
            pdf.line_text(dims)
        pdf.line_text(f"Plan: {view.plan_name}, version {view.plan_version}; scenario: {view.scenario_name}")
        pdf.line_text(f"Run {view.id}: {_state(view)}")
        pdf.ln(2)
        if tape.error:
            pdf.heading("No payout was computed")
            pdf.line_text(f"Row error at {tape.error_step}: {tape.error}")
        else:
            pdf.heading(f"Payout ({tape.payout_step}): {currency} {money(tape.payout)}".replace("  ", " "))
            pdf.line_text(f"Exact value: {tape.payout}")
            if tape.allocated is not None:
                share = f"{currency} {money(tape.allocated)} (exact {tape.allocated})"
                pdf.line_text(f"Share of the pool (largest remainder): {share}")
        pdf.ln(2)
        pdf.heading("Inputs", 11)
        shown = tape.used or tape.inputs
        pdf.rows([60, 120], [[k, v] for k, v in shown.items()], ["input", "value used"])
        pdf.ln(3)
        pdf.heading("Calculation steps (in evaluation order)", 11)
        for step in tape.steps:
            pdf.line_text(
                f"{step.order}  {step.name} = {step.value if step.value is not None else '-'}  [{step.status}]", 9, True
            )
            pdf.line_text(f"    {step.expr}" + (f"   if {step.condition}" if step.condition else ""), 8)
            if step.refs:
                pdf.line_text("    read: " + ", ".join(f"{k} = {v}" for k, v in step.refs.items()), 7)
            if step.error:
                pdf.line_text(f"    error: {step.error}", 8)

    return _render(f"Compensation statement - {tape.employee_ref}", f"Run {view.id} - {_state(view)}", draw)


# --- exports of the whole run -----------------------------------------------------------------


def _table(ctx: TenantContext, run_id: uuid.UUID) -> tuple[RunView, list[str], list[list[Any]]]:
    view = computed_view(ctx, run_id, "an export")
    header = ["employee_ref", "employee_name", "team", "fund", "role", *view.steps, "payout", "pool_share", "error"]
    rows: list[list[Any]] = []
    with tenant_session(ctx) as session:
        run = runs.get_run(session, ctx, run_id)
        found = session.exec(runs.results_query(ctx, run).order_by(col(RunResult.row_no))).all()
        for r, e in found:
            values = list(r.vals) if r.vals else [None] * len(view.steps)
            rows.append(
                [
                    r.employee_ref,
                    e.employee_name if e else None,
                    e.team if e else None,
                    e.fund if e else None,
                    e.role if e else None,
                    *[_dec(v) for v in values],
                    r.payout,
                    r.allocated,
                    r.error,
                ]
            )
    return view, header, rows


def _csv(view: RunView, header: list[str], rows: list[list[Any]]) -> bytes:
    return to_csv(header, rows).encode("utf-8")


def _xlsx(view: RunView, header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("results")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, neutralise(f"{view.plan_name} v{view.plan_version} - {view.scenario_name}"), bold)
    sheet.write_string(1, 0, neutralise(f"run {view.id}: {_state(view)}"))
    for c, name in enumerate(header):
        sheet.write_string(3, c, name, bold)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row):
            if value is None:
                continue
            # figures as their exact text (never through float); text neutralised like the CSV
            sheet.write_string(r, c, neutralise(value))
    book.close()
    return buf.getvalue()


def _pdf(view: RunView, header: list[str], rows: list[list[Any]]) -> bytes:
    def draw(pdf: _Pdf) -> None:
        pdf.add_page(orientation="L")
        pdf.heading(f"{view.plan_name}, version {view.plan_version} - {view.scenario_name}")
        pdf.line_text(f"Run {view.id}: {_state(view)}")
        totals = view.totals
        pool = totals.get("pool") or {}
        pdf.line_text(
            f"Employees {totals.get('employees', 0)}, errors {totals.get('errors', 0)}, payout total "
            f"{totals.get('payout_total', '-')}"
            + (f", pool {pool.get('currency')} {pool.get('amount')}, allocated {pool.get('allocated')}" if pool else "")
        )
        pdf.ln(2)
        cells = [
            [str(r[0]), str(r[1] or ""), str(r[2] or ""), str(r[-3] or "-"), str(r[-2] or "-"), str(r[-1] or "")]
            for r in rows
        ]
        pdf.rows([40, 50, 35, 50, 50, 50], cells, ["employee", "name", "team", "payout", "pool share", "error"])

    return _render(f"Run {view.id}", f"Run {view.id} - {_state(view)}", draw)


def export(ctx: TenantContext, run_id: uuid.UUID, fmt: str) -> tuple[bytes, str]:
    ctx.require(EXPORT)
    view, header, rows = _table(ctx, run_id)
    content = {"csv": _csv, "xlsx": _xlsx, "pdf": _pdf}[fmt](view, header, rows)
    _audit(
        ctx,
        run_id,
        "comp_run.export",
        {"format": fmt, "rows": len(rows), "snapshot_hash": view.frozen_hash or view.snapshot_hash},
    )
    return content, MEDIA[fmt]
