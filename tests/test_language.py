"""Every text a user reads is in the chosen language (issue 15, item 12): every message
template of the package, every help text and usage error of every command, every finding
of a batch with every kind of defect, the report's and the roll-up's labels, and the
worksheet functions' reasons — Chinese with no English word beyond codes, ids, names and
paths; English with no Chinese character (:mod:`tests.language` decides)."""
from __future__ import annotations

import copy
import re
import string
from collections.abc import Iterator
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.i18n import Text
from tests.content import TODAY, clean_funnel, content
from tests.language import foreign, templates

LANGS = ("zh", "en")


# --- the checker itself -----------------------------------------------------------------------

def test_the_checker_finds_the_other_language_and_lets_codes_names_and_paths_pass():
    assert foreign("“阶段”的值无效：'谈判中' is not a stage: use 01 to 08", "zh") == ["is", "not", "a", "stage", "use", "to"]
    assert foreign("at least 64 MB, or 0 for none / 至少 64 MB，或 0 表示不限", "zh")
    assert foreign("invalid '阶段': '09' is not a stage", "en") == ["阶", "段"]
    assert foreign("invalid '阶段'", "en", data=["阶段"]) == []
    for fine in ("规则 M-FC-3、S-VALUE-REQUIRED：用 KAM_SCORE 或 --period 2026-Q4 指定", "请另存为 .xlsx（Excel 或 WPS）",
                 "公司配置 limits.file_seconds 或 ~/.kamxl/company.toml", "运行 kamxl addin build 后重试", "币种 CNY、USD",
                 "第 {row} 行：{value!r}", "[bold]示例[/]"):
        assert foreign(fine, "zh") == [], fine


# --- every template -------------------------------------------------------------------------------

def test_the_collector_reaches_module_constants_schemas_vocabularies_config_and_inline_texts():
    found = {(t.zh, t.en) for _where, t in templates()}
    assert ("没有可汇总的预测文件：{why}", "no forecast to roll up: {why}") in found         # a module constant
    assert ("阶段", "Stage") in found                                                         # a schema's header
    assert ("承诺", "Commit") in found                                                        # a vocabulary term
    assert ("提示", "info") in found                                                          # an enum's property
    assert ("阶段、金额、状态三列应一样长", "stages, amounts and statuses must be equally long") in found  # inline
    assert any(t.en == "What does the customer need?" for _w, t in templates())              # the checklist (data)
    assert len(found) > 900


def test_every_message_template_is_wholly_in_its_language():
    bad = [(where, lang, getattr(text, lang), words) for where, text in templates() for lang in LANGS
           if (words := foreign(getattr(text, lang), lang))]
    assert bad == []


def test_a_reason_inside_a_message_comes_in_the_message_language():
    from kamxl.i18n import Listing, Message

    inner = Text("{value!r} 不是数字", "{value!r} is not a number")
    outer = Text("“{column}”的值无效：{reason}", "invalid '{column}': {reason}")
    params = {"column": Text("金额", "Amount"), "reason": Message.of(inner, value="x")}
    assert outer("zh", **params) == "“金额”的值无效：'x' 不是数字"
    assert outer("en", **params) == "invalid 'Amount': 'x' is not a number"
    assert Listing((Text("甲", "a"), "b.xlsx"))("zh") == "甲；b.xlsx"


# --- the command line -----------------------------------------------------------------------------

