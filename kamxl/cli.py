"""The ``kamxl`` command line. Exit codes: 0 clean, 1 findings at or above the fail
level, 2 usage error or unreadable input (errors are printed in the user's language)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kamxl.errors import KamxlError
from kamxl.i18n import LANGS, Lang, Text, check_lang, default_lang

if TYPE_CHECKING:
    from kamxl.methodology import Config

LANG_OPTION = click.option("--lang", type=click.Choice(LANGS), default=None,
                           help="Language of output: zh or en (default: KAMXL_LANG or the system locale).")
TIMEOUT_OPTION = click.option("--file-timeout", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS",
                              help="Ceiling per file, wall-clock seconds (default: limits.file_seconds, 60; 0: none).")
MEMORY_OPTION = click.option("--file-memory", type=click.IntRange(0, 1_048_576), default=None, metavar="MB",
                             help="Ceiling per file, memory in MB (default: limits.file_memory_mb, 2048; 0: none; Linux).")
CONFIG_OPTION = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                             default=None, help="Company configuration file (TOML) overriding the defaults "
                                                "(default: KAMXL_CONFIG, else ~/.kamxl/company.toml, else none).")


def _config(config_path: Path | None, lang: Lang) -> Config:
    """The configuration in effect, by the rule the worksheet functions follow too
    (kamxl.methodology.config.config_source); its warnings on stderr, in ``lang``."""
    from kamxl.config_view import effective

    cfg, _source, warnings = effective(config_path, lang)
    for warning in warnings:
        click.echo(f"kamxl: {warning}", err=True)
    return cfg


TOO_LITTLE_MEMORY = Text("至少 64 MB，或 0 表示不限", "at least 64 MB, or 0 for none")


def _with_ceilings(cfg: object, seconds: float | None, memory: int | None) -> object:
    """The configuration with the command line's per-file ceilings, where given."""
    from dataclasses import replace

    from kamxl.methodology import Config

    assert isinstance(cfg, Config)
    if seconds is None and memory is None:
        return cfg
    if memory is not None and 0 < memory < 64:
        raise click.BadParameter(TOO_LITTLE_MEMORY(_current_lang()), param_hint="--file-memory")
    ceilings = replace(cfg.ceilings, **{k: v for k, v in (("file_seconds", seconds), ("file_memory_mb", memory))
                                        if v is not None})
    return replace(cfg, ceilings=ceilings)


def _lang(lang: str | None) -> Lang:
    return check_lang(lang) if lang else default_lang()


INTERRUPTED = Text("已中断（Ctrl-C）：输出文件要么完整写入，要么保持原样", "interrupted (Ctrl-C): outputs are written whole or not at all")
FORCE_OPTION = click.option("--force", is_flag=True,
                            help="Replace OUTPUT even if it is not an earlier kamxl output of the same kind "
                                 "(never an input).")


def _current_lang() -> Lang:
    """The language of this run, as read from the command line before click parsed it."""
    from kamxl.cli_lang import current

    return current()


class KamxlGroup(click.Group):
    """Turns our errors into a readable message and exit code 2, and Ctrl-C into one line
    and exit code 130: never a traceback; help and usage errors in the language of the run
    (:mod:`kamxl.cli_lang`)."""

    def main(self, args: object = None, *rest: object, **options: object) -> object:
        from kamxl.cli_lang import lang_of_argv, use_language

        argv = sys.argv[1:] if args is None else list(args)  # type: ignore[call-overload]
        use_language(lang_of_argv(argv), self)
        try:
            return super().main(args, *rest, **options)  # type: ignore[arg-type]
        finally:
            use_language("en", self)     # click as it was, for whatever runs next in this process

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KamxlError as exc:
            click.echo(f"kamxl: {exc.message(self._lang(ctx))} [{exc.code}]", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo(f"kamxl: {INTERRUPTED(self._lang(ctx))}", err=True)
            ctx.exit(130)

    @staticmethod
    def _lang(ctx: click.Context) -> Lang:
        return _lang(ctx.meta.get("kamxl.lang")) if ctx.meta.get("kamxl.lang") else _current_lang()


VERSION = Text("kamxl，版本 {version}", "kamxl, version {version}")


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from kamxl import __version__

        click.echo(VERSION(_current_lang(), version=__version__))
        ctx.exit()


@click.group(cls=KamxlGroup)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def main() -> None:
    """kamxl: key-account sales methodology for Excel workbooks."""


def _remember_lang(ctx: click.Context, lang: str | None) -> Lang:
    ctx.meta["kamxl.lang"] = lang
    return _lang(lang)


@main.command()
@LANG_OPTION
@CONFIG_OPTION
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date to judge close dates against (default: today).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("kamxl-demo"),
              help="Folder for the filled example workbooks (default: kamxl-demo).")
