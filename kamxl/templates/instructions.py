"""The instructions sheet every template gets, in the workbook's language: what each colour
means (input, calculated, stored value, traffic lights, bands and every rule flag declared
on the schema's tables and forms, with its M-… id) and what to fill, column by column, from
the schema. Readers and the validator ignore it: it holds no table and no form.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kamxl.i18n import Text as T
from kamxl.methodology.vocabulary import HEALTH_BAND
from kamxl.schema.model import Column, Flag, Form, Kind, Table, Template
from kamxl.templates.layout import hint_params

if TYPE_CHECKING:
    from kamxl.templates.builder import Builder

NAME = T("填写说明", "Instructions")
# a flag's look: its fill and font (the same colours as Excel's built-in highlight styles)
FLAG_LOOKS = {"error": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
              "warning": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
              "good": {"bg_color": "#C6EFCE", "font_color": "#006100"},
              "info": {"bg_color": "#DDEBF7", "font_color": "#1F4E78"}}

INTRO = T("在白色或浅黄色的单元格中填写；灰色单元格自动计算。工作表已保护（无密码），以免误改公式；"
          "如需增加表格行或修改结构，可在“审阅”中撤销工作表保护。",
          "Type into the white or light-yellow cells; grey cells are calculated. Sheets are protected "
          "(no password) so a formula is not overwritten by mistake; to add table rows or change the layout, "
          "unprotect the sheet under Review.")
COLOURS = T("颜色的含义", "What the colours mean")
FILL = T("填写什么", "What to fill")
HEAD = (T("工作表", "Sheet"), T("区域", "Block"), T("列或项目", "Column or field"), T("填写", "Entry"),
        T("说明", "What to enter"), T("规则", "Rules"))
REQUIRED, OPTIONAL, CALCULATED = T("必填", "required"), T("选填", "optional"), T("自动计算", "calculated")
LOOKS = (
    ("form", T("表头区域的输入单元格：在此填写", "An input cell of a header block: type here")),
    ("in", T("表格中的白色或条纹行：在此填写，每行一条", "A white or banded table row: type here, one item per row")),
    ("calc", T("灰色：自动计算，请勿改写（改写的值会被校验报告）",
               "Grey: calculated; do not type over it (the validator reports a value typed over a formula)")),
)
STORED = T("斜体褐色：kamxl 写入文件时计算的值，普通 Excel 公式无法计算（便携版）",
           "Brown italics: a value kamxl computed when it wrote the file; plain Excel cannot compute it "
           "(portable edition)")
LIGHTS = T("交通灯（M-FUN-3）：绿灯 > {excellent}，黄灯 {good} 至 {excellent}，红灯 < {good}",
           "Traffic lights (M-FUN-3): green above {excellent}, amber {good} to {excellent}, red below {good}")
BAND = T("等级“{band}”（M-FUN-3）", "Band \u201c{band}\u201d (M-FUN-3)")
FLAG = T("{legend}（{rule}；{where}）", "{legend} ({rule}; {where})")


def flags(template: Template) -> Iterator[tuple[Flag, Form | Table]]:
    """Every rule flag the template's tables and forms declare."""
    for block in [*template.tables(), *template.forms()]:
        for flag in block.flags:
            yield flag, block


def write(builder: Builder) -> Any:
    """Add the sheet to the builder's workbook; returns it."""
    lang, wb, t = builder.lang, builder.wb, builder.t
    ws = wb.add_worksheet(NAME(lang))
    fmt = builder.fmt
    ws.write(0, 0, f"{t.title(lang)} · {NAME(lang)}", fmt["title"])
    ws.merge_range(1, 0, 1, 5, INTRO(lang), fmt["wrap"])
    ws.set_row(1, 48)
    row = 3
    ws.write(row, 0, COLOURS(lang), fmt["block"])
    row += 1
    for style, text in LOOKS:
        row = _swatch(ws, row, builder._format(style, None), text(lang), fmt)
    if builder.edition == "portable" and any(c.stored for c in _columns(t)):
        row = _swatch(ws, row, builder._stored_format("calc", Column("x", T("", ""), Kind.TEXT)), STORED(lang), fmt)
    if any(c.look == "ratio" for c in _columns(t)):
        health = builder.cfg.health
        text = LIGHTS(lang, excellent=f"{health.excellent_above:.0%}", good=f"{health.good_from:.0%}")
        row = _swatch(ws, row, fmt["calc:percent"], text, fmt)
    if any(c.look == "band" for c in _columns(t)):
        from kamxl.templates.builder import BAND_FILLS

        for term in HEALTH_BAND.terms:
            look = builder._add_format({**builder.props[id(fmt["calc:text"])], "bg_color": BAND_FILLS[term.key]})
            row = _swatch(ws, row, look, BAND(lang, band=term.label(lang)), fmt)
    for flag, block in flags(t):
        look = builder._add_format({**builder.props[id(fmt["calc:text"])], **FLAG_LOOKS[flag.look]})
        where = _where(t, block, flag, lang)
        row = _swatch(ws, row, look, FLAG(lang, legend=flag.legend(lang), rule=flag.rule, where=where), fmt)
    row += 1
    ws.write(row, 0, FILL(lang), fmt["block"])
    row += 1
    for c, head in enumerate(HEAD):
        ws.write(row, c, head(lang), fmt["header"])
    header_row = row
    for sheet in t.sheets:
        for block in sheet.blocks:
            if not isinstance(block, (Table, Form)) or not _says_something(block):
                continue
            title = (block.title or sheet.name) if isinstance(block, Form) else block.title
            for column in (block.fields if isinstance(block, Form) else block.columns):
                row += 1
                entry = CALCULATED if column.formula else REQUIRED if column.required else OPTIONAL
                hint = column.hint(lang, **hint_params(builder.cfg)) if column.hint else ""
                cells = (sheet.name(lang), title(lang), column.header(lang), entry(lang), hint,
                         "、".join(column.rules) if lang == "zh" else ", ".join(column.rules))
                for c, text in enumerate(cells):
                    ws.write_string(row, c, text, fmt["wrap"] if c in (1, 2, 4) else fmt["text"])
    for c, width in enumerate((14, 24, 22, 9, 60, 16)):
        ws.set_column(c, c, width)
    ws.set_row(header_row, 30)
    ws.repeat_rows(header_row)
    return ws


def _says_something(block: Form | Table) -> bool:
    """A block someone fills or reads formulas in; a roll-up's report tables (values it wrote)
    have nothing to fill."""
    columns = block.fields if isinstance(block, Form) else block.columns
    return any(c.required or c.hint or c.formula for c in columns)


def _swatch(ws: Any, row: int, look: Any, text: str, fmt: dict[str, Any]) -> int:
    ws.write_blank(row, 0, None, look)
    ws.merge_range(row, 1, row, 5, text, fmt["text"])
    return row + 1


def _columns(template: Template) -> list[Column]:
    return [c for s in template.sheets for b in s.blocks
            for c in (b.fields if isinstance(b, Form) else b.columns)]


def _where(template: Template, block: Form | Table, flag: Flag, lang: str) -> str:
    sheet = template.sheet_of(block).name(lang)  # type: ignore[arg-type]
    columns = block.fields if isinstance(block, Form) else block.columns
    heads = [c.header(lang) for c in columns if c.key in flag.columns]  # type: ignore[arg-type]
    return f"{sheet} · {'、'.join(heads) if lang == 'zh' else ', '.join(heads)}"
