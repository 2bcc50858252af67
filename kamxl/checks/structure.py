"""Structure checks: template and version, required tables and columns, renamed or moved
columns, header language mix, forms present; a blank template (:func:`blank`)."""
from __future__ import annotations

from kamxl.checks import Context
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.io.reader import _header_key
from kamxl.methodology.values import is_blank
from kamxl.schema import Kind
from kamxl.templates.layout import seed_rows

NO_METADATA = Text("缺少 kamxl 元数据工作表，已按表格识别为“{template}”模板",
                   "the kamxl metadata sheet is missing; recognised as the '{template}' template from its tables")
NO_METADATA_FIX = Text("请用 kamxl 生成的模板填写，不要删除隐藏工作表", "use a template kamxl generated; keep its hidden sheets")
VERSION = Text("模板版本为 {found}，当前为 {current}", "template version {found}, current is {current}")
VERSION_FIX = Text("请改用当前版本的模板（kamxl new …）", "move the data to a current template (kamxl new …)")
TABLE_MISSING = Text("缺少表格“{table}”", "the table '{table}' is missing")
TABLE_FIX = Text("请用 kamxl 模板，勿删除或重命名表格", "use the kamxl template; do not delete or rename its tables")
COLUMN_MISSING = Text("表格“{table}”缺少列“{column}”", "the table '{table}' has no column '{column}'")
COLUMN_FIX = Text("恢复该列（可从新模板复制表头）", "restore the column (copy the header from a new template)")
COLUMN_UNKNOWN = Text("无法识别的列标题“{header}”（是否被改名？）", "unknown column header '{header}' (renamed?)")
COLUMN_UNKNOWN_FIX = Text("恢复模板中的标题，或删除多余的列", "restore the template's header, or remove the extra column")
COLUMN_ELSEWHERE = Text("列“{header}”在当前模板中属于“{home}”工作表",
                        "the column '{header}' is on the '{home}' sheet in the current template")
COLUMN_ELSEWHERE_FIX = Text("把这一列的内容移到该工作表（kamxl new … 生成当前模板）",
                            "move the column's values to that sheet (kamxl new … writes the current template)")
COLUMN_MOVED = Text("列“{column}”的位置与模板不同", "the column '{column}' has moved from its place in the template")
COLUMN_MOVED_FIX = Text("不影响读取；如需汇总请恢复原顺序", "reading is not affected; restore the order for roll-ups")
LANG_MIX = Text("表头混用了中文和英文（{zh} 个中文，{en} 个英文）", "headers mix Chinese and English ({zh} zh, {en} en)")
LANG_MIX_FIX = Text("使用同一种语言的模板", "use a template in one language")
FORM_MISSING = Text("缺少“{form}”区域", "the '{form}' block is missing")
BLANK = Text("空白模板：尚未填写任何内容", "blank template: nothing filled in")
BLANK_FIX = Text("填写后再提交；如属误交，请撤回", "fill it in before submitting it; if it was sent by mistake, withdraw it")