@click.pass_context
def demo(ctx: click.Context, lang: str | None, config_path: Path | None, today: object, out: Path) -> None:
    """Run the methodology on the bundled sample data and write the filled workbooks."""
    from rich.console import Console

    from kamxl.demo import build_report, render
    from kamxl.templates import EXAMPLES, write_template

    language = _remember_lang(ctx, lang)
    cfg = _config(config_path, language)
    day = today.date() if today else date.today()  # type: ignore[attr-defined]
    console = Console(width=None if sys.stdout.isatty() else 160)
    render(build_report(today=day, config=cfg, lang=language), language, console)
    console.print(DEMO_WORKBOOKS(language))
    out.mkdir(parents=True, exist_ok=True)     # the demo's own folder (outputs never make theirs)
    for name in EXAMPLES:
        path = out / f"{name}-example.{language}.xlsx"
        # the portable edition: a fresh machine has no add-in, and any spreadsheet application
        # computes its plain formulas (the KAM_* one would show #NAME? there)
        kept = _write_unless_changed(path, lambda target, name=name: write_template(
            name, target, lang=language, config=cfg, filled=True, edition="portable"))
        console.print(f"  {path}" + (f"  {DEMO_KEPT(language)}" if kept else ""))


DEMO_WORKBOOKS = Text("\n[bold]示例工作簿[/]（已填写示例数据；便携版：普通 Excel 公式，任何电子表格软件都能计算。"
                      "装有 kamxl 加载项时，用 kamxl new … --example 得到 KAM_* 版）：",
                      "\n[bold]Example workbooks[/] (filled with the sample data; the portable edition: plain Excel "
                      "formulas any spreadsheet application computes. With the kamxl add-in, kamxl new … --example "
                      "gives the KAM_* edition):")
DEMO_KEPT = Text("（已保留：此文件已被改动，未覆盖；删除它或用 --out 另选文件夹）",
                 "(kept: this file was changed since the demo wrote it, so it is not replaced; delete it or choose "
                 "another --out)")


def _write_unless_changed(path: Path, write: Callable[[Path], object]) -> bool:
    """Write ``path`` by ``write``, unless a file there differs from what it would write (a
    person may have typed into the demo's workbook): then keep it and return True."""
    import tempfile

    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        fresh = Path(tmp) / path.name
        write(fresh)
        if path.exists() and path.read_bytes() != fresh.read_bytes():
            return True
        fresh.replace(path)
    return False


def _template_names() -> list[str]:
    from kamxl.schema import TEMPLATES

    return list(TEMPLATES)


@main.command()
@click.argument("template", type=click.Choice(_template_names()))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The workbook to write (.xlsx); an existing file only with --force.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (a workbook someone may have filled).")
@LANG_OPTION
@CONFIG_OPTION
@click.option("--example", is_flag=True, help="Fill it with the bundled sample data.")
@click.option("--portable", is_flag=True,
              help="Plain Excel formulas instead of KAM_* functions: for Excel without the kamxl add-in, "
                   "Excel for Mac and the web, WPS and LibreOffice.")
