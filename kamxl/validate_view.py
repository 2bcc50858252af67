"""What ``kamxl validate`` shows on a terminal: notes, a progress bar, the summary, then
the first findings (worst first: file, cell, rule, message) and how many more."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kamxl.findings import FileResult, Finding, Report, sort_key
from kamxl.i18n import Lang, Text

LABELS = {
    "title": Text("校验结果", "Validation summary"), "files": Text("文件", "files"), "clean": Text("无问题", "clean"),
    "with_errors": Text("有错误", "with errors"), "with_warnings": Text("仅有警告", "with warnings only"),
    "unreadable": Text("无法读取", "unreadable"), "rules": Text("最常见的规则", "top rules"),
    "progress": Text("校验中", "validating"), "none": Text("没有找到工作簿", "no workbooks found"),
    "findings": Text("问题（共 {total} 条，先列出最严重的 {shown} 条）：", "Findings ({shown} of {total}, worst first):"),
    "all": Text("问题（共 {total} 条）：", "Findings ({total}):"),
    "more": Text("另有 {more} 条未列出：--report 文件.xlsx 可列出全部", "and {more} more: --report FILE.xlsx lists them all"),
}
SHOWN = 20          # findings listed on the console
MESSAGE_WIDTH = 200  # characters of a message shown on the console (the report has all of it)


def print_notes(skipped: list[tuple[Path, str]], lang: Lang) -> None:
    """One line per path passed over: the path, then why (the S-SKIPPED finding's words)."""
    from kamxl.validate import skipped_findings

    for note in skipped_findings(skipped):
        print(f"{note.file}: {note.text(lang)}", file=sys.stderr)


@contextmanager
def progress_bar(total: int, lang: Lang) -> Iterator[Callable[[FileResult], None]]:
    """A progress bar on a terminal; nothing at all in a pipe or a log."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda _: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(LABELS["progress"](lang), total=total)
        yield lambda _: bar.advance(task)


def print_summary(report: Report, lang: Lang) -> None:
    from rich.console import Console
    from rich.table import Table

    counts = report.counts()
    console = Console(width=None if sys.stdout.isatty() else 120)
    if not counts["files"]:
        console.print(LABELS["none"](lang))
        return
    table = Table(title=LABELS["title"](lang), title_justify="left", show_header=False)
    for key in ("files", "clean", "with_errors", "with_warnings", "unreadable"):
        table.add_row(LABELS[key](lang), str(counts[key]))
    top = report.by_rule().most_common(5)
    if top:
        table.add_row(LABELS["rules"](lang), ", ".join(f"{rule} ×{n}" for rule, n in top))
    console.print(table)


def print_findings(report: Report, lang: Lang, *, limit: int = SHOWN) -> None:
    """The first ``limit`` findings, worst first, then in report order: severity, file,
    sheet!cell, rule and message in ``lang``, one line each; then how many more. Paths
    passed over were already said (:func:`print_notes`)."""
    found = sorted((f for found in report.by_file().values() for f in found), key=_worst_first)
    if not found:
        return
    heading = LABELS["findings"] if len(found) > limit else LABELS["all"]
    print(heading(lang, shown=min(limit, len(found)), total=len(found)))
    for f in found[:limit]:
        print("  " + line(f, lang))
    if len(found) > limit:
        print("  " + LABELS["more"](lang, more=len(found) - limit))


def line(f: Finding, lang: Lang) -> str:
    """One finding on one line: severity, where, rule, message (cut at MESSAGE_WIDTH)."""
    where = f"{f.file} {f.sheet}!{f.cell}" if f.sheet and f.cell else f"{f.file} {f.sheet}".rstrip()
    message = " ".join(f.text(lang).split())
    if len(message) > MESSAGE_WIDTH:
        message = message[:MESSAGE_WIDTH - 1] + "…"
    return f"{f.severity.label(lang)}  {where}  {f.rule}  {message}"


def _worst_first(f: Finding) -> tuple[object, ...]:
    return (-f.severity, *sort_key(f))
