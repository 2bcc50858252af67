"""The command line in the user's language: ``--help`` and click's own messages (usage
errors, help headings) in zh when the language is zh.

The language is known before click parses anything: ``--lang`` on the command line,
else ``KAMXL_LANG``, else the locale (:func:`lang_of_argv`). Then

* help texts: the commands' docstrings and the options' ``help=`` stay English in
  :mod:`kamxl.cli`; :data:`HELP_ZH` holds each one's Chinese, keyed by the English text
  (a shared option such as ``--lang`` is translated once). :func:`use_language` puts the
  texts of the chosen language on the command tree before click formats anything.
  ``tests/test_language.py`` fails for a help text without its Chinese.
* click's messages: click translates them with the standard library's ``gettext``,
  bound into each of its modules as ``_`` / ``ngettext`` at import. ``gettext`` picks its
  catalogue from ``.mo`` files and environment variables of the whole process, not from
  ``--lang``; so those two names in click's modules are replaced by translators over
  :data:`CLICK_ZH` that follow the chosen language (English: click's own words,
  through ``gettext`` as before). A message click adds later without an entry here
  stays English; the test drives every command's usage errors and finds it.
"""
from __future__ import annotations

import gettext
import re
import importlib
from collections.abc import Iterator, Sequence

import click

from kamxl.i18n import Lang, check_lang, default_lang