@click.pass_context
def new(ctx: click.Context, template: str, output: Path, force: bool, lang: str | None, config_path: Path | None,
        example: bool, portable: bool) -> None:
    """Write a standard workbook: funnel, forecast, account-plan or register."""
    from kamxl.io.outputs import check_output
    from kamxl.templates import write_template

    language = _remember_lang(ctx, lang)
    check_output(output, "template", force=force)
    path = write_template(template, output, lang=language, config=_config(config_path, language), filled=example,
                          edition="portable" if portable else "kam")
    click.echo({"zh": f"已写入 {path}", "en": f"written: {path}"}[language])


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The portable workbook to write (.xlsx); never the input.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@LANG_OPTION
@CONFIG_OPTION
@click.pass_context
def portable(ctx: click.Context, source: Path, output: Path, force: bool, lang: str | None,
             config_path: Path | None) -> None:
    """Rewrite a filled workbook with plain Excel formulas, for someone without the kamxl add-in."""
    from kamxl.convert import to_portable

    language = _remember_lang(ctx, lang)
    done = to_portable(source, output, config=_config(config_path, language), force=force)
    rows = sum(done.rows.values())
    click.echo({"zh": f"已写入 {done.output}（便携版，{rows} 行数据）",
                "en": f"written: {done.output} (portable edition, {rows} rows of data)"}[language])
    if done.typed_over:
        click.echo({"zh": f"保留了手工填在公式位置的值：{'、'.join(done.typed_over)}",
                    "en": f"kept the values typed where formulas belong: {', '.join(done.typed_over)}"}[language])
    if done.left_out:
        click.echo({"zh": f"未带入（不属于标准模板的工作表）：{'、'.join(done.left_out)}",
                    "en": f"not carried over (sheets outside the standard template): {', '.join(done.left_out)}"}
                   [language])


@main.group()
def templates() -> None:
    """Maintain the committed templates in workbooks/."""


@templates.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("workbooks"),
              help="Folder to write into (default: workbooks).")
def templates_build(out: Path) -> None:
    """Regenerate every template and filled example (zh and en) from the schemas."""
    from kamxl.templates import build_all

    for path in build_all(out):
        click.echo(str(path))


@main.group()
def addin() -> None:
    """Build and install the Excel add-in (KAM ribbon tab and KAM_* functions)."""


ADDIN_PATH = Path("workbooks") / "kamxl.xlam"
ADDIN_FILE = Text("加载项文件（kamxl addin build）：{path}", "add-in file (kamxl addin build): {path}")
ADDIN_FILE_MISSING = Text("加载项文件 {path} 不存在：在此文件夹运行 kamxl addin build 生成它"
                          "（kamxl addin install 也会先生成再安装）",
                          "add-in file {path} does not exist: run kamxl addin build in this folder to build it "
                          "(kamxl addin install builds it too, then installs it)")


@addin.command("build")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=ADDIN_PATH,
              show_default=True, help="The add-in to write (.xlam); it may replace an earlier build.")
@FORCE_OPTION
@LANG_OPTION
@click.pass_context
def addin_build(ctx: click.Context, output: Path, force: bool, lang: str | None) -> None:
    """Build the add-in from the sources in kamxl/addin/src and kamxl/excel/udfs.py."""
    from kamxl.addin.build import build_addin
    from kamxl.io.outputs import check_output

    _remember_lang(ctx, lang)
    check_output(output, "addin", force=force)
    click.echo(str(build_addin(output)))


@addin.command("install")
@click.option("--file", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Install this add-in file instead of a fresh build.")
@LANG_OPTION
@click.pass_context
def addin_install(ctx: click.Context, source: Path | None, lang: str | None) -> None:
    """Put the add-in into Excel's start-up folder (Windows, macOS)."""
    from kamxl.addin.install import describe, install, status

    language = _remember_lang(ctx, lang)
    install(source=source, built=ADDIN_PATH)
    click.echo(describe(status(), language))
    click.echo({"zh": "请重新启动 Excel。", "en": "Restart Excel."}[language])


@addin.command("doctor")
@LANG_OPTION
@click.pass_context
def addin_doctor(ctx: click.Context, lang: str | None) -> None:
    """Check that the add-in can work on this computer: one line per check, with its fix; exit 1 when any fails."""
    from kamxl.addin.doctor import diagnose, failed, report

    language = _remember_lang(ctx, lang)
    checks = diagnose()
    click.echo(report(checks, language))
    ctx.exit(1 if failed(checks) else 0)


@addin.command("uninstall")
@LANG_OPTION
@click.pass_context
def addin_uninstall(ctx: click.Context, lang: str | None) -> None:
    """Remove the add-in from Excel's start-up folder."""
    from kamxl.addin.install import uninstall

    language = _remember_lang(ctx, lang)
    removed = uninstall(built=ADDIN_PATH)
    click.echo({"zh": f"已删除：{removed}" if removed else "加载项未安装。",
                "en": f"removed: {removed}" if removed else "the add-in was not installed."}[language])


@addin.command("status")
@LANG_OPTION
@click.pass_context
def addin_status(ctx: click.Context, lang: str | None) -> None:
    """Whether the add-in is installed and matches this kamxl; where the file is."""
    from kamxl.addin.install import describe, status

    language = _remember_lang(ctx, lang)
    click.echo(describe(status(), language))
    path = ADDIN_PATH.resolve()
    click.echo((ADDIN_FILE if path.is_file() else ADDIN_FILE_MISSING)(language, path=path))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--recursive", "-r", is_flag=True, help="Look into sub-folders too.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the findings to FILE.xlsx (with links to each cell) or FILE.json; it may replace an "
                   "earlier kamxl report, another file only with --force, never an input.")
