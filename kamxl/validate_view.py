"""What ``kamxl validate`` shows on a terminal: notes, a progress bar, the summary."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kamxl.findings import FileResult, Report
from kamxl.i18n import Lang, Text

LABELS = {
    "title": Text("校验结果", "Validation summary"), "files": Text("文件", "files"), "clean": Text("无问题", "clean"),
    "with_errors": Text("有错误", "with errors"), "with_warnings": Text("仅有警告", "with warnings only"),
    "unreadable": Text("无法读取", "unreadable"), "rules": Text("最常见的规则", "top rules"),
    "progress": Text("校验中", "validating"), "none": Text("没有找到工作簿", "no workbooks found"),
}


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