def check(ctx: Context) -> list[Finding]:
    data, lang = ctx.data, ctx.data.lang or "zh"
    found: list[Finding] = []
    if data.identified_by != "metadata":
        found.append(ctx.here("S-METADATA", Severity.WARNING, NO_METADATA, NO_METADATA_FIX,
                              template=data.template.title))
    elif data.version is not None and data.version != data.template.version:
        severity = Severity.ERROR if data.version > data.template.version else Severity.WARNING
        found.append(ctx.here("S-VERSION", severity, VERSION, VERSION_FIX, sheet="_kamxl", cell="B2",
                              found=data.version, current=data.template.version))
    langs = {"zh": 0, "en": 0}
    # a workbook of an older template lacks the computed columns added since: the rep typed
    # nothing wrong (S-VERSION says to move to the current template), the inputs are all there
    older = data.version is not None and data.version < data.template.version
    for table in data.template.tables():
        got = data.tables.get(table.name)
        sheet = data.template.sheet_of(table).name(lang)
        if got is None:
            # added since the workbook's version: S-VERSION already says to move to the current template
            severity = Severity.WARNING if older and data.version < table.since else Severity.ERROR
            found.append(ctx.here("S-TABLE-MISSING", severity, TABLE_MISSING, TABLE_FIX, sheet=sheet,
                                  table=table.name))
            continue
        for column in table.columns:
            if column.key not in got.columns:
                severity = Severity.ERROR if column.required or (column.formula and not older) else Severity.WARNING
                found.append(ctx.here("S-COLUMN-MISSING", severity, COLUMN_MISSING, COLUMN_FIX, sheet=got.sheet,
                                      cell=f"A{got.header_row}", table=table.name, column=column.header))
        for header, cell in got.unknown_headers:
            home = _home(data.template, table, header)
            if home is not None:   # an older template's column, moved to another sheet since (the bid attributes)
                found.append(ctx.here("S-COLUMN-UNKNOWN", Severity.WARNING, COLUMN_ELSEWHERE, COLUMN_ELSEWHERE_FIX,
                                      sheet=got.sheet, cell=cell, header=header, home=home.name))
                continue
            found.append(ctx.here("S-COLUMN-UNKNOWN", Severity.WARNING, COLUMN_UNKNOWN, COLUMN_UNKNOWN_FIX,
                                  sheet=got.sheet, cell=cell, header=header))
        expected = [c.key for c in table.columns if c.key in got.columns]
        actual = sorted(got.columns, key=got.columns.__getitem__)
        if actual != expected:
            moved = next(k for k, e in zip(actual, expected) if k != e)
            found.append(ctx.here("S-COLUMN-MOVED", Severity.INFO, COLUMN_MOVED, COLUMN_MOVED_FIX, sheet=got.sheet,
                                  cell=f"A{got.header_row}", column=table.column(moved).header))
        for header_lang in got.header_langs.values():
            langs[header_lang] += 1
    if langs["zh"] and langs["en"]:
        found.append(ctx.here("S-HEADER-LANG", Severity.WARNING, LANG_MIX, LANG_MIX_FIX, **langs))
    for form in data.template.forms():
        if form.prefix not in data.forms or not data.forms[form.prefix].values:
            severity = Severity.WARNING if older and data.version < form.since else Severity.ERROR
            found.append(ctx.here("S-FORM-MISSING", severity, FORM_MISSING, TABLE_FIX,
                                  sheet=data.template.sheet_of(form).name(lang),
                                  form=form.title or data.template.sheet_of(form).name))
    return found


def _home(template, table, header: str):  # noqa: ANN001, ANN202 - schema objects
    """The sheet of another table of the template that has a column of this header, if any."""
    for other in template.tables():
        if other is not table and _header_key(other.columns, header):
            return template.sheet_of(other)
    return None


def blank(ctx: Context) -> Finding | None:
    """One INFO finding (``S-BLANK``) when nothing is filled in: every cell a person types
    into (not a formula, not the rows the builder seeds, such as the checklist's questions)
    is blank in every table and form. A blank template is said once, not as a required
    value missing per field; None for a workbook with anything typed in it."""
    data = ctx.data
    own = {t.name for t in data.template.tables()}
    for name, table in data.tables.items():
        if name not in own:
            continue                     # a roll-up's report tables (lineage): written by kamxl
        seeded = {key for row in seed_rows(table.table, ctx.config, "en") for key in row}
        typed = [table.offsets[c.key] for c in table.table.columns
                 if c.kind is not Kind.FORMULA and c.key not in seeded and c.key in table.offsets]
        if any(not is_blank(row[i]) for row in table.rows for i in typed):
            return None
    for form in data.template.forms():
        record = data.forms.get(form.prefix)
        if record and any(not is_blank(record.values.get(c.key)) for c in form.fields if c.kind is not Kind.FORMULA):
            return None
    return ctx.here("S-BLANK", Severity.INFO, BLANK, BLANK_FIX)