@FORCE_OPTION
@LANG_OPTION
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU cores).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Exit 1 when findings at or above this severity exist.")
@CONFIG_OPTION
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date to judge close and due dates against (default: today).")
@TIMEOUT_OPTION
@MEMORY_OPTION
@click.option("--quiet", "-q", is_flag=True, help="Show the counts only, not the first findings.")
@click.option("--register", "customers", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The customer register (kamxl new register): every funnel, forecast and account plan's customers "
                   "are checked against it (M-ACC-2, -3, -5); it is validated too, never changed.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], recursive: bool, report: Path | None, force: bool,
             lang: str | None, jobs: int | None, fail_on: str, config_path: Path | None, today: object,
             file_timeout: float | None, file_memory: int | None, quiet: bool, customers: Path | None) -> None:
    """Validate submitted workbooks and report every finding with its cell."""
    from kamxl.findings import Severity
    from kamxl.validate import default_jobs, discover, validate_paths
    from kamxl.validate_view import print_findings, print_notes, print_summary, progress_bar

    language = _remember_lang(ctx, lang)
    cfg = _with_ceilings(_config(config_path, language), file_timeout, file_memory)
    files, skipped = discover(paths, recursive=recursive)
    if customers is not None:   # validated with the batch, once (validate_paths takes it out of the files)
        files = [*files, customers]
    if report is not None:
        from kamxl.io.outputs import check_output

        # before any work; the inputs: the folders given and the files found (not a report passed over)
        check_output(report, "report", inputs=[*(p for p in paths if p.is_dir()), *files], force=force)
    print_notes(skipped, language)
    with progress_bar(len(files), language) as advance:
        # File names stay as given (relative to here, or absolute): the report writer shows them
        # relative to the submissions folder and links them relative to the report's own folder.
        result = validate_paths(files, jobs=jobs or default_jobs(), config=cfg, progress=advance,  # type: ignore[arg-type]
                                today=today.date() if today else None, skipped=skipped,  # type: ignore[attr-defined]
                                customers=customers)
    print_summary(result, language)
    if not quiet:
        print_findings(result, language)
    if report is not None:
        from kamxl.report import submissions_folder, write_report   # (XlsxWriter: only for a report)

        written = write_report(result, report, lang=language, base=submissions_folder(paths))  # files shown relative to it
        click.echo({"zh": f"报告：{written}", "en": f"report: {written}"}[language])
    if not files or all(not r.readable for r in result.files):
        ctx.exit(2)
    ctx.exit(1 if result.at_or_above(Severity[fail_on.upper()]) else 0)


LEVEL_CHOICE = click.Choice(["team", "region", "bu"])
SIDE_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The roll-up workbook to write (.xlsx, a forecast one level up); it may replace an earlier "
                   "kamxl roll-up, another file only with --force, never an input.")