#: English help text (a command's docstring, an option's help) -> its Chinese
HELP_ZH: dict[str, str] = {
    "The workbook to write (.xlsx); an existing file only with --force.": "要写出的工作簿（.xlsx）；已有的文件须加 --force 才会替换。",
    "Replace OUTPUT if it exists (a workbook someone may have filled).": "替换已存在的输出文件（可能是别人已填写的工作簿）。",
    "The add-in to write (.xlam); it may replace an earlier build.": "要写出的加载项（.xlam）；可替换先前生成的加载项。",
    "Replace OUTPUT even if it is not an earlier kamxl output of the same kind (never an input).":
        "即使输出文件不是 kamxl 先前写出的同类文件也替换（输入文件除外）。",
    "Write the findings to FILE.xlsx (with links to each cell) or FILE.json; it may replace an earlier kamxl report, "
    "another file only with --force, never an input.":
        "把检查结果写入 FILE.xlsx（每条链接到单元格）或 FILE.json；可替换 kamxl 先前的报告，其他文件须加 --force，"
        "输入文件一律不替换。",
    "The roll-up workbook to write (.xlsx, a forecast one level up); it may replace an earlier kamxl roll-up, another "
    "file only with --force, never an input.":
        "要写出的汇总工作簿（.xlsx，上一级的预测）；可替换 kamxl 先前的汇总，其他文件须加 --force，输入文件一律不替换。",
    "Company configuration file (TOML) overriding the defaults (default: KAMXL_CONFIG, else ~/.kamxl/company.toml, "
    "else none).": "公司配置文件（TOML），覆盖默认设置（默认：KAMXL_CONFIG，否则 ~/.kamxl/company.toml，否则不用）。",
    "Show the counts only, not the first findings.": "只显示计数，不列出前几条检查结果。",
    "Check a company configuration file (default: the one in effect); exit 2 with the offending key if invalid.":
        "检查公司配置文件（默认：当前生效的文件）；无效时以退出码 2 退出并指出出错的键。",
    "List the rules (M-... and S-... ids), or print the given ones in full: statement, source, settings, where "
    "implemented.": "列出全部规则（M-... 与 S-... 编号），或完整显示指定的规则：内容、来源、配置项、在哪里实现。",
    "Print the file in effect and every setting: stage table, thresholds, weights, limits.":
        "显示当前生效的配置文件和每一项设置：阶段表、阈值、权重、上限。",
    # commands
    "kamxl: key-account sales methodology for Excel workbooks.": "kamxl：面向 Excel 工作簿的大客户销售方法论工具。",
    "Run the methodology on the bundled sample data and write the filled workbooks.":
        "用自带的示例数据演示方法论，并写出填好示例数据的工作簿。",
    "Write a standard workbook: funnel, forecast, account-plan or register.":
        "写出一个标准工作簿：funnel（销售漏斗）、forecast（销售预测）、account-plan（客户经营计划）或 register（客户登记）。",
    "Rewrite a filled workbook with plain Excel formulas, for someone without the kamxl add-in.":
        "把已填写的工作簿改写为只用 Excel 普通公式的便携版，供没有 kamxl 加载项的人使用。",
    "Maintain the committed templates in workbooks/.": "维护 workbooks/ 中提交的模板。",
    "Regenerate every template and filled example (zh and en) from the schemas.":
        "按表结构定义重新生成全部模板和示例工作簿（中文和英文）。",
    "Build and install the Excel add-in (KAM ribbon tab and KAM_* functions).":
        "生成并安装 Excel 加载项（KAM 功能区选项卡和 KAM_* 函数）。",
    "Build the add-in from the sources in kamxl/addin/src and kamxl/excel/udfs.py.":
        "由 kamxl/addin/src 和 kamxl/excel/udfs.py 中的源文件生成加载项。",
    "Put the add-in into Excel's start-up folder (Windows, macOS).": "把加载项放入 Excel 的启动文件夹（Windows、macOS）。",
    "Remove the add-in from Excel's start-up folder.": "从 Excel 的启动文件夹中删除加载项。",
    "Check that the add-in can work on this computer: one line per check, with its fix; exit 1 when any fails.":
        "检查加载项能否在此电脑上工作：每项检查一行，并附修复方法；任何一项失败时以代码 1 退出。",
    "Whether the add-in is installed and matches this kamxl; where the file is.":
        "加载项是否已安装、是否与本 kamxl 一致，以及文件所在位置。",
    "Validate submitted workbooks and report every finding with its cell.": "校验提交的工作簿，逐条报告问题及其单元格。",
    "Roll the forecasts of the level below up into one forecast (M-FC-2..5).":
        "把下一级的预测汇总为一份预测（M-FC-2..5）。",
    "Inspect and check methodology configuration.": "查看和检查方法论配置。",
    "Check a company configuration file; exit 2 with the offending key if invalid.":
        "检查公司配置文件；无效时指出出错的配置项并以代码 2 退出。",
    "Print the effective stage table and thresholds.": "显示生效的阶段表和阈值。",
    # options
    "Language of output: zh or en (default: KAMXL_LANG or the system locale).":
        "输出语言：zh 或 en（默认取 KAMXL_LANG，否则按系统区域设置）。",
    "Company configuration file (TOML) overriding the defaults.": "公司配置文件（TOML），覆盖默认设置。",
    "Date to judge close dates against (default: today).": "判断预计成交日期是否已过所依据的日期（默认：今天）。",
    "Date to judge close and due dates against (default: today).": "判断成交日期和到期日所依据的日期（默认：今天）。",
    "Folder for the filled example workbooks (default: kamxl-demo).": "示例工作簿的输出文件夹（默认：kamxl-demo）。",
    "The workbook to write (.xlsx).": "要写出的工作簿（.xlsx）。",
    "Fill it with the bundled sample data.": "填入自带的示例数据。",
    "Plain Excel formulas instead of KAM_* functions: for Excel without the kamxl add-in, "
    "Excel for Mac and the web, WPS and LibreOffice.":
        "用 Excel 普通公式代替 KAM_* 函数：适用于未装 kamxl 加载项的 Excel、Mac 版和网页版 Excel、WPS 及 LibreOffice。",
    "The portable workbook to write (.xlsx); never the input.": "要写出的便携版工作簿（.xlsx）；不能是输入文件。",
    "Replace OUTPUT if it exists.": "输出文件已存在时替换它。",
    "Folder to write into (default: workbooks).": "写入的文件夹（默认：workbooks/）。",
    "The add-in to write.": "要写出的加载项文件。",
    "Install this add-in file instead of a fresh build.": "安装此加载项文件，而不是重新生成的。",
    "Look into sub-folders too.": "同时查找子文件夹。",
    "The customer register (kamxl new register): every funnel, forecast and account plan's customers are checked "
    "against it (M-ACC-2, -3, -5); it is validated too, never changed.":
        "客户登记（kamxl new register）：每个销售漏斗、销售预测和客户经营计划中的客户都与之核对"
        "（M-ACC-2、-3、-5）；登记本身也会校验，但从不修改。",
    "Write the findings to FILE.xlsx (with links to each cell) or FILE.json.":
        "把问题写入 FILE.xlsx（带到每个单元格的链接）或 FILE.json。",
    "Worker processes (default: CPU cores).": "工作进程数（默认：处理器核数）。",
    "Worker processes.": "工作进程数。",
    "Exit 1 when findings at or above this severity exist.": "存在此严重程度及以上的问题时以代码 1 退出。",
    "Ceiling per file, wall-clock seconds (default: limits.file_seconds, 60; 0: none).":
        "每个文件的时间上限，秒（默认取 limits.file_seconds，60；0 表示不限）。",
    "Ceiling per file, memory in MB (default: limits.file_memory_mb, 2048; 0: none; Linux).":
        "每个文件的内存上限，MB（默认取 limits.file_memory_mb，2048；0 表示不限；仅 Linux）。",
    "The roll-up workbook to write (a forecast one level up).": "要写出的汇总工作簿（上一级的预测）。",
    "Who rolls up: the manager, director or BU head.": "汇总人：经理、总监或事业部负责人。",
    "The level of this roll-up.": "本次汇总的层级。",
    "Forecast period, e.g. 2026-Q4 (default: the inputs' period).": "预测期间，如 2026-Q4（默认取输入文件的期间）。",
    "Who this roll-up is submitted to (optional).": "本汇总提交给谁（可选）。",
    "An earlier roll-up: deal flow since then.": "一份较早的汇总：列出此后商机的变化。",
    "Channel forecast (.xlsx/.csv: period, amount), M-FC-5.": "渠道预测（.xlsx/.csv：期间、金额），M-FC-5。",
    "Quotas (.xlsx/.csv: owner, period, quota), M-TEAM-1.": "指标（.xlsx/.csv：负责人、期间、指标），M-TEAM-1。",
    "Your revisions (.csv/.xlsx: owner, adjusted, note), or an earlier output of this roll-up.":
        "您的调整（.csv/.xlsx：负责人、调整后、说明），或本汇总较早的输出。",
    "Currency rates (.csv/.xlsx: currency, rate).": "汇率（.csv/.xlsx：币种、汇率）。",
    "The roll-up's date (default: today).": "汇总日期（默认：今天）。",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
}