def _commands(command: click.Command = main, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def _codes() -> set[str]:
    """Command names and choices: what a user types, words a Chinese text may show."""
    words = set()
    for path, command in _commands():
        words.update(path)
        for param in command.params:
            if isinstance(param.type, click.Choice):
                words.update(str(c) for c in param.type.choices)
    return {w for word in words for w in word.replace("-", " ").split()} | words


CODES = _codes()


def cli(args: list[str], env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(main, args, prog_name="kamxl")
COMMANDS = [path for path, _c in _commands()]


def test_every_help_text_has_its_chinese():
    from kamxl.cli_lang import HELP_ZH, help_texts

    missing = [(where, text) for where, text in help_texts(main) if text not in HELP_ZH]
    assert missing == []


def _click_messages() -> list[tuple[str, str, str]]:
    """click's own gettext messages, read from its source: (file, English, English plural or '')."""
    import ast

    found = []
    for source in sorted(Path(click.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if texts:
                    found.append((source.name, texts[0], texts[1] if node.func.id == "ngettext" else ""))
    return found


def _fields(text: str) -> set[str]:
    return {name.split("!")[0] for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_the_chinese_of_click_keeps_its_fields():
    from kamxl.cli_lang import CLICK_PLURAL_ZH, CLICK_ZH

    for en, zh in CLICK_ZH.items():
        assert _fields(zh) <= _fields(en), en
        assert ("%(" in en) == ("%(" in zh), en
    plurals = {singular: plural for _f, singular, plural in _click_messages() if plural}
    for singular, (one, many) in CLICK_PLURAL_ZH.items():
        assert _fields(one) | _fields(many) <= _fields(singular) | _fields(plurals[singular]), singular
    assert [zh for zh in [*CLICK_ZH.values(), *(z for pair in CLICK_PLURAL_ZH.values() for z in pair)]
            if foreign(zh, "zh")] == []


def test_every_message_click_shows_a_user_has_its_chinese():
    """Each has a translation, or is one a user of kamxl never sees (errors in a program's
    definition, reprs, shell completion, editors, Windows consoles, click's progress bar:
    kamxl's is rich's)."""
    from kamxl.cli_lang import CLICK_PLURAL_ZH, CLICK_ZH

    developer = ("Could not determine name", "No options defined", "Arguments take exactly", "Name '{name}' defined",
                 "Boolean option", "DeprecationWarning", "Shell completion", "Couldn't detect Bash", "Windows error",
                 "{editor}: Editing failed", "Unknown color", "Unknown standard stream", "Choice(")
    missing = [(file, text) for file, text, plural in _click_messages()
               if text not in (CLICK_PLURAL_ZH if plural else CLICK_ZH) and not text.startswith(developer)
               and text != "d"]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "kamxl")
def test_help_is_in_the_chosen_language(path, lang):
    result = cli([*path, "--help"], {"KAMXL_LANG": lang})
    assert result.exit_code == 0, result.output
    assert foreign(result.output, lang, codes=CODES) == [], result.output
    english = cli([*path, "--help", "--lang", "en"], {"KAMXL_LANG": "zh"})
    if any(p.name == "lang" for p in dict(_commands())[path].params):      # --lang beats KAMXL_LANG
        assert foreign(english.output, "en") == [], english.output


def _bad_invocations(path: tuple[str, ...], command: click.Command, folder: Path, file: Path) -> Iterator[list[str]]:
    """Command lines that each fail at one parameter before any work is done."""
    yield [*path, "--no-such-option"]
    if isinstance(command, click.Group):
        yield [*path, "no-such-command"]
        return
    if any(p.required for p in command.params):
        yield list(path)
    if not any(isinstance(p, click.Argument) and p.nargs == -1 for p in command.params):
        yield [*path, *(["funnel"] if path == ("new",) else []), "extra-1", "extra-2"]
    for param in command.params:
        kind = param.type
        opt = param.opts[0] if isinstance(param, click.Option) else None
        if isinstance(param, click.Option) and param.is_flag:
            continue
        values = []
        if isinstance(kind, click.Choice):
            values.append("no-such-choice")
        elif isinstance(kind, (click.IntRange, click.FloatRange)):
            values += ["abc", "-5"]
        elif isinstance(kind, click.DateTime):
            values.append("2026")
        elif isinstance(kind, click.Path):
            if kind.exists:
                values.append(str(folder / "no-such-file.xlsx"))
            if not kind.dir_okay:
                values.append(str(folder))
            if not kind.file_okay:
                values.append(str(file))
        if opt is None:
            yield from ([*path, v] for v in values)
            continue
        yield [*path, opt]                                        # requires a value
        yield from ([*path, opt, v] for v in values)


def _invocations(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, str], str]]:
    file = tmp_path / "a.txt"
    file.write_text("x", encoding="utf-8")
    for path, command in _commands():
        has_lang = any(p.name == "lang" for p in command.params)
        for args in _bad_invocations(path, command, tmp_path, file):
            for lang in LANGS:
                yield args, {"KAMXL_LANG": lang}, lang
                if has_lang and len(args) > len(path):
                    yield [*path, "--lang", lang, *args[len(path):]], {"KAMXL_LANG": "en" if lang == "zh" else "zh"}, lang


def test_every_usage_error_of_every_command_is_in_the_chosen_language(tmp_path):
    checked, wrong = 0, []
    for args, env, lang in _invocations(tmp_path):
        result = cli(args, env)
        if result.exit_code != 2 or not result.output.strip():
            wrong.append((args, env, "exit", result.exit_code, result.output))
            continue
        typed = [a for a in args if not a.startswith("-") and a not in CODES]    # values as typed, quoted back
        words = foreign(result.output, lang, codes=CODES, data=[str(tmp_path), *typed])
        if lang == "zh" and re.search(r"[\u4e00-\u9fff'\"]\.(\s|$)", result.output):
            words = [*words, "a Latin full stop ending a Chinese sentence"]
        if words:
            wrong.append((args, env, words, result.output))
        checked += 1
    assert wrong == []
    assert checked > 150


def test_the_language_is_read_from_the_command_line_before_click_parses_it(monkeypatch):
    from kamxl.cli_lang import lang_of_argv

    monkeypatch.setenv("KAMXL_LANG", "en")
    assert lang_of_argv(["rollup", "--lang", "zh"]) == "zh" and lang_of_argv(["rollup", "--lang=zh"]) == "zh"
    assert lang_of_argv(["rollup", "--", "--lang", "zh"]) == "en" and lang_of_argv(["rollup", "--lang"]) == "en"
    monkeypatch.setenv("KAMXL_LANG", "zh")
    assert lang_of_argv(["rollup"]) == "zh"


def test_usage_errors_and_help_in_chinese_reproduction():
    """Issue 15: '--lang zh' / KAMXL_LANG=zh gave click's English."""
    out = cli(["rollup", "--lang", "zh", "missing.xlsx"]).output
    assert "错误：'PATHS...' 的值无效：'missing.xlsx' 不存在。" in out and "用法:" in out
    out = cli(["rollup", "--help"], {"KAMXL_LANG": "zh"}).output
    assert "把下一级的预测汇总为一份预测" in out and "显示本帮助并退出" in out and "Show this message" not in out
    out = cli(["--version"], {"KAMXL_LANG": "zh"}).output
    assert out.startswith("kamxl，版本 ")


@pytest.mark.parametrize(("lang", "said", "other"), [("zh", "至少 64 MB，或 0 表示不限", "at least"),
                                                     ("en", "at least 64 MB, or 0 for none", "至少")])
def test_our_own_usage_errors_come_in_one_language(tmp_path, lang, said, other):
    result = cli(["validate", str(tmp_path), "--lang", lang, "--file-memory", "3"])
    assert result.exit_code == 2 and said in result.output and other not in result.output
    result = cli(["new", "funnel", "-o", str(tmp_path / "x.csv"), "--lang", lang])
    assert result.exit_code == 2 and (".xlsx" in result.output) and not foreign(result.output, lang, codes=CODES,
                                                                                  data=[str(tmp_path)])


# --- findings, reports, roll-ups ----------------------------------------------------------------

def _strings(c: dict) -> set[str]:
    rows = [r for v in c.values() for r in (v if isinstance(v, list) else [v])]
    return {str(x) for r in rows for x in r.values() if isinstance(x, str)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Workbooks in zh and en with every kind of value, structure and cross-file defect;
    the values typed are neither English nor Chinese, so any word in a message is ours."""
    from tests.test_validate import build
    from kamxl.schema import TEMPLATES
    from kamxl.validate import validate_paths

    tmp = tmp_path_factory.mktemp("batch")
    data, files = set(), []
    for wl in LANGS:
        c = clean_funnel(wl)
        o = c["Opportunities"]
        o[0]["stage"], o[1]["amount"], o[2]["amount"], o[3]["close_date"] = "09", -5.0, "3M?", "13/45/2026"
        o[4]["customer"], o[5]["currency"], o[6]["sales_mode"], o[7]["status"] = None, "RMB", "??", "??"
        o[8]["confirmed"], o[9]["category"] = "??", "??"
        c["Assessment"][0]["q07"], c["Benchmarks"][0]["count"] = "??", -3.0
        files.append(build(tmp, "funnel", c, wl, f"funnel-{wl}.xlsx"))
        f = content("forecast", wl)
        f["ForecastLines"][0]["confirmed"], f["ForecastLines"][1]["owner"] = "??", "李娜"
        other = copy.deepcopy(f)                       # another rep claims the same opportunities: M-FC-3
        other["Forecast"]["owner"] = "赵敏"
        for line in other["ForecastLines"]:
            line["owner"] = "赵敏"
        files += [build(tmp, "forecast", f, wl, f"forecast-{wl}.xlsx"),
                  build(tmp, "forecast", other, wl, f"forecast2-{wl}.xlsx")]
        a = content("account-plan", wl)
        files.append(build(tmp, "account-plan", a, wl, f"plan-{wl}.xlsx"))
        data |= _strings(c) | _strings(f) | _strings(other) | _strings(a)
    renamed = build(tmp, "funnel", clean_funnel("en"), "en", "renamed.xlsx")
    book = openpyxl.load_workbook(renamed)
    ws = book["Opportunities"]
    ws["G5"] = ws.tables["Opportunities"].tableColumns[6].name = "Phase"
    ws["B5"] = ws.tables["Opportunities"].tableColumns[1].name = "客户名称"
    del book["_kamxl"]
    book.save(renamed)
    (tmp / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    files += [renamed, tmp / "notes.xlsx"]
    data |= {"Phase", "客户名称", str(tmp)} | {str(f) for f in files}
    data |= {s.name(lang) for t in TEMPLATES.values() for s in t.sheets for lang in LANGS}   # sheet!cell: a place
    tables = {t.name for template in TEMPLATES.values() for t in template.tables()}          # Excel table names: ids
    return validate_paths(files, today=TODAY), data, tables, tmp


@pytest.mark.parametrize("lang", LANGS)
def test_every_finding_is_wholly_in_the_reports_language(batch, lang):
    report, data, tables, _tmp = batch
    assert {"M-FUN-1", "S-VALUE-TYPE", "S-VALUE-REQUIRED", "M-FC-3", "S-COLUMN-MISSING", "S-METADATA",
            "S-UNREADABLE", "M-SCORE-3", "S-VALUE-RANGE"} <= set(report.by_rule())
    bad = {(row["rule"], row[column]) for row in report.rows(lang) for column in ("message", "hint", "severity")
           if foreign(row[column], lang, data=data, codes=tables)}
    assert bad == set()


def test_a_value_error_in_chinese_is_wholly_chinese_reproduction(batch):
    """Issue 15: '“阶段”的值无效：'谈判中' is not a stage: use 01 to 08…'."""
    report, *_ = batch
    zh = next(r for r in report.rows("zh") if r["rule"] == "M-FUN-1" and r["file"].endswith("funnel-zh.xlsx"))
    en = next(r for r in report.rows("en") if r["rule"] == "M-FUN-1" and r["file"].endswith("funnel-zh.xlsx"))
    assert zh["message"] == "“阶段”的值无效：'09' 不是有效的阶段：请填 01 到 08，如 “05 进入短名单”"
    assert en["message"] == "invalid 'Stage': '09' is not a stage: use 01 to 08, e.g. '05 Shortlist/Bid'"


def _labels(path: Path) -> list[str]:
    """Sheet names and every table's header cells: what a workbook labels in its language."""
    book = openpyxl.load_workbook(path)
    out = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        out.append(ws.title)
        out += [c.name for table in ws.tables.values() for c in table.tableColumns]
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_reports_labels_are_in_its_language(batch, lang):
    from kamxl.report import write_report

    report, _data, _tables, tmp = batch
    path = write_report(report, tmp / f"report-{lang}.xlsx", lang=lang)
    labels = _labels(path)
    assert len(labels) > 10 and [x for x in labels if foreign(x, lang)] == []


# --- worksheet functions --------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "zh", "en"), [
    (lambda kam, lang: kam.KAM_HEALTH_BAND("abc", lang), "'abc' 不是数字", "'abc' is not a number"),
    (lambda kam, lang: kam.KAM_SCORE([["maybe"] + ["Y"] * 19], lang), "无法识别的是/否值", "Unrecognised yes/no value"),
    (lambda kam, lang: kam.KAM_VALUE_LEVEL("x", None, lang), "'x' 不是数字", "'x' is not a number"),
    (lambda kam, lang: kam.KAM_FUNNEL([["09"]], [[1]], None, None, lang), "不是有效的阶段", "is not a stage"),
    (lambda kam, lang: kam.KAM_SCORE_DIMS([["Y"] * 3], lang), "需要 20 个答案", "expected 20 answers"),
])
def test_worksheet_functions_give_their_reasons_in_their_lang_argument(monkeypatch, call, zh, en):
    """Issue 15: KAM_SCORE(…,"zh") and KAM_HEALTH_BAND('abc','zh') gave English reasons."""
    from kamxl.excel import udfs as kam

    for default in LANGS:                      # whatever the machine's language
        monkeypatch.setenv("KAMXL_LANG", default)
        said_zh, said_en = call(kam, "zh"), call(kam, "en")
        assert zh in said_zh and not foreign(said_zh, "zh", data=["maybe", "abc"]), said_zh
        assert en in said_en and not foreign(said_en, "en"), said_en


@pytest.mark.parametrize("lang", LANGS)
def test_what_the_system_or_a_parser_says_comes_in_the_chosen_language(tmp_path, lang):
    """A configuration file that is not TOML, not UTF-8 or not there: the reason in our words."""
    (tmp_path / "bad.toml").write_text("a b = 1\n", encoding="utf-8")
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe")
    for name, said in (("bad.toml", {"zh": "TOML 语法错误，在第 1 行第 3 列", "en": "TOML syntax error at line 1, column 3"}),
                       ("binary.toml", {"zh": "不是 UTF-8 编码的文本", "en": "not UTF-8 text"}),
                       ("missing.toml", {"zh": "文件或文件夹不存在", "en": "no such file or folder"})):
        result = cli(["config", "check", str(tmp_path / name), "--lang", lang])
        assert result.exit_code == 2 and said[lang] in result.output, result.output
        assert not foreign(result.output, lang, data=[str(tmp_path / name)]), result.output