@FORCE_OPTION
@click.option("--owner", required=True, help="Who rolls up: the manager, director or BU head.")
@click.option("--level", type=LEVEL_CHOICE, required=True, help="The level of this roll-up.")
@click.option("--period", default=None, help="Forecast period, e.g. 2026-Q4 (default: the inputs' period).")
@click.option("--manager", default="", help="Who this roll-up is submitted to (optional).")
@click.option("--previous", type=SIDE_FILE, default=None, help="An earlier roll-up: deal flow since then.")
@click.option("--channel", type=SIDE_FILE, default=None, help="Channel forecast (.xlsx/.csv: period, amount), M-FC-5.")
@click.option("--quota", type=SIDE_FILE, default=None, help="Quotas (.xlsx/.csv: owner, period, quota), M-TEAM-1.")
@click.option("--adjustments", type=SIDE_FILE, default=None,
              help="Your revisions (.csv/.xlsx: owner, adjusted, note), or an earlier output of this roll-up.")
@click.option("--rates", type=SIDE_FILE, default=None, help="Currency rates (.csv/.xlsx: currency, rate).")
@click.option("--recursive", "-r", is_flag=True, help="Look into sub-folders too.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@LANG_OPTION
@CONFIG_OPTION
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The roll-up's date (default: today).")
@TIMEOUT_OPTION
@MEMORY_OPTION
@click.pass_context
def rollup(ctx: click.Context, paths: tuple[Path, ...], output: Path, force: bool, owner: str, level: str, period: str | None,
           manager: str, previous: Path | None, channel: Path | None, quota: Path | None, adjustments: Path | None,
           rates: Path | None, recursive: bool, jobs: int, lang: str | None, config_path: Path | None,
           today: object, file_timeout: float | None, file_memory: int | None) -> None:
    """Roll the forecasts of the level below up into one forecast (M-FC-2..5)."""
    from kamxl.rollup import rollup_files
    from kamxl.rollup.view import print_rollup

    language = _remember_lang(ctx, lang)
    cfg = _with_ceilings(_config(config_path, language), file_timeout, file_memory)
    result = rollup_files(list(paths), output, recursive=recursive, owner=owner, level=level, lang=language, config=cfg,  # type: ignore[arg-type]
                          period=period, manager=manager, previous=previous, channel=channel, quota=quota,
                          adjustments=adjustments, rates=rates, jobs=jobs, force=force,
                          today=today.date() if today else None)  # type: ignore[attr-defined]
    print_rollup(result, language)


@main.group()
def config() -> None:
    """Inspect and check methodology configuration."""


@config.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@LANG_OPTION
@click.pass_context
def config_check(ctx: click.Context, path: Path | None, lang: str | None) -> None:
    """Check a company configuration file (default: the one in effect); exit 2 with the offending key if invalid."""
    language = _remember_lang(ctx, lang)
    _show_config(path, language, checked=True)


@config.command("show")
@LANG_OPTION
@CONFIG_OPTION
@click.pass_context
def config_show(ctx: click.Context, lang: str | None, config_path: Path | None) -> None:
    """Print the file in effect and every setting: stage table, thresholds, weights, limits."""
    _show_config(config_path, _remember_lang(ctx, lang))


def _show_config(path: Path | None, lang: Lang, *, checked: bool = False) -> None:
    from kamxl.config_view import describe, describe_source
    from kamxl.methodology import config_source

    cfg = _config(path, lang)
    source = config_source(path)
    if checked and source.path is not None:
        click.echo({"zh": f"配置有效：{source.path}", "en": f"configuration is valid: {source.path}"}[lang])
    click.echo(describe_source(source, lang))
    for line in describe(cfg, lang):
        click.echo(line)


@main.command()
@click.argument("ids", nargs=-1, metavar="[RULE]...")
@LANG_OPTION
@click.pass_context
def rules(ctx: click.Context, ids: tuple[str, ...], lang: str | None) -> None:
    """List the rules (M-... and S-... ids), or print the given ones in full: statement, source, settings, where implemented."""
    from kamxl.methodology.rules import RULES
    from kamxl.rules_doc import UNKNOWN_RULE, entry, index

    language = _remember_lang(ctx, lang)
    if not ids:
        click.echo(index(language))
        return
    wanted = [i.strip().upper() for i in ids]
    unknown = next((i for i in wanted if i not in RULES), None)
    if unknown is not None:
        raise click.BadParameter(UNKNOWN_RULE(language, rule=unknown), param_hint="RULE")
    click.echo("\n".join(entry(i, language) for i in wanted))


if __name__ == "__main__":  # pragma: no cover
    main()