#: click's messages (gettext msgids of click 8) -> Chinese; fields as in the English, or
#: fewer where the English one fills in an English word (a file's kind, a type's name)
CLICK_ZH: dict[str, str] = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "输入 '{command} {option}' 查看帮助。",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少 {param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的起始字符无效（{option}）",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{filename!r} 是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{filename!r} 不可执行。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的布尔值。可用的值：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Value must be an iterable.": "值必须是一组值。",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不经询问直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的值不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
}

#: click's plural messages: the English singular -> Chinese (one, several)
CLICK_PLURAL_ZH: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）",) * 2,
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个值，但只给了 1 个。", "需要 {nargs} 个值，但给了 {len} 个。"),
    "Did you mean {possibility}?": ("是否要用 {possibility}？", "（是否要用以下之一：{possibilities}？）"),
    "Option {name!r} requires an argument.": ("选项 {name!r} 需要一个值。", "选项 {name!r} 需要 {nargs} 个值。"),
    "{value!r} is not {choice}.": ("{value!r} 不是 {choice}。", "{value!r} 不是 {choices} 之一。"),
    "{value!r} does not match the format {format}.": ("{value!r} 不符合格式 {format}。", "{value!r} 不符合格式 {formats} 中的任何一种。"),
    "{len_type} values are required, but {len_value} was given.":
        ("需要 {len_type} 个值，但给了 {len_value} 个。",) * 2,
}

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")
_state: dict[str, object] = {"lang": "en", "installed": False}


def lang_of_argv(argv: Sequence[str]) -> Lang:
    """The language a command line asks for: ``--lang X`` / ``--lang=X`` before ``--``,
    else :func:`kamxl.i18n.default_lang` (``KAMXL_LANG``, else the locale)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value is not None:
            try:
                return check_lang(value)
            except ValueError:
                break                 # click says so, in the default language
    return default_lang()


def use_language(lang: Lang, root: click.Command) -> None:
    """Help texts of ``root``'s command tree and click's messages in ``lang`` from now on."""
    _state["lang"] = lang
    _install()
    for command in _commands(root):
        _localize(command, "help", lang)
        if getattr(command, "_help_option", None) is not None:
            command._help_option = None   # click keeps its --help, worded once: worded again, in lang
        for param in command.params:
            if isinstance(param, click.Option):
                _localize(param, "help", lang)


def current() -> Lang:
    return _state["lang"]  # type: ignore[return-value]


def _commands(root: click.Command) -> Iterator[click.Command]:
    yield root
    if isinstance(root, click.Group):
        for sub in root.commands.values():
            yield from _commands(sub)


def _localize(obj: object, attr: str, lang: Lang) -> None:
    """Set ``obj.attr`` to its text in ``lang``; the English one is kept beside it."""
    keep = f"_kamxl_{attr}_en"
    english = obj.__dict__.setdefault(keep, getattr(obj, attr))
    if english:
        setattr(obj, attr, HELP_ZH.get(" ".join(english.split()), english) if lang == "zh" else english)


def help_texts(root: click.Command) -> Iterator[tuple[str, str]]:
    """(where, English text) of every help text of the tree (for the test of :data:`HELP_ZH`)."""
    for command in _commands(root):
        english = command.__dict__.get("_kamxl_help_en", command.help)
        if english:
            yield command.name or "", " ".join(english.split())
        for param in command.params:
            if isinstance(param, click.Option):
                text = param.__dict__.get("_kamxl_help_en", param.help)
                if text:
                    yield f"{command.name} {param.opts[0]}", " ".join(text.split())


def _gettext(message: str) -> str:
    if _state["lang"] == "zh":
        return CLICK_ZH.get(message, message)
    return gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if _state["lang"] == "zh" and singular in CLICK_PLURAL_ZH:
        one, many = CLICK_PLURAL_ZH[singular]
        return one if n == 1 else many
    return gettext.ngettext(singular, plural, n)


def _missing_message(self: click.MissingParameter) -> str:
    """click ends "Missing option '--owner'." with a Latin full stop of its own (not through
    gettext): in Chinese it is a 。 (the stop follows the quoted name of what is missing)."""
    text = _CLICK_MISSING(self)
    if _state["lang"] != "zh":
        return text
    return re.sub(r"^([^'\"]*['\"][^'\"]*['\"](?: / ['\"][^'\"]*['\"])*)\.", r"\1。", text, count=1)


_CLICK_MISSING = click.MissingParameter.format_message


def _install() -> None:
    """Put the translators into click's modules, once."""
    if _state["installed"]:
        return
    click.MissingParameter.format_message = _missing_message  # type: ignore[method-assign]
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    _state["installed"] = True
